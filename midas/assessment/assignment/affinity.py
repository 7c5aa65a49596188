"""The affinity of an expert for an assessment: how well the pair fits, in integer points from 0 to 100.

The affinity is the sum of four terms, each bounded so that no single term can drown the others:

``industry`` (0 or 40)
    40 when the company's KSIC division is among the expert's divisions of expertise. Judging a company's
    capability needs someone who knows that kind of manufacturing first of all, so this is the heaviest term.
``technology`` (0 to 30)
    ``floor(30 * covered / needed)``: the share of the company's technology needs (e.g. MES, vision inspection,
    PLC) that the expert's technology areas cover. A company that states no needs gives 0 to everyone.
``region`` (0, 10 or 20)
    Travel: 20 when the expert lives in the company's province or metropolitan city, 10 in a neighbouring one of
    the same macro-area (Capital, Gangwon, Chungcheong, Honam, Yeongnam, Jeju), 0 farther away. Site visits
    cost travel time; independence from one's own region is a separate, hard rule the operator can ask for.
``experience`` (0 to 10)
    ``min(years, 20) // 2``: one point per two years of practice, capped so seniority cannot outweigh fit.

Integer points keep the optimisation exact (no rounding in the objective) and make the proof of optimality a
comparison of integers. :func:`affinity` explains one pair; :class:`AffinityTable` computes the same numbers
for blocks of pairs at once, which the solver needs for millions of pairs.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from midas.assessment.assignment.model import AffinityBreakdown, AssessmentNeed, ExpertProfile

INDUSTRY_POINTS = 40
TECHNOLOGY_POINTS = 30
SAME_REGION_POINTS = 20
SAME_AREA_POINTS = 10
EXPERIENCE_CAP_YEARS = 20
YEARS_PER_EXPERIENCE_POINT = 2
MAX_AFFINITY = INDUSTRY_POINTS + TECHNOLOGY_POINTS + SAME_REGION_POINTS + EXPERIENCE_CAP_YEARS // 2

# Two-digit administrative codes of Korea's provinces and metropolitan cities (both the old and the new codes of
# Gangwon and Jeonbuk special self-governing provinces) grouped into the macro-areas people travel within.
MACRO_AREAS: dict[str, str] = {
    **dict.fromkeys(("11", "28", "41"), "capital"),
    **dict.fromkeys(("42", "51"), "gangwon"),
    **dict.fromkeys(("30", "36", "43", "44"), "chungcheong"),
    **dict.fromkeys(("29", "45", "46", "52"), "honam"),
    **dict.fromkeys(("26", "27", "31", "47", "48"), "yeongnam"),
    "50": "jeju",
}

IntMatrix = npt.NDArray[np.int32]


def macro_area(region: str) -> str:
    """The macro-area of a region code; an unknown code is an area of its own (so only an exact match counts)."""
    return MACRO_AREAS.get(region, f"region:{region}")


def travel(expert_region: str, company_region: str) -> str:
    if expert_region == company_region:
        return "same-region"
    if macro_area(expert_region) == macro_area(company_region):
        return "same-area"
    return "far"


def experience_points(years: int) -> int:
    return min(max(years, 0), EXPERIENCE_CAP_YEARS) // YEARS_PER_EXPERIENCE_POINT


def affinity(expert: ExpertProfile, need: AssessmentNeed) -> AffinityBreakdown:
    """The affinity of ``expert`` for ``need``, term by term (see the module docstring for each term)."""
    industry_matched = need.industry in expert.expertise
    matched = tuple(sorted(need.technologies & expert.technologies))
    technology = TECHNOLOGY_POINTS * len(matched) // len(need.technologies) if need.technologies else 0
    how_far = travel(expert.region, need.region)
    region = {"same-region": SAME_REGION_POINTS, "same-area": SAME_AREA_POINTS}.get(how_far, 0)
    return AffinityBreakdown(
        industry=INDUSTRY_POINTS if industry_matched else 0,
        technology=technology,
        region=region,
        experience=experience_points(expert.years_of_experience),
        industry_matched=industry_matched,
        matched_technologies=matched,
        travel=how_far,
    )


def _index(values: Sequence[str]) -> dict[str, int]:
    return {value: position for position, value in enumerate(sorted(set(values)))}


class AffinityTable:
    """The affinities of every (assessment, expert) pair, computed a block of assessments at a time.

    Equal to :func:`affinity` pair by pair (a test holds them together); it exists because the solver prices
    tens of millions of pairs and a Python loop over them would take minutes.
    """

    def __init__(self, experts: Sequence[ExpertProfile], needs: Sequence[AssessmentNeed]) -> None:
        divisions = _index([d for e in experts for d in e.expertise])
        technologies = _index([t for e in experts for t in e.technologies] + [t for n in needs for t in n.technologies])
        regions = _index([e.region for e in experts] + [n.region for n in needs])
        areas = _index([macro_area(region) for region in regions])

        self.expertise = np.zeros((len(divisions) + 1, len(experts)), dtype=np.int32)
        self.expert_technologies = np.zeros((len(technologies), len(experts)), dtype=np.float32)
        for column, expert in enumerate(experts):
            for division in expert.expertise:
                self.expertise[divisions[division], column] = INDUSTRY_POINTS
            for technology in expert.technologies:
                self.expert_technologies[technologies[technology], column] = 1.0
        self.expert_region = np.array([regions[e.region] for e in experts], dtype=np.int32)
        self.expert_area = np.array([areas[macro_area(e.region)] for e in experts], dtype=np.int32)
        self.expert_experience = np.array([experience_points(e.years_of_experience) for e in experts], dtype=np.int32)

        # A division no expert knows points at the last, all-zero row of `expertise`.
        self.need_industry = np.array([divisions.get(n.industry, len(divisions)) for n in needs], dtype=np.int64)
        self.need_technologies = np.zeros((len(needs), len(technologies)), dtype=np.float32)
        for row, need in enumerate(needs):
            for technology in need.technologies:
                self.need_technologies[row, technologies[technology]] = 1.0
        self.need_count = np.maximum(self.need_technologies.sum(axis=1).astype(np.int32), 1)
        self.need_region = np.array([regions[n.region] for n in needs], dtype=np.int32)
        self.need_area = np.array([areas[macro_area(regions_key)] for regions_key in (n.region for n in needs)],
                                  dtype=np.int32)

    def block(self, rows: npt.NDArray[np.int64]) -> IntMatrix:
        """Affinities of the assessments at ``rows`` (positions) against every expert: shape (len(rows), experts)."""
        industry = self.expertise[self.need_industry[rows], :]
        covered = np.rint(self.need_technologies[rows] @ self.expert_technologies).astype(np.int32)
        technology = TECHNOLOGY_POINTS * covered // self.need_count[rows, None]
        same_region = self.need_region[rows, None] == self.expert_region[None, :]
        same_area = self.need_area[rows, None] == self.expert_area[None, :]
        region = np.where(same_region, SAME_REGION_POINTS, np.where(same_area, SAME_AREA_POINTS, 0))
        total: IntMatrix = (industry + technology + region + self.expert_experience[None, :]).astype(np.int32)
        return total

    def same_region(self, rows: npt.NDArray[np.int64]) -> npt.NDArray[np.bool_]:
        """Whether each expert lives in the region of each assessment at ``rows``: shape (len(rows), experts)."""
        result: npt.NDArray[np.bool_] = self.need_region[rows, None] == self.expert_region[None, :]
        return result
