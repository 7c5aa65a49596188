"""The reliability service reads stored sheets and gives the same numbers as the pure library on the same ratings."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy.orm import Session

from midas.assessment import Assessment, AssessmentRound, Expert, ScoreSheet, framework_of
from midas.assessment import reliability_service as service
from midas.assessment.enums import AssessmentStatus, RoundStatus
from midas.assessment.reliability import (
    CalibrationFlag,
    GroupedLevel,
    Grouping,
    Rating,
    calibrate_experts,
    distribution_csv,
    ordinal_alpha,
    summarize_levels,
)
from midas.auth import SYSTEM, Role, actor_for
from midas.errors import InvalidInput, NotFound, PermissionDenied
from midas.registry import ksic_divisions, regions
from tests.assessment.factories import make_assessment, make_assignment, make_expert, make_round, make_sheet
from tests.factories import make_organization, make_user

_codes = itertools.count(1)
REGIONS = ["41", "41", "48", "11", "48", "41", "26", "41", "11", "48"]
DIVISIONS = ["29", "26", "29", "30", "25", "26", "29", "30", "25", "29"]
# Which experts score each assessment: "L" is the lenient one, 0-4 the fair ones.
PAIRS: list[tuple[int | str, int | str]] = [
    (0, "L"), (1, "L"), (2, "L"), (0, 1), (1, 2), (2, 3), (3, 4), (4, 0), (0, 2), (1, 3),
]


@dataclass
class BuiltRound:
    """A closed round of ten assessments, two experts each, one expert a point above everyone else."""

    row: AssessmentRound
    lenient: Expert
    fair: list[Expert]
    assessments: list[Assessment]
    ratings: list[Rating] = field(default_factory=list)
    sheet_levels: list[GroupedLevel] = field(default_factory=list)

    @property
    def code(self) -> str:
        return self.row.code


def _scores(framework_items: list[str], assessment: int, expert: int | str) -> dict[str, int]:
    scores = {}
    for position, item_id in enumerate(framework_items):
        base = (position * 7 + assessment * 3) % 5
        if expert == "L":
            scores[item_id] = base + 1
        else:
            assert isinstance(expert, int)
            scores[item_id] = base + (1 if (position + expert) % 7 == 0 else 0)
    return scores


def build_round(session: Session, *, status: RoundStatus = RoundStatus.CLOSED) -> BuiltRound:
    """Stored through the test factories (not the service): sheets with their computed levels, final levels."""
    row = make_round(session, status=status, code=f"R{next(_codes):03d}-{id(session) % 1000}")
    framework = framework_of(row.framework)
    items = [item.id for item in framework.items]
    fair = [make_expert(session, name=f"공정 전문가 {n}") for n in range(5)]
    lenient = make_expert(session, name="관대한 전문가")
    built = BuiltRound(row=row, lenient=lenient, fair=fair, assessments=[])
    for number, (first, second) in enumerate(PAIRS):
        organization = make_organization(session, region_code=REGIONS[number], ksic_code=DIVISIONS[number])
        assessment = make_assessment(session, row, organization, status=AssessmentStatus.FINAL)
        overalls = []
        for who in (first, second):
            expert = lenient if who == "L" else fair[int(who)]
            scores = _scores(items, number, who)
            sheet = make_sheet(session, make_assignment(session, assessment, expert), scores)
            assert sheet.overall is not None
            assert sheet.level is not None
            overalls.append(sheet.overall)
            built.ratings.extend(Rating(str(assessment.id), item, str(expert.id), value)
                                 for item, value in scores.items())
            built.sheet_levels.append(GroupedLevel(f"{expert.name} (#{expert.id})", sheet.level))
        final = (overalls[0] + overalls[1]) / 2
        assessment.final_score = final.quantize(Decimal("0.01"))
        assessment.final_level = framework.level_for(final).level
        built.assessments.append(assessment)
    session.flush()
    return built


def test_alpha_is_the_library_alpha_of_the_stored_ratings(session: Session) -> None:
    built = build_round(session)
    assert sorted(service.ratings_of_round(session, actor=SYSTEM, code=built.code),
                  key=lambda r: (r.assessment_id, r.expert_id, r.item_id)) == sorted(
        built.ratings, key=lambda r: (r.assessment_id, r.expert_id, r.item_id))
    result = service.round_reliability(session, actor=SYSTEM, code=built.code)
    expected = ordinal_alpha(built.ratings, n_bootstrap=service.BOOTSTRAP_SAMPLES)
    assert result.alpha.alpha == pytest.approx(expected.alpha, abs=1e-12)
    same_order = ordinal_alpha(service.ratings_of_round(session, actor=SYSTEM, code=built.code),
                               n_bootstrap=service.BOOTSTRAP_SAMPLES)
    assert (result.alpha.ci_low, result.alpha.ci_high) == (same_order.ci_low, same_order.ci_high)
    assert result.alpha.ci_low is not None
    assert result.alpha.ci_high is not None
    assert result.alpha.ci_low <= result.alpha.alpha <= result.alpha.ci_high
    assert result.alpha.n_units == 10 * 95
    assert result.verdict is service.alpha_verdict(result.alpha.alpha)
    assert (result.overview.assessments, result.overview.finalized, result.overview.sheets) == (10, 10, 20)
    assert result.experts == 6


def test_alpha_verdicts_follow_krippendorffs_thresholds() -> None:
    assert service.alpha_verdict(0.8) is service.AlphaVerdict.RELIABLE
    assert service.alpha_verdict(0.7999) is service.AlphaVerdict.TENTATIVE
    assert service.alpha_verdict(0.667) is service.AlphaVerdict.TENTATIVE
    assert service.alpha_verdict(0.6669) is service.AlphaVerdict.UNRELIABLE
    assert service.alpha_verdict(None) is service.AlphaVerdict.UNDEFINED


def test_calibration_matches_the_library_and_puts_the_lenient_expert_first(session: Session) -> None:
    built = build_round(session)
    rows = service.expert_calibrations(session, actor=SYSTEM, code=built.code)
    expected = {calibration.expert_id: calibration for calibration in calibrate_experts(built.ratings)}
    assert {str(row.expert_id) for row in rows} == set(expected)
    for row in rows:
        wanted = expected[str(row.expert_id)]
        assert row.calibration.flags == wanted.flags
        assert row.calibration.n_corated == wanted.n_corated
        assert row.calibration.leniency == pytest.approx(wanted.leniency, abs=1e-12)
        assert row.calibration.spread == pytest.approx(wanted.spread, abs=1e-12)
    first = rows[0]
    assert first.expert_id == built.lenient.id
    assert first.calibration.flags == (CalibrationFlag.LENIENT,)
    assert first.sheets == 3
    assert all(not row.flagged for row in rows[1:])


def test_distributions_by_region_industry_and_expert_match_the_library(session: Session) -> None:
    built = build_round(session)
    scale = [1, 2, 3, 4, 5]
    by_region = [GroupedLevel(regions()[code].name("ko"), a.final_level or 0)
                 for code, a in zip(REGIONS, built.assessments, strict=True)]
    assert service.level_distribution(session, actor=SYSTEM, code=built.code, grouping=Grouping.REGION) == \
        summarize_levels(by_region, grouping=Grouping.REGION, scale=scale)
    by_industry = [GroupedLevel(f"{code} {ksic_divisions()[code].name('en')}", a.final_level or 0)
                   for code, a in zip(DIVISIONS, built.assessments, strict=True)]
    assert service.level_distribution(session, actor=SYSTEM, code=built.code, grouping=Grouping.INDUSTRY,
                                      locale="en") == summarize_levels(by_industry, grouping=Grouping.INDUSTRY,
                                                                       scale=scale)
    assert service.level_distribution(session, actor=SYSTEM, code=built.code, grouping=Grouping.EXPERT) == \
        summarize_levels(built.sheet_levels, grouping=Grouping.EXPERT, scale=scale)
    histogram = service.round_reliability(session, actor=SYSTEM, code=built.code).levels.overall
    assert histogram is not None
    assert histogram.count == 10


def test_the_csv_export_is_the_library_csv_in_the_language_asked(session: Session) -> None:
    built = build_round(session)
    filename, content = service.distribution_export(session, actor=SYSTEM, code=built.code,
                                                    grouping=Grouping.REGION, locale="en")
    distribution = service.level_distribution(session, actor=SYSTEM, code=built.code, grouping=Grouping.REGION,
                                              locale="en")
    assert content == distribution_csv(distribution, locale="en")
    assert filename == f"reliability-{built.code}-region-en.csv"
    assert content.decode("utf-8-sig").splitlines()[0].startswith("Region,Count,Mean")
    korean = service.distribution_export(session, actor=SYSTEM, code=built.code, grouping=Grouping.REGION)[1]
    assert "경기도" in korean.decode("utf-8-sig")
    with pytest.raises(InvalidInput):
        service.distribution_export(session, actor=SYSTEM, code=built.code, grouping=Grouping.REGION, locale="fr")


@pytest.mark.parametrize("role", [Role.COMPANY_MEMBER, Role.EXPERT])
def test_companies_and_experts_may_not_see_reliability(session: Session, role: Role) -> None:
    built = build_round(session)
    actor = actor_for(make_user(session, role))
    calls = [
        lambda: service.list_rounds(session, actor=actor),
        lambda: service.round_reliability(session, actor=actor, code=built.code),
        lambda: service.expert_calibrations(session, actor=actor, code=built.code),
        lambda: service.level_distribution(session, actor=actor, code=built.code, grouping=Grouping.REGION),
        lambda: service.distribution_export(session, actor=actor, code=built.code, grouping=Grouping.EXPERT),
    ]
    for call in calls:
        with pytest.raises(PermissionDenied):
            call()


def test_auditors_see_reliability_and_an_unknown_round_is_not_found(session: Session) -> None:
    built = build_round(session)
    auditor = actor_for(make_user(session, Role.AUDITOR))
    assert service.round_reliability(session, actor=auditor, code=built.code).overview.code == built.code
    with pytest.raises(NotFound):
        service.round_reliability(session, actor=auditor, code="no-such-round")


def test_the_default_round_is_the_latest_closed_round_with_sheets(session: Session) -> None:
    closed = build_round(session)
    open_round = build_round(session, status=RoundStatus.ASSIGNED)
    make_round(session, status=RoundStatus.CLOSED, code=f"E{next(_codes):03d}")  # closed, but no sheets
    listed = {row.code: row for row in service.list_rounds(session, actor=SYSTEM)}
    assert listed[closed.code].has_data
    assert listed[open_round.code].has_data
    assert service.default_round_code(session, actor=SYSTEM) == closed.code


def test_a_revised_sheet_is_seen_although_results_are_kept(session: Session) -> None:
    built = build_round(session)
    before = service.round_reliability(session, actor=SYSTEM, code=built.code).alpha.alpha
    assert service.round_reliability(session, actor=SYSTEM, code=built.code).alpha.alpha == before
    sheet = session.query(ScoreSheet).filter(
        ScoreSheet.assignment_id == built.assessments[0].assignments[0].id).one()
    sheet.scores = dict.fromkeys(sheet.scores, 0)
    sheet.revised_at = datetime.now(UTC) + timedelta(minutes=1)
    session.flush()
    after = service.round_reliability(session, actor=SYSTEM, code=built.code).alpha.alpha
    assert after != before


def test_three_experts_on_one_assessment_and_a_lone_sheet_agree_with_the_library(session: Session) -> None:
    built = build_round(session)
    framework = framework_of(built.row.framework)
    items = [item.id for item in framework.items]
    third = make_expert(session, name="추가 전문가")
    make_sheet(session, make_assignment(session, built.assessments[3], third, is_additional=True),
               _scores(items, 7, 3))
    alone = make_assessment(session, built.row, make_organization(session, region_code="30"))
    make_sheet(session, make_assignment(session, alone, built.fair[4]), _scores(items, 1, 4))
    ratings = service.ratings_of_round(session, actor=SYSTEM, code=built.code)
    expected = ordinal_alpha(ratings, n_bootstrap=service.BOOTSTRAP_SAMPLES)
    result = service.round_reliability(session, actor=SYSTEM, code=built.code).alpha
    assert result.alpha == pytest.approx(expected.alpha, abs=1e-12)
    assert (result.ci_low, result.ci_high) == (expected.ci_low, expected.ci_high)
    assert (result.n_units, result.n_unpaired_units, result.n_pairable) == (
        expected.n_units, expected.n_unpaired_units, expected.n_pairable)
    wanted = {c.expert_id: c for c in calibrate_experts(ratings)}
    for row in service.expert_calibrations(session, actor=SYSTEM, code=built.code):
        calibration = wanted[str(row.expert_id)]
        assert row.calibration.flags == calibration.flags
        assert (row.calibration.n_ratings, row.calibration.n_corated) == (calibration.n_ratings,
                                                                         calibration.n_corated)
        assert row.calibration.leniency_ci_low == pytest.approx(calibration.leniency_ci_low, abs=1e-9)
        assert row.calibration.correlation == pytest.approx(calibration.correlation, abs=1e-9)


def test_a_round_of_lone_sheets_has_no_alpha_and_experts_with_too_few_ratings(session: Session) -> None:
    row = make_round(session, status=RoundStatus.ASSIGNED, code=f"L{next(_codes):03d}")
    items = [item.id for item in framework_of(row.framework).items]
    expert = make_expert(session)
    make_sheet(session, make_assignment(session, make_assessment(session, row), expert), _scores(items, 0, 0))
    result = service.round_reliability(session, actor=SYSTEM, code=row.code)
    expected = ordinal_alpha(service.ratings_of_round(session, actor=SYSTEM, code=row.code))
    assert result.alpha.alpha is None
    assert result.alpha.undefined is expected.undefined
    assert result.verdict is service.AlphaVerdict.UNDEFINED
    assert [r.calibration.flags for r in service.expert_calibrations(session, actor=SYSTEM, code=row.code)] == [
        (CalibrationFlag.TOO_FEW_RATINGS,)]
