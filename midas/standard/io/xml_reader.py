"""Reading XML safely: no document type declarations (so no external entities and no entity expansion bombs),
no network, no comments or processing instructions in the tree."""

from __future__ import annotations

from lxml import etree

from midas.standard.io.errors import UnreadableFile
from midas.standard.io.limits import check_size

__all__ = ["namespace_of", "parse_xml", "safe_xml_parser"]

# A DOCTYPE is how XXE and "billion laughs" get in; AAS files never need one. Looked for in the encodings an
# XML file may use before parsing, and once more on the parsed document.
_DOCTYPE_MARKERS = tuple(
    marker.encode(encoding) for marker in ("<!DOCTYPE", "<!ENTITY") for encoding in ("utf-8", "utf-16-le", "utf-16-be")
)


def safe_xml_parser() -> etree.XMLParser:
    """An lxml parser that never loads a DTD, never resolves an entity and never touches the network."""
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
        collect_ids=False,
    )


def _refuse_doctype() -> UnreadableFile:
    return UnreadableFile(
        "READ-XML-DTD",
        "The XML declares a document type (DOCTYPE or ENTITY); such files are refused because "
        "they can read files or expand without bound",
    )


def parse_xml(data: bytes, *, max_bytes: int) -> etree._Element:
    """The root element of the XML in ``data``; raises :class:`UnreadableFile` with the line of the problem."""
    check_size(data, max_bytes)
    if any(marker in data for marker in _DOCTYPE_MARKERS):
        raise _refuse_doctype()
    try:
        root = etree.fromstring(data, parser=safe_xml_parser())
    except etree.XMLSyntaxError as error:
        line, column = error.position
        raise UnreadableFile(
            "READ-XML",
            "The file is not well-formed XML: {reason} (line {line}, column {column})",
            {"reason": error.msg, "line": line, "column": column},
        ) from None
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None:
        raise _refuse_doctype()
    return root


def namespace_of(element: etree._Element) -> str:
    """The namespace of ``element``'s tag ("" when it has none)."""
    return etree.QName(element).namespace or ""
