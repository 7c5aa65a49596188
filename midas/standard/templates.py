"""The K-MDS submodel templates and concept descriptions as AAS V3.0 objects, generated from the model.

:func:`template_environment` is what K-MDS publishes (JSON, XML or AASX, written by the caller);
:func:`production_performance_submodel` builds filled-in instances for tests, examples and benchmarks.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from datetime import datetime
from typing import Any, Final

from aas_core3 import types as aas

from midas.standard.model import NAMESPACE, TEMPLATES, VERSION, all_concepts
from midas.standard.model.aas import (
    IEC_61360_DATA_SPECIFICATION,
    INTENTIONALLY_EMPTY,
    LIST_ELEMENT_TYPES,
    definition_texts,
    global_reference,
    name_texts,
)
from midas.standard.model.elements import Concept, ElementKind, ElementSpec, SubmodelTemplate
from midas.standard.model.examples import EXAMPLE_RECORDS
from midas.standard.model.production_performance import PROCESS_VARIABLES, PRODUCTION_PERFORMANCE
from midas.standard.model.value_types import INTEGER_TYPES, REAL_TYPES
from midas.standard.record_schema import record_to_submodel

__all__ = [
    "TEMPLATES_SHELL_ID",
    "example_environment",
    "example_record",
    "example_submodel",
    "production_performance_submodel",
    "template_concept_descriptions",
    "template_environment",
    "template_submodel",
    "template_submodels",
]

#: The id of the shell that holds the templates in the published environment (AASX viewers show shells).
TEMPLATES_SHELL_ID: Final = f"{NAMESPACE}1:0:aas:Templates"

CARDINALITY_QUALIFIER_TYPE: Final = "SMT/Cardinality"
CARDINALITY_QUALIFIER_SEMANTIC_ID: Final = "https://admin-shell.io/SubmodelTemplates/Cardinality/1/0"


def template_environment() -> aas.Environment:
    """All K-MDS templates and their concept descriptions, with one shell that holds the templates."""
    submodels = template_submodels()
    shell = aas.AssetAdministrationShell(
        id=TEMPLATES_SHELL_ID,
        id_short="KMDS_Templates",
        display_name=[
            aas.LangStringNameType(language="en", text=f"K-MDS {VERSION} submodel templates"),
            aas.LangStringNameType(language="ko", text=f"K-MDS {VERSION} 서브모델 템플릿"),
        ],
        administration=_administration(),
        asset_information=aas.AssetInformation(
            asset_kind=aas.AssetKind.NOT_APPLICABLE, global_asset_id=f"{NAMESPACE}1:0:asset:Templates"
        ),
        submodels=[_model_reference(submodel.id) for submodel in submodels],
    )
    return aas.Environment(
        asset_administration_shells=[shell],
        submodels=submodels,
        concept_descriptions=template_concept_descriptions(),
    )


def template_submodels() -> list[aas.Submodel]:
    """Every K-MDS template as a submodel of kind Template, in the order of :data:`TEMPLATES`."""
    return [template_submodel(template) for template in TEMPLATES]


def template_submodel(template: SubmodelTemplate) -> aas.Submodel:
    """One K-MDS template as a submodel of kind Template, each element with its SMT/Cardinality qualifier."""
    return aas.Submodel(
        id=template.semantic_id,
        id_short=template.id_short,
        display_name=name_texts(template.concept),
        description=definition_texts(template.concept),
        administration=_administration(),
        kind=aas.ModellingKind.TEMPLATE,
        semantic_id=global_reference(template.semantic_id),
        submodel_elements=[_template_element(spec, in_list=False) for spec in template.elements],
    )


def template_concept_descriptions() -> list[aas.ConceptDescription]:
    """One concept description with an IEC 61360 data specification (names and definitions in en and ko) for
    every semanticId the templates use, the templates' own included."""
    usages = _concept_usages()
    return [_concept_description(concept, usages.get(concept.id, [])) for concept in all_concepts()]


def production_performance_submodel(
    *,
    work_unit_id: str,
    period_start: datetime,
    period_end: datetime,
    values: Mapping[str, float | int],
    period_kind: str = "Shift",
    order_id: str | None = None,
    product_id: str | None = None,
    operation_id: str | None = None,
    submodel_id: str | None = None,
) -> aas.Submodel:
    """A production performance instance for one work unit and period, filled with ``values``.

    ``values`` maps process variable idShorts (e.g. "PlannedBusyTime", "ProducedQuantity") to numbers: times in
    seconds, quantities in pieces. Datetimes must be timezone-aware. Whether the values are consistent is for
    :func:`midas.standard.conformance.check_conformance` to say; this function only builds the submodel.
    """
    unknown = sorted(set(values) - {variable.id_short for variable in PROCESS_VARIABLES})
    if unknown:
        raise ValueError(f"not production performance variables: {', '.join(unknown)}")
    record: dict[str, object] = {
        "WorkUnitId": work_unit_id,
        "PeriodKind": period_kind,
        "PeriodStart": _timestamp(period_start),
        "PeriodEnd": _timestamp(period_end),
    }
    optional = {"OrderId": order_id, "ProductId": product_id, "OperationId": operation_id}
    record.update({id_short: value for id_short, value in optional.items() if value is not None})
    record.update(values)
    return record_to_submodel(PRODUCTION_PERFORMANCE, record, submodel_id=submodel_id)


def example_record(template_id_short: str) -> dict[str, Any]:
    """A fresh copy of the example record of a template (a press line of a fictitious supplier), free to change."""
    return copy.deepcopy(EXAMPLE_RECORDS[template_id_short])


def example_submodel(template_id_short: str) -> aas.Submodel:
    """The example record of a template as an instance submodel; it passes every K-MDS rule."""
    return record_to_submodel(template_id_short, EXAMPLE_RECORDS[template_id_short])


def example_environment() -> aas.Environment:
    """One example instance of every template, with the K-MDS concept descriptions."""
    return aas.Environment(
        submodels=[example_submodel(template.id_short) for template in TEMPLATES],
        concept_descriptions=template_concept_descriptions(),
    )


def _timestamp(moment: datetime) -> str:
    if moment.utcoffset() is None:
        raise ValueError(f"{moment.isoformat()} has no time zone; K-MDS times carry their offset")
    return moment.isoformat()


def _administration() -> aas.AdministrativeInformation:
    major, minor, _patch = VERSION.split(".")
    return aas.AdministrativeInformation(version=major, revision=minor)


def _model_reference(submodel_id: str) -> aas.Reference:
    return aas.Reference(
        type=aas.ReferenceTypes.MODEL_REFERENCE,
        keys=[aas.Key(type=aas.KeyTypes.SUBMODEL, value=submodel_id)],
    )


def _cardinality_qualifier(spec: ElementSpec) -> aas.Qualifier:
    return aas.Qualifier(
        type=CARDINALITY_QUALIFIER_TYPE,
        value_type=aas.DataTypeDefXSD.STRING,
        value=spec.cardinality.value,
        kind=aas.QualifierKind.TEMPLATE_QUALIFIER,
        semantic_id=global_reference(CARDINALITY_QUALIFIER_SEMANTIC_ID),
    )


def _template_element(spec: ElementSpec, *, in_list: bool) -> aas.SubmodelElement:
    element = _bare_template_element(spec)
    # Items of a SubmodelElementList carry no idShort (AASd-120).
    element.id_short = None if in_list else spec.id_short
    element.display_name = name_texts(spec.concept)
    element.description = definition_texts(spec.concept)
    element.semantic_id = global_reference(spec.semantic_id)
    element.qualifiers = [_cardinality_qualifier(spec)]
    return element


def _bare_template_element(spec: ElementSpec) -> aas.SubmodelElement:
    children = [_template_element(child, in_list=spec.kind is ElementKind.LIST) for child in spec.children]
    match spec.kind:
        case ElementKind.PROPERTY:
            if spec.value_type is None:
                raise TypeError(f"{spec.id_short} is a Property without a value type")
            return aas.Property(value_type=spec.value_type, value=spec.fixed_value)
        case ElementKind.MULTI_LANGUAGE_PROPERTY:
            return aas.MultiLanguageProperty()
        case ElementKind.COLLECTION:
            return aas.SubmodelElementCollection(value=children or None)
        case ElementKind.LIST:
            item = spec.item
            return aas.SubmodelElementList(
                type_value_list_element=LIST_ELEMENT_TYPES[item.kind],
                semantic_id_list_element=global_reference(item.semantic_id),
                value_type_list_element=item.value_type,
                value=children,
            )
        case ElementKind.ENTITY if spec.self_managed_entity:
            # IDTA 02011 fills the template's entry node asset id with the node's semanticId; so does K-MDS.
            return aas.Entity(
                entity_type=aas.EntityType.SELF_MANAGED_ENTITY,
                global_asset_id=spec.semantic_id,
                statements=children or None,
            )
        case ElementKind.ENTITY:
            return aas.Entity(entity_type=aas.EntityType.CO_MANAGED_ENTITY, statements=children or None)
        case ElementKind.RELATIONSHIP:
            return aas.RelationshipElement(
                first=global_reference(INTENTIONALLY_EMPTY), second=global_reference(INTENTIONALLY_EMPTY)
            )
        case ElementKind.FILE if spec.content_type is not None:
            return aas.File(content_type=spec.content_type)
        case ElementKind.REFERENCE:
            return aas.ReferenceElement()
    raise TypeError(f"K-MDS templates have no {spec.kind} element like {spec.id_short}")


def _concept_usages() -> dict[str, list[ElementSpec]]:
    usages: dict[str, list[ElementSpec]] = {}
    for template in TEMPLATES:
        for spec in template.walk():
            usages.setdefault(spec.semantic_id, []).append(spec)
    return usages


_TEXT_TYPES: Final = {
    aas.DataTypeDefXSD.STRING: aas.DataTypeIEC61360.STRING,
    aas.DataTypeDefXSD.DATE_TIME: aas.DataTypeIEC61360.TIMESTAMP,
    aas.DataTypeDefXSD.DATE: aas.DataTypeIEC61360.DATE,
    aas.DataTypeDefXSD.TIME: aas.DataTypeIEC61360.TIME,
    aas.DataTypeDefXSD.BOOLEAN: aas.DataTypeIEC61360.BOOLEAN,
    aas.DataTypeDefXSD.ANY_URI: aas.DataTypeIEC61360.IRI,
}


def _iec_61360_data_type(spec: ElementSpec) -> aas.DataTypeIEC61360 | None:
    """The IEC 61360 data type one usage implies; None where IEC 61360 has none (collections, durations)."""
    if spec.kind is ElementKind.MULTI_LANGUAGE_PROPERTY:
        return aas.DataTypeIEC61360.STRING_TRANSLATABLE
    if spec.kind is ElementKind.FILE:
        return aas.DataTypeIEC61360.FILE
    if spec.kind is not ElementKind.PROPERTY or spec.value_type is None:
        return None
    if spec.value_type in REAL_TYPES:
        return aas.DataTypeIEC61360.REAL_MEASURE if spec.unit else aas.DataTypeIEC61360.REAL_COUNT
    if spec.value_type in INTEGER_TYPES:
        return aas.DataTypeIEC61360.INTEGER_MEASURE if spec.unit else aas.DataTypeIEC61360.INTEGER_COUNT
    return _TEXT_TYPES.get(spec.value_type)


def _shared_data_type(usages: list[ElementSpec]) -> aas.DataTypeIEC61360 | None:
    # A concept used as a collection in one template and a property in another gets no data type at all.
    data_types = {_iec_61360_data_type(spec) for spec in usages}
    return data_types.pop() if len(data_types) == 1 else None


def _value_list(concept: Concept) -> aas.ValueList | None:
    if not concept.codes:
        return None
    return aas.ValueList(
        value_reference_pairs=[
            aas.ValueReferencePair(value=code.code, value_id=global_reference(code.identifier(concept.id)))
            for code in concept.codes
        ]
    )


def _concept_description(concept: Concept, usages: list[ElementSpec]) -> aas.ConceptDescription:
    content = aas.DataSpecificationIEC61360(
        preferred_name=[
            aas.LangStringPreferredNameTypeIEC61360(language="en", text=concept.name_en),
            aas.LangStringPreferredNameTypeIEC61360(language="ko", text=concept.name_ko),
        ],
        definition=[
            aas.LangStringDefinitionTypeIEC61360(language="en", text=concept.definition_en),
            aas.LangStringDefinitionTypeIEC61360(language="ko", text=concept.definition_ko),
        ],
        unit=concept.unit,
        data_type=_shared_data_type(usages),
        source_of_definition=concept.source,
        value_list=_value_list(concept),
    )
    return aas.ConceptDescription(
        id=concept.id,
        id_short=usages[0].id_short if usages else _template_id_short(concept),
        embedded_data_specifications=[
            aas.EmbeddedDataSpecification(
                data_specification=global_reference(IEC_61360_DATA_SPECIFICATION),
                data_specification_content=content,
            )
        ],
    )


def _template_id_short(concept: Concept) -> str:
    return next(template.id_short for template in TEMPLATES if template.concept.id == concept.id)
