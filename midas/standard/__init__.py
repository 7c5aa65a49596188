"""K-MDS: the Korean production-data standard model on the Asset Administration Shell (metamodel V3.0).

A pure library: it imports nothing from the rest of MIDAS. The model is defined once
(:mod:`midas.standard.model`); templates, record JSON Schemas and reference docs are generated from it.
Files are validated in three layers (official schema, AAS constraints via aas-core3.0, K-MDS conformance)
into a :class:`Report` of :class:`Finding` s, and converted between AAS JSON, XML and AASX.
"""

from midas.standard.conformance import RULES, Rule, check_conformance
from midas.standard.constraints import constraint_findings, constraint_id
from midas.standard.convert import (
    AAS_JSON,
    AAS_XML,
    AASX,
    ConversionFailed,
    Converter,
    converter,
    converter_for_filename,
    converters,
    environments_equal,
    register,
)
from midas.standard.io import (
    AasxPackage,
    PackagePart,
    ReadLimits,
    UnreadableFile,
    parse_json,
    parse_xml,
    read_aasx,
    write_aasx,
)
from midas.standard.messages import MESSAGES_KO, korean
from midas.standard.model import (
    NAMESPACE,
    TEMPLATES,
    VERSION,
    Cardinality,
    CodeValue,
    Concept,
    ElementKind,
    ElementSpec,
    SubmodelTemplate,
    all_concepts,
    template_by_id_short,
    template_by_semantic_id,
)
from midas.standard.record_from_submodel import (
    SubmodelRecord,
    environment_records,
    is_environment,
    package_records,
    submodel_to_record,
)
from midas.standard.record_schema import RecordError, record_json_schema, record_to_submodel
from midas.standard.reference_docs import reference_markdown
from midas.standard.render import converter_messages_ko, finding_text, render_text, report_json, report_status
from midas.standard.report import Finding, Layer, Report, Severity, make_report
from midas.standard.schema import json_schema_findings, official_json_schema, official_xml_schema, xml_schema_findings
from midas.standard.templates import (
    example_environment,
    example_record,
    example_submodel,
    production_performance_submodel,
    template_concept_descriptions,
    template_environment,
    template_submodels,
)
from midas.standard.validate import (
    FileFormat,
    Mode,
    ValidationResult,
    detect_format,
    validate_bytes,
    validate_environment,
)

__all__ = [
    "AASX",
    "AAS_JSON",
    "AAS_XML",
    "MESSAGES_KO",
    "NAMESPACE",
    "RULES",
    "TEMPLATES",
    "VERSION",
    "AasxPackage",
    "Cardinality",
    "CodeValue",
    "Concept",
    "ConversionFailed",
    "Converter",
    "ElementKind",
    "ElementSpec",
    "FileFormat",
    "Finding",
    "Layer",
    "Mode",
    "PackagePart",
    "ReadLimits",
    "RecordError",
    "Report",
    "Rule",
    "Severity",
    "SubmodelRecord",
    "SubmodelTemplate",
    "UnreadableFile",
    "ValidationResult",
    "all_concepts",
    "check_conformance",
    "constraint_findings",
    "constraint_id",
    "converter",
    "converter_for_filename",
    "converter_messages_ko",
    "converters",
    "detect_format",
    "environment_records",
    "environments_equal",
    "example_environment",
    "example_record",
    "example_submodel",
    "finding_text",
    "is_environment",
    "json_schema_findings",
    "korean",
    "make_report",
    "official_json_schema",
    "official_xml_schema",
    "package_records",
    "parse_json",
    "parse_xml",
    "production_performance_submodel",
    "read_aasx",
    "record_json_schema",
    "record_to_submodel",
    "reference_markdown",
    "register",
    "render_text",
    "report_json",
    "report_status",
    "submodel_to_record",
    "template_by_id_short",
    "template_by_semantic_id",
    "template_concept_descriptions",
    "template_environment",
    "template_submodels",
    "validate_bytes",
    "validate_environment",
    "write_aasx",
    "xml_schema_findings",
]
