"""The company's report: level, area profile, strengths, gaps, the self vs expert gap and the support track.

Everything comes from the final result stored on the assessment (computed by the framework's rules) and the
experts' submitted sheets; nothing names an expert. Texts are :class:`LocalizedText` (Korean and English), so the
same report serves both languages; the radar chart is drawn per language by :func:`radar_for`.

- The **profile** is drawn over the areas that hold the items (KS X 9001-3: its 10 areas; SIRI: its 8 pillars),
  each as its share of its maximum, so areas of different weights compare.
- **Strengths** are the :data:`TOP` areas with the highest share, **gaps** the :data:`TOP` lowest, each gap with
  the items that pull it down (the lowest consensus scores below the top of the scale). An item's consensus
  score is the median of the experts' scores, rounded half up.
- The **self vs expert gap** sets the submitted self-assessment against the final area scores (so its expert
  side is the profile shown), and item by item, with :func:`~midas.assessment.frameworks.gap`, against the
  consensus item scores.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy.orm import Session

from midas.assessment.frameworks import Area, Framework, Item, ItemGap, LevelRule, gap, score
from midas.assessment.models import Assessment, ReportResponse
from midas.assessment.radar import RadarChart, radar_chart
from midas.assessment.scoring_service import (
    framework_for,
    get_assessment,
    list_responses,
    require_report_reader,
    submitted_assignments,
    submitted_self_scores,
)
from midas.auth import Actor

TOP = 3
PULLING_ITEMS = 3
SERIES_LABELS = {"expert": "Expert assessment", "self": "Self-assessment"}
TRACK_REASON_LABELS = {
    "start": "The basics come first: digitise records and connect the first systems on the shop floor.",
    "advance": "The basics stand: connect and optimise the systems you have across processes.",
    "leading": "The factory runs at the top level: build a model that other companies can learn from.",
}


@dataclass(frozen=True, slots=True)
class AreaLine:
    area: Area
    score: Decimal
    maximum: Decimal
    percent: Decimal  # the share of the area's maximum, 0-100
    self_score: Decimal | None  # the company's own score of the area, when it submitted a self-assessment
    difference: Decimal | None  # self minus expert


@dataclass(frozen=True, slots=True)
class ItemLine:
    item: Item
    score: int


@dataclass(frozen=True, slots=True)
class Weakness:
    line: AreaLine
    items: tuple[ItemLine, ...]


@dataclass(frozen=True, slots=True)
class SelfGap:
    self_overall: Decimal
    expert_overall: Decimal
    difference: Decimal
    self_level: int
    items: tuple[tuple[Item, ItemGap], ...]  # the items with the widest gap, widest first


@dataclass(frozen=True, slots=True)
class Report:
    assessment: Assessment
    framework: Framework
    level: LevelRule
    top_level: int
    score: Decimal
    maximum: Decimal
    areas: tuple[AreaLine, ...]
    strengths: tuple[AreaLine, ...]
    gaps: tuple[Weakness, ...]
    self_gap: SelfGap | None
    track: str
    responses: tuple[ReportResponse, ...]


def profile_areas(framework: Framework) -> tuple[Area, ...]:
    """The areas the profile is drawn over: those that hold items, in framework order."""
    return tuple(area for area in framework.areas if area.items)


def consensus_scores(assessment: Assessment) -> dict[str, int]:
    """Each item's median expert score, rounded half up to a whole score."""
    sheets = [a.sheet.scores for a in submitted_assignments(assessment) if a.sheet]
    if not sheets:
        return {}
    return {item_id: int(Decimal(statistics.median([sheet[item_id] for sheet in sheets]))
                         .quantize(Decimal(1), rounding=ROUND_HALF_UP))
            for item_id in sheets[0]}


def _percent(value: Decimal, maximum: Decimal) -> Decimal:
    return (value * 100 / maximum).quantize(Decimal("0.1")) if maximum else Decimal(0)


def build_report(session: Session, *, actor: Actor, assessment_id: int) -> Report:
    """The report of a final assessment, for its company, operators and auditors."""
    assessment = get_assessment(session, assessment_id)
    require_report_reader(actor, assessment)
    framework = framework_for(assessment)
    consensus = consensus_scores(assessment)
    own = submitted_self_scores(session, assessment)
    own_result = score(framework, own) if own is not None else None
    final_areas = assessment.final_areas or {}
    full = score(framework, {item.id: framework.scale.maximum for item in framework.items})
    lines = []
    for area in profile_areas(framework):
        value = Decimal(final_areas.get(area.id, "0"))
        maximum = full.area(area.id).maximum
        own_value = own_result.area(area.id).score if own_result else None
        lines.append(AreaLine(area, value, maximum, _percent(value, maximum), own_value,
                              own_value - value if own_value is not None else None))
    ranked = sorted(lines, key=lambda line: (-line.percent, line.area.id))
    final_score = assessment.final_score or Decimal(0)
    return Report(
        assessment=assessment, framework=framework, level=framework.level_for(final_score),
        top_level=max(rule.level for rule in framework.levels), score=final_score,
        maximum=framework.score_range[1], areas=tuple(lines), strengths=tuple(ranked[:TOP]),
        gaps=tuple(Weakness(line, _pulling_down(framework, line.area, consensus)) for line in reversed(ranked[-TOP:])),
        self_gap=_self_gap(framework, own, consensus) if own is not None and consensus else None,
        track=assessment.recommended_track or "", responses=tuple(
            list_responses(session, actor=actor, assessment_id=assessment_id)),
    )


def _pulling_down(framework: Framework, area: Area, consensus: dict[str, int]) -> tuple[ItemLine, ...]:
    low = sorted((ItemLine(item, consensus[item.id]) for item in framework.items_under(area.id)
                  if item.id in consensus and consensus[item.id] < framework.scale.maximum),
                 key=lambda line: (line.score, -line.item.weight, line.item.id))
    return tuple(low[:PULLING_ITEMS])


def _self_gap(framework: Framework, own: dict[str, int], consensus: dict[str, int]) -> SelfGap:
    report = gap(framework, own, consensus)
    items = {item.id: item for item in framework.items}
    widest = sorted((g for g in report.items if g.difference), key=lambda g: (-abs(g.difference), g.item_id))
    return SelfGap(report.self_overall, report.expert_overall, report.difference, report.self_level,
                   tuple((items[g.item_id], g) for g in widest[:5]))


def radar_for(report: Report, locale: str) -> RadarChart:
    """The area profile as a radar chart in ``locale``: the experts' shares, and the company's own if any."""
    labels = [line.area.name.en if locale == "en" else line.area.name.ko for line in report.areas]
    series: list[tuple[str, list[float]]] = [
        ("expert", [float(line.percent) / 100 for line in report.areas])]
    if report.self_gap is not None:
        series.append(("self", [float((line.self_score or 0) / line.maximum) if line.maximum else 0.0
                                for line in report.areas]))
    return radar_chart(labels, series)
