"""A verdict as JSON and back, so that a service can keep it in a JSON column exactly as the applicant saw it.

A stored verdict is evidence of a decision: it is read back as it was written, not re-evaluated, because the
rules and the facts may have changed since.
"""

from __future__ import annotations

from collections.abc import Mapping

from midas.errors import InvalidInput, Problem
from midas.support.eligibility.rules import EligibilityVerdict, RuleCheck

JsonObject = dict[str, object]


def verdict_to_json(verdict: EligibilityVerdict) -> JsonObject:
    """The verdict as plain JSON values (what ``json.dumps`` and a JSON column accept)."""
    return {
        "passed": verdict.passed,
        "checks": [
            {"rule": c.rule, "label": c.label, "params": dict(c.params), "seen": c.seen, "passed": c.passed}
            for c in verdict.checks
        ],
    }


def verdict_from_json(data: object) -> EligibilityVerdict:
    """Read back what :func:`verdict_to_json` wrote; :class:`InvalidInput` says where a stored value is damaged."""
    if not isinstance(data, Mapping) or not isinstance(data.get("passed"), bool) \
            or not isinstance(data.get("checks"), list):
        raise InvalidInput([Problem("verdict", "A stored verdict must have \"passed\" and \"checks\"")])
    checks = []
    problems = []
    for position, item in enumerate(data["checks"]):
        check = _check(item)
        if check is None:
            problems.append(Problem(f"verdict.checks[{position}]", "A stored rule check is damaged"))
        else:
            checks.append(check)
    if problems:
        raise InvalidInput(problems)
    return EligibilityVerdict(bool(data["passed"]), tuple(checks))


def _check(item: object) -> RuleCheck | None:
    if not isinstance(item, Mapping):
        return None
    rule, label, params, seen, passed = (item.get(k) for k in ("rule", "label", "params", "seen", "passed"))
    if not (isinstance(rule, str) and isinstance(label, str) and isinstance(seen, str) and isinstance(passed, bool)
            and isinstance(params, Mapping)):
        return None
    values: dict[str, str | int | float] = {}
    for key, value in params.items():
        if not isinstance(key, str) or not isinstance(value, str | int | float) or isinstance(value, bool):
            return None
        values[key] = value
    return RuleCheck(rule, label, values, seen, passed)
