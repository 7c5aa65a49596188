"""Which assessments go to reconciliation: experts who disagree on an item, or on the resulting level.

A spread is the highest minus the lowest score (or level) the experts gave. Spreads up to the tolerated spread
are ordinary disagreement; a spread beyond it sends the assessment to reconciliation (a discussion thread and a
revised score, or a third expert). With the defaults, experts one point apart on an item are tolerated, two
points apart are not; any difference in the resulting level is not tolerated.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence

from midas.assessment.reliability.model import (
    DisagreementKind,
    DisagreementReason,
    ExpertLevel,
    ExpertScore,
    Rating,
    ReconciliationCase,
    check_one_rating_per_unit,
)
from midas.errors import InvalidInput, Problem

DEFAULT_TOLERATED_ITEM_SPREAD = 1
DEFAULT_TOLERATED_LEVEL_SPREAD = 0


def find_reconciliation_cases(
    ratings: Iterable[Rating],
    levels: Iterable[ExpertLevel] = (),
    *,
    tolerated_item_spread: int = DEFAULT_TOLERATED_ITEM_SPREAD,
    tolerated_level_spread: int = DEFAULT_TOLERATED_LEVEL_SPREAD,
) -> tuple[ReconciliationCase, ...]:
    """The assessments whose experts disagree beyond a tolerated spread, sorted by id, with every reason.

    Item reasons come first, in item id order, then the level reason. Items and levels with a single expert
    cannot disagree and are skipped.
    """
    _check_tolerances(tolerated_item_spread, tolerated_level_spread)
    reasons: dict[str, list[DisagreementReason]] = defaultdict(list)
    for (assessment_id, item_id), scores in sorted(_item_scores(check_one_rating_per_unit(ratings)).items()):
        reason = _beyond(DisagreementKind.ITEM_SPREAD, item_id, scores, tolerated_item_spread)
        if reason is not None:
            reasons[assessment_id].append(reason)
    for assessment_id, expert_levels in sorted(_levels_by_assessment(levels).items()):
        reason = _beyond(DisagreementKind.LEVEL_SPREAD, None, expert_levels, tolerated_level_spread)
        if reason is not None:
            reasons[assessment_id].append(reason)
    return tuple(ReconciliationCase(assessment_id, tuple(reasons[assessment_id])) for assessment_id in sorted(reasons))


def _check_tolerances(item: int, level: int) -> None:
    problems = [
        Problem(name, "The tolerated spread cannot be negative")
        for name, value in (("tolerated_item_spread", item), ("tolerated_level_spread", level))
        if value < 0
    ]
    if problems:
        raise InvalidInput(problems)


def _item_scores(ratings: Sequence[Rating]) -> dict[tuple[str, str], list[ExpertScore]]:
    scores: dict[tuple[str, str], list[ExpertScore]] = defaultdict(list)
    for rating in ratings:
        scores[rating.unit].append(ExpertScore(rating.expert_id, rating.score))
    return scores


def _levels_by_assessment(levels: Iterable[ExpertLevel]) -> dict[str, list[ExpertScore]]:
    by_assessment: dict[str, list[ExpertScore]] = defaultdict(list)
    problems = []
    seen: set[tuple[str, str]] = set()
    for row, level in enumerate(levels):
        if (level.assessment_id, level.expert_id) in seen:
            problems.append(Problem(
                "levels", "Expert {expert_id} gave assessment {assessment_id} more than one level",
                {"expert_id": level.expert_id, "assessment_id": level.assessment_id}, row=row,
            ))
        seen.add((level.assessment_id, level.expert_id))
        by_assessment[level.assessment_id].append(ExpertScore(level.expert_id, level.level))
    if problems:
        raise InvalidInput(problems)
    return by_assessment


def _beyond(
    kind: DisagreementKind, item_id: str | None, scores: list[ExpertScore], tolerated: int
) -> DisagreementReason | None:
    values = [score.score for score in scores]
    spread = max(values) - min(values)
    if len(scores) < 2 or spread <= tolerated:
        return None
    ordered = tuple(sorted(scores, key=lambda score: score.expert_id))
    return DisagreementReason(kind=kind, item_id=item_id, spread=spread, tolerated=tolerated, scores=ordered)
