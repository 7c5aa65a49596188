"""The messages of B2MML conversion findings: English message ids with ``{name}`` parameters, and Korean.

Kept beside the converter, like :mod:`midas.standard.messages`, because the standard package imports nothing
from the platform's i18n; the same pairs are in ``midas/locale/ko/LC_MESSAGES/standard-b2mml.po`` so that the
platform's catalog shows them too (a test keeps the two in step).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

__all__ = ["B2MML_MESSAGES_KO", "b2mml_korean"]

NOT_B2MML: Final = "the root element {element} in namespace {namespace} is not a B2MML V0401 or V0701 message"
UNKNOWN_NOUN: Final = "{element} is not a B2MML object this converter reads; nothing in it was converted"
NO_TEMPLATE: Final = "{element} {id} has no K-MDS template; its content is reported element by element"
UNMAPPED: Final = "{element} (line {line}) holds {value}, which has no place in K-MDS and was not converted"
RECORD_INCOMPLETE: Final = (
    "the segment response {id} (line {line}) lacks {missing}, which a K-MDS ProductionPerformance record requires"
)
RECORD_INVALID: Final = "the {template} record made from line {line} is not valid at {pointer}: {reason}"
UNKNOWN_UNIT: Final = "the unit {unit} (line {line}) is not a K-MDS quantity unit; allowed: {allowed}"
NOT_A_NUMBER: Final = "{element} (line {line}) is {value}, which is not a number"
SCHEMA_VIOLATION: Final = "line {line}: {reason}"
SCHEMA_UNAVAILABLE: Final = "the B2MML schema {schema} could not be loaded: {reason}"
OUTPUT_INVALID: Final = "the written B2MML is not valid against {schema}: line {line}: {reason}"

B2MML_MESSAGES_KO: Final[dict[str, str]] = {
    NOT_B2MML: "루트 요소 {element}(네임스페이스 {namespace})는 B2MML V0401 또는 V0701 메시지가 아닙니다",
    UNKNOWN_NOUN: "{element}는 이 변환기가 읽는 B2MML 객체가 아닙니다. 그 안의 어떤 내용도 변환하지 않았습니다",
    NO_TEMPLATE: "{element} {id}에 해당하는 K-MDS 템플릿이 없습니다. 내용을 요소별로 보고합니다",
    UNMAPPED: "{element}(줄 {line})의 값 {value}는 K-MDS에 들어갈 자리가 없어 변환하지 않았습니다",
    RECORD_INCOMPLETE: (
        "세그먼트 응답 {id}(줄 {line})에 K-MDS ProductionPerformance 레코드가 요구하는 {missing}가 없습니다"
    ),
    RECORD_INVALID: "줄 {line}에서 만든 {template} 레코드가 {pointer}에서 유효하지 않습니다: {reason}",
    UNKNOWN_UNIT: "단위 {unit}(줄 {line})는 K-MDS 수량 단위가 아닙니다. 허용 단위: {allowed}",
    NOT_A_NUMBER: "{element}(줄 {line})의 값 {value}는 수가 아닙니다",
    SCHEMA_VIOLATION: "줄 {line}: {reason}",
    SCHEMA_UNAVAILABLE: "B2MML 스키마 {schema}를 불러올 수 없습니다: {reason}",
    OUTPUT_INVALID: "작성한 B2MML이 {schema}에 대해 유효하지 않습니다: 줄 {line}: {reason}",
}


def b2mml_korean(message: str, params: Mapping[str, str | int | float]) -> str:
    """The Korean text of a B2MML finding, or the English one where the catalog has no translation."""
    return B2MML_MESSAGES_KO.get(message, message).format(**params)
