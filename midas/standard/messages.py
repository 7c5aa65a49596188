"""The messages of K-MDS conformance findings: English message ids with ``{name}`` parameters, and Korean.

A :class:`~midas.standard.report.Finding` carries the English id and its parameters; whoever shows it in
Korean looks the id up in :data:`MESSAGES_KO` and formats the translation with the same parameters. The
standard package keeps its own catalog because it imports nothing from the platform (no ``midas.i18n``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

__all__ = ["MESSAGES_KO", "korean"]

MISSING_ELEMENT: Final = "required element {id_short} ({semantic_id}) is missing"
TOO_MANY_ELEMENTS: Final = "{id_short} may occur at most once but occurs {count} times"
UNKNOWN_ELEMENT: Final = "{id_short} is not an element of the K-MDS template {template}"
WRONG_KIND: Final = "{id_short} must be a {expected}, not a {actual}"
WRONG_SEMANTIC_ID: Final = "{id_short} must have the semanticId {expected}, not {actual}"
WRONG_VALUE_TYPE: Final = "{id_short} must have the value type {expected}, not {actual}"
WRONG_UNIT: Final = "the concept description of {semantic_id} gives the unit {actual}; K-MDS uses {expected}"
NOT_FIXED_VALUE: Final = "{id_short} must be {expected}, not {actual}"
NOT_IN_CODE_LIST: Final = "{id_short} is {actual}, which is not in the code list of {concept}: {allowed}"
WRONG_CONTENT_TYPE: Final = "{id_short} must be a file of type {expected}, not {actual}"
MISSING_VALUE: Final = "{id_short} has no value, but K-MDS requires one"
NOT_MATCHING_PATTERN: Final = "{id_short} is {actual}, which does not have the form {pattern}"
NO_TIME_ZONE: Final = "{id_short} is {actual}: a K-MDS timestamp is a date-time with a time-zone offset"
UNUSABLE_DURATION: Final = "{id_short} is {actual}: a K-MDS time span is a duration in days, hours, minutes and seconds"
UNUSABLE_NUMBER: Final = "{id_short} is {actual}, which is not a finite number"
BELOW_MINIMUM: Final = "{id_short} is {actual}, less than the smallest allowed value {minimum}"
ABOVE_MAXIMUM: Final = "{id_short} is {actual}, more than the largest allowed value {maximum}"
QUANTITIES_EXCEED_PRODUCED: Final = (
    "good {good} + scrap {scrap} + rework {rework} = {total} is more than the produced quantity {produced}"
)
TIME_EXCEEDS_PLANNED_BUSY_TIME: Final = "{id_short} is {actual} s, more than the planned busy time of {planned} s"
PROCESSING_TIME_INCONSISTENT: Final = (
    "actual unit processing time {processing} s differs from production time {production} s + setup time {setup} s"
    " = {expected} s by more than {tolerance} s"
)
BUSY_TIME_INCONSISTENT: Final = (
    "actual unit busy time {busy} s differs from processing time {processing} s + delay time {delay} s"
    " = {expected} s by more than {tolerance} s"
)
BUSY_AND_DOWN_EXCEED_PLANNED: Final = (
    "busy time {busy} s + down time {down} s = {total} s is more than the planned busy time of {planned} s"
    " (tolerance {tolerance} s)"
)
PERIOD_NOT_ORDERED: Final = "the period starts at {start} but ends at {end}, not after it"
PERIODS_OVERLAP: Final = (
    "the period {start} to {end} of work unit {work_unit} overlaps the period {other_start} to {other_end}"
    " of submodel {other}"
)
PLANNED_TIME_EXCEEDS_PERIOD: Final = "the planned busy time of {planned} s is longer than the period of {period} s"
ORDER_RECORD_WITHOUT_ORDER: Final = "a record of an order run must name its order in OrderId"
LEVEL_NOT_BELOW_PARENT: Final = "a {level} cannot be part of a {parent_level}: each node must be below its parent"
HAS_PART_MISSING: Final = "{part} is nested in {entity}, but no HasPart in {entity} points to it"
HAS_PART_ASTRAY: Final = "{id_short} in {entity} must point from {entity} to a node nested in it"
PART_STATED_TWICE: Final = "{id_short} in {entity} states again the link that {other} states"
IS_PART_OF_WITH_FULL: Final = (
    "{id_short} in {entity} is an IsPartOf: with ArcheType Full the links are HasParts, and IDTA 02011 uses one or"
    " the other, not both"
)
LINK_STATED_UPWARDS: Final = (
    "{id_short} in {entity} states the link to {parent} upwards: with ArcheType Full it must be a HasPart in {parent}"
)
PASSED_OUTSIDE_LIMITS: Final = (
    "the verdict is Pass, but the measured value {measured} is outside the limits {lower} to {upper}"
)
FAILED_WITHIN_LIMITS: Final = (
    "the verdict is Fail, but the measured value {measured} is within the limits {lower} to {upper}"
)
LIMITS_REVERSED: Final = "the upper specification limit {upper} is below the lower limit {lower}"
DUPLICATE_DEFECT_TYPE: Final = "the defect type {defect_type} is counted more than once"
ENERGY_PER_UNIT_INCONSISTENT: Final = (
    "energy per unit {per_unit} differs from energy {energy} kWh / produced quantity {produced} = {expected}"
)
ELECTRICITY_EXCEEDS_ENERGY: Final = (
    "electricity consumption {electricity} kWh is more than the energy consumption {energy} kWh"
)
FOOTPRINT_EXPIRES_BEFORE_PUBLICATION: Final = (
    "the footprint expires at {expiration}, not after its publication at {publication}"
)
SEGMENT_NOT_ORDERED: Final = "the segment starts at {start} but ends at {end}, before it"
RECORD_COUNT_MISMATCH: Final = "the segment says it holds {declared} records but holds {actual}"

# One record checked by midas.standard.records.validate_record.
UNKNOWN_TEMPLATE: Final = "{template} is not a K-MDS template; known are {known}"
NOT_AN_OBJECT: Final = "a K-MDS record is a JSON object, not {kind}"
SCHEMA_ERROR: Final = "the record breaks its K-MDS schema at {pointer}: {reason}"
NOT_CONVERTIBLE: Final = "the record cannot become a {template} submodel at {pointer}: {cause}"
NOT_UNICODE: Final = "the record holds text that is not valid Unicode (a lone surrogate such as \\ud800) at {pointer}"

MESSAGES_KO: Final[dict[str, str]] = {
    MISSING_ELEMENT: "필수 요소 {id_short}({semantic_id})가 없습니다",
    TOO_MANY_ELEMENTS: "{id_short}는 한 번만 올 수 있는데 {count}번 나옵니다",
    UNKNOWN_ELEMENT: "{id_short}는 K-MDS 템플릿 {template}의 요소가 아닙니다",
    WRONG_KIND: "{id_short}는 {actual}가 아니라 {expected}여야 합니다",
    WRONG_SEMANTIC_ID: "{id_short}의 semanticId는 {actual}가 아니라 {expected}여야 합니다",
    WRONG_VALUE_TYPE: "{id_short}의 값 유형은 {actual}가 아니라 {expected}여야 합니다",
    WRONG_UNIT: "{semantic_id}의 개념 설명은 단위를 {actual}로 적었으나 K-MDS는 {expected}를 씁니다",
    NOT_FIXED_VALUE: "{id_short}는 {actual}가 아니라 {expected}여야 합니다",
    NOT_IN_CODE_LIST: "{id_short}의 값 {actual}는 {concept} 코드 목록에 없습니다: {allowed}",
    WRONG_CONTENT_TYPE: "{id_short}는 {actual}가 아니라 {expected} 형식의 파일이어야 합니다",
    MISSING_VALUE: "{id_short}에 값이 없습니다. K-MDS는 값을 요구합니다",
    NOT_MATCHING_PATTERN: "{id_short}의 값 {actual}는 {pattern} 형식이 아닙니다",
    NO_TIME_ZONE: "{id_short}의 값 {actual}: K-MDS 시각은 시간대 오프셋이 있는 날짜·시각이어야 합니다",
    UNUSABLE_DURATION: "{id_short}의 값 {actual}: K-MDS 시간 길이는 일, 시, 분, 초로 된 기간이어야 합니다",
    UNUSABLE_NUMBER: "{id_short}의 값 {actual}는 유한한 수가 아닙니다",
    BELOW_MINIMUM: "{id_short}의 값 {actual}는 허용 최솟값 {minimum}보다 작습니다",
    ABOVE_MAXIMUM: "{id_short}의 값 {actual}는 허용 최댓값 {maximum}보다 큽니다",
    QUANTITIES_EXCEED_PRODUCED: (
        "양품 {good} + 폐기 {scrap} + 재작업 {rework} = {total}이 생산 수량 {produced}보다 많습니다"
    ),
    TIME_EXCEEDS_PLANNED_BUSY_TIME: "{id_short}가 {actual}초로 계획 가동 시간 {planned}초보다 깁니다",
    PROCESSING_TIME_INCONSISTENT: (
        "실제 단위 처리 시간 {processing}초가 생산 시간 {production}초 + 준비 시간 {setup}초 = {expected}초와"
        " {tolerance}초 넘게 다릅니다"
    ),
    BUSY_TIME_INCONSISTENT: (
        "실제 단위 가동 시간 {busy}초가 처리 시간 {processing}초 + 지연 시간 {delay}초 = {expected}초와"
        " {tolerance}초 넘게 다릅니다"
    ),
    BUSY_AND_DOWN_EXCEED_PLANNED: (
        "가동 시간 {busy}초 + 정지 시간 {down}초 = {total}초가 계획 가동 시간 {planned}초보다 깁니다"
        "(허용 오차 {tolerance}초)"
    ),
    PERIOD_NOT_ORDERED: "기간이 {start}에 시작하는데 {end}에 끝납니다. 종료는 시작보다 뒤여야 합니다",
    PERIODS_OVERLAP: (
        "작업 단위 {work_unit}의 기간 {start}~{end}가 서브모델 {other}의 기간 {other_start}~{other_end}와 겹칩니다"
    ),
    PLANNED_TIME_EXCEEDS_PERIOD: "계획 가동 시간 {planned}초가 기간 길이 {period}초보다 깁니다",
    ORDER_RECORD_WITHOUT_ORDER: "오더 수행 실적은 OrderId에 오더를 밝혀야 합니다",
    LEVEL_NOT_BELOW_PARENT: (
        "{level}는 {parent_level}의 하위 요소가 될 수 없습니다. 각 노드는 상위 노드보다 아래 수준이어야 합니다"
    ),
    HAS_PART_MISSING: "{part}는 {entity} 안에 중첩되어 있으나 {entity}에 그것을 가리키는 HasPart가 없습니다",
    HAS_PART_ASTRAY: "{entity}의 {id_short}는 {entity}에서 그 안에 중첩된 노드를 가리켜야 합니다",
    PART_STATED_TWICE: "{entity}의 {id_short}는 {other}가 이미 밝힌 연결을 다시 밝힙니다",
    IS_PART_OF_WITH_FULL: (
        "{entity}의 {id_short}는 IsPartOf입니다. ArcheType이 Full이면 연결은 HasPart로 밝히며,"
        " IDTA 02011은 둘 중 하나만 씁니다"
    ),
    LINK_STATED_UPWARDS: (
        "{entity}의 {id_short}는 {parent}와의 연결을 위로 밝힙니다. ArcheType이 Full이면 {parent} 안의"
        " HasPart여야 합니다"
    ),
    PASSED_OUTSIDE_LIMITS: "합격으로 판정했으나 측정값 {measured}는 규격 {lower}~{upper}를 벗어납니다",
    FAILED_WITHIN_LIMITS: "불합격으로 판정했으나 측정값 {measured}는 규격 {lower}~{upper} 안에 있습니다",
    LIMITS_REVERSED: "규격 상한 {upper}가 하한 {lower}보다 작습니다",
    DUPLICATE_DEFECT_TYPE: "불량 유형 {defect_type}가 두 번 이상 집계되었습니다",
    ENERGY_PER_UNIT_INCONSISTENT: (
        "단위당 에너지 {per_unit}가 에너지 {energy}kWh / 생산 수량 {produced} = {expected}와 다릅니다"
    ),
    ELECTRICITY_EXCEEDS_ENERGY: "전력 사용량 {electricity}kWh가 에너지 사용량 {energy}kWh보다 많습니다",
    FOOTPRINT_EXPIRES_BEFORE_PUBLICATION: (
        "탄소발자국의 만료 시각 {expiration}가 공표 시각 {publication}보다 뒤가 아닙니다"
    ),
    SEGMENT_NOT_ORDERED: "세그먼트가 {start}에 시작하는데 그보다 앞선 {end}에 끝납니다",
    RECORD_COUNT_MISMATCH: "세그먼트의 레코드 수는 {declared}로 적혀 있으나 실제로는 {actual}개입니다",
    UNKNOWN_TEMPLATE: "{template}은(는) K-MDS 템플릿이 아닙니다. 알려진 템플릿: {known}",
    NOT_AN_OBJECT: "K-MDS 레코드는 JSON 객체여야 합니다({kind}이(가) 아님)",
    SCHEMA_ERROR: "레코드가 {pointer}에서 K-MDS 스키마를 어깁니다: {reason}",
    NOT_CONVERTIBLE: "레코드를 {pointer}에서 {template} 서브모델로 바꿀 수 없습니다: {cause}",
    NOT_UNICODE: "레코드의 {pointer}에 올바른 유니코드가 아닌 텍스트(\\ud800 같은 짝 없는 대리 문자)가 있습니다",
}


def korean(message: str, params: Mapping[str, str | int | float]) -> str:
    """The Korean text of a finding's message, or the English one where the catalog has no translation."""
    return MESSAGES_KO.get(message, message).format(**params)
