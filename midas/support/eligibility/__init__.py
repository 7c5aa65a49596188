"""Eligibility rules of a support track as data (pure: no database, no web).

:func:`parse_rules` reads and validates a track's JSON rules, :func:`evaluate` checks every rule against an
application's facts and keeps what each one saw, :func:`describe` shows a rule on a page, and
:func:`verdict_to_json` / :func:`verdict_from_json` keep a verdict in a JSON column.
"""

from midas.support.eligibility.rules import (
    NOTHING_SEEN,
    RULE_LABELS,
    SIZE_BANDS,
    ApplicantFacts,
    EligibilityRule,
    EligibilityVerdict,
    KsicDivisionIn,
    LevelInRange,
    MatchingDeclared,
    NoActiveSanction,
    NoDoubleFunding,
    PriorFunding,
    RegionIn,
    RuleCheck,
    RuleDescription,
    SizeBandIn,
    describe,
    evaluate,
    parse_rules,
    rules_to_data,
)
from midas.support.eligibility.verdict import verdict_from_json, verdict_to_json

__all__ = [
    "NOTHING_SEEN",
    "RULE_LABELS",
    "SIZE_BANDS",
    "ApplicantFacts",
    "EligibilityRule",
    "EligibilityVerdict",
    "KsicDivisionIn",
    "LevelInRange",
    "MatchingDeclared",
    "NoActiveSanction",
    "NoDoubleFunding",
    "PriorFunding",
    "RegionIn",
    "RuleCheck",
    "RuleDescription",
    "SizeBandIn",
    "describe",
    "evaluate",
    "parse_rules",
    "rules_to_data",
    "verdict_from_json",
    "verdict_to_json",
]
