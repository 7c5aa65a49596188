"""A track's eligibility rules as data: parsed from JSON, checked against one applicant's facts, shown on a page.

The operator writes a track's rules as a JSON list (stored by the service layer), for example::

    [{"rule": "level_in_range", "min": 1, "max": 2},
     {"rule": "size_band", "allowed": ["micro", "small", "medium"]},
     {"rule": "ksic_division", "allowed": ["10", "29", "33"]},
     {"rule": "region", "allowed": ["26", "48"]},
     {"rule": "no_active_sanction"},
     {"rule": "no_double_funding", "years": 3},
     {"rule": "matching_declared", "min_share_percent": 50}]

:func:`parse_rules` refuses a list that is wrong anywhere, naming every place (``rules[2].max``), so that an
operator never saves rules that would be read differently later. :func:`evaluate` checks *every* rule and keeps
the value each one saw, so that an applicant told "not eligible" sees all the reasons at once, not the first.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import ClassVar, Final

from midas.errors import InvalidInput, Problem

# The values of midas.registry's SizeBand (a pure library cannot import it; a test keeps the two in step).
SIZE_BANDS: Final = ("micro", "small", "medium", "large")
# What an applicant's fact shows when there is none (not assessed, no sanction, no earlier funding).
NOTHING_SEEN: Final = "none"

RuleParams = Mapping[str, str | int | float]

# English message ids of the rules as an applicant and an operator read them (Korean in support-selection.po).
RULE_LABELS: dict[str, str] = {
    "level_in_range": "Assessed level between {min} and {max}",
    "size_band": "Company size is one of {allowed}",
    "ksic_division": "Industry (KSIC division) is one of {allowed}",
    "region": "Region is one of {allowed}",
    "no_active_sanction": "No active sanction",
    "no_double_funding": "No support for the same factory and scope in the last {years} years",
    "matching_declared": "Declared matching share of at least {min_share_percent}%",
}


@dataclass(frozen=True, slots=True)
class PriorFunding:
    """Support a factory received before: for which factory, which scope of work, in which round year."""

    factory_id: str
    scope: str
    year: int


@dataclass(frozen=True, slots=True)
class ApplicantFacts:
    """What the rules look at for one application.

    ``assessed_level`` is None when the company has not been assessed; ``region`` is the two-digit administrative
    code of the factory's province or metropolitan city; ``active_sanctions`` describes (or identifies) the
    sanctions in force today; ``scope`` names the work applied for (the same words as :class:`PriorFunding`);
    ``matching_share_percent`` is the company's declared share of the project cost.
    """

    assessed_level: int | None
    size_band: str
    ksic_division: str
    region: str
    active_sanctions: tuple[str, ...]
    prior_fundings: tuple[PriorFunding, ...]
    factory_id: str
    scope: str
    round_year: int
    matching_share_percent: float | Decimal | int


@dataclass(frozen=True, slots=True)
class LevelInRange:
    """The company's assessed capability level lies in [min, max]; a company not assessed fails."""

    code: ClassVar[str] = "level_in_range"
    min: int
    max: int

    def params(self) -> dict[str, str | int | float]:
        return {"min": self.min, "max": self.max}

    def check(self, facts: ApplicantFacts) -> tuple[str, bool]:
        level = facts.assessed_level
        if level is None:
            return NOTHING_SEEN, False
        return str(level), self.min <= level <= self.max


@dataclass(frozen=True, slots=True)
class SizeBandIn:
    """The company's size band is one of the allowed bands."""

    code: ClassVar[str] = "size_band"
    allowed: tuple[str, ...]

    def params(self) -> dict[str, str | int | float]:
        return {"allowed": ", ".join(self.allowed)}

    def check(self, facts: ApplicantFacts) -> tuple[str, bool]:
        return facts.size_band, facts.size_band in self.allowed


@dataclass(frozen=True, slots=True)
class KsicDivisionIn:
    """The company's industry (two-digit KSIC division, 10-33 being manufacturing) is one of the allowed ones."""

    code: ClassVar[str] = "ksic_division"
    allowed: tuple[str, ...]

    def params(self) -> dict[str, str | int | float]:
        return {"allowed": ", ".join(self.allowed)}

    def check(self, facts: ApplicantFacts) -> tuple[str, bool]:
        return facts.ksic_division, facts.ksic_division in self.allowed


@dataclass(frozen=True, slots=True)
class RegionIn:
    """The factory lies in one of the allowed regions (two-digit administrative codes)."""

    code: ClassVar[str] = "region"
    allowed: tuple[str, ...]

    def params(self) -> dict[str, str | int | float]:
        return {"allowed": ", ".join(self.allowed)}

    def check(self, facts: ApplicantFacts) -> tuple[str, bool]:
        return facts.region, facts.region in self.allowed


@dataclass(frozen=True, slots=True)
class NoActiveSanction:
    """No sanction (exclusion from support, a recovery order) is in force against the company."""

    code: ClassVar[str] = "no_active_sanction"

    def params(self) -> dict[str, str | int | float]:
        return {}

    def check(self, facts: ApplicantFacts) -> tuple[str, bool]:
        if not facts.active_sanctions:
            return NOTHING_SEEN, True
        return ", ".join(facts.active_sanctions), False


@dataclass(frozen=True, slots=True)
class NoDoubleFunding:
    """The same factory was not funded for the same scope in the last ``years`` round years.

    "In the last 3 years" of round year 2026 means the years 2024, 2025 and 2026 (``round_year - year < years``);
    a funding dated after the round year (a data error) counts too rather than letting it slip through.
    """

    code: ClassVar[str] = "no_double_funding"
    years: int

    def params(self) -> dict[str, str | int | float]:
        return {"years": self.years}

    def check(self, facts: ApplicantFacts) -> tuple[str, bool]:
        clashes = sorted({
            funding.year for funding in facts.prior_fundings
            if funding.factory_id == facts.factory_id and funding.scope == facts.scope
            and facts.round_year - funding.year < self.years
        })
        if not clashes:
            return NOTHING_SEEN, True
        return ", ".join(str(year) for year in clashes), False


@dataclass(frozen=True, slots=True)
class MatchingDeclared:
    """The company's declared matching share is at least ``min_share_percent`` of the project cost.

    Compared as decimals, so that a declared 50.0 meets a required 50 whatever binary float the form produced.
    """

    code: ClassVar[str] = "matching_declared"
    min_share_percent: int | float

    def params(self) -> dict[str, str | int | float]:
        return {"min_share_percent": self.min_share_percent}

    def check(self, facts: ApplicantFacts) -> tuple[str, bool]:
        declared = facts.matching_share_percent
        shown = _number_text(declared)
        return shown, Decimal(shown) >= Decimal(_number_text(self.min_share_percent))


EligibilityRule = (LevelInRange | SizeBandIn | KsicDivisionIn | RegionIn | NoActiveSanction | NoDoubleFunding
                   | MatchingDeclared)


@dataclass(frozen=True, slots=True)
class RuleDescription:
    """A rule as a page shows it: its code, the English message id of its label and the label's parameters."""

    rule: str
    label: str
    params: RuleParams


@dataclass(frozen=True, slots=True)
class RuleCheck:
    """One rule checked against one application: what it asks, the value it saw (``"none"`` for nothing), the result."""

    rule: str
    label: str
    params: RuleParams
    seen: str
    passed: bool


@dataclass(frozen=True, slots=True)
class EligibilityVerdict:
    """Every rule's check, in the order of the rules; ``passed`` when all of them passed (also when there are none)."""

    passed: bool
    checks: tuple[RuleCheck, ...]


def describe(rule: EligibilityRule) -> RuleDescription:
    """The label and parameters to show ``rule`` on a page (translate ``label``, then format it with ``params``)."""
    return RuleDescription(rule.code, RULE_LABELS[rule.code], rule.params())


def evaluate(rules: Sequence[EligibilityRule], facts: ApplicantFacts) -> EligibilityVerdict:
    """Check every rule against ``facts``; a failed rule does not stop the others being checked and shown."""
    checks = []
    for rule in rules:
        seen, passed = rule.check(facts)
        checks.append(RuleCheck(rule.code, RULE_LABELS[rule.code], rule.params(), seen, passed))
    return EligibilityVerdict(all(check.passed for check in checks), tuple(checks))


def rules_to_data(rules: Sequence[EligibilityRule]) -> list[dict[str, object]]:
    """The JSON-able list that :func:`parse_rules` reads back into the same rules."""
    data: list[dict[str, object]] = []
    for rule in rules:
        item: dict[str, object] = {"rule": rule.code}
        if isinstance(rule, SizeBandIn | KsicDivisionIn | RegionIn):
            item["allowed"] = list(rule.allowed)
        else:
            item.update(rule.params())
        data.append(item)
    return data


def _number_text(value: float | Decimal | int) -> str:
    # repr of a float is the shortest text that reads back as it, so 37.5 stays "37.5" and 50.0 becomes "50".
    text = str(Decimal(repr(value)) if isinstance(value, float) else value)
    if "." in text and "E" not in text.upper():
        text = text.rstrip("0").rstrip(".")
    return text


class _Reader:
    """Reads one rule's keys, collecting a problem for each one that is missing, extra or of the wrong type."""

    def __init__(self, item: Mapping[str, object], where: str, keys: tuple[str, ...],
                 problems: list[Problem]) -> None:
        self.item, self.where, self.problems = item, where, problems
        for key in sorted(set(item) - {"rule", *keys}):
            problems.append(Problem(f"{where}.{key}", "The rule {rule} has no key {key}",
                                    {"rule": str(item["rule"]), "key": key}))
        self.missing = [key for key in keys if key not in item]
        for key in self.missing:
            problems.append(Problem(f"{where}.{key}", "The rule {rule} needs the key {key}",
                                    {"rule": str(item["rule"]), "key": key}))

    def whole(self, key: str, low: int) -> int | None:
        value = self.item.get(key)
        if key in self.missing:
            return None
        if not isinstance(value, int) or isinstance(value, bool):
            self.problems.append(Problem(f"{self.where}.{key}", "{key} must be a whole number", {"key": key}))
            return None
        if value < low:
            self.problems.append(Problem(f"{self.where}.{key}", "{key} must be at least {low}",
                                         {"key": key, "low": low}))
            return None
        return value

    def percent(self, key: str) -> int | float | None:
        value = self.item.get(key)
        if key in self.missing:
            return None
        if not isinstance(value, int | float) or isinstance(value, bool) or value != value:
            self.problems.append(Problem(f"{self.where}.{key}", "{key} must be a number", {"key": key}))
            return None
        if not 0 <= value <= 100:
            self.problems.append(Problem(f"{self.where}.{key}", "{key} must be between 0 and 100", {"key": key}))
            return None
        return value

    def codes(self, key: str, known: tuple[str, ...] | None) -> tuple[str, ...] | None:
        """A non-empty list of distinct strings: known values, or two-digit codes when ``known`` is None."""
        value = self.item.get(key)
        if key in self.missing:
            return None
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.problems.append(Problem(f"{self.where}.{key}", "{key} must be a list of texts", {"key": key}))
            return None
        if not value:
            self.problems.append(Problem(f"{self.where}.{key}", "The list of allowed values is empty"))
            return None
        bad = False
        for position, entry in enumerate(value):
            where = f"{self.where}.{key}[{position}]"
            if known is not None and entry not in known:
                self.problems.append(Problem(where, "Unknown size band {value}; known are {known}",
                                             {"value": entry, "known": ", ".join(known)}))
                bad = True
            elif known is None and not (len(entry) == 2 and entry.isascii() and entry.isdigit()):
                self.problems.append(Problem(where, "{value} is not a two-digit code", {"value": entry}))
                bad = True
            elif entry in value[:position]:
                self.problems.append(Problem(where, "{value} is listed twice", {"value": entry}))
                bad = True
        return None if bad else tuple(value)


def parse_rules(data: object) -> tuple[EligibilityRule, ...]:
    """Read a track's rules from their JSON form; :class:`InvalidInput` names every problem and its place."""
    if not isinstance(data, list):
        raise InvalidInput([Problem("rules", "The eligibility rules must be a list")])
    problems: list[Problem] = []
    rules: list[EligibilityRule] = []
    seen: set[str] = set()
    for position, item in enumerate(data):
        where = f"rules[{position}]"
        if not isinstance(item, dict) or not all(isinstance(key, str) for key in item):
            problems.append(Problem(where, "A rule must be an object with a \"rule\" key"))
            continue
        name = item.get("rule")
        if not isinstance(name, str):
            problems.append(Problem(f"{where}.rule", "A rule must be an object with a \"rule\" key"))
            continue
        if name not in RULE_LABELS:
            problems.append(Problem(f"{where}.rule", "Unknown rule {rule}; known are {known}",
                                    {"rule": name, "known": ", ".join(RULE_LABELS)}))
            continue
        if name in seen:
            problems.append(Problem(f"{where}.rule", "The rule {rule} appears more than once", {"rule": name}))
            continue
        seen.add(name)
        rule = _parse_one(name, item, where, problems)
        if rule is not None:
            rules.append(rule)
    if problems:
        raise InvalidInput(problems)
    return tuple(rules)


def _parse_one(name: str, item: Mapping[str, object], where: str,
               problems: list[Problem]) -> EligibilityRule | None:
    if name == "level_in_range":
        reader = _Reader(item, where, ("min", "max"), problems)
        low, high = reader.whole("min", 0), reader.whole("max", 0)
        if low is None or high is None:
            return None
        if high < low:
            problems.append(Problem(f"{where}.max", "The maximum {max} is below the minimum {min}",
                                    {"min": low, "max": high}))
            return None
        return LevelInRange(low, high)
    if name in ("size_band", "ksic_division", "region"):
        reader = _Reader(item, where, ("allowed",), problems)
        allowed = reader.codes("allowed", SIZE_BANDS if name == "size_band" else None)
        if allowed is None:
            return None
        return SizeBandIn(allowed) if name == "size_band" else (
            KsicDivisionIn(allowed) if name == "ksic_division" else RegionIn(allowed))
    if name == "no_active_sanction":
        _Reader(item, where, (), problems)
        return NoActiveSanction()
    if name == "no_double_funding":
        years = _Reader(item, where, ("years",), problems).whole("years", 1)
        return None if years is None else NoDoubleFunding(years)
    share = _Reader(item, where, ("min_share_percent",), problems).percent("min_share_percent")
    return None if share is None else MatchingDeclared(share)
