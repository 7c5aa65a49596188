"""Safe readers and writers for AAS files: JSON, XML and AASX packages.

Every reader takes a size limit and raises :class:`UnreadableFile` (with a finding of the read layer) for input
it cannot or may not read; nothing is written anywhere while reading.
"""

from midas.standard.io.aasx import AasxPackage, PackagePart, is_zip, read_aasx, write_aasx
from midas.standard.io.deserialize import V30, Flavor, Loaded, load_jsonable, load_xml
from midas.standard.io.errors import UnreadableFile
from midas.standard.io.json_reader import parse_json
from midas.standard.io.limits import DEFAULT_MAX_BYTES, ReadLimits, check_size, oversize
from midas.standard.io.xml_reader import namespace_of, parse_xml, safe_xml_parser

__all__ = [
    "DEFAULT_MAX_BYTES",
    "V30",
    "AasxPackage",
    "Flavor",
    "Loaded",
    "PackagePart",
    "ReadLimits",
    "UnreadableFile",
    "check_size",
    "is_zip",
    "load_jsonable",
    "load_xml",
    "namespace_of",
    "oversize",
    "parse_json",
    "parse_xml",
    "read_aasx",
    "safe_xml_parser",
    "write_aasx",
]
