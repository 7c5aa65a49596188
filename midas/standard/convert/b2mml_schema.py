"""Validating B2MML V0701 against MESA's XML Schemas, loaded from a folder the caller names.

The library does not know where the schemas live; the caller passes the folder (e.g. the project's
``../shared/standards/b2mml/schema``). MESA's published set includes BatchML files that a B2MML-only copy
lacks; the entry schemas still include them (through ``B2MML-Common.xsd`` → ``B2MML-InformationObject.xsd``).
A missing BatchML file is replaced by a stand-in that declares the few BatchML types B2MML's
information-object wrapper names as open content: B2MML messages never use those types, so validation of
operations performance, schedules, equipment and material is unchanged. Nothing is ever fetched from the network.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Final

from lxml import etree

from midas.standard.convert.b2mml_messages import SCHEMA_UNAVAILABLE, SCHEMA_VIOLATION
from midas.standard.report import Finding, Layer, Severity

if TYPE_CHECKING:
    from lxml.etree._docloader import _InputDocument

__all__ = ["entry_schema_name", "load_b2mml_schema", "schema_findings"]

# The BatchML types that B2MML-InformationObject.xsd refers to, by the BatchML file that defines them.
_BATCHML_STAND_INS: Final[dict[str, tuple[str, ...]]] = {
    "BatchML-BatchProductionRecord.xsd": ("BatchProductionRecordType",),
    "BatchML-GeneralRecipe.xsd": ("GRecipeType", "ProcessElementType", "ResourceConstraintType"),
}

# The V0701 entry schema that defines each object's messages.
_ENTRY_SCHEMAS: Final[dict[str, str]] = {
    "OperationsPerformance": "B2MML-OperationsPerformance.xsd",
    "OperationsSchedule": "B2MML-OperationsSchedule.xsd",
    "Equipment": "B2MML-Equipment.xsd",
    "MaterialDefinition": "B2MML-Material.xsd",
    "MaterialLot": "B2MML-Material.xsd",
}


def _stand_in(file_name: str) -> bytes:
    types = "".join(
        f'<xsd:complexType name="{name}"><xsd:sequence>'
        '<xsd:any processContents="skip" minOccurs="0" maxOccurs="unbounded"/>'
        "</xsd:sequence></xsd:complexType>"
        for name in _BATCHML_STAND_INS.get(file_name, ())
    )
    # No targetNamespace: a chameleon include takes the namespace of the schema that includes it.
    return f'<xsd:schema xmlns:xsd="http://www.w3.org/2001/XMLSchema">{types}</xsd:schema>'.encode()


class _MissingBatchMlResolver(etree.Resolver):
    """Supplies a stand-in for a BatchML file missing beside the B2MML schemas; everything else is read as is."""

    def resolve(self, system_url: str | None, public_id: str | None, context: object, /) -> _InputDocument | None:
        path = Path(system_url or "")
        if path.name.startswith("BatchML-") and not path.exists():
            return self.resolve_string(_stand_in(path.name), context)
        return None


def entry_schema_name(noun: str) -> str:
    """The file name of the V0701 schema that defines the messages of ``noun`` (e.g. OperationsPerformance)."""
    return _ENTRY_SCHEMAS[noun]


@cache
def load_b2mml_schema(path: Path) -> etree.XMLSchema:
    """The compiled schema at ``path`` (an entry ``.xsd``); cached, as compiling takes a noticeable moment."""
    parser = etree.XMLParser(no_network=True, resolve_entities=False, load_dtd=False)
    parser.resolvers.add(_MissingBatchMlResolver())
    return etree.XMLSchema(etree.parse(str(path), parser))


def schema_findings(root: etree._Element, path: Path) -> list[Finding]:
    """Every violation of the schema at ``path`` in the document of ``root``, with its line."""
    try:
        schema = load_b2mml_schema(path)
    except (OSError, etree.XMLSchemaParseError, etree.XMLSyntaxError) as error:
        return [Finding(Layer.SCHEMA, "B2MML-XSD-LOAD", "", SCHEMA_UNAVAILABLE,
                        {"schema": path.name, "reason": str(error)})]
    if schema.validate(root.getroottree()):
        return []
    return [
        Finding(Layer.SCHEMA, "B2MML-XSD", entry.path or "", SCHEMA_VIOLATION,
                {"line": entry.line, "reason": entry.message}, Severity.ERROR)
        for entry in schema.error_log
    ]
