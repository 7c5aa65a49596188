"""The inverse of :func:`midas.standard.record_schema.record_to_submodel`: a K-MDS instance submodel back to its
plain-JSON record, so that an AAS environment can be ingested like records sent one by one.

Elements are matched to the template as conformance matches them: by idShort, else by semanticId (repeated
elements such as nodes and records carry idShorts of the data's choosing). The record form's rules are read
backwards: a Property becomes a JSON value of its template's type (a time span in seconds), a process variable
its current value, an entity an object with its ``idShort``, a reference the id of the submodel it points to.
What the record form cannot hold refuses the submodel with a finding that says where, rather than being
dropped: a comment on a process variable, an element the template does not know, an element of the wrong kind,
a value that is not of its type. The HasPart and IsPartOf relationships of a structure are not read: the record
states the tree by nesting, and :func:`record_to_submodel` writes them again from it.

Message ids are English with ``{name}`` parameters; :data:`RECORD_FROM_SUBMODEL_MESSAGES_KO` holds their Korean
(the same pairs are in the platform catalog ``ingest-files.po``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Final, TypeGuard

from aas_core3 import jsonization
from aas_core3 import types as aas

from midas.standard.conformance import parse_duration, parse_number
from midas.standard.convert.aas import AasxConverter
from midas.standard.io import ReadLimits
from midas.standard.model import template_by_semantic_id
from midas.standard.model.aas import ELEMENT_CLASSES, first_key_value
from midas.standard.model.elements import ElementKind, ElementSpec
from midas.standard.model.value_types import INTEGER_TYPES, REAL_TYPES
from midas.standard.report import Finding, Layer

__all__ = [
    "NOT_KMDS",
    "NOT_RECORD",
    "RECORD_FROM_SUBMODEL_MESSAGES_KO",
    "TEMPLATE_KIND",
    "UNREADABLE_SUBMODEL",
    "SubmodelRecord",
    "environment_records",
    "is_environment",
    "package_records",
    "submodel_to_record",
]

NOT_KMDS: Final = "the submodel {id} has the semanticId {semantic_id}, which is not a K-MDS template"
TEMPLATE_KIND: Final = "the submodel {id} is a template, not an instance: it holds no record"
NOT_RECORD: Final = "{pointer} of the submodel {id} cannot become part of a {template} record: {cause}"
UNREADABLE_SUBMODEL: Final = "the submodel {id} is not an AAS V3.0 submodel: {cause} (at {path})"

RECORD_FROM_SUBMODEL_MESSAGES_KO: Final[dict[str, str]] = {
    NOT_KMDS: "서브모델 {id}의 semanticId {semantic_id}는 K-MDS 템플릿이 아닙니다",
    TEMPLATE_KIND: "서브모델 {id}는 인스턴스가 아니라 템플릿이므로 레코드가 없습니다",
    NOT_RECORD: "서브모델 {id}의 {pointer}는 {template} 레코드의 일부가 될 수 없습니다: {cause}",
    UNREADABLE_SUBMODEL: "서브모델 {id}는 AAS V3.0 서브모델이 아닙니다: {cause} (위치 {path})",
}

RULE_NOT_KMDS: Final = "KMDS-SUB-001"
RULE_TEMPLATE_KIND: Final = "KMDS-SUB-002"
RULE_NOT_RECORD: Final = "KMDS-SUB-003"
RULE_UNREADABLE: Final = "KMDS-SUB-004"
_RESERVED: Final = frozenset({"idShort", "globalAssetId"})


@dataclass(frozen=True, slots=True)
class SubmodelRecord:
    """What became of one submodel: its template's idShort and record, or (``record`` None) the findings that say
    why it has none."""

    submodel_id: str
    template: str | None
    record: dict[str, Any] | None
    findings: tuple[Finding, ...]

    @property
    def converted(self) -> bool:
        return self.template is not None and self.record is not None


class _Unmapped(Exception):
    """Something in the submodel the record form cannot hold: ``pointer`` is where in the record it would go."""

    def __init__(self, pointer: str, cause: str) -> None:
        super().__init__(f"{pointer or '/'}: {cause}")
        self.pointer = pointer or "/"
        self.cause = cause


def submodel_to_record(submodel: aas.Submodel) -> SubmodelRecord:
    """The K-MDS record ``submodel`` holds: ``submodel_to_record(record_to_submodel(t, r))`` gives ``r`` again.

    A submodel whose semanticId is not a K-MDS template's, a template submodel, or one with content the record
    form cannot hold gives no record and one finding with the submodel id (and the place in the record)."""
    semantic_id = first_key_value(submodel.semantic_id) or ""
    template = template_by_semantic_id(semantic_id)
    if template is None:
        return _refused(submodel.id, RULE_NOT_KMDS, "", NOT_KMDS,
                        {"id": submodel.id, "semantic_id": semantic_id or "(none)"})
    if submodel.kind is aas.ModellingKind.TEMPLATE:
        return _refused(submodel.id, RULE_TEMPLATE_KIND, "", TEMPLATE_KIND, {"id": submodel.id})
    try:
        record = _fields(template.elements, submodel.submodel_elements, "", extensible=False, top_level=True)
    except _Unmapped as unmapped:
        return _refused(submodel.id, RULE_NOT_RECORD, unmapped.pointer, NOT_RECORD,
                        {"id": submodel.id, "pointer": unmapped.pointer, "template": template.id_short,
                         "cause": unmapped.cause})
    return SubmodelRecord(submodel.id, template.id_short, record, ())


def is_environment(data: object) -> TypeGuard[Mapping[str, Any]]:
    """Whether parsed JSON is an AAS environment (it has submodels or shells) rather than a record item."""
    return isinstance(data, Mapping) and ("submodels" in data or "assetAdministrationShells" in data)


def environment_records(environment: Mapping[str, Any]) -> list[SubmodelRecord]:
    """The record of every submodel of an AAS environment in JSON (as aas-core3.0 jsonization reads it), each
    read on its own: a submodel that is not valid AAS JSON is a finding, and the others are still read. A
    ``submodels`` that is not a list raises ValueError."""
    submodels = environment.get("submodels") or []
    if not isinstance(submodels, list):
        raise ValueError("submodels must be a list")
    return [_jsonable_record(index, jsonable) for index, jsonable in enumerate(submodels)]


def package_records(data: bytes, *, max_bytes: int) -> list[SubmodelRecord]:
    """The record of every submodel of an AASX package (its aas-spec parts in JSON or XML). The package is read
    strictly: :class:`~midas.standard.io.UnreadableFile` or
    :class:`~midas.standard.convert.base.ConversionFailed` refuse it whole."""
    environment = AasxConverter(ReadLimits.for_size(max_bytes)).read(data)
    return [submodel_to_record(submodel) for submodel in environment.submodels or ()]


def _jsonable_record(index: int, jsonable: Any) -> SubmodelRecord:
    given = jsonable.get("id") if isinstance(jsonable, Mapping) else None
    submodel_id = given if isinstance(given, str) and given else f"submodels[{index}]"
    try:
        submodel = jsonization.submodel_from_jsonable(jsonable)
    except jsonization.DeserializationException as error:
        return _refused(submodel_id, RULE_UNREADABLE, str(error.path), UNREADABLE_SUBMODEL,
                        {"id": submodel_id, "cause": error.cause[:300], "path": str(error.path) or "/"}, Layer.READ)
    return submodel_to_record(submodel)


def _refused(submodel_id: str, rule: str, pointer: str, message: str, params: Mapping[str, str | int | float],
             layer: Layer = Layer.CONFORMANCE) -> SubmodelRecord:
    finding = Finding(layer, rule, pointer, message, dict(params))
    return SubmodelRecord(submodel_id, None, None, (finding,))


def _spec_of(specs: Sequence[ElementSpec], element: aas.SubmodelElement) -> ElementSpec | None:
    by_id_short = next((spec for spec in specs if spec.id_short == element.id_short), None)
    if by_id_short is not None:
        return by_id_short
    semantic_id = first_key_value(element.semantic_id)
    return next((spec for spec in specs if spec.semantic_id == semantic_id), None)


def _fields(specs: Sequence[ElementSpec], elements: Sequence[aas.SubmodelElement] | None, pointer: str, *,
            extensible: bool, top_level: bool = False) -> dict[str, Any]:
    """The record object of a container's elements, in the template's order, then the container's own signals."""
    grouped: dict[str, list[Any]] = {}
    signals: dict[str, Any] = {}
    for element in elements or ():
        spec = _spec_of(specs, element)
        name = element.id_short or "(no idShort)"
        if spec is None:
            if not extensible:
                raise _Unmapped(f"{pointer}/{name}", "is not an element of the K-MDS template here")
            signals[name] = _signal(element, f"{pointer}/{name}")
            continue
        if spec.kind is ElementKind.RELATIONSHIP:
            continue  # stated by the nesting of the record
        if not spec.cardinality.repeatable and spec.id_short in grouped:
            raise _Unmapped(f"{pointer}/{spec.id_short}", "occurs more than once")
        index = len(grouped.get(spec.id_short, ()))
        here = f"{pointer}/{spec.id_short}" + (f"/{index}" if spec.cardinality.repeatable else "")
        grouped.setdefault(spec.id_short, []).append(_value(spec, element, here))
    record: dict[str, Any] = {}
    for spec in specs:
        values = grouped.get(spec.id_short)
        if values is None or (spec.fixed_value is not None and not top_level):
            continue
        record[spec.id_short] = values if spec.cardinality.repeatable else values[0]
    record.update(signals)
    return record


def _checked(spec: ElementSpec, element: aas.SubmodelElement, pointer: str) -> None:
    expected = ELEMENT_CLASSES[spec.kind]
    if not isinstance(element, expected):
        raise _Unmapped(pointer, f"is a {type(element).__name__}, but the template has a {spec.kind.value} here")


def _value(spec: ElementSpec, element: aas.SubmodelElement, pointer: str) -> Any:
    """The record value of one element matched to ``spec``."""
    _checked(spec, element, pointer)
    match element:
        case aas.Property():
            return _property_value(spec, element, pointer)
        case aas.MultiLanguageProperty():
            return {text.language: text.text for text in element.value or ()}
        case aas.SubmodelElementCollection() if spec.record_value is not None:
            return _variable_value(spec, element, pointer)
        case aas.SubmodelElementCollection() if not spec.holds_values:
            return _declarations(spec, element, pointer)
        case aas.SubmodelElementCollection():
            return _fields(spec.children, element.value, pointer, extensible=spec.extensible)
        case aas.SubmodelElementList():
            item = spec.item
            return [_value(item, entry, f"{pointer}/{index}") for index, entry in enumerate(element.value or ())]
        case aas.Entity():
            return _entity(spec, element, pointer)
        case aas.File():
            return _required_text(element.value, pointer)
        case aas.ReferenceElement():
            return _referenced_submodel(element, pointer)
    raise _Unmapped(pointer, f"K-MDS records have no {spec.kind.value} elements")


def _variable_value(spec: ElementSpec, element: aas.SubmodelElementCollection, pointer: str) -> Any:
    """An IDTA 02066 process variable is its current value; its key is fixed, and a comment has no place."""
    value: Any = None
    for part in element.value or ():
        child = _spec_of(spec.children, part)
        if child is None:
            raise _Unmapped(f"{pointer}/{part.id_short}", "is not a part of a K-MDS process variable")
        if child.id_short == spec.record_value:
            value = _value(child, part, pointer)
        elif child.fixed_value is None:
            raise _Unmapped(pointer, f"its {child.id_short} has no place in the record form, which keeps the value "
                                     "alone")
    if value is None:
        raise _Unmapped(pointer, f"has no {spec.record_value}")
    return value


def _declarations(spec: ElementSpec, element: aas.SubmodelElementCollection, pointer: str) -> dict[str, str]:
    """A collection of declared elements (IDTA 02008's metadata record): the record's own names and types; the
    template's own declarations are implied."""
    own = {child.id_short for child in spec.children}
    declared: dict[str, str] = {}
    for part in element.value or ():
        name = part.id_short or ""
        if not isinstance(part, aas.Property):
            raise _Unmapped(f"{pointer}/{name}", "a declaration must be a Property")
        if name not in own:
            declared[name] = part.value_type.value
    return declared


def _entity(spec: ElementSpec, element: aas.Entity, pointer: str) -> dict[str, Any]:
    fields = _fields(spec.children, element.statements, pointer, extensible=False)
    named: dict[str, Any] = {}
    if element.id_short and element.id_short != fields.get("EquipmentId"):
        named["idShort"] = element.id_short
    if spec.self_managed_entity and element.global_asset_id:
        named["globalAssetId"] = element.global_asset_id
    clash = _RESERVED & fields.keys()
    if clash:
        raise _Unmapped(f"{pointer}/{sorted(clash)[0]}", "is a reserved name of the record form")
    return {**named, **fields}


def _referenced_submodel(element: aas.ReferenceElement, pointer: str) -> str:
    keys = element.value.keys if element.value is not None else []
    if len(keys) != 1 or keys[0].type is not aas.KeyTypes.SUBMODEL:
        raise _Unmapped(pointer, "must refer to a submodel by its id alone")
    return keys[0].value


def _required_text(value: str | None, pointer: str) -> str:
    if value is None:
        raise _Unmapped(pointer, "has no value")
    return value


def _property_value(spec: ElementSpec, element: aas.Property, pointer: str) -> Any:
    value_type = spec.value_type or aas.DataTypeDefXSD.STRING
    if element.value_type is not value_type:
        raise _Unmapped(pointer, f"has the value type {element.value_type.value}, but the template has "
                                 f"{value_type.value}")
    return _json_value(value_type, _required_text(element.value, pointer), pointer)


def _signal(element: aas.SubmodelElement, pointer: str) -> Any:
    """A user's own element in an extensible collection (a time series signal): a Property, typed by its XSD
    type."""
    if not isinstance(element, aas.Property):
        raise _Unmapped(pointer, f"is a {type(element).__name__}; the record form holds only Properties here")
    return _json_value(element.value_type, _required_text(element.value, pointer), pointer)


def _json_value(value_type: aas.DataTypeDefXSD, text: str, pointer: str) -> Any:
    """The JSON value of an XSD lexical form: numbers as numbers, a duration in seconds, a boolean as such."""
    if value_type is aas.DataTypeDefXSD.DURATION:
        seconds = parse_duration(text)
        if seconds is None:
            raise _Unmapped(pointer, f"{text} is not a duration in days, hours, minutes and seconds")
        return _json_number(seconds, integral_as_int=True)
    if value_type in INTEGER_TYPES:
        number = parse_number(text)
        if number is None or number != number.to_integral_value():
            raise _Unmapped(pointer, f"{text} is not an integer")
        return int(number)
    if value_type in REAL_TYPES:
        number = parse_number(text)
        if number is None:
            raise _Unmapped(pointer, f"{text} is not a finite number")
        written_as_integer = not any(mark in text for mark in ".eE")
        return _json_number(number, integral_as_int=written_as_integer)
    if value_type is aas.DataTypeDefXSD.BOOLEAN:
        if text not in ("true", "false", "1", "0"):
            raise _Unmapped(pointer, f"{text} is not true or false")
        return text in ("true", "1")
    return text


def _json_number(number: Decimal, *, integral_as_int: bool) -> int | float:
    if integral_as_int and number == number.to_integral_value():
        return int(number)
    return float(number)
