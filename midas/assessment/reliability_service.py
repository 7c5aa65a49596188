"""Reliability and calibration of a round, read from the stored score sheets, for operators and auditors only.

Every submitted sheet is one rating per item (:func:`ratings_of_round`); Krippendorff's alpha (ordinal) with
the library's cluster bootstrap interval and each expert's calibration are computed from them as
:mod:`.reliability` defines them, with NumPy on a score matrix (see "the fast path" below; the tests hold the two
against each other). The distributions of final levels are split by region, industry (KSIC division) or expert
(the levels each expert's own sheets reached). Companies and experts never see these numbers: every function
requires ``ASSESSMENT_VIEW_ALL``.

A national round holds some 6,000 sheets of 95 items (570,000 ratings): computing its alpha and calibration
takes a few seconds, so the results are kept per round and recomputed only when a sheet of that round is
submitted, revised or added after they were computed.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

import numpy as np
import numpy.typing as npt
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from midas.assessment.enums import RoundStatus
from midas.assessment.framework_service import framework_of
from midas.assessment.models import Assessment, AssessmentRound, Expert, ExpertAssignment, ScoreSheet
from midas.assessment.reliability import (
    AlphaResult,
    AlphaUndefined,
    CalibrationBounds,
    CalibrationFlag,
    Distribution,
    ExpertCalibration,
    GroupedLevel,
    Grouping,
    Rating,
    Resampling,
    alpha_from_coincidences,
    calibration_from_scores,
    distribution_csv,
    percentile_interval,
    summarize_levels,
)
from midas.auth import Actor, Permission
from midas.errors import InvalidInput, NotFound
from midas.registry import Organization, ksic_divisions, regions

# 500 replicates put the ends of a 95% interval within about ±0.005 of a 2,000-replicate run on a national round,
# at a quarter of the time (the page must open in a few seconds).
BOOTSTRAP_SAMPLES = 500
CONFIDENCE = 0.95
# Krippendorff (2004, Content Analysis, 2nd ed., p. 241): rely on data with alpha >= .800; draw tentative
# conclusions only from data with .667 <= alpha < .800.
RELIABLE_ALPHA = 0.8
TENTATIVE_ALPHA = 0.667
CSV_LOCALES = ("ko", "en")
_CACHED_ROUNDS = 8
# A spread needs two values.
MIN_COUNT_FOR_SPREAD = 2


class AlphaVerdict(StrEnum):
    """How far an alpha can be relied on, after Krippendorff's thresholds."""

    RELIABLE = "reliable"
    TENTATIVE = "tentative"
    UNRELIABLE = "unreliable"
    UNDEFINED = "undefined"


ALPHA_VERDICT_LABELS = {
    AlphaVerdict.RELIABLE: "Reliable: alpha is at least 0.800",
    AlphaVerdict.TENTATIVE: "Tentative: alpha is between 0.667 and 0.800; draw only tentative conclusions",
    AlphaVerdict.UNRELIABLE: "Not reliable: alpha is below 0.667",
    AlphaVerdict.UNDEFINED: "Alpha cannot be computed",
}


def alpha_verdict(alpha: float | None) -> AlphaVerdict:
    """Reliable (>= 0.800), tentative (>= 0.667), unreliable (below) or undefined, after Krippendorff (2004)."""
    if alpha is None:
        return AlphaVerdict.UNDEFINED
    if alpha >= RELIABLE_ALPHA:
        return AlphaVerdict.RELIABLE
    if alpha >= TENTATIVE_ALPHA:
        return AlphaVerdict.TENTATIVE
    return AlphaVerdict.UNRELIABLE


@dataclass(frozen=True, slots=True)
class RoundOverview:
    """A round as the reliability pages list it: its counts and whether there is anything to measure."""

    code: str
    name: str
    status: RoundStatus
    framework_code: str
    framework_name: str
    framework_name_en: str
    assessments: int
    finalized: int
    sheets: int
    closed_at: datetime | None

    @property
    def has_data(self) -> bool:
        return self.sheets > 0


@dataclass(frozen=True, slots=True)
class RoundReliability:
    """A round's alpha with its interval, the counts behind it and the histogram of final levels."""

    overview: RoundOverview
    alpha: AlphaResult
    verdict: AlphaVerdict
    experts: int
    flagged_experts: int
    levels: Distribution
    scale: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class ExpertCalibrationRow:
    """One expert's calibration with who the expert is and how many sheets the expert submitted."""

    expert_id: int
    name: str
    region_code: str
    sheets: int
    calibration: ExpertCalibration

    @property
    def flagged(self) -> bool:
        return bool(self.calibration.flags)


@dataclass(frozen=True, slots=True)
class _SheetRow:
    assessment_id: int
    expert_id: int
    scores: dict[str, int]


@dataclass(frozen=True, slots=True)
class _Computed:
    alpha: AlphaResult
    calibrations: tuple[ExpertCalibration, ...]


class _ResultCache:
    """The last few rounds' alpha and calibration, keyed by round and by the newest change of its sheets."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.entries: OrderedDict[tuple[object, ...], _Computed] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: tuple[object, ...]) -> _Computed | None:
        with self.lock:
            found = self.entries.get(key)
            if found is not None:
                self.entries.move_to_end(key)
            return found

    def put(self, key: tuple[object, ...], value: _Computed) -> None:
        with self.lock:
            self.entries[key] = value
            self.entries.move_to_end(key)
            while len(self.entries) > self.size:
                self.entries.popitem(last=False)


_results = _ResultCache(_CACHED_ROUNDS)


def list_rounds(session: Session, *, actor: Actor) -> list[RoundOverview]:
    """Every round, newest first, with its counts of assessments, final levels and submitted sheets."""
    actor.require(Permission.ASSESSMENT_VIEW_ALL)
    rounds = session.scalars(select(AssessmentRound).order_by(AssessmentRound.created_at.desc(),
                                                              AssessmentRound.id.desc())).all()
    return [_overview(session, row) for row in rounds]


def default_round_code(session: Session, *, actor: Actor) -> str | None:
    """The round the dashboard opens on: the latest closed round with sheets, else the latest with sheets."""
    listed = [row for row in list_rounds(session, actor=actor) if row.has_data]
    closed = [row for row in listed if row.status is RoundStatus.CLOSED]
    chosen = closed or listed
    return chosen[0].code if chosen else None


def round_reliability(session: Session, *, actor: Actor, code: str) -> RoundReliability:
    """The round's alpha (ordinal) with a bootstrap interval, its experts and the histogram of final levels."""
    actor.require(Permission.ASSESSMENT_VIEW_ALL)
    row = _round(session, code)
    computed = _compute(session, row)
    scale = _scale(row)
    final_levels = session.scalars(
        select(Assessment.final_level).where(Assessment.round_id == row.id, Assessment.final_level.is_not(None))
    ).all()
    levels = summarize_levels((GroupedLevel("", level) for level in final_levels if level is not None),
                              grouping=Grouping.REGION, scale=scale)
    return RoundReliability(
        overview=_overview(session, row), alpha=computed.alpha, verdict=alpha_verdict(computed.alpha.alpha),
        experts=len(computed.calibrations),
        flagged_experts=sum(1 for calibration in computed.calibrations if calibration.flags),
        levels=levels, scale=scale,
    )


def expert_calibrations(session: Session, *, actor: Actor, code: str) -> list[ExpertCalibrationRow]:
    """Each expert's leniency, interval, spread and flags in the round: flagged experts first, most lenient or
    severe at the top, then the others by name."""
    actor.require(Permission.ASSESSMENT_VIEW_ALL)
    row = _round(session, code)
    computed = _compute(session, row)
    ids = [int(calibration.expert_id) for calibration in computed.calibrations]
    experts = {expert.id: expert for expert in session.scalars(select(Expert).where(Expert.id.in_(ids)))}
    sheets = _sheets_per_expert(session, row)
    rows = [
        ExpertCalibrationRow(expert_id=expert_id, name=experts[expert_id].name,
                             region_code=experts[expert_id].region_code, sheets=sheets.get(expert_id, 0),
                             calibration=calibration)
        for expert_id, calibration in zip(ids, computed.calibrations, strict=True)
    ]
    return sorted(rows, key=_calibration_order)


def level_distribution(
    session: Session, *, actor: Actor, code: str, grouping: Grouping, locale: str = "ko"
) -> Distribution:
    """Levels split by region or industry (final levels of the round's assessments) or by expert (the levels of
    each expert's submitted sheets); group labels are names in ``locale``."""
    actor.require(Permission.ASSESSMENT_VIEW_ALL)
    row = _round(session, code)
    if grouping is Grouping.EXPERT:
        observations = _levels_by_expert(session, row)
    else:
        observations = _final_levels_by_organization(session, row, grouping, locale)
    return summarize_levels(observations, grouping=grouping, scale=_scale(row))


def distribution_export(
    session: Session, *, actor: Actor, code: str, grouping: Grouping, locale: str = "ko"
) -> tuple[str, bytes]:
    """The distribution as a CSV file Excel opens (UTF-8 with BOM): its file name and its bytes."""
    if locale not in CSV_LOCALES:
        raise InvalidInput.single("locale", "Unknown language {value}; use ko or en", {"value": locale})
    distribution = level_distribution(session, actor=actor, code=code, grouping=grouping, locale=locale)
    safe_code = "".join(character if character.isalnum() or character in "-_" else "_" for character in code)
    return f"reliability-{safe_code}-{grouping.value}-{locale}.csv", distribution_csv(distribution, locale=locale)


def ratings_of_round(session: Session, *, actor: Actor, code: str) -> list[Rating]:
    """Every item score of the round's submitted sheets, one Rating per item per expert (ids as text)."""
    actor.require(Permission.ASSESSMENT_VIEW_ALL)
    row = _round(session, code)
    return _ratings(_submitted_sheets(session, row), _item_ids(row))


def _round(session: Session, code: str) -> AssessmentRound:
    row = session.scalar(select(AssessmentRound).where(AssessmentRound.code == code))
    if row is None:
        raise NotFound("No assessment round {code}", {"code": code})
    return row


def _overview(session: Session, row: AssessmentRound) -> RoundOverview:
    assessments, finalized = session.execute(
        select(func.count(Assessment.id), func.count(Assessment.final_level)).where(Assessment.round_id == row.id)
    ).one()
    sheets = session.scalar(
        select(func.count(ScoreSheet.id))
        .join(ExpertAssignment, ScoreSheet.assignment_id == ExpertAssignment.id)
        .join(Assessment, ExpertAssignment.assessment_id == Assessment.id)
        .where(Assessment.round_id == row.id, ScoreSheet.submitted_at.is_not(None))
    ) or 0
    return RoundOverview(
        code=row.code, name=row.name, status=row.status, framework_code=row.framework.code,
        framework_name=row.framework.name, framework_name_en=row.framework.name_en, assessments=assessments,
        finalized=finalized, sheets=sheets, closed_at=row.closed_at,
    )


def _scale(row: AssessmentRound) -> tuple[int, ...]:
    return tuple(rule.level for rule in framework_of(row.framework).levels)


def _sheet_query(row: AssessmentRound) -> Select[int, int, dict[str, int]]:
    return (
        select(ExpertAssignment.assessment_id, ExpertAssignment.expert_id, ScoreSheet.scores)
        .join(ExpertAssignment, ScoreSheet.assignment_id == ExpertAssignment.id)
        .join(Assessment, ExpertAssignment.assessment_id == Assessment.id)
        .where(Assessment.round_id == row.id, ScoreSheet.submitted_at.is_not(None))
        .order_by(ExpertAssignment.assessment_id, ExpertAssignment.expert_id)
    )


def _submitted_sheets(session: Session, row: AssessmentRound) -> list[_SheetRow]:
    return [_SheetRow(assessment_id, expert_id, scores)
            for assessment_id, expert_id, scores in session.execute(_sheet_query(row)).all()]


def _ratings(sheets: Sequence[_SheetRow], item_ids: Sequence[str]) -> list[Rating]:
    """One Rating per scored item, sheet by sheet, items in the framework's order."""
    ratings: list[Rating] = []
    for sheet in sheets:
        assessment_id, expert_id = str(sheet.assessment_id), str(sheet.expert_id)
        ratings.extend(Rating(assessment_id, item_id, expert_id, int(sheet.scores[item_id]))
                       for item_id in item_ids if item_id in sheet.scores)
    return ratings


def _freshness(session: Session, row: AssessmentRound) -> tuple[object, ...]:
    """What changes when a sheet of the round is submitted, revised or withdrawn."""
    newest, count = session.execute(
        select(func.max(func.coalesce(ScoreSheet.revised_at, ScoreSheet.submitted_at)), func.count(ScoreSheet.id))
        .join(ExpertAssignment, ScoreSheet.assignment_id == ExpertAssignment.id)
        .join(Assessment, ExpertAssignment.assessment_id == Assessment.id)
        .where(Assessment.round_id == row.id, ScoreSheet.submitted_at.is_not(None))
    ).one()
    return (str(session.get_bind().engine.url), row.id, str(newest), count)


def _compute(session: Session, row: AssessmentRound) -> _Computed:
    key = _freshness(session, row)
    cached = _results.get(key)
    if cached is not None:
        return cached
    matrix = RatingMatrix.of(_submitted_sheets(session, row), _item_ids(row))
    computed = _Computed(alpha=matrix.alpha(), calibrations=matrix.calibrations())
    _results.put(key, computed)
    return computed


def _item_ids(row: AssessmentRound) -> list[str]:
    return [item.id for item in framework_of(row.framework).items]


def _sheets_per_expert(session: Session, row: AssessmentRound) -> dict[int, int]:
    counted = session.execute(
        select(ExpertAssignment.expert_id, func.count(ScoreSheet.id))
        .join(ScoreSheet, ScoreSheet.assignment_id == ExpertAssignment.id)
        .join(Assessment, ExpertAssignment.assessment_id == Assessment.id)
        .where(Assessment.round_id == row.id, ScoreSheet.submitted_at.is_not(None))
        .group_by(ExpertAssignment.expert_id)
    ).all()
    return dict(counted)


def _calibration_order(row: ExpertCalibrationRow) -> tuple[int, float, str]:
    """Lenient/severe/inconsistent first (largest departure first), then too few ratings, then the rest."""
    flags = row.calibration.flags
    judged = bool(flags) and CalibrationFlag.TOO_FEW_RATINGS not in flags
    group = 0 if judged else 1 if flags else 2
    departure = -abs(row.calibration.leniency or 0.0)
    return (group, departure, row.name)


def _levels_by_expert(session: Session, row: AssessmentRound) -> list[GroupedLevel]:
    levels = session.execute(
        select(Expert.id, Expert.name, ScoreSheet.level)
        .join(ExpertAssignment, ExpertAssignment.expert_id == Expert.id)
        .join(ScoreSheet, ScoreSheet.assignment_id == ExpertAssignment.id)
        .join(Assessment, ExpertAssignment.assessment_id == Assessment.id)
        .where(Assessment.round_id == row.id, ScoreSheet.submitted_at.is_not(None), ScoreSheet.level.is_not(None))
    ).all()
    return [GroupedLevel(f"{name} (#{expert_id})", level) for expert_id, name, level in levels if level is not None]


def _final_levels_by_organization(
    session: Session, row: AssessmentRound, grouping: Grouping, locale: str
) -> list[GroupedLevel]:
    column = Organization.region_code if grouping is Grouping.REGION else Organization.ksic_code
    levels = session.execute(
        select(column, Assessment.final_level)
        .join(Organization, Assessment.organization_id == Organization.id)
        .where(Assessment.round_id == row.id, Assessment.final_level.is_not(None))
    ).all()
    label = _region_label if grouping is Grouping.REGION else _industry_label
    return [GroupedLevel(label(code, locale), level) for code, level in levels if level is not None]


def _region_label(code: str, locale: str) -> str:
    known = regions().get(code)
    return known.name(locale) if known else code


def _industry_label(ksic_code: str, locale: str) -> str:
    division = ksic_code[:2]
    known = ksic_divisions().get(division)
    return f"{division} {known.name(locale)}" if known else division


# -- the fast path --------------------------------------------------------------------------------------------
# The library takes a list of Rating objects and loops over them in Python: right for its tests and small
# rounds, some ten seconds for a national round's 570,000 ratings. The service computes the same numbers from
# a score matrix with NumPy; the tests hold both against each other on the same ratings. The ratings are in the
# order ratings_of_round gives them (sheets by assessment and expert, items in the framework's order), so that
# units and bootstrap clusters are numbered as the library numbers them and the interval is the same.


@dataclass(frozen=True, slots=True)
class RatingMatrix:
    """Every submitted sheet as a row of item scores (-1 where an item has no score)."""

    scores: npt.NDArray[np.int64]
    assessments: npt.NDArray[np.int64]
    experts: npt.NDArray[np.int64]

    @classmethod
    def of(cls, sheets: Sequence[_SheetRow], item_ids: Sequence[str]) -> RatingMatrix:
        scores = np.array([[int(sheet.scores.get(item_id, -1)) for item_id in item_ids] for sheet in sheets],
                          dtype=np.int64).reshape(len(sheets), len(item_ids))
        return cls(scores=scores, assessments=np.array([sheet.assessment_id for sheet in sheets], dtype=np.int64),
                   experts=np.array([sheet.expert_id for sheet in sheets], dtype=np.int64))

    def _ratings(self) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.int64]]:
        """Each rating's unit (numbered by first appearance), expert and score, in rating order."""
        rows, items = np.nonzero(self.scores >= 0)
        _, assessment_position = np.unique(self.assessments, return_inverse=True)
        keys = assessment_position[rows] * self.scores.shape[1] + items
        _, first, inverse = np.unique(keys, return_index=True, return_inverse=True)
        appearance = np.argsort(np.argsort(first))
        return appearance[inverse], self.experts[rows], self.scores[rows, items]

    def alpha(self, *, confidence: float = CONFIDENCE, n_bootstrap: int = BOOTSTRAP_SAMPLES,
              seed: int = 0) -> AlphaResult:
        """Krippendorff's alpha (ordinal) with the library's cluster bootstrap over assessments."""
        method = f"krippendorff-ordinal; percentile bootstrap over {Resampling.ASSESSMENT.value}s"
        units, _, values = self._ratings()
        per_unit = np.bincount(units, minlength=int(units.max()) + 1 if units.size else 0)
        pairable_units = np.flatnonzero(per_unit >= 2)
        n_unpaired = int(per_unit.size - pairable_units.size)
        keep = per_unit[units] >= 2 if units.size else np.zeros(0, dtype=bool)
        n_pairable = int(keep.sum())
        if not pairable_units.size:
            return AlphaResult(None, None, None, confidence, 0, n_unpaired, 0, 0, method,
                               AlphaUndefined.NO_PAIRABLE_UNITS)
        domain = np.unique(values[keep])
        unit_row = np.searchsorted(pairable_units, units[keep])
        counts = np.zeros((pairable_units.size, domain.size))
        np.add.at(counts, (unit_row, np.searchsorted(domain, values[keep])), 1.0)
        clusters = self._clusters(pairable_units)
        per_cluster = _coincidences_by_cluster(counts, clusters)
        point = float(alpha_from_coincidences(per_cluster.sum(axis=0)))
        if np.isnan(point):
            return AlphaResult(None, None, None, confidence, int(pairable_units.size), n_unpaired, n_pairable, 0,
                               method, AlphaUndefined.NO_VARIATION)
        low, high = percentile_interval(per_cluster, confidence=confidence, n_bootstrap=n_bootstrap, seed=seed)
        return AlphaResult(point, low, high, confidence, int(pairable_units.size), n_unpaired, n_pairable,
                           n_bootstrap, method)

    def _clusters(self, pairable_units: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
        """The assessment of each pairable unit, numbered by first appearance (units are numbered that way)."""
        units, _, _ = self._ratings()
        rows, _ = np.nonzero(self.scores >= 0)
        _, assessment_position = np.unique(self.assessments, return_inverse=True)
        assessment_of_unit = np.zeros(int(units.max()) + 1, dtype=np.int64)
        assessment_of_unit[units] = assessment_position[rows]
        chosen = assessment_of_unit[pairable_units]
        _, first, inverse = np.unique(chosen, return_index=True, return_inverse=True)
        result: npt.NDArray[np.int64] = np.argsort(np.argsort(first))[inverse]
        return result

    def calibrations(self, bounds: CalibrationBounds | None = None) -> tuple[ExpertCalibration, ...]:
        """Each expert's leniency, interval, spread, correlation and flags, as calibrate_experts gives them."""
        bounds = bounds or CalibrationBounds()
        units, experts, values = self._ratings()
        all_experts, n_ratings = np.unique(experts, return_counts=True)
        per_unit = np.bincount(units)
        total = np.bincount(units, weights=values.astype(np.float64))
        corated = per_unit[units] >= 2
        own = values[corated].astype(np.float64)
        others = (total[units[corated]] - own) / (per_unit[units[corated]] - 1)
        corated_experts = experts[corated]
        order = np.argsort(corated_experts, kind="stable")
        bounds_of = np.searchsorted(corated_experts[order], all_experts, side="left"), \
            np.searchsorted(corated_experts[order], all_experts, side="right")
        by_expert = {int(expert): (own[order[start:end]], others[order[start:end]])
                     for expert, start, end in zip(all_experts, *bounds_of, strict=True)}
        return tuple(
            calibration_from_scores(str(int(expert)), int(count), *by_expert[int(expert)], bounds)
            for expert, count in sorted(zip(all_experts.tolist(), n_ratings.tolist(), strict=True),
                                        key=lambda pair: str(pair[0]))
        )


def _coincidences_by_cluster(counts: npt.NDArray[np.float64],
                             clusters: npt.NDArray[np.int64]) -> npt.NDArray[np.float64]:
    """Each cluster's share of the coincidence matrix: per unit (c c^T - diag c) / (m_u - 1), summed by cluster."""
    n_clusters, n_values = int(clusters.max()) + 1, counts.shape[1]
    weights = 1.0 / (counts.sum(axis=1) - 1)
    result = np.zeros((n_clusters, n_values, n_values))
    for first in range(n_values):
        for second in range(n_values):
            products = counts[:, first] * (counts[:, second] - (1.0 if first == second else 0.0)) * weights
            result[:, first, second] = np.bincount(clusters, weights=products, minlength=n_clusters)
    return result


