"""Distributions of levels by region, industry or expert, and their export as a CSV file that Excel opens.

Quartiles interpolate linearly between order statistics (Hyndman and Fan's type 7, the default of NumPy, R and
Excel's QUARTILE.INC), so the figures match what an operator gets from the same numbers in a spreadsheet.
"""

from __future__ import annotations

import csv
import io
import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence

import numpy as np

from midas.assessment.reliability.model import (
    GROUPING_LABELS,
    Distribution,
    GroupedLevel,
    Grouping,
    GroupSummary,
    LevelCount,
)
from midas.errors import InvalidInput, Problem
from midas.i18n import translate

CSV_COLUMN_LABELS = {
    "count": "Count",
    "mean": "Mean",
    "minimum": "Minimum",
    "lower_quartile": "Lower quartile",
    "median": "Median",
    "upper_quartile": "Upper quartile",
    "maximum": "Maximum",
}
# Excel treats a cell that starts with one of these as a formula; a label typed by a user must stay text.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def summarize_levels(
    observations: Iterable[GroupedLevel], *, grouping: Grouping, scale: Sequence[int]
) -> Distribution:
    """Count, mean, quartiles and a histogram over ``scale`` for each group and for all groups together.

    ``scale`` lists the levels in order (a framework's ``scale.levels``), so that a level nobody reached still
    appears in the histogram with a count of zero. Groups are sorted by label.
    """
    listed = list(observations)
    _check_levels(listed, scale)
    by_group: dict[str, list[int]] = defaultdict(list)
    for observation in listed:
        by_group[observation.group].append(observation.level)
    groups = tuple(_summary(group, by_group[group], scale) for group in sorted(by_group))
    overall = _summary("", [observation.level for observation in listed], scale) if listed else None
    return Distribution(grouping=grouping, groups=groups, overall=overall)


def distribution_csv(distribution: Distribution, *, locale: str = "ko") -> bytes:
    """The distribution as CSV bytes: UTF-8 with a byte order mark, so that Excel in Korean reads Hangul right.

    One row per group, then a row for all groups; columns are the group, the summary figures (two decimals)
    and one count per level. Headings are in ``locale``.
    """
    scale = [bin_.level for bin_ in distribution.overall.histogram] if distribution.overall else []
    heading = [
        translate(locale, GROUPING_LABELS[distribution.grouping]),
        *(translate(locale, label) for label in CSV_COLUMN_LABELS.values()),
        *(translate(locale, "Level {level}", {"level": level}) for level in scale),
    ]
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(heading)
    for summary in distribution.groups:
        writer.writerow(_csv_row(_as_text(summary.group), summary))
    if distribution.overall is not None:
        writer.writerow(_csv_row(translate(locale, "All"), distribution.overall))
    return buffer.getvalue().encode("utf-8-sig")


def _check_levels(observations: Sequence[GroupedLevel], scale: Sequence[int]) -> None:
    if not scale:
        raise InvalidInput.single("scale", "The scale needs at least one level")
    allowed = set(scale)
    problems = [
        Problem("observations", "Level {level} is not on the scale", {"level": observation.level}, row=row)
        for row, observation in enumerate(observations)
        if observation.level not in allowed
    ]
    if problems:
        raise InvalidInput(problems)


def _summary(group: str, levels: list[int], scale: Sequence[int]) -> GroupSummary:
    lower, median, upper = (float(q) for q in np.quantile(np.array(levels, dtype=np.float64), [0.25, 0.5, 0.75]))
    counts = Counter(levels)
    return GroupSummary(
        group=group, count=len(levels), mean=statistics.fmean(levels), minimum=min(levels), lower_quartile=lower,
        median=median, upper_quartile=upper, maximum=max(levels),
        histogram=tuple(LevelCount(level, counts[level]) for level in scale),
    )


def _csv_row(label: str, summary: GroupSummary) -> list[str]:
    figures = [summary.mean, summary.lower_quartile, summary.median, summary.upper_quartile]
    mean, lower, median, upper = (f"{figure:.2f}" for figure in figures)
    return [
        label, str(summary.count), mean, str(summary.minimum), lower, median, upper, str(summary.maximum),
        *(str(bin_.count) for bin_ in summary.histogram),
    ]


def _as_text(label: str) -> str:
    return "'" + label if label.startswith(FORMULA_PREFIXES) else label
