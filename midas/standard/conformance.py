"""Validation layer 3, K-MDS conformance: do the K-MDS submodels of an environment follow their templates, and
are their production data consistent?

:func:`check_conformance` looks only at submodels whose semanticId is a K-MDS template's; every other
submodel is someone else's business and yields nothing. It yields every finding, never stopping at the first,
each with a stable rule id (:data:`RULES`), a path in aas-core3.0's notation (``.submodels[0].submodel_elements
[3].value``, as layer 2 writes its paths), an English message id with parameters (Korean in
:mod:`midas.standard.messages`) and a severity.

A value that breaks one rule is not used by the rules that build on it, so one mistake gives one finding:
a time above the planned busy time is reported once, not again in every time balance it enters. Template
submodels (kind Template) are checked for structure only, as they carry no values.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Final

from aas_core3 import types as aas

from midas.standard import messages
from midas.standard.model import template_by_semantic_id
from midas.standard.model.aas import ELEMENT_CLASSES, LIST_ELEMENT_TYPES, first_key_value
from midas.standard.model.elements import ElementSpec, SubmodelTemplate, TextFormat
from midas.standard.model.structure import ARCHE_TYPE, EQUIPMENT_LEVELS
from midas.standard.model.value_types import NUMERIC_TYPES
from midas.standard.report import Finding, Layer, Severity

__all__ = [
    "ENERGY_PER_UNIT_TOLERANCE",
    "RULES",
    "TIME_BALANCE_TOLERANCE_RELATIVE",
    "TIME_BALANCE_TOLERANCE_SECONDS",
    "UNIT_SYNONYMS",
    "Rule",
    "check_conformance",
    "time_balance_tolerance",
]


@dataclass(frozen=True, slots=True)
class Rule:
    """One K-MDS conformance rule: a stable id and what it requires, in English and Korean."""

    id: str
    title_en: str
    title_ko: str
    severity: Severity = Severity.ERROR


CARDINALITY = Rule("KMDS-CARD-001", "A required element is present", "필수 요소가 있어야 함")
MULTIPLICITY = Rule("KMDS-CARD-002", "A single element occurs at most once", "단일 요소는 한 번만 나와야 함")
UNKNOWN = Rule(
    "KMDS-ELEM-001", "An element belongs to the template", "요소가 템플릿에 정의되어 있어야 함", Severity.WARNING
)
KIND = Rule("KMDS-KIND-001", "An element is of the kind the template says", "요소의 종류가 템플릿과 같아야 함")
SEMANTICS = Rule("KMDS-SEM-001", "An element has the template's semanticId", "요소의 semanticId가 템플릿과 같아야 함")
VALUE_TYPE = Rule("KMDS-TYPE-001", "A value has the template's value type", "값 유형이 템플릿과 같아야 함")
UNIT = Rule(
    "KMDS-UNIT-001",
    "A concept description shipped with the data gives the K-MDS unit",
    "데이터에 포함된 개념 설명의 단위가 K-MDS 단위와 같아야 함",
)
ALLOWED_VALUE = Rule(
    "KMDS-VALUE-001",
    "A value is the fixed value or in the code list; a file has the content type",
    "값이 고정값이거나 코드 목록에 있어야 하며, 파일은 정해진 형식이어야 함",
)
REQUIRED_VALUE = Rule("KMDS-VALUE-002", "A required element has a value", "필수 요소에 값이 있어야 함")
VALUE_FORMAT = Rule(
    "KMDS-VALUE-003",
    "A value has the K-MDS form: pattern, timestamp with offset, time span in days to seconds, finite number",
    "값이 K-MDS 형식이어야 함: 패턴, 오프셋이 있는 시각, 일~초 단위 기간, 유한한 수",
)
RANGE = Rule("KMDS-RANGE-001", "A value lies within the template's range", "값이 템플릿의 범위 안에 있어야 함")
QUANTITY_BALANCE = Rule(
    "KMDS-PP-001",
    "Good + scrap + rework quantities do not exceed the produced quantity",
    "양품 + 폐기 + 재작업 수량이 생산 수량을 넘지 않아야 함",
)
WITHIN_PLANNED_BUSY_TIME = Rule(
    "KMDS-PP-002",
    "Each actual unit time is at most the planned busy time",
    "각 실제 단위 시간이 계획 가동 시간 이하여야 함",
)
TIME_BALANCE = Rule(
    "KMDS-PP-003",
    "Processing = production + setup; busy = processing + delay; busy + down ≤ planned busy time (within tolerance)",
    "처리 = 생산 + 준비, 가동 = 처리 + 지연, 가동 + 정지 ≤ 계획 가동 시간(허용 오차 안)",
)
PERIOD_ORDER = Rule("KMDS-PP-004", "A period starts before it ends", "기간의 시작이 종료보다 앞서야 함")
NO_OVERLAP = Rule(
    "KMDS-PP-005",
    "Records of one work unit, period kind and order do not overlap in time",
    "같은 작업 단위·기간 유형·오더의 실적 기간이 겹치지 않아야 함",
)
PLANNED_WITHIN_PERIOD = Rule(
    "KMDS-PP-006", "The planned busy time fits in the period", "계획 가동 시간이 기간 길이 이하여야 함"
)
ORDER_NAMED = Rule("KMDS-PP-007", "A record of an order run names its order", "오더 수행 실적은 오더를 밝혀야 함")
HIERARCHY = Rule(
    "KMDS-STR-001",
    "Each node of the structure is at a lower equipment level than its parent",
    "구조의 각 노드는 상위 노드보다 낮은 설비 계층 수준이어야 함",
)
PART_LINKS = Rule(
    "KMDS-STR-002",
    "With ArcheType Full, each node is linked to its parent by a HasPart in the parent, each HasPart follows the"
    " nesting, and no IsPartOf is used",
    (
        "ArcheType이 Full이면 각 노드는 상위 엔터티 안의 HasPart로 연결되고, 각 HasPart는 중첩을 따르며,"
        " IsPartOf는 쓰지 않아야 함"
    ),
)
VERDICT = Rule("KMDS-QA-001", "An inspection verdict agrees with the limits", "검사 판정이 규격 한계와 일치해야 함")
LIMITS = Rule(
    "KMDS-QA-002", "The lower specification limit is not above the upper", "규격 하한이 상한보다 크지 않아야 함"
)
DEFECT_TYPES = Rule("KMDS-QA-003", "Each defect type is counted once", "각 불량 유형은 한 번만 집계되어야 함")
ENERGY_PER_UNIT = Rule(
    "KMDS-EC-001",
    "Energy per unit = energy consumption / produced quantity (within 1 %)",
    "단위당 에너지 = 에너지 사용량 / 생산 수량(1 % 이내)",
)
ELECTRICITY = Rule(
    "KMDS-EC-002",
    "Electricity consumption does not exceed energy consumption",
    "전력 사용량이 에너지 사용량을 넘지 않아야 함",
)
FOOTPRINT_VALIDITY = Rule(
    "KMDS-EC-003", "A carbon footprint expires after its publication", "탄소발자국의 만료가 공표보다 뒤여야 함"
)
SEGMENT_ORDER = Rule(
    "KMDS-TS-001",
    "A time series segment does not end before it starts",
    "시계열 세그먼트의 종료가 시작보다 앞서지 않아야 함",
)
RECORD_COUNT = Rule(
    "KMDS-TS-002",
    "An internal segment's record count equals its records",
    "내부 세그먼트의 레코드 수가 실제 레코드 수와 같아야 함",
)

#: Every rule, in the order the documentation lists them.
RULES: Final = (
    CARDINALITY,
    MULTIPLICITY,
    UNKNOWN,
    KIND,
    SEMANTICS,
    VALUE_TYPE,
    UNIT,
    ALLOWED_VALUE,
    REQUIRED_VALUE,
    VALUE_FORMAT,
    RANGE,
    QUANTITY_BALANCE,
    WITHIN_PLANNED_BUSY_TIME,
    TIME_BALANCE,
    PERIOD_ORDER,
    NO_OVERLAP,
    PLANNED_WITHIN_PERIOD,
    ORDER_NAMED,
    HIERARCHY,
    PART_LINKS,
    VERDICT,
    LIMITS,
    DEFECT_TYPES,
    ENERGY_PER_UNIT,
    ELECTRICITY,
    FOOTPRINT_VALIDITY,
    SEGMENT_ORDER,
    RECORD_COUNT,
)

#: KMDS-PP-003 accepts a difference of up to 60 s or 1 % of the larger side, whichever is more: the times come
#: from different counters and are rounded to the second.
TIME_BALANCE_TOLERANCE_SECONDS: Final = Decimal(60)
TIME_BALANCE_TOLERANCE_RELATIVE: Final = Decimal("0.01")

#: KMDS-EC-001 accepts a relative difference of up to 1 %.
ENERGY_PER_UNIT_TOLERANCE: Final = Decimal("0.01")

#: Units that mean the same as the K-MDS unit as other published templates write them (IDTA 02023 1.0 writes
#: the unit of PcfCO2eq as "CO2eq").
UNIT_SYNONYMS: Final[dict[str, frozenset[str]]] = {"kg CO2e": frozenset({"CO2eq", "kg CO2eq", "kgCO2e", "kgCO2eq"})}


def time_balance_tolerance(*sides: Decimal) -> Decimal:
    """The tolerance KMDS-PP-003 allows when comparing these times (seconds)."""
    return max(TIME_BALANCE_TOLERANCE_SECONDS, TIME_BALANCE_TOLERANCE_RELATIVE * max(sides))


def check_conformance(environment: aas.Environment) -> Iterator[Finding]:
    """Every K-MDS conformance finding for the K-MDS submodels of ``environment``."""
    overlaps = _OverlapCheck()
    used_units: dict[str, str] = {}
    for index, submodel in enumerate(environment.submodels or ()):
        template = template_by_semantic_id(first_key_value(submodel.semantic_id) or "")
        if template is None:
            continue
        check = _SubmodelCheck(template, submodel, f".submodels[{index}]")
        yield from check.run()
        used_units.update(check.used_units)
        if check.is_instance and template.id_short == "ProductionPerformance":
            overlaps.add(check.root, submodel, index)
    yield from overlaps.findings()
    yield from _unit_findings(environment, used_units)


# --- binding elements to their specifications ------------------------------------------------------------


@dataclass(slots=True)
class _Bound:
    """An element of the data matched to its template specification; ``usable`` when its value may feed the
    cross-field rules (right kind, right type, a value that passed its own checks)."""

    spec: ElementSpec | None
    element: aas.Submodel | aas.SubmodelElement
    path: str
    usable: bool = True
    children: list[_Bound] = field(default_factory=list)
    number: Decimal | None = None
    moment: datetime | None = None
    text: str | None = None

    def child(self, id_short: str) -> _Bound | None:
        return next((bound for bound in self.children if bound.spec and bound.spec.id_short == id_short), None)

    def children_named(self, id_short: str) -> list[_Bound]:
        return [bound for bound in self.children if bound.spec and bound.spec.id_short == id_short]

    @property
    def value_path(self) -> str:
        return f"{self.path}.value"


class _SubmodelCheck:
    """The structural and value checks of one K-MDS submodel, then its template's cross-field rules."""

    def __init__(self, template: SubmodelTemplate, submodel: aas.Submodel, path: str) -> None:
        self.template = template
        self.submodel = submodel
        self.is_instance = submodel.kind is not aas.ModellingKind.TEMPLATE
        self.findings: list[Finding] = []
        self.used_units: dict[str, str] = {}
        self.root = _Bound(spec=None, element=submodel, path=path)

    def run(self) -> list[Finding]:
        self.root.children = self.bind_container(
            self.template.elements,
            self.submodel.submodel_elements,
            self.root.path,
            "submodel_elements",
            holds_values=self.is_instance,
        )
        if self.is_instance:
            self.findings += CROSS_FIELD_RULES.get(self.template.id_short, _no_rules)(self.root)
        return self.findings

    def report(self, rule: Rule, path: str, message: str, **params: str | int | float) -> None:
        self.findings.append(
            Finding(
                layer=Layer.CONFORMANCE, rule=rule.id, path=path, message=message, params=params, severity=rule.severity
            )
        )

    def bind_container(
        self,
        specs: Sequence[ElementSpec],
        elements: Sequence[aas.SubmodelElement] | None,
        path: str,
        attribute: str,
        *,
        holds_values: bool,
        extensible: bool = False,
    ) -> list[_Bound]:
        by_id_short = {spec.id_short: spec for spec in specs}
        by_semantic_id: dict[str, ElementSpec] = {}
        for each in specs:
            by_semantic_id.setdefault(each.semantic_id, each)
        bound: list[_Bound] = []
        for index, element in enumerate(elements or ()):
            element_path = f"{path}.{attribute}[{index}]"
            # Repeated elements (nodes, records) have idShorts of the data's choosing: find them by semanticId.
            spec = by_id_short.get(element.id_short or "") or by_semantic_id.get(
                first_key_value(element.semantic_id) or ""
            )
            if spec is None:
                if not extensible:
                    self.report(
                        UNKNOWN,
                        element_path,
                        messages.UNKNOWN_ELEMENT,
                        id_short=element.id_short or "",
                        template=self.template.id_short,
                    )
                continue
            bound.append(self.bind_element(spec, element, element_path, holds_values=holds_values))
        self.check_cardinalities(specs, bound, f"{path}.{attribute}")
        return bound

    def check_cardinalities(self, specs: Sequence[ElementSpec], bound: Sequence[_Bound], path: str) -> None:
        for spec in specs:
            occurrences = [item for item in bound if item.spec is spec]
            if not occurrences and spec.cardinality.required:
                self.report(
                    CARDINALITY, path, messages.MISSING_ELEMENT, id_short=spec.id_short, semantic_id=spec.semantic_id
                )
            if len(occurrences) > 1 and not spec.cardinality.repeatable:
                self.report(
                    MULTIPLICITY,
                    occurrences[1].path,
                    messages.TOO_MANY_ELEMENTS,
                    id_short=spec.id_short,
                    count=len(occurrences),
                )

    def bind_element(self, spec: ElementSpec, element: aas.SubmodelElement, path: str, *, holds_values: bool) -> _Bound:
        """Match one element to its specification, checking it and (for containers) all below it. Values are
        checked only where the data hold values: in instances, outside declaration-only collections."""
        bound = _Bound(spec=spec, element=element, path=path)
        expected_class = ELEMENT_CLASSES[spec.kind]
        if not isinstance(element, expected_class):
            self.report(
                KIND,
                path,
                messages.WRONG_KIND,
                id_short=_name(element, spec),
                expected=spec.kind.value,
                actual=type(element).__name__,
            )
            bound.usable = False
            return bound
        semantic_id = first_key_value(element.semantic_id)
        if semantic_id != spec.semantic_id:
            self.report(
                SEMANTICS,
                f"{path}.semantic_id",
                messages.WRONG_SEMANTIC_ID,
                id_short=_name(element, spec),
                expected=spec.semantic_id,
                actual=semantic_id or "(none)",
            )
        if spec.unit:
            self.used_units[spec.semantic_id] = spec.unit
        match element:
            case aas.Property():
                self.check_property(bound, element, spec, holds_values=holds_values)
            case aas.MultiLanguageProperty() if holds_values:
                self.check_text(bound, element, spec)
            case aas.SubmodelElementCollection():
                bound.children = self.bind_container(
                    spec.children,
                    element.value,
                    path,
                    "value",
                    holds_values=holds_values and spec.holds_values,
                    extensible=spec.extensible,
                )
            case aas.Entity():
                bound.children = self.bind_container(
                    spec.children, element.statements, path, "statements", holds_values=holds_values
                )
            case aas.SubmodelElementList():
                bound.children = self.bind_list(spec, element, path, holds_values=holds_values)
            case aas.File() if holds_values:
                self.check_file(bound, element, spec)
        return bound

    def bind_list(
        self, spec: ElementSpec, element: aas.SubmodelElementList, path: str, *, holds_values: bool
    ) -> list[_Bound]:
        item = spec.item
        if element.type_value_list_element is not LIST_ELEMENT_TYPES[item.kind]:
            self.report(
                KIND,
                f"{path}.type_value_list_element",
                messages.WRONG_KIND,
                id_short=spec.id_short,
                expected=item.kind.value,
                actual=element.type_value_list_element.value,
            )
        if item.value_type is not None and element.value_type_list_element is not item.value_type:
            actual = element.value_type_list_element.value if element.value_type_list_element else "(none)"
            self.report(
                VALUE_TYPE,
                f"{path}.value_type_list_element",
                messages.WRONG_VALUE_TYPE,
                id_short=spec.id_short,
                expected=item.value_type.value,
                actual=actual,
            )
        items = element.value or []
        if not items and item.cardinality.required and holds_values:
            self.report(
                CARDINALITY,
                f"{path}.value",
                messages.MISSING_ELEMENT,
                id_short=item.id_short,
                semantic_id=item.semantic_id,
            )
        return [
            self.bind_element(item, entry, f"{path}.value[{index}]", holds_values=holds_values)
            for index, entry in enumerate(items)
        ]

    def check_property(self, bound: _Bound, element: aas.Property, spec: ElementSpec, *, holds_values: bool) -> None:
        if element.value_type is not spec.value_type:
            self.report(
                VALUE_TYPE,
                f"{bound.path}.value_type",
                messages.WRONG_VALUE_TYPE,
                id_short=_name(element, spec),
                expected=spec.value_type.value if spec.value_type else "(none)",
                actual=element.value_type.value,
            )
            bound.usable = False
            return
        if holds_values:
            bound.usable = self.check_value(bound, element.value, spec)

    def check_text(self, bound: _Bound, element: aas.MultiLanguageProperty, spec: ElementSpec) -> None:
        if spec.cardinality.required and not element.value:
            self.report(REQUIRED_VALUE, bound.value_path, messages.MISSING_VALUE, id_short=_name(element, spec))

    def check_file(self, bound: _Bound, element: aas.File, spec: ElementSpec) -> None:
        if spec.content_type and element.content_type != spec.content_type:
            self.report(
                ALLOWED_VALUE,
                f"{bound.path}.content_type",
                messages.WRONG_CONTENT_TYPE,
                id_short=_name(element, spec),
                expected=spec.content_type,
                actual=element.content_type,
            )

    def check_value(self, bound: _Bound, value: str | None, spec: ElementSpec) -> bool:
        """Whether the value passed every check of its own; reports what it fails."""
        name = spec.id_short
        path = bound.value_path
        if value is None or value == "":
            if spec.cardinality.required:
                self.report(REQUIRED_VALUE, path, messages.MISSING_VALUE, id_short=name)
            return False
        bound.text = value
        if spec.fixed_value is not None and value != spec.fixed_value:
            self.report(
                ALLOWED_VALUE, path, messages.NOT_FIXED_VALUE, id_short=name, expected=spec.fixed_value, actual=value
            )
            return False
        if spec.codes and spec.concept.code(value) is None:
            self.report(
                ALLOWED_VALUE,
                path,
                messages.NOT_IN_CODE_LIST,
                id_short=name,
                actual=value,
                concept=spec.concept.name_en,
                allowed=", ".join(code.code for code in spec.codes),
            )
            return False
        if spec.pattern is not None and re.fullmatch(spec.pattern, value) is None:
            self.report(
                VALUE_FORMAT, path, messages.NOT_MATCHING_PATTERN, id_short=name, actual=value, pattern=spec.pattern
            )
            return False
        if spec.text_format is TextFormat.DATE_TIME_WITH_OFFSET:
            bound.moment = parse_date_time(value)
            if bound.moment is None:
                self.report(VALUE_FORMAT, path, messages.NO_TIME_ZONE, id_short=name, actual=value)
                return False
        return self.check_number(bound, value, spec)

    def check_number(self, bound: _Bound, value: str, spec: ElementSpec) -> bool:
        if spec.value_type is aas.DataTypeDefXSD.DURATION:
            bound.number = parse_duration(value)
            if bound.number is None:
                self.report(
                    VALUE_FORMAT, bound.value_path, messages.UNUSABLE_DURATION, id_short=spec.id_short, actual=value
                )
                return False
        elif spec.value_type in NUMERIC_TYPES:
            bound.number = parse_number(value)
            if bound.number is None:
                self.report(
                    VALUE_FORMAT, bound.value_path, messages.UNUSABLE_NUMBER, id_short=spec.id_short, actual=value
                )
                return False
        else:
            return True
        if spec.minimum is not None and bound.number < spec.minimum:
            self.report(
                RANGE,
                bound.value_path,
                messages.BELOW_MINIMUM,
                id_short=spec.id_short,
                actual=_shown(bound.number),
                minimum=_shown(spec.minimum),
            )
            return False
        if spec.maximum is not None and bound.number > spec.maximum:
            self.report(
                RANGE,
                bound.value_path,
                messages.ABOVE_MAXIMUM,
                id_short=spec.id_short,
                actual=_shown(bound.number),
                maximum=_shown(spec.maximum),
            )
            return False
        return True


def _name(element: aas.SubmodelElement, spec: ElementSpec) -> str:
    return element.id_short or spec.id_short


# --- parsing XSD values -------------------------------------------------------------------------------------

_DATE_TIME_WITH_OFFSET: Final = re.compile(
    r"(?P<base>-?[0-9]{4,}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2})(?P<fraction>\.[0-9]+)?"
    r"(?P<offset>Z|[+-][0-9]{2}:[0-9]{2})"
)
_DAY_TIME_DURATION: Final = re.compile(
    r"(?P<sign>-)?P(?:(?P<days>[0-9]+)D)?(?:T(?:(?P<hours>[0-9]+)H)?(?:(?P<minutes>[0-9]+)M)?"
    r"(?:(?P<seconds>[0-9]+(?:\.[0-9]*)?|\.[0-9]+)S)?)?"
)


def parse_date_time(text: str) -> datetime | None:
    """An ``xs:dateTime`` with a time-zone offset as an aware datetime; None for anything else (no offset, a year
    Python cannot hold, 24:00:00)."""
    match = _DATE_TIME_WITH_OFFSET.fullmatch(text)
    if match is None:
        return None
    fraction = (match["fraction"] or "")[:7]  # Python keeps microseconds; finer digits do not order periods
    offset = "+00:00" if match["offset"] == "Z" else match["offset"]
    try:
        return datetime.fromisoformat(f"{match['base']}{fraction}{offset}")
    except ValueError:
        return None


def parse_duration(text: str) -> Decimal | None:
    """An ``xs:duration`` of days, hours, minutes and seconds in seconds; None for years or months (whose length
    depends on the calendar) and for what is not a duration."""
    match = _DAY_TIME_DURATION.fullmatch(text)
    if match is None or text in ("P", "-P") or text.endswith("T"):
        return None
    seconds = (
        Decimal(match["days"] or 0) * 86400
        + Decimal(match["hours"] or 0) * 3600
        + Decimal(match["minutes"] or 0) * 60
        + Decimal(match["seconds"] or 0)
    )
    return -seconds if match["sign"] else seconds


def parse_number(text: str) -> Decimal | None:
    """An XSD number as a Decimal; None for INF, NaN and what is not a number."""
    try:
        number = Decimal(text.strip())
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def _shown(number: Decimal) -> int | float:
    """A number as a finding parameter: an int when whole."""
    return int(number) if number == number.to_integral_value() else float(number)


# --- cross-field rules ------------------------------------------------------------------------------------


def _finding(rule: Rule, path: str, message: str, **params: str | int | float) -> Finding:
    return Finding(
        layer=Layer.CONFORMANCE, rule=rule.id, path=path, message=message, params=params, severity=rule.severity
    )


def _usable(bound: _Bound | None) -> _Bound | None:
    return bound if bound is not None and bound.usable else None


def _number(bound: _Bound | None) -> Decimal | None:
    usable = _usable(bound)
    return usable.number if usable else None


def _moment(bound: _Bound | None) -> datetime | None:
    usable = _usable(bound)
    return usable.moment if usable else None


def _current_value(root: _Bound, id_short: str) -> _Bound | None:
    """The currentValue of an IDTA 02066 process variable, if the variable is there and sound."""
    variable = _usable(root.child(id_short))
    return _usable(variable.child("currentValue")) if variable else None


def _no_rules(root: _Bound) -> list[Finding]:
    return []


def _period_findings(container: _Bound) -> tuple[list[Finding], Decimal | None]:
    """KMDS-PP-004 for a container with PeriodStart and PeriodEnd; also the period's length in seconds when
    it is a proper period."""
    start_bound, end_bound = container.child("PeriodStart"), container.child("PeriodEnd")
    start, end = _moment(start_bound), _moment(end_bound)
    if start is None or end is None or end_bound is None or start_bound is None:
        return [], None
    if start >= end:
        finding = _finding(
            PERIOD_ORDER,
            end_bound.value_path,
            messages.PERIOD_NOT_ORDERED,
            start=start_bound.text or "",
            end=end_bound.text or "",
        )
        return [finding], None
    length = end - start
    return [], Decimal(length.days * 86400 + length.seconds) + Decimal(length.microseconds) / 1_000_000


def _planned_within_period(planned: _Bound | None, period: Decimal | None) -> list[Finding]:
    """KMDS-PP-006."""
    planned_seconds = _number(planned)
    if planned is None or planned_seconds is None or period is None or planned_seconds <= period:
        return []
    return [
        _finding(
            PLANNED_WITHIN_PERIOD,
            planned.value_path,
            messages.PLANNED_TIME_EXCEEDS_PERIOD,
            planned=_shown(planned_seconds),
            period=_shown(period),
        )
    ]


_UNIT_TIMES: Final = (
    "ActualProductionTime",
    "ActualUnitSetupTime",
    "ActualUnitProcessingTime",
    "ActualUnitDelayTime",
    "ActualUnitBusyTime",
    "ActualUnitDownTime",
)


def _production_performance_rules(root: _Bound) -> list[Finding]:
    findings, period = _period_findings(root)
    planned = _current_value(root, "PlannedBusyTime")
    findings += _planned_within_period(planned, period)
    findings += _quantity_balance(root)
    times, over = _times_within_planned(root, _number(planned))
    findings += over
    findings += _time_balance(times, _number(planned))
    findings += _order_named(root)
    return findings


def _quantity_balance(root: _Bound) -> list[Finding]:
    """KMDS-PP-001; an absent good, scrap or rework quantity counts as 0."""
    produced_bound = _current_value(root, "ProducedQuantity")
    produced = _number(produced_bound)
    parts = {
        id_short: _number(_current_value(root, id_short))
        for id_short in ("GoodQuantity", "ScrapQuantity", "ReworkQuantity")
    }
    known = [value for value in parts.values() if value is not None]
    total = sum(known, Decimal(0))
    if produced_bound is None or produced is None or not known or total <= produced:
        return []
    good, scrap, rework = (parts[name] or Decimal(0) for name in ("GoodQuantity", "ScrapQuantity", "ReworkQuantity"))
    return [
        _finding(
            QUANTITY_BALANCE,
            produced_bound.value_path,
            messages.QUANTITIES_EXCEED_PRODUCED,
            good=_shown(good),
            scrap=_shown(scrap),
            rework=_shown(rework),
            total=_shown(total),
            produced=_shown(produced),
        )
    ]


@dataclass(frozen=True, slots=True)
class _Time:
    seconds: Decimal
    path: str


def _times_within_planned(root: _Bound, planned: Decimal | None) -> tuple[dict[str, _Time], list[Finding]]:
    """KMDS-PP-002, and the unit times that passed it (only those feed KMDS-PP-003)."""
    times: dict[str, _Time] = {}
    findings: list[Finding] = []
    for id_short in _UNIT_TIMES:
        bound = _current_value(root, id_short)
        seconds = _number(bound)
        if bound is None or seconds is None:
            continue
        if planned is not None and seconds > planned:
            findings.append(
                _finding(
                    WITHIN_PLANNED_BUSY_TIME,
                    bound.value_path,
                    messages.TIME_EXCEEDS_PLANNED_BUSY_TIME,
                    id_short=id_short,
                    actual=_shown(seconds),
                    planned=_shown(planned),
                )
            )
            continue
        times[id_short] = _Time(seconds, bound.value_path)
    return times, findings


def _time_balance(times: dict[str, _Time], planned: Decimal | None) -> list[Finding]:
    """KMDS-PP-003: the ISO 22400-2 time model, processing = production + setup, busy = processing + delay, and
    busy + down within the planned busy time."""
    findings: list[Finding] = []
    production, setup = times.get("ActualProductionTime"), times.get("ActualUnitSetupTime")
    processing, delay = times.get("ActualUnitProcessingTime"), times.get("ActualUnitDelayTime")
    busy, down = times.get("ActualUnitBusyTime"), times.get("ActualUnitDownTime")
    if processing and production and setup:
        expected = production.seconds + setup.seconds
        tolerance = time_balance_tolerance(processing.seconds, expected)
        if abs(processing.seconds - expected) > tolerance:
            findings.append(
                _finding(
                    TIME_BALANCE,
                    processing.path,
                    messages.PROCESSING_TIME_INCONSISTENT,
                    processing=_shown(processing.seconds),
                    production=_shown(production.seconds),
                    setup=_shown(setup.seconds),
                    expected=_shown(expected),
                    tolerance=_shown(tolerance),
                )
            )
    processing_seconds = (
        processing.seconds if processing else (production.seconds + setup.seconds if production and setup else None)
    )
    if busy and delay and processing_seconds is not None:
        expected = processing_seconds + delay.seconds
        tolerance = time_balance_tolerance(busy.seconds, expected)
        if abs(busy.seconds - expected) > tolerance:
            findings.append(
                _finding(
                    TIME_BALANCE,
                    busy.path,
                    messages.BUSY_TIME_INCONSISTENT,
                    busy=_shown(busy.seconds),
                    processing=_shown(processing_seconds),
                    delay=_shown(delay.seconds),
                    expected=_shown(expected),
                    tolerance=_shown(tolerance),
                )
            )
    if busy and down and planned is not None:
        total = busy.seconds + down.seconds
        tolerance = time_balance_tolerance(total, planned)
        if total > planned + tolerance:
            findings.append(
                _finding(
                    TIME_BALANCE,
                    down.path,
                    messages.BUSY_AND_DOWN_EXCEED_PLANNED,
                    busy=_shown(busy.seconds),
                    down=_shown(down.seconds),
                    total=_shown(total),
                    planned=_shown(planned),
                    tolerance=_shown(tolerance),
                )
            )
    return findings


def _order_named(root: _Bound) -> list[Finding]:
    """KMDS-PP-007."""
    kind = _usable(root.child("PeriodKind"))
    order = root.child("OrderId")
    # An OrderId that is there but failed its own check was reported already: one mistake, one finding.
    if kind is None or kind.text != "Order" or (order is not None and (not order.usable or order.text)):
        return []
    return [_finding(ORDER_NAMED, kind.value_path, messages.ORDER_RECORD_WITHOUT_ORDER)]


def _structure_rules(root: _Bound) -> list[Finding]:
    """KMDS-STR-001 over the whole tree, then KMDS-STR-002 when the ArcheType is Full."""
    entry = root.child("EntryNode")
    if entry is None:
        return []
    findings = _hierarchy_findings(entry)
    arche_type = _usable(root.child("ArcheType"))
    # Another ArcheType, or none, was reported already (KMDS-VALUE-001, KMDS-CARD-001): one mistake, one finding.
    if arche_type is not None and arche_type.text == ARCHE_TYPE and isinstance(root.element, aas.Submodel):
        findings += _PartLinks(root.element.id).findings(entry)
    return findings


def _hierarchy_findings(node: _Bound) -> list[Finding]:
    findings: list[Finding] = []
    level = _usable(node.child("EquipmentLevel"))
    for child in node.children_named("Node"):
        child_level = _usable(child.child("EquipmentLevel"))
        if (
            level
            and child_level
            and level.text
            and child_level.text
            and EQUIPMENT_LEVELS.index(child_level.text) <= EQUIPMENT_LEVELS.index(level.text)
        ):
            findings.append(
                _finding(
                    HIERARCHY,
                    child_level.value_path,
                    messages.LEVEL_NOT_BELOW_PARENT,
                    level=child_level.text,
                    parent_level=level.text,
                )
            )
        findings += _hierarchy_findings(child)
    return findings


_KeyPath = tuple[tuple[aas.KeyTypes, str], ...]


def _key_path(reference: aas.Reference) -> _KeyPath | None:
    """The keys of a model reference, for comparing; None for an external reference."""
    if reference.type is not aas.ReferenceTypes.MODEL_REFERENCE:
        return None
    return tuple((key.type, key.value) for key in reference.keys)


class _PartLinks:
    """KMDS-STR-002 on a structure of ArcheType Full, which IDTA 02011 states downwards: every link of the tree
    (a node nested in an entity) by a HasPart in the entity, first the entity and second the node; every HasPart
    along the nesting; and no IsPartOf anywhere, as 02011 uses HasPart or IsPartOf, not both.

    One mistake, one finding. A HasPart that points elsewhere or states a link again is reported, and the missing
    link it was probably meant for (the node its second names, else the next missing one) is not reported again.
    An IsPartOf is reported wherever it is; when it states a link that no HasPart states (the link stated upwards
    instead of downwards), that link is not reported again as missing.
    """

    def __init__(self, submodel_id: str) -> None:
        self.submodel: _KeyPath = ((aas.KeyTypes.SUBMODEL, submodel_id),)

    def findings(self, entry: _Bound) -> list[Finding]:
        if not isinstance(entry.element, aas.Entity) or not entry.usable or not entry.element.id_short:
            return []
        return self.entity_findings(entry, (*self.submodel, (aas.KeyTypes.ENTITY, entry.element.id_short)), None)

    def entity_findings(self, entity: _Bound, here: _KeyPath, link: _Link | None) -> list[Finding]:
        """The findings on an entity's IsPartOf relationships and its link to its parent, then on its HasPart
        relationships, then on the nodes nested in it."""
        name = entity.element.id_short or ""
        findings, stated_upwards = _is_part_of_findings(entity, name, here, link)
        if link is not None and not (link.stated or link.meant or stated_upwards):
            findings.append(_finding(PART_LINKS, entity.path, messages.HAS_PART_MISSING, part=name, entity=link.parent))
        nodes = {
            (*here, (aas.KeyTypes.ENTITY, node.element.id_short)): node
            for node in entity.children_named("Node")
            if node.usable and isinstance(node.element, aas.Entity) and node.element.id_short
        }
        stated: dict[_KeyPath, str] = {}  # each node linked by a HasPart, with that HasPart's idShort
        misdirected: list[_KeyPath | None] = []  # the seconds of the HasParts reported
        for bound, relationship in _relationships(entity, "HasPart"):
            first, second = _key_path(relationship.first), _key_path(relationship.second)
            if first != here or second is None or second not in nodes:
                findings.append(_part_finding(bound, messages.HAS_PART_ASTRAY, entity=name))
                misdirected.append(second)
            elif second in stated:
                findings.append(_part_finding(bound, messages.PART_STATED_TWICE, entity=name, other=stated[second]))
                misdirected.append(second)
            else:
                stated[second] = _relationship_name(bound)
        unstated = [keys for keys, node in nodes.items() if keys not in stated and not _points_up(node, keys, here)]
        meant = _meant_for(unstated, misdirected)
        for keys, node in nodes.items():
            findings += self.entity_findings(node, keys, _Link(name, here, keys in stated, keys in meant))
        return findings


@dataclass(frozen=True, slots=True)
class _Link:
    """A node's link to the entity it is nested in, as that entity states it: the entity's name and key path,
    whether a HasPart of the entity states the link, and whether a reported HasPart was probably meant for it."""

    parent: str
    keys: _KeyPath
    stated: bool
    meant: bool


def _is_part_of_findings(entity: _Bound, name: str, here: _KeyPath, link: _Link | None) -> tuple[list[Finding], bool]:
    """A finding on each IsPartOf of an entity, and whether one of them states the entity's link to its parent
    where no HasPart does (the link stated upwards, the one mistake on that link)."""
    findings: list[Finding] = []
    stated_upwards = False
    for bound, relationship in _relationships(entity, "IsPartOf"):
        if link is not None and not link.stated and not stated_upwards and _states_link(relationship, here, link.keys):
            findings.append(_part_finding(bound, messages.LINK_STATED_UPWARDS, entity=name, parent=link.parent))
            stated_upwards = True
        else:
            findings.append(_part_finding(bound, messages.IS_PART_OF_WITH_FULL, entity=name))
    return findings, stated_upwards


def _states_link(relationship: aas.RelationshipElement, node: _KeyPath, parent: _KeyPath) -> bool:
    """Whether an IsPartOf states that this node is part of this parent (first the node, second the parent)."""
    return _key_path(relationship.first) == node and _key_path(relationship.second) == parent


def _points_up(node: _Bound, keys: _KeyPath, parent: _KeyPath) -> bool:
    """Whether the node states its link to its parent by an IsPartOf."""
    return any(_states_link(relationship, keys, parent) for _bound, relationship in _relationships(node, "IsPartOf"))


def _meant_for(unstated: list[_KeyPath], misdirected: list[_KeyPath | None]) -> set[_KeyPath]:
    """The unstated links the reported HasParts were probably meant for: the node whose idShort ends a HasPart's
    second, else the next unstated node in the order of the data."""
    remaining = list(unstated)
    meant: set[_KeyPath] = set()
    unnamed = 0
    for second in misdirected:
        named = next((keys for keys in remaining if second and keys[-1] == second[-1]), None)
        if named is None:
            unnamed += 1
        else:
            remaining.remove(named)
            meant.add(named)
    meant.update(remaining[:unnamed])
    return meant


def _relationships(entity: _Bound, id_short: str) -> list[tuple[_Bound, aas.RelationshipElement]]:
    return [
        (bound, bound.element)
        for bound in entity.children_named(id_short)
        if bound.usable and isinstance(bound.element, aas.RelationshipElement)
    ]


def _relationship_name(relationship: _Bound) -> str:
    return relationship.element.id_short or (relationship.spec.id_short if relationship.spec else "")


def _part_finding(relationship: _Bound, message: str, **params: str) -> Finding:
    """A KMDS-STR-002 finding on a relationship, which the message names by its idShort."""
    return _finding(PART_LINKS, relationship.path, message, id_short=_relationship_name(relationship), **params)


def _quality_rules(root: _Bound) -> list[Finding]:
    findings, _period = _period_findings(root)
    defects = root.child("Defects")
    seen: set[str] = set()
    for defect in defects.children if defects else ():
        defect_type = _usable(defect.child("DefectType"))
        if defect_type is None or defect_type.text is None:
            continue
        if defect_type.text in seen:
            findings.append(
                _finding(
                    DEFECT_TYPES, defect_type.value_path, messages.DUPLICATE_DEFECT_TYPE, defect_type=defect_type.text
                )
            )
        seen.add(defect_type.text)
    results = root.child("InspectionResults")
    for result in results.children if results else ():
        findings += _inspection_findings(result)
    return findings


def _inspection_findings(result: _Bound) -> list[Finding]:
    """KMDS-QA-002, then KMDS-QA-001 when the limits are in order."""
    lower, upper = _number(result.child("LowerSpecificationLimit")), _number(result.child("UpperSpecificationLimit"))
    upper_bound = result.child("UpperSpecificationLimit")
    if lower is not None and upper is not None and upper_bound is not None and lower > upper:
        return [
            _finding(LIMITS, upper_bound.value_path, messages.LIMITS_REVERSED, lower=_shown(lower), upper=_shown(upper))
        ]
    measured = _number(result.child("MeasuredValue"))
    verdict = _usable(result.child("InspectionVerdict"))
    if measured is None or verdict is None or (lower is None and upper is None):
        return []
    within = (lower is None or measured >= lower) and (upper is None or measured <= upper)
    limits = {
        "lower": _shown(lower) if lower is not None else "-∞",
        "upper": _shown(upper) if upper is not None else "+∞",
    }
    if verdict.text == "Pass" and not within:
        return [
            _finding(VERDICT, verdict.value_path, messages.PASSED_OUTSIDE_LIMITS, measured=_shown(measured), **limits)
        ]
    if verdict.text == "Fail" and within:
        return [
            _finding(VERDICT, verdict.value_path, messages.FAILED_WITHIN_LIMITS, measured=_shown(measured), **limits)
        ]
    return []


def _energy_carbon_rules(root: _Bound) -> list[Finding]:
    findings, _period = _period_findings(root)
    energy = _number(root.child("EnergyConsumption"))
    electricity_bound = root.child("ElectricityConsumption")
    electricity = _number(electricity_bound)
    if energy is not None and electricity is not None and electricity_bound is not None and electricity > energy:
        findings.append(
            _finding(
                ELECTRICITY,
                electricity_bound.value_path,
                messages.ELECTRICITY_EXCEEDS_ENERGY,
                electricity=_shown(electricity),
                energy=_shown(energy),
            )
        )
    findings += _energy_per_unit(root, energy)
    footprints = root.child("ProductCarbonFootprints")
    for footprint in footprints.children if footprints else ():
        publication, expiration = footprint.child("PublicationDate"), footprint.child("ExpirationDate")
        published, expires = _moment(publication), _moment(expiration)
        if published and expires and expiration and expires <= published:
            findings.append(
                _finding(
                    FOOTPRINT_VALIDITY,
                    expiration.value_path,
                    messages.FOOTPRINT_EXPIRES_BEFORE_PUBLICATION,
                    expiration=expiration.text or "",
                    publication=publication.text if publication and publication.text else "",
                )
            )
    return findings


def _energy_per_unit(root: _Bound, energy: Decimal | None) -> list[Finding]:
    """KMDS-EC-001."""
    produced = _number(root.child("ProducedQuantity"))
    per_unit_bound = root.child("EnergyPerUnit")
    per_unit = _number(per_unit_bound)
    if energy is None or produced is None or per_unit is None or per_unit_bound is None or produced == 0:
        return []
    expected = energy / produced
    if abs(per_unit - expected) <= ENERGY_PER_UNIT_TOLERANCE * expected:
        return []
    return [
        _finding(
            ENERGY_PER_UNIT,
            per_unit_bound.value_path,
            messages.ENERGY_PER_UNIT_INCONSISTENT,
            per_unit=_shown(per_unit),
            energy=_shown(energy),
            produced=_shown(produced),
            expected=round(float(expected), 6),  # float first: Decimal's round fails from 10**22 up
        )
    ]


def _time_series_rules(root: _Bound) -> list[Finding]:
    findings: list[Finding] = []
    segments = root.child("Segments")
    for segment in segments.children if segments else ():
        start, end = segment.child("StartTime"), segment.child("EndTime")
        started, ended = _moment(start), _moment(end)
        if started and ended and end and ended < started:
            findings.append(
                _finding(
                    SEGMENT_ORDER,
                    end.value_path,
                    messages.SEGMENT_NOT_ORDERED,
                    start=start.text if start and start.text else "",
                    end=end.text or "",
                )
            )
        findings += _record_count(segment)
    return findings


def _record_count(segment: _Bound) -> list[Finding]:
    """KMDS-TS-002 for an internal segment."""
    declared_bound = segment.child("RecordCount")
    declared = _number(declared_bound)
    records = segment.child("Records")
    if declared is None or declared_bound is None or records is None:
        return []
    actual = len(records.children_named("Record"))
    if declared == actual:
        return []
    return [
        _finding(
            RECORD_COUNT,
            declared_bound.value_path,
            messages.RECORD_COUNT_MISMATCH,
            declared=_shown(declared),
            actual=actual,
        )
    ]


def _production_calendar_rules(root: _Bound) -> list[Finding]:
    findings: list[Finding] = []
    periods = root.child("PlannedPeriods")
    for period in periods.children if periods else ():
        period_findings, length = _period_findings(period)
        findings += period_findings
        findings += _planned_within_period(period.child("PlannedBusyTime"), length)
    return findings


CROSS_FIELD_RULES: Final[dict[str, Callable[[_Bound], list[Finding]]]] = {
    "FactoryStructure": _structure_rules,
    "ProductionPerformance": _production_performance_rules,
    "Quality": _quality_rules,
    "EnergyCarbon": _energy_carbon_rules,
    "TimeSeries": _time_series_rules,
    "ProductionCalendar": _production_calendar_rules,
}

# --- across submodels ----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Period:
    start: datetime
    end: datetime
    index: int
    submodel_id: str
    start_path: str
    start_text: str
    end_text: str


class _OverlapCheck:
    """KMDS-PP-005: production performance records with the same work unit, period kind and order must not
    overlap. Records of different kinds nest (a day holds its shifts) and different orders may share a shift."""

    def __init__(self) -> None:
        self.groups: dict[tuple[str, str, str], list[_Period]] = {}

    def add(self, root: _Bound, submodel: aas.Submodel, index: int) -> None:
        work_unit, kind, order = (_usable(root.child(name)) for name in ("WorkUnitId", "PeriodKind", "OrderId"))
        start_bound, end_bound = root.child("PeriodStart"), root.child("PeriodEnd")
        start, end = _moment(start_bound), _moment(end_bound)
        if not (work_unit and work_unit.text and kind and kind.text and start_bound and end_bound):
            return
        if start is None or end is None or start >= end:
            return
        key = (work_unit.text, kind.text, (order.text or "") if order else "")
        period = _Period(
            start, end, index, submodel.id, start_bound.value_path, start_bound.text or "", end_bound.text or ""
        )
        self.groups.setdefault(key, []).append(period)

    def findings(self) -> Iterator[Finding]:
        for (work_unit, _kind, _order), periods in self.groups.items():
            yield from self.group_findings(work_unit, periods)

    @staticmethod
    def group_findings(work_unit: str, periods: Iterable[_Period]) -> Iterator[Finding]:
        # A sweep in start order against the period that reaches furthest: n log n for any number of records.
        furthest: _Period | None = None
        for period in sorted(periods, key=lambda period: (period.start, period.index)):
            if furthest is not None and period.start < furthest.end:
                later, earlier = (period, furthest) if period.index > furthest.index else (furthest, period)
                yield _finding(
                    NO_OVERLAP,
                    later.start_path,
                    messages.PERIODS_OVERLAP,
                    start=later.start_text,
                    end=later.end_text,
                    work_unit=work_unit,
                    other_start=earlier.start_text,
                    other_end=earlier.end_text,
                    other=earlier.submodel_id,
                )
            if furthest is None or period.end > furthest.end:
                furthest = period


def _unit_findings(environment: aas.Environment, used_units: dict[str, str]) -> Iterator[Finding]:
    """KMDS-UNIT-001: concept descriptions in the file for concepts the K-MDS submodels use with a unit."""
    for index, concept in enumerate(environment.concept_descriptions or ()):
        expected = used_units.get(concept.id)
        if expected is None:
            continue
        for position, specification in enumerate(concept.embedded_data_specifications or ()):
            content = specification.data_specification_content
            if not isinstance(content, aas.DataSpecificationIEC61360) or content.unit is None:
                continue
            if content.unit != expected and content.unit not in UNIT_SYNONYMS.get(expected, frozenset()):
                yield _finding(
                    UNIT,
                    f".concept_descriptions[{index}].embedded_data_specifications[{position}]"
                    ".data_specification_content.unit",
                    messages.WRONG_UNIT,
                    semantic_id=concept.id,
                    actual=content.unit,
                    expected=expected,
                )
