"""The plain-JSON record form of each K-MDS template: its JSON Schema, and its conversion to an AAS submodel.

A record is what ingestion receives when a source does not speak AAS: one JSON object per submodel, keyed by
the template's idShorts. Its rules, all derived from the model:

- a Property is its value: text, a number, or true/false; a time span (``xs:duration``) is a number of seconds;
  a timestamp is an RFC 3339 date-time with its offset;
- a MultiLanguageProperty is an object from language code to text, e.g. ``{"ko": "프레스", "en": "Press"}``;
- an IDTA 02066 process variable is its current value alone (its ``key`` is filled in);
- a collection or entity is an object of its elements; an element that may repeat, and a list, is an array;
- a collection that declares elements without values (IDTA 02008's metadata record) maps each element's name
  to its XSD value type, e.g. ``{"Force": "xs:double"}``;
- an entity may give its ``idShort`` (and the entry node its ``globalAssetId``); the relationships between
  entities are derived from the nesting and are not written: each entity gets an IDTA 02011 ``HasPart`` to each
  node nested in it, as 02011's ArcheType ``Full`` states the tree, and no ``IsPartOf`` (02011 uses one or the
  other, not both; the schema lists the derived relationships under ``x-kmds-derived``);
- a reference (e.g. a calendar's ``inheritedFrom``) is the id of the submodel it points to;
- elements with a fixed value (e.g. a process variable's ``key``) may be left out.

Cross-field rules (e.g. good + scrap + rework ≤ produced) are beyond JSON Schema: check the converted
submodel with :func:`midas.standard.conformance.check_conformance`.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any, Final

from aas_core3 import types as aas
from aas_core3 import verification

from midas.standard.model import NAMESPACE, template_by_id_short
from midas.standard.model.aas import LIST_ELEMENT_TYPES, global_reference
from midas.standard.model.concepts import HAS_PART, NODE
from midas.standard.model.elements import ElementKind, ElementSpec, SubmodelTemplate, TextFormat
from midas.standard.model.value_types import INTEGER_TYPES, REAL_TYPES

__all__ = [
    "JSON_SCHEMA_DIALECT",
    "RecordError",
    "record_json_schema",
    "record_schema_id",
    "record_to_submodel",
    "seconds_to_duration",
]

JSON_SCHEMA_DIALECT: Final = "https://json-schema.org/draft/2020-12/schema"

# RFC 3339 date-time: the offset is required, which is what K-MDS asks of every timestamp.
DATE_TIME_PATTERN: Final = (
    r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})$"
)
TIME_PATTERN: Final = r"^[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})?$"
LANGUAGE_PATTERN: Final = r"^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{1,8})*$"
ID_SHORT_PATTERN: Final = r"^[a-zA-Z][a-zA-Z0-9_-]*[a-zA-Z0-9_]+$"


class RecordError(ValueError):
    """A record that cannot be converted: ``pointer`` is a JSON Pointer into the record, ``cause`` says why."""

    def __init__(self, pointer: str, cause: str) -> None:
        super().__init__(f"{pointer or '/'}: {cause}")
        self.pointer = pointer
        self.cause = cause


def record_schema_id(template: SubmodelTemplate) -> str:
    """The ``$id`` of a template's record schema."""
    return f"{NAMESPACE}1:0:record:{template.id_short}"


def record_json_schema(template_id_short: str) -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of the record form of the K-MDS template with this idShort."""
    template = template_by_id_short(template_id_short)
    schema: dict[str, Any] = {
        "$schema": JSON_SCHEMA_DIALECT,
        "$id": record_schema_id(template),
        "title": f"K-MDS {template.version} {template.concept.name_en} record",
        "description": template.concept.definition_en,
        "x-kmds-semantic-id": template.semantic_id,
    }
    schema.update(_object_schema(template.elements, extensible=False))
    return schema


def _annotations(spec: ElementSpec) -> dict[str, Any]:
    annotations: dict[str, Any] = {
        "title": spec.concept.name_en,
        "description": spec.concept.definition_en,
        "x-kmds-semantic-id": spec.semantic_id,
    }
    if spec.unit:
        annotations["x-kmds-unit"] = spec.unit
    return annotations


def _in_record(spec: ElementSpec) -> bool:
    return spec.kind is not ElementKind.RELATIONSHIP


def _has_part(entity: ElementSpec) -> ElementSpec | None:
    """The IDTA 02011 HasPart conversion writes into an entity, if entities may be nested in it. The template's
    IsPartOf is never written: a K-MDS structure is of ArcheType Full, which states the tree by HasPart alone."""
    has_part = next((child for child in entity.children if child.concept is HAS_PART), None)
    if has_part is None or not any(child.kind is ElementKind.ENTITY for child in entity.children):
        return None
    return has_part


def _object_schema(
    specs: Sequence[ElementSpec], *, extensible: bool, entity: ElementSpec | None = None
) -> dict[str, Any]:
    properties: dict[str, Any] = {}
    required: list[str] = []
    if entity is not None:
        properties["idShort"] = {"type": "string", "pattern": ID_SHORT_PATTERN}
        if entity.self_managed_entity:
            properties["globalAssetId"] = {"type": "string", "minLength": 1}
    for spec in specs:
        if not _in_record(spec):
            continue
        properties[spec.id_short] = _occurrence_schema(spec)
        if spec.cardinality.required and spec.fixed_value is None:
            required.append(spec.id_short)
    schema: dict[str, Any] = {"type": "object", "properties": properties}
    if required:
        schema["required"] = required
    schema["additionalProperties"] = {"type": ["number", "string", "boolean"]} if extensible else False
    if entity is not None and (has_part := _has_part(entity)) is not None:
        schema["x-kmds-derived"] = [
            {
                "idShort": has_part.id_short,
                "semanticId": has_part.semantic_id,
                "first": "this entity",
                "second": "a node nested in this one (one relationship for each)",
            }
        ]
    return schema


def _occurrence_schema(spec: ElementSpec) -> dict[str, Any]:
    if not spec.cardinality.repeatable:
        return _element_schema(spec)
    schema: dict[str, Any] = {"type": "array", "items": _element_schema(spec)}
    if spec.cardinality.required:
        schema["minItems"] = 1
    return schema


def _element_schema(spec: ElementSpec) -> dict[str, Any]:
    schema = _annotations(spec)
    match spec.kind:
        case ElementKind.PROPERTY:
            schema.update(_value_schema(spec))
        case ElementKind.MULTI_LANGUAGE_PROPERTY:
            schema.update(
                {
                    "type": "object",
                    "propertyNames": {"pattern": LANGUAGE_PATTERN},
                    "additionalProperties": {"type": "string", "minLength": 1},
                    "minProperties": 1,
                }
            )
        case ElementKind.COLLECTION if spec.record_value is not None:
            schema.update(_value_schema(spec.child(spec.record_value)))
        case ElementKind.COLLECTION if not spec.holds_values:
            schema.update(_declaration_schema(spec))
        case ElementKind.COLLECTION:
            schema.update(_object_schema(spec.children, extensible=spec.extensible))
        case ElementKind.ENTITY:
            schema.update(_object_schema(spec.children, extensible=False, entity=spec))
        case ElementKind.LIST:
            schema.update({"type": "array", "items": _element_schema(spec.item)})
            if spec.item.cardinality.required:
                schema["minItems"] = 1
        case ElementKind.FILE | ElementKind.REFERENCE:
            schema.update({"type": "string", "minLength": 1})
        case _:
            raise TypeError(f"no record form for {spec.kind} {spec.id_short}")
    return schema


_VALUE_TYPE_NAMES: Final = [value_type.value for value_type in aas.DataTypeDefXSD]


def _declaration_schema(spec: ElementSpec) -> dict[str, Any]:
    properties = {child.id_short: {"const": child.value_type.value} for child in spec.children if child.value_type}
    extra: dict[str, Any] | bool = {"enum": _VALUE_TYPE_NAMES} if spec.extensible else False
    return {"type": "object", "properties": properties, "additionalProperties": extra}


def _value_schema(spec: ElementSpec) -> dict[str, Any]:
    value_type = spec.value_type
    schema: dict[str, Any]
    if value_type is aas.DataTypeDefXSD.DURATION:
        schema = {"type": "number", "x-kmds-unit": "s"}
    elif value_type in REAL_TYPES:
        schema = {"type": "number"}
    elif value_type in INTEGER_TYPES:
        schema = {"type": "integer"}
    elif value_type is aas.DataTypeDefXSD.BOOLEAN:
        schema = {"type": "boolean"}
    elif value_type is aas.DataTypeDefXSD.DATE_TIME or spec.text_format is TextFormat.DATE_TIME_WITH_OFFSET:
        schema = {"type": "string", "format": "date-time", "pattern": DATE_TIME_PATTERN}
    elif value_type is aas.DataTypeDefXSD.DATE:
        schema = {"type": "string", "format": "date"}
    elif value_type is aas.DataTypeDefXSD.TIME:
        schema = {"type": "string", "pattern": TIME_PATTERN}
    else:
        schema = {"type": "string"}
    if spec.minimum is not None:
        schema["minimum"] = _json_number(spec.minimum)
    if spec.maximum is not None:
        schema["maximum"] = _json_number(spec.maximum)
    if spec.pattern is not None:
        schema["pattern"] = spec.pattern
    if spec.codes:
        schema["enum"] = [code.code for code in spec.codes]
    if spec.fixed_value is not None:
        schema["const"] = spec.fixed_value
    return schema


def _json_number(number: Decimal) -> int | float:
    return int(number) if number == number.to_integral_value() else float(number)


# --- record → submodel -----------------------------------------------------------------------------------------


def record_to_submodel(
    template: SubmodelTemplate | str,
    record: Mapping[str, Any],
    *,
    submodel_id: str | None = None,
) -> aas.Submodel:
    """The instance submodel a record describes.

    Without ``submodel_id`` the id is derived from the template and the record's content, so the same record
    always gives the same submodel (ingestion can recognise a record it has seen). Raises :class:`RecordError`
    for what cannot be converted (an unknown key, a missing required element, a value of the wrong JSON type);
    values are otherwise taken as they are, for the conformance check to judge.
    """
    if isinstance(template, str):
        template = template_by_id_short(template)
    identifier = submodel_id or _derived_submodel_id(template, record)
    builder = _InstanceBuilder(identifier)
    elements = builder.elements(template.elements, record, pointer="", parent_keys=())
    return aas.Submodel(
        id=identifier,
        id_short=template.id_short,
        kind=aas.ModellingKind.INSTANCE,
        semantic_id=global_reference(template.semantic_id),
        submodel_elements=elements or None,
    )


def _derived_submodel_id(template: SubmodelTemplate, record: Mapping[str, Any]) -> str:
    content = json.dumps(record, sort_keys=True, ensure_ascii=False, default=str)
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, template.semantic_id + content)}"


_MISSING: Final = object()


class _InstanceBuilder:
    """Builds the elements of one submodel; keeps the submodel id for the model references it writes."""

    def __init__(self, submodel_id: str) -> None:
        self.submodel_id = submodel_id

    def elements(
        self,
        specs: Sequence[ElementSpec],
        record: object,
        *,
        pointer: str,
        parent_keys: tuple[aas.Key, ...],
        extensible: bool = False,
        reserved: frozenset[str] = frozenset(),
    ) -> list[aas.SubmodelElement]:
        fields = _mapping(record, pointer)
        known = {spec.id_short for spec in specs if _in_record(spec)} | reserved
        unknown = [key for key in fields if key not in known]
        if unknown and not extensible:
            raise RecordError(f"{pointer}/{unknown[0]}", "is not an element of the K-MDS template here")
        built: list[aas.SubmodelElement] = []
        for spec in specs:
            if _in_record(spec):
                built += self.occurrences(spec, fields.get(spec.id_short, _MISSING), pointer, parent_keys)
        built += [_signal(key, fields[key], f"{pointer}/{key}") for key in unknown]
        return built

    def occurrences(
        self, spec: ElementSpec, value: object, pointer: str, parent_keys: tuple[aas.Key, ...]
    ) -> list[aas.SubmodelElement]:
        here = f"{pointer}/{spec.id_short}"
        if value is _MISSING:
            if spec.fixed_value is not None:
                return [self.element(spec, spec.fixed_value, here, spec.id_short, parent_keys)]
            if spec.cardinality.required:
                raise RecordError(here, "is required")
            return []
        if not spec.cardinality.repeatable:
            return [self.element(spec, value, here, spec.id_short, parent_keys)]
        if not isinstance(value, list):
            raise RecordError(here, "must be an array")
        return [
            self.element(spec, item, f"{here}/{index}", f"{spec.id_short}{index + 1}", parent_keys)
            for index, item in enumerate(value)
        ]

    def element(
        self, spec: ElementSpec, value: object, pointer: str, id_short: str | None, parent_keys: tuple[aas.Key, ...]
    ) -> aas.SubmodelElement:
        element: aas.SubmodelElement
        match spec.kind:
            case ElementKind.PROPERTY:
                element = _property(spec, value, pointer)
            case ElementKind.MULTI_LANGUAGE_PROPERTY:
                element = aas.MultiLanguageProperty(value=_texts(value, pointer))
            case ElementKind.COLLECTION if spec.record_value is not None:
                element = aas.SubmodelElementCollection(value=self.variable_parts(spec, value, pointer))
            case ElementKind.COLLECTION if not spec.holds_values:
                element = aas.SubmodelElementCollection(value=_declarations(spec, value, pointer) or None)
            case ElementKind.COLLECTION:
                keys = (*parent_keys, aas.Key(type=aas.KeyTypes.SUBMODEL_ELEMENT_COLLECTION, value=id_short or ""))
                parts = self.elements(
                    spec.children, value, pointer=pointer, parent_keys=keys, extensible=spec.extensible
                )
                element = aas.SubmodelElementCollection(value=parts or None)
            case ElementKind.LIST:
                element = self.list_element(spec, value, pointer, parent_keys)
            case ElementKind.ENTITY:
                return self.entity(spec, value, pointer, id_short, parent_keys)
            case ElementKind.FILE if spec.content_type is not None:
                element = aas.File(content_type=spec.content_type, value=_text(value, pointer))
            case ElementKind.REFERENCE:
                element = aas.ReferenceElement(value=_submodel_reference(_text(value, pointer)))
            case _:
                raise RecordError(pointer, f"K-MDS records have no {spec.kind} elements")
        element.id_short = id_short
        element.semantic_id = global_reference(spec.semantic_id)
        return element

    def variable_parts(self, spec: ElementSpec, value: object, pointer: str) -> list[aas.SubmodelElement]:
        """The parts of an IDTA 02066 process variable: its fixed key and the value the record gives."""
        parts: list[aas.SubmodelElement] = []
        for child in spec.children:
            if child.id_short == spec.record_value:
                parts.append(self.element(child, value, pointer, child.id_short, ()))
            elif child.fixed_value is not None:
                parts.append(self.element(child, child.fixed_value, pointer, child.id_short, ()))
        return parts

    def list_element(
        self, spec: ElementSpec, value: object, pointer: str, parent_keys: tuple[aas.Key, ...]
    ) -> aas.SubmodelElementList:
        if not isinstance(value, list):
            raise RecordError(pointer, "must be an array")
        item = spec.item
        items = [
            self.element(item, entry, f"{pointer}/{index}", None, parent_keys) for index, entry in enumerate(value)
        ]
        return aas.SubmodelElementList(
            type_value_list_element=LIST_ELEMENT_TYPES[item.kind],
            semantic_id_list_element=global_reference(item.semantic_id),
            value_type_list_element=item.value_type,
            value=items or None,
        )

    def entity(
        self,
        spec: ElementSpec,
        value: object,
        pointer: str,
        default_id_short: str | None,
        parent_keys: tuple[aas.Key, ...],
    ) -> aas.Entity:
        fields = _mapping(value, pointer)
        id_short = _entity_id_short(fields, default_id_short, pointer)
        keys = (*parent_keys, aas.Key(type=aas.KeyTypes.ENTITY, value=id_short))
        statements = self.elements(
            spec.children, fields, pointer=pointer, parent_keys=keys, reserved=frozenset({"idShort", "globalAssetId"})
        )
        statements += self.part_relationships(spec, statements, keys)
        entity = aas.Entity(
            entity_type=aas.EntityType.CO_MANAGED_ENTITY,
            id_short=id_short,
            semantic_id=global_reference(spec.semantic_id),
            statements=statements or None,
        )
        if spec.self_managed_entity:
            _make_self_managed(entity, fields, statements, pointer)
        return entity

    def part_relationships(
        self, spec: ElementSpec, statements: list[aas.SubmodelElement], keys: tuple[aas.Key, ...]
    ) -> list[aas.SubmodelElement]:
        """IDTA 02011 HasPart relationships from an entity (first) to each node nested in it (second): the tree
        of ArcheType Full, stated downwards. No IsPartOf: 02011 uses one or the other, not both."""
        has_part = _has_part(spec)
        if has_part is None:
            return []
        parts = [element for element in statements if isinstance(element, aas.Entity) and _is_node(element)]
        return [
            aas.RelationshipElement(
                id_short=f"{has_part.id_short}{index + 1}",
                semantic_id=global_reference(HAS_PART.id),
                first=self.model_reference(keys),
                second=self.model_reference((*keys, aas.Key(type=aas.KeyTypes.ENTITY, value=part.id_short or ""))),
            )
            for index, part in enumerate(parts)
        ]

    def model_reference(self, keys: tuple[aas.Key, ...]) -> aas.Reference:
        # Keys of their own: references that shared them would all change when one is edited.
        return aas.Reference(
            type=aas.ReferenceTypes.MODEL_REFERENCE,
            keys=[
                aas.Key(type=aas.KeyTypes.SUBMODEL, value=self.submodel_id),
                *(aas.Key(type=key.type, value=key.value) for key in keys),
            ],
        )


def _declarations(spec: ElementSpec, value: object, pointer: str) -> list[aas.SubmodelElement]:
    """Properties without values, typed as declared: the template's own (whose types are fixed), then the
    record's."""
    fields = _mapping(value, pointer)
    known = {child.id_short: child for child in spec.children}
    unknown = [name for name in fields if name not in known]
    if unknown and not spec.extensible:
        raise RecordError(f"{pointer}/{unknown[0]}", "is not an element of the K-MDS template here")
    declared: list[aas.SubmodelElement] = []
    for child in spec.children:
        if child.value_type is not None:
            declared.append(
                aas.Property(
                    value_type=child.value_type,
                    id_short=child.id_short,
                    semantic_id=global_reference(child.semantic_id),
                )
            )
    for name in unknown:
        if not verification.matches_id_short(name):
            raise RecordError(
                f"{pointer}/{name}", "must be named like an idShort (a letter, then letters, digits, _ or -)"
            )
        try:
            value_type = aas.DataTypeDefXSD(fields[name])
        except ValueError:
            raise RecordError(f"{pointer}/{name}", "must be an XSD value type such as xs:double") from None
        declared.append(aas.Property(value_type=value_type, id_short=name))
    return declared


def _is_node(entity: aas.Entity) -> bool:
    return entity.semantic_id is not None and entity.semantic_id.keys[0].value == NODE.id


def _entity_id_short(fields: Mapping[str, Any], default: str | None, pointer: str) -> str:
    given = fields.get("idShort")
    if given is not None:
        if not isinstance(given, str) or not verification.matches_id_short(given):
            raise RecordError(f"{pointer}/idShort", "must be an idShort (a letter, then letters, digits, _ or -)")
        return given
    equipment_id = fields.get("EquipmentId")
    if isinstance(equipment_id, str) and verification.matches_id_short(equipment_id):
        return equipment_id
    return default or "Node"


def _make_self_managed(
    entity: aas.Entity, fields: Mapping[str, Any], statements: list[aas.SubmodelElement], pointer: str
) -> None:
    """An entry node stands for an asset (AASd-014): its globalAssetId, or else its EquipmentId as a specific
    asset id."""
    entity.entity_type = aas.EntityType.SELF_MANAGED_ENTITY
    global_asset_id = fields.get("globalAssetId")
    if global_asset_id is not None:
        entity.global_asset_id = _text(global_asset_id, f"{pointer}/globalAssetId")
        return
    equipment_id = next(
        (
            element.value
            for element in statements
            if isinstance(element, aas.Property) and element.id_short == "EquipmentId"
        ),
        None,
    )
    if not equipment_id:
        raise RecordError(f"{pointer}/globalAssetId", "is required when the entry node has no EquipmentId")
    entity.specific_asset_ids = [aas.SpecificAssetID(name="EquipmentId", value=equipment_id)]


def _submodel_reference(submodel_id: str) -> aas.Reference:
    return aas.Reference(
        type=aas.ReferenceTypes.MODEL_REFERENCE,
        keys=[aas.Key(type=aas.KeyTypes.SUBMODEL, value=submodel_id)],
    )


def _mapping(value: object, pointer: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise RecordError(pointer, "must be an object")
    return value


def _text(value: object, pointer: str) -> str:
    if not isinstance(value, str):
        raise RecordError(pointer, "must be a string")
    return value


def _texts(value: object, pointer: str) -> list[aas.LangStringTextType]:
    texts = _mapping(value, pointer)
    return [
        aas.LangStringTextType(language=language, text=_text(text, f"{pointer}/{language}"))
        for language, text in texts.items()
    ]


def _property(spec: ElementSpec, value: object, pointer: str) -> aas.Property:
    value_type = spec.value_type or aas.DataTypeDefXSD.STRING
    return aas.Property(value_type=value_type, value=_lexical(value_type, value, pointer))


def _signal(id_short: str, value: object, pointer: str) -> aas.Property:
    """A user's own element in an extensible collection (e.g. a time series signal), typed from its JSON."""
    if not verification.matches_id_short(id_short):
        raise RecordError(pointer, "must be named like an idShort (a letter, then letters, digits, _ or -)")
    if isinstance(value, bool):
        value_type = aas.DataTypeDefXSD.BOOLEAN
    elif isinstance(value, int):
        value_type = aas.DataTypeDefXSD.LONG
    elif isinstance(value, float):
        value_type = aas.DataTypeDefXSD.DOUBLE
    else:
        value_type = aas.DataTypeDefXSD.STRING
    return aas.Property(value_type=value_type, id_short=id_short, value=_lexical(value_type, value, pointer))


def _lexical(value_type: aas.DataTypeDefXSD, value: object, pointer: str) -> str:
    """The XSD lexical form of a JSON value."""
    if value_type is aas.DataTypeDefXSD.DURATION:
        return seconds_to_duration(_number(value, pointer))
    if value_type is aas.DataTypeDefXSD.DECIMAL:
        return _plain_decimal(_number(value, pointer))
    if value_type in (aas.DataTypeDefXSD.DOUBLE, aas.DataTypeDefXSD.FLOAT):
        number = _number(value, pointer)
        return str(int(number)) if isinstance(value, int) else repr(float(number))
    if value_type in INTEGER_TYPES:
        if isinstance(value, bool) or not isinstance(value, int):
            raise RecordError(pointer, "must be an integer")
        return str(value)
    if value_type is aas.DataTypeDefXSD.BOOLEAN:
        if not isinstance(value, bool):
            raise RecordError(pointer, "must be true or false")
        return "true" if value else "false"
    return _text(value, pointer)


def _number(value: object, pointer: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise RecordError(pointer, "must be a number")
    number = Decimal(str(value)) if isinstance(value, float) else Decimal(value)
    if not number.is_finite():
        raise RecordError(pointer, "must be a finite number")
    return number


def _plain_decimal(number: Decimal) -> str:
    text = format(number, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def seconds_to_duration(seconds: Decimal) -> str:
    """An ``xs:duration`` of this many seconds, e.g. 28800 → ``PT28800S``; negative ones keep their sign."""
    sign = "-" if seconds < 0 else ""
    return f"{sign}PT{_plain_decimal(abs(seconds))}S"
