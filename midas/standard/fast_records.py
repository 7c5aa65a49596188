"""A fast, sound certificate that a K-MDS record would pass :func:`midas.standard.records.validate_record`.

Ingestion needs one bit per record: may it be stored? The full path answers it in four layers (JSON Schema, the
conversion to an AAS submodel, the aas-core3.0 metamodel constraints and the K-MDS conformance rules) at several
hundred microseconds a record. :func:`certify` checks the same rules directly on the record in a few
microseconds. It is sound, not complete: True means the full path finds no ERROR; False means only "not
certified here", and the caller runs the full path, which gives the precise report. Whatever :func:`certify`
does not fully understand (a template it has no plan for, a value outside the ranges below, a float with more
than 9 decimals where a cross-field rule reads it, an element kind it does not mirror) is False.

How: the values one by one are checked by the template's own record schema, made stricter (non-empty text of
XML characters, numbers within ±10^15, unmirrored elements removed), with the same jsonschema_rs the full path
uses: in Rust, several times faster than a Python loop over the record. Then the timestamps are parsed and the
cross-field rules evaluated in exact integer arithmetic. The plan of each template is compiled from its model
(:mod:`midas.standard.model`), so a template that changes keeps its checks; a required element of a form not
mirrored here makes the template uncertifiable, an optional one must be left out. Templates certified:
``ProductionPerformance`` and ``EnergyCarbon`` (without ``ProductCarbonFootprints``); every other template,
``Quality`` included, returns False.

The rules mirrored, with the rule id of the full path:

- KMDS-REC-002: the record is a ``dict`` (stricter: other mappings are not certified).
- KMDS-REC-003 ``required``, KMDS-REC-004 and KMDS-CARD-001: every required element is present.
- KMDS-REC-003 ``additionalProperties: false``, KMDS-REC-004: no key outside the template's elements.
- KMDS-REC-003 ``type``, KMDS-REC-004: text is a ``str``; a number is an ``int`` (not ``bool``) or ``float``;
  stricter, no value is of another type or a subclass (only what ``json.loads`` makes).
- KMDS-REC-004 and KMDS-VALUE-003: a number is finite (NaN and ±inf refused).
- KMDS-REC-003 ``minimum``, KMDS-RANGE-001: a number is at least the template's minimum (0 for every process
  variable and energy figure).
- Uncertain, refused: |number| > 10^15, or a float read by a cross-field rule whose shortest repr has more
  than 9 decimals (beyond these, the full path's 28-digit Decimal arithmetic might round; inside them the
  rules below are exact). Elsewhere any finite float converts to a valid lexical form.
- KMDS-REC-003 ``enum``, KMDS-VALUE-001: a coded value (PeriodKind, QuantityUnit) is in the code list.
- KMDS-VALUE-002: stricter, every text is non-empty (an empty required text is an error, an empty optional
  one is not certified).
- AASd-130 (layer 2, ``ValueDataType`` and ``xs:string``): text holds XML characters only (no control
  characters other than tab, LF, CR; no lone surrogates, no U+FFFE/U+FFFF).
- KMDS-REC-003 ``pattern``, AAS-META (``xs:dateTime`` lexical form and calendar date), KMDS-VALUE-003
  (``parse_date_time``): a timestamp is ``YYYY-MM-DDThh:mm:ss[.f{1,6}](Z|±hh:mm)``, a real calendar date,
  hours 00-23, seconds 00-59, offset at most ±14:00 (aas-core's limit; Python's is 24 h). Stricter: years
  1900-2999 and at most 6 fraction digits.
- AAS-META (``xs:duration``, ``xs:decimal``, ``xs:double`` lexical forms): follow from a finite number, since
  the conversion writes ``PT<plain decimal>S``, a plain decimal, or ``repr`` of the float.
- KMDS-PP-004: PeriodStart is before PeriodEnd (compared as aware datetimes, like the full path).
- KMDS-PP-006: PlannedBusyTime is at most the period's length.
- KMDS-PP-001: GoodQuantity + ScrapQuantity + ReworkQuantity (absent ones 0) ≤ ProducedQuantity, when the
  produced quantity and at least one part are given.
- KMDS-PP-002: each of the six actual unit times ≤ PlannedBusyTime.
- KMDS-PP-003: processing = production + setup; busy = processing (or production + setup) + delay;
  busy + down ≤ planned busy time; each within max(60 s, 1 % of the larger side), evaluated exactly.
- KMDS-PP-007: a record of PeriodKind ``Order`` names its OrderId.
- KMDS-PP-005 (overlap) cannot fire for one record: a record converts to one submodel.
- KMDS-EC-002: ElectricityConsumption ≤ EnergyConsumption.
- KMDS-EC-001: EnergyPerUnit = EnergyConsumption / ProducedQuantity within 1 %; certified only within 0.99 %,
  so the full path's rounded Decimal division cannot tip a certified record over the edge.
- KMDS-EC-003 (footprint validity): ProductCarbonFootprints is not mirrored, so a record that has it is not
  certified.
- Fixed by the conversion, so never broken by a record: idShorts (AASd-002, length ≤ 128), semanticIds
  (KMDS-SEM-001), element kinds and value types (KMDS-KIND-001, KMDS-TYPE-001), fixed process-variable keys
  (KMDS-VALUE-001), the submodel id, KMDS-CARD-002 (a dict has each key once).
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from enum import Enum
from math import isfinite
from typing import Any, Final

import jsonschema_rs
from aas_core3.types import DataTypeDefXSD

from midas.standard.model import template_by_id_short
from midas.standard.model.elements import ElementKind, ElementSpec, TextFormat
from midas.standard.record_schema import record_json_schema

__all__ = ["CERTIFIED_TEMPLATES", "certify", "instant"]

#: Numbers are compared as integers: as they are (integers, periods of whole seconds) or in units of 10^-9, exact
#: for what :func:`certify` accepts.
_SCALE: Final = 10**9
_MAX_MAGNITUDE: Final = 10**15
_MIN_EXPONENT: Final = -9

#: AASd-130's characters, non-empty (the Python escapes make the characters themselves, which jsonschema_rs reads).
_XML_TEXT_PATTERN: Final = "^[\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]+$"
_TIMESTAMP: Final = re.compile(
    r"(?:19|2[0-9])[0-9]{2}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12][0-9]|3[01])"
    r"T(?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](?:\.[0-9]{1,6})?"
    r"(?:Z|[+-](?:(?:0[0-9]|1[0-3]):[0-5][0-9]|14:00))"
)
#: The only value types certified: JSON's numbers and strings as json.loads makes them (no bool, no subclass).
_SCALAR_TYPES: Final = frozenset({int, float, str})


#: The numbers a template's cross-field rules read, in the order its plan names them: each an exact integer count
#: of a unit (see _Rules), or None when the record leaves it out.
_Numbers = Sequence[int | None]
#: A template's cross-field rules, given its numbers, the period's length in the same unit, how many of that unit
#: make one (second, piece, kWh), and the record: True when none of them is broken. The unit is 1 for a record of
#: integers whose period lasts whole seconds (its numbers are taken as they are), else 10^-9 (_SCALE per one).
_Rules = Callable[[_Numbers, int, int, Mapping[str, object]], bool]
#: The types json.loads makes of an integer or a missing value (bool is a subclass of int, not in this set).
_INT_OR_ABSENT: Final = frozenset({int, type(None)})


class _Form(Enum):
    """How one top-level element appears in a record, as far as :func:`certify` mirrors it."""

    TEXT = "text"
    CODE = "code"
    MOMENT = "moment"
    NUMBER = "number"
    ABSENT = "absent"  # an optional element of a form not mirrored: certified only when left out


@dataclass(frozen=True, slots=True)
class _Plan:
    """How one template is certified: a stricter JSON Schema for the values one by one (evaluated in Rust, which
    is several times faster than a Python loop over the record), then the timestamps (PeriodStart and PeriodEnd,
    and any other of the template's) and the numbers the cross-field rules read, then those rules."""

    validator: jsonschema_rs.Validator
    other_moments: tuple[str, ...]
    numbers: tuple[str, ...]
    rules: _Rules


def certify(template: str, record: object) -> bool:
    """True only if ``validate_record(template, record)`` would give no ERROR finding; False when it would, or
    when this check is not sure (the caller then runs the full path for the precise report)."""
    plan = _PLANS.get(template) if type(template) is str else None
    if plan is None or type(record) is not dict:
        return False
    value_types = set(map(type, record.values()))
    if not value_types <= _SCALAR_TYPES:
        return False
    try:
        if not plan.validator.is_valid(record):
            return False
    except (TypeError, ValueError):  # keys that are not text, lone surrogates: the full path decides
        return False
    length = _period_length(record.get("PeriodStart"), record.get("PeriodEnd"))
    if length is None or (plan.other_moments and not all(
            _moment_or_absent(record.get(name)) for name in plan.other_moments)):
        return False
    if float not in value_types and length % _SCALE == 0:  # integers only (±10^15 at most), whole seconds: exact
        return plan.rules(list(map(record.get, plan.numbers)), length // _SCALE, 1, record)
    numbers = _scaled_numbers(record, plan.numbers)
    return numbers is not None and plan.rules(numbers, length, _SCALE, record)


def _moment_or_absent(text: object) -> bool:
    """Whether a timestamp the rules do not read is left out or has the stricter form."""
    return text is None or (type(text) is str and instant(text) is not None)


def _scaled_numbers(record: Mapping[str, object], names: tuple[str, ...]) -> list[int | None] | None:
    """The numbers ``names`` as exact integers in units of 10^-9 (None where left out), or None when one of them
    is not a number :func:`certify` can take exactly. Most records hold integers only (bounded by the schema's
    ±10^15): those are scaled at once."""
    values: list[Any] = list(map(record.get, names))
    if set(map(type, values)) <= _INT_OR_ABSENT:
        return [None if value is None else value * _SCALE for value in values]
    scaled: list[int | None] = []
    for value in values:
        if value is None:
            scaled.append(None)
            continue
        exact = value * _SCALE if type(value) is int else _scaled_float(value)
        if exact is None:
            return None
        scaled.append(exact)
    return scaled


def _scaled_float(value: object) -> int | None:
    """A JSON number other than a small int as an exact integer in units of 10^-9, or None when it is not one
    :func:`certify` accepts. A float is taken as the full path takes it: the decimal of its shortest repr."""
    if type(value) is not float or not isfinite(value) or abs(value) > _MAX_MAGNITUDE:
        return None
    if value.is_integer():
        return int(value) * _SCALE
    exact = Decimal(repr(value))
    exponent = exact.as_tuple().exponent
    if not isinstance(exponent, int) or exponent < _MIN_EXPONENT:
        return None
    return int(exact.scaleb(9))


_MOMENT_CACHE_SIZE: Final = 4096
_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
_instants_seen: dict[str, int | None] = {}
_NOT_SEEN: Final = -1  # never an instant, which is a whole number of microseconds


def instant(text: str) -> int | None:
    """A K-MDS timestamp of the stricter form above as its instant: exactly the nanoseconds since the epoch (whole
    microseconds), so that periods are compared and measured in integers; None when it is not of that form.
    Shift and day boundaries repeat across the records of many work units, and ingestion reads a record's
    timestamps again for its typed columns, so recent answers are kept."""
    found = _instants_seen.get(text, _NOT_SEEN)
    if found != _NOT_SEEN:
        return found
    moment = _moment(text)
    instant = None if moment is None else _nanoseconds(moment - _EPOCH)
    if len(_instants_seen) >= _MOMENT_CACHE_SIZE:
        _instants_seen.clear()
    _instants_seen[text] = instant
    return instant


def _moment(text: str) -> datetime | None:
    """A K-MDS timestamp as the full path reads it (``parse_date_time``), when it has the stricter form above;
    Python 3.11 reads that form (``Z``, 1 to 6 fraction digits) exactly as ``parse_date_time`` does after its own
    rewriting."""
    if _TIMESTAMP.fullmatch(text) is None:
        return None
    try:
        return datetime.fromisoformat(text)
    except ValueError:  # a day the month does not have
        return None


# --- plans compiled from the model ---------------------------------------------------------------------------


def _compile_plan(template: str, rules: _Rules, numbers: tuple[str, ...]) -> _Plan | None:
    """The checks for ``template``, or None when its model has a required element of a form not mirrored."""
    forms: dict[str, _Form] = {}
    for spec in template_by_id_short(template).elements:
        if spec.kind is ElementKind.RELATIONSHIP:
            continue
        form = _form(spec)
        if form is None and spec.cardinality.required and spec.fixed_value is None:
            return None
        forms[spec.id_short] = form or _Form.ABSENT
    validator = jsonschema_rs.validator_for(_strict_schema(template, forms))
    moments = tuple(name for name, form in forms.items() if form is _Form.MOMENT)
    if not {"PeriodStart", "PeriodEnd"} <= set(moments) or not set(numbers) <= set(forms):
        return None
    return _Plan(validator, tuple(name for name in moments if name not in _PERIOD), numbers, rules)


def _strict_schema(template: str, forms: Mapping[str, _Form]) -> dict[str, Any]:
    """The template's record schema, made stricter where certify needs it: text of XML characters and not
    empty, numbers within ±10^15, and no element of a form not mirrored here."""
    schema = copy.deepcopy(record_json_schema(template))
    properties: dict[str, dict[str, Any]] = schema["properties"]
    for name in list(properties):
        form = forms.get(name, _Form.ABSENT)
        if form is _Form.ABSENT:
            del properties[name]  # additionalProperties is false: the element must be left out
        elif form is _Form.TEXT:
            properties[name]["pattern"] = _XML_TEXT_PATTERN
        elif form is _Form.NUMBER:
            properties[name]["maximum"] = _MAX_MAGNITUDE
            properties[name].setdefault("minimum", -_MAX_MAGNITUDE)
    if schema.get("additionalProperties") is not False:
        raise ValueError(f"the {template} record schema must refuse unknown keys for certify to be sound")
    return schema


def _form(spec: ElementSpec) -> _Form | None:
    """How one top-level element is checked, or None for a form not mirrored here."""
    if spec.cardinality.repeatable:
        return None
    if spec.kind is ElementKind.COLLECTION and spec.record_value is not None:
        return _process_variable_form(spec)
    if spec.kind is not ElementKind.PROPERTY or spec.fixed_value is not None or spec.pattern is not None:
        return None
    if spec.value_type is DataTypeDefXSD.STRING and spec.text_format is None and spec.minimum is None:
        return _Form.CODE if spec.codes else _Form.TEXT
    if spec.value_type is DataTypeDefXSD.DATE_TIME and spec.text_format is TextFormat.DATE_TIME_WITH_OFFSET:
        return _Form.MOMENT
    return _number_form(spec)


def _process_variable_form(spec: ElementSpec) -> _Form | None:
    """An IDTA 02066 variable: its value is its currentValue; its other parts are fixed or left out."""
    value_spec: ElementSpec | None = None
    for child in spec.children:
        if child.id_short == spec.record_value:
            value_spec = child
        elif child.cardinality.required and child.fixed_value is None:
            return None
    if value_spec is None or value_spec.kind is not ElementKind.PROPERTY or value_spec.fixed_value is not None:
        return None
    return _number_form(value_spec)


_NUMBER_TYPES: Final = frozenset({DataTypeDefXSD.DURATION, DataTypeDefXSD.DECIMAL, DataTypeDefXSD.DOUBLE})


def _number_form(spec: ElementSpec) -> _Form | None:
    """A number of seconds (``xs:duration``) or an ``xs:decimal``/``xs:double``, with at most a minimum."""
    if spec.value_type not in _NUMBER_TYPES or spec.maximum is not None or spec.pattern is not None or spec.codes:
        return None
    return _Form.NUMBER


# --- cross-field rules -----------------------------------------------------------------------------------------

_MICROSECOND: Final = _SCALE // 1_000_000


_PERIOD: Final = ("PeriodStart", "PeriodEnd")


def _period_length(start_text: object, end_text: object) -> int | None:
    """KMDS-PP-004: the period's length (scaled), or None when it does not start before it ends, or when either
    end is missing or not a timestamp of the stricter form."""
    if type(start_text) is not str or type(end_text) is not str:
        return None
    start, end = instant(start_text), instant(end_text)
    if start is None or end is None or start >= end:
        return None
    return end - start


def _nanoseconds(length: timedelta) -> int:
    return ((length.days * 86400 + length.seconds) * 1_000_000 + length.microseconds) * _MICROSECOND


def _within_tolerance(difference: int, side: int, other_side: int, unit: int) -> bool:
    """Whether |difference| ≤ max(60 s, 1 % of the larger side), exactly (KMDS-PP-003's tolerance)."""
    difference = abs(difference)
    return difference <= 60 * unit or 100 * difference <= max(side, other_side)


def _production_performance_rules(numbers: _Numbers, length: int, unit: int, record: Mapping[str, object]) -> bool:
    """KMDS-PP-006, PP-001, PP-002, PP-003 and PP-007 on one record (PP-004 is the period's length)."""
    planned, production, setup, processing, delay, busy, down, produced, good, scrap, rework = numbers
    if planned is not None and (planned > length or planned < max(
            production or 0, setup or 0, processing or 0, delay or 0, busy or 0, down or 0)):
        return False
    if produced is not None and (good is not None or scrap is not None or rework is not None) and (
            (good or 0) + (scrap or 0) + (rework or 0) > produced):
        return False
    return (_times_balance(production, setup, processing, delay, busy, down, planned, unit)
            and (record["PeriodKind"] != "Order" or "OrderId" in record))


def _times_balance(production: int | None, setup: int | None, processing: int | None, delay: int | None,
                   busy: int | None, down: int | None, planned: int | None, unit: int) -> bool:
    """KMDS-PP-003, in the order and with the fall-backs of the full path."""
    if production is not None and setup is not None:
        expected = production + setup
        if processing is None:
            processing = expected
        elif not _within_tolerance(processing - expected, processing, expected, unit):
            return False
    if busy is not None and delay is not None and processing is not None:
        expected = processing + delay
        if not _within_tolerance(busy - expected, busy, expected, unit):
            return False
    if busy is not None and down is not None and planned is not None:
        total = busy + down
        if total > planned and not _within_tolerance(total - planned, total, planned, unit):
            return False
    return True


def _energy_carbon_rules(numbers: _Numbers, length: int, unit: int, record: Mapping[str, object]) -> bool:
    """KMDS-EC-002 and KMDS-EC-001 (certified within 0.99 %, not 1 %) on one record (PP-004 is the period's
    length)."""
    energy, electricity, produced, per_unit = numbers
    if energy is not None and electricity is not None and electricity > energy:
        return False
    if energy is None or produced is None or per_unit is None or produced == 0:
        return True
    # |per_unit - energy / produced| ≤ 0.0099 · energy / produced; times produced · unit², each number being
    # unit times the true value: |per_unit · produced - energy · unit| ≤ 0.0099 · energy · unit.
    return abs(per_unit * produced - energy * unit) * 10_000 <= 99 * energy * unit


#: Each certified template's cross-field rules and the numbers they read.
_CROSS_FIELD_RULES: Final[dict[str, tuple[_Rules, tuple[str, ...]]]] = {
    "ProductionPerformance": (  # in the order the rules unpack them
        _production_performance_rules,
        ("PlannedBusyTime", "ActualProductionTime", "ActualUnitSetupTime", "ActualUnitProcessingTime",
         "ActualUnitDelayTime", "ActualUnitBusyTime", "ActualUnitDownTime", "ProducedQuantity", "GoodQuantity",
         "ScrapQuantity", "ReworkQuantity"),
    ),
    "EnergyCarbon": (  # in the order the rules unpack them
        _energy_carbon_rules,
        ("EnergyConsumption", "ElectricityConsumption", "ProducedQuantity", "EnergyPerUnit"),
    ),
}

_PLANS: Final[dict[str, _Plan]] = {
    template: plan
    for template, (rules, numbers) in _CROSS_FIELD_RULES.items()
    if (plan := _compile_plan(template, rules, numbers)) is not None
}

#: The templates :func:`certify` can say True for.
CERTIFIED_TEMPLATES: Final = tuple(_PLANS)
