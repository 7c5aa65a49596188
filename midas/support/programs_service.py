"""Support programs, their rounds and the tracks of a round, with budgets per track and per region, quotas and
eligibility rules; the MIDAS 2027 track configuration shipped as data (``data/midas2027.yaml``).

A round is set up as a draft: tracks are added or replaced (:func:`set_track`) until the call opens. While the call
is open a track may still change, except that once companies have applied to it only its money (budget, region
budgets, quotas) and names may change; after the call closes only the money may change, until the selection run.
The lottery seed is published (with its time) before any selection, and never changes after.

Every change is audited (who, what, why). Input is parsed here, not in the routes, so the JSON API and the pages
report the same problems at the same places (``tracks[basic].region_budgets[41]``) in the reader's language.

The government and matching shares of a track: ``government_share_percent`` is what the government pays of a
project's cost (up to ``cap_krw``), ``matching_share_percent`` the least the company pays itself. Without a
co-funder the two add up to exactly 100. A win-win track (``requires_co_funder``) leaves the rest to the large
enterprise: the two add up to less than 100 and the difference is the co-funder's least share.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from functools import lru_cache
from importlib import resources
from typing import Any
from zoneinfo import ZoneInfo

import yaml
from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from midas.assessment import FrameworkVersion, framework_of
from midas.audit import record
from midas.auth import Actor, Permission
from midas.db import utc_now
from midas.errors import Conflict, InvalidInput, NotFound, PermissionDenied, Problem
from midas.registry import ksic_divisions, regions
from midas.support.counting_service import parse_counting_rules as read_counting_rules
from midas.support.eligibility import RuleDescription, describe, parse_rules, rules_to_data
from midas.support.enums import (
    ApplicationStatus,
    RoundStatus,
    SelectionObjective,
    TrackKind,
)
from midas.support.models import SupportApplication, SupportProgram, SupportRound, SupportTrack, TrackRegionBudget

SEOUL = ZoneInfo("Asia/Seoul")
# The capital region: Seoul, Incheon, Gyeonggi. Every other region is "non-capital" for quotas and adjustments.
CAPITAL_REGIONS: tuple[str, ...] = ("11", "28", "41")
ADJUSTMENT_KINDS: tuple[str, ...] = ("first_time", "non_capital")
MAX_ADJUSTMENT_POINTS = 100
QUOTA_MEASURES: tuple[str, ...] = ("count", "amount")
MAX_APPEAL_DAYS = 365
MAX_SEED_LENGTH = 200
# Labels of the adjustment kinds and quota measures (English message ids, translated on the pages).
ADJUSTMENT_LABELS: dict[str, str] = {
    "first_time": "First-time applicants",
    "non_capital": "Companies outside the capital region",
}
MEASURE_LABELS: dict[str, str] = {
    "count": "Share of the funded applications",
    "amount": "Share of the funded amount",
}
# What may change of a track once companies have applied to it, or once the call has closed.
MONEY_FIELDS = ("budget_krw", "region_budgets", "quotas")
_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$")
_TRUE_WORDS = frozenset({"1", "true", "on", "yes", "y"})
# Statuses in which a track may be set at all; after the selection run the round's money is spent.
_TRACK_EDITABLE = (RoundStatus.DRAFT, RoundStatus.OPEN, RoundStatus.CLOSED)


# Parsing ----------------------------------------------------------------------------------------------------


def _text(raw: Mapping[str, object], name: str) -> str:
    value = raw.get(name)
    return "" if value is None else str(value).strip()


def _flag(raw: Mapping[str, object], name: str) -> bool:
    value = raw.get(name)
    if isinstance(value, bool):
        return value
    return _text(raw, name).lower() in _TRUE_WORDS


def _name(raw: Mapping[str, object], name: str, where: str, problems: list[Problem]) -> str:
    value = _text(raw, name)
    if not value or len(value) > 200:
        problems.append(Problem(where, "Enter a name of up to 200 characters"))
    return value


def _whole_value(value: object) -> int | None:
    """An integer from a number or a text of digits (``1,000,000`` and ``1_000_000`` too); None otherwise."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else None
    if isinstance(value, str):
        text = value.strip().replace(",", "").replace("_", "").replace(" ", "")
        if re.fullmatch(r"-?\d{1,18}", text):
            return int(text)
    return None


def _whole(raw: Mapping[str, object], name: str, where: str, problems: list[Problem], *, low: int,
           high: int | None = None, default: int | None = None) -> int | None:
    """A whole number from low to high (high None: no upper end); ``default`` when the field is empty."""
    value = raw.get(name)
    if value is None or (isinstance(value, str) and not value.strip()):
        if default is None:
            problems.append(Problem(where, "This field is required"))
        return default
    number = _whole_value(value)
    if number is None or number < low or (high is not None and number > high):
        if high is None:
            problems.append(Problem(where, "Enter a whole number of at least {minimum}", {"minimum": low}))
        else:
            problems.append(Problem(where, "Enter a whole number from {minimum} to {maximum}",
                                    {"minimum": low, "maximum": high}))
        return None
    return number


def _json(raw: Mapping[str, object], name: str, where: str, problems: list[Problem], default: object) -> object:
    """A JSON field given as data (the API) or as JSON text (a form's text area); ``default`` when empty."""
    value = raw.get(name)
    if value is None or (isinstance(value, str) and not value.strip()):
        return default
    if isinstance(value, str):
        try:
            return json.loads(value)
        except json.JSONDecodeError as error:
            problems.append(Problem(where, "This is not valid JSON: {error} (line {line}, column {column})",
                                    {"error": error.msg, "line": error.lineno, "column": error.colno}))
            return None
    return value


def parse_moment(value: object, *, end_of_day: bool) -> datetime | None:
    """A time from a date (the start, or the end, of that day in Korea) or an ISO date and time (Korean time if no
    zone), in UTC; None if it cannot be read."""
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime.combine(value, time(23, 59) if end_of_day else time(0, 0), tzinfo=SEOUL)
    else:
        text = "" if value is None else str(value).strip()
        try:
            if len(text) == 10:
                moment = datetime.combine(date.fromisoformat(text), time(23, 59) if end_of_day else time(0, 0),
                                          tzinfo=SEOUL)
            else:
                moment = datetime.fromisoformat(text)
        except ValueError:
            return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=SEOUL)
    return moment.astimezone(UTC)


def _region_codes(value: object, where: str, problems: list[Problem]) -> list[str] | None:
    """A non-empty list of distinct known region codes."""
    if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
        problems.append(Problem(where, "Give a non-empty list of region codes"))
        return None
    known = regions()
    bad = False
    for position, code in enumerate(value):
        if code not in known:
            problems.append(Problem(f"{where}[{position}]", "Unknown region code {code}", {"code": code}))
            bad = True
        elif code in value[:position]:
            problems.append(Problem(f"{where}[{position}]", "{value} is given twice", {"value": code}))
            bad = True
    return None if bad else list(value)


def parse_counting_rules(data: object) -> list[dict[str, Any]]:
    """A program's rules for counting toward the national targets, as stored; every problem at its place.

    The rules are read by :func:`midas.support.counting_service.parse_counting_rules`, the one reader the counting
    itself uses, so a program can only store rules the counting understands.
    """
    return [{**rule.to_data(), "requires": "completed_project"} for rule in read_counting_rules(data)]


def parse_adjustments(data: object, where: str = "adjustments") -> list[dict[str, Any]]:
    """The round's policy adjustments: points added to the assessment score for first-time applicants and for
    companies outside the capital region, each kind at most once."""
    if not isinstance(data, list):
        raise InvalidInput([Problem(where, "The adjustments must be a list")])
    problems: list[Problem] = []
    adjustments: list[dict[str, Any]] = []
    seen: set[str] = set()
    for position, item in enumerate(data):
        at = f"{where}[{position}]"
        if not isinstance(item, dict):
            problems.append(Problem(at, "Each adjustment must be an object with kind and points"))
            continue
        for key in sorted(set(item) - {"kind", "points"}):
            problems.append(Problem(f"{at}.{key}", "Unknown key {key}", {"key": str(key)}))
        kind = item.get("kind")
        if kind not in ADJUSTMENT_KINDS:
            problems.append(Problem(f"{at}.kind", "Unknown adjustment {value}; known are {known}",
                                    {"value": str(kind), "known": ", ".join(ADJUSTMENT_KINDS)}))
        elif kind in seen:
            problems.append(Problem(f"{at}.kind", "{value} is given twice", {"value": kind}))
        else:
            seen.add(kind)
        points = _whole({"points": item.get("points")}, "points", f"{at}.points", problems, low=0,
                        high=MAX_ADJUSTMENT_POINTS)
        adjustments.append({"kind": kind, "points": points})
    if problems:
        raise InvalidInput(problems)
    return adjustments


# Programs ---------------------------------------------------------------------------------------------------


def _can_read(actor: Actor) -> None:
    if not (actor.can(Permission.SUPPORT_VIEW_ALL) or actor.can(Permission.SUPPORT_MANAGE)):
        raise PermissionDenied("You may not see the support rounds")


def create_program(session: Session, *, actor: Actor, raw: Mapping[str, object]) -> SupportProgram:
    """A program with its rules for counting toward the national targets (validated)."""
    actor.require(Permission.SUPPORT_MANAGE)
    problems: list[Problem] = []
    code = _text(raw, "code")
    if not _CODE.match(code):
        problems.append(Problem("code", "Enter a code of up to 32 letters, digits, - or _"))
    name = _name(raw, "name", "name", problems)
    name_en = _name(raw, "name_en", "name_en", problems)
    region_code = _text(raw, "region_code") or None
    if region_code is not None and region_code not in regions():
        problems.append(Problem("region_code", "Unknown region code {code}", {"code": region_code}))
    rules_data = _json(raw, "counting_rules", "counting_rules", problems, [])
    rules: list[dict[str, Any]] = []
    if rules_data is not None:
        try:
            rules = parse_counting_rules(rules_data)
        except InvalidInput as error:
            problems.extend(error.problems)
    if not problems and session.scalar(select(SupportProgram.id).where(SupportProgram.code == code)) is not None:
        problems.append(Problem("code", "A program with the code {code} exists already", {"code": code}))
    if problems:
        raise InvalidInput(problems)
    program = SupportProgram(code=code, name=name, name_en=name_en, region_code=region_code, counting_rules=rules)
    session.add(program)
    session.flush()
    record(session, actor=actor, action="support.program.created", object_type="support_program",
           object_id=program.id, details={"code": code, "region": region_code, "counting_rules": rules})
    return program


def list_programs(session: Session, *, actor: Actor) -> list[SupportProgram]:
    _can_read(actor)
    return list(session.scalars(select(SupportProgram).order_by(SupportProgram.code)))


def get_program(session: Session, *, actor: Actor, program_id: int) -> SupportProgram:
    _can_read(actor)
    program = session.get(SupportProgram, program_id)
    if program is None:
        raise NotFound("No support program with id {id}", {"id": program_id})
    return program


# Rounds -----------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RoundInput:
    program_id: int
    code: str
    year: int
    name: str
    name_en: str
    call_opens_at: datetime
    call_closes_at: datetime
    objective: SelectionObjective
    adjustments: list[dict[str, Any]]
    appeal_days: int


def parse_round(raw: Mapping[str, object]) -> RoundInput:
    """A round from raw field values; every problem is reported at once, by field."""
    problems: list[Problem] = []
    program_id = _whole(raw, "program_id", "program_id", problems, low=1)
    code = _text(raw, "code")
    if not _CODE.match(code):
        problems.append(Problem("code", "Enter a code of up to 32 letters, digits, - or _"))
    year = _whole(raw, "year", "year", problems, low=2000, high=2100)
    name = _name(raw, "name", "name", problems)
    name_en = _name(raw, "name_en", "name_en", problems)
    opens = parse_moment(raw.get("call_opens_at"), end_of_day=False)
    if opens is None:
        problems.append(Problem("call_opens_at", "Enter a date as YYYY-MM-DD"))
    closes = parse_moment(raw.get("call_closes_at"), end_of_day=True)
    if closes is None:
        problems.append(Problem("call_closes_at", "Enter a date as YYYY-MM-DD"))
    if opens is not None and closes is not None and closes <= opens:
        problems.append(Problem("call_closes_at", "The call must close after it opens ({opens})",
                                {"opens": opens.astimezone(SEOUL).strftime("%Y-%m-%d %H:%M")}))
    objective_text = _text(raw, "objective") or SelectionObjective.TOTAL_SCORE.value
    if objective_text not in {o.value for o in SelectionObjective}:
        problems.append(Problem("objective", "Unknown objective {value}; known are {known}",
                                {"value": objective_text[:40],
                                 "known": ", ".join(o.value for o in SelectionObjective)}))
    appeal_days = _whole(raw, "appeal_days", "appeal_days", problems, low=1, high=MAX_APPEAL_DAYS, default=14)
    adjustments: list[dict[str, Any]] = []
    data = _json(raw, "adjustments", "adjustments", problems, [])
    if data is not None:
        try:
            adjustments = parse_adjustments(data)
        except InvalidInput as error:
            problems.extend(error.problems)
    if problems:
        raise InvalidInput(problems)
    assert program_id is not None
    assert year is not None
    assert appeal_days is not None
    assert opens is not None
    assert closes is not None
    return RoundInput(program_id=program_id, code=code, year=year, name=name, name_en=name_en, call_opens_at=opens,
                      call_closes_at=closes, objective=SelectionObjective(objective_text), adjustments=adjustments,
                      appeal_days=appeal_days)


def create_round(session: Session, *, actor: Actor, raw: Mapping[str, object]) -> SupportRound:
    """A draft round of a program: the call's dates, the selection objective, the policy adjustments."""
    actor.require(Permission.SUPPORT_MANAGE)
    data = parse_round(raw)
    if session.get(SupportProgram, data.program_id) is None:
        raise InvalidInput.single("program_id", "No support program with id {id}", {"id": data.program_id})
    if session.scalar(select(SupportRound.id).where(SupportRound.code == data.code)) is not None:
        raise InvalidInput.single("code", "A support round with the code {code} exists already", {"code": data.code})
    row = SupportRound(program_id=data.program_id, code=data.code, year=data.year, name=data.name,
                       name_en=data.name_en, call_opens_at=data.call_opens_at, call_closes_at=data.call_closes_at,
                       status=RoundStatus.DRAFT, objective=data.objective, adjustments=data.adjustments,
                       appeal_days=data.appeal_days)
    session.add(row)
    session.flush()
    record(session, actor=actor, action="support.round.created", object_type="support_round", object_id=row.id,
           details={"code": row.code, "program_id": row.program_id, "year": row.year,
                    "call": [row.call_opens_at.isoformat(), row.call_closes_at.isoformat()],
                    "objective": row.objective.value, "adjustments": row.adjustments,
                    "appeal_days": row.appeal_days})
    return row


def _round(session: Session, round_id: int, *, lock: bool = False) -> SupportRound:
    query = select(SupportRound).where(SupportRound.id == round_id)
    row = session.scalar(query.with_for_update() if lock else query)
    if row is None:
        raise NotFound("No support round with id {id}", {"id": round_id})
    return row


@dataclass(frozen=True, slots=True)
class RoundSummary:
    """A round in a list: its number of tracks, the money of its tracks and how many applications it has."""

    round: SupportRound
    track_count: int
    budget_krw: int
    applications: int


def list_rounds(session: Session, *, actor: Actor, program_id: int | None = None,
                year: int | None = None) -> list[RoundSummary]:
    """The rounds, by program and year (newest first), with their track budgets and application counts."""
    _can_read(actor)
    query = select(SupportRound).options(selectinload(SupportRound.program), selectinload(SupportRound.tracks))
    if program_id is not None:
        query = query.where(SupportRound.program_id == program_id)
    if year is not None:
        query = query.where(SupportRound.year == year)
    rows = list(session.scalars(query.order_by(SupportRound.program_id, SupportRound.year.desc(),
                                               SupportRound.code)))
    counts = dict(session.execute(
        select(SupportApplication.round_id, func.count())
        .where(SupportApplication.round_id.in_([r.id for r in rows]))
        .group_by(SupportApplication.round_id)).all()) if rows else {}
    return [RoundSummary(round=r, track_count=len(r.tracks), budget_krw=sum(t.budget_krw for t in r.tracks),
                         applications=int(counts.get(r.id, 0))) for r in rows]


def list_open_rounds(session: Session, *, actor: Actor) -> list[SupportRound]:
    """The rounds open for applications, with their tracks: what a company may apply to."""
    if not (actor.can(Permission.SUPPORT_APPLY) or actor.can(Permission.SUPPORT_VIEW_ALL)):
        raise PermissionDenied("You may not see the support rounds")
    query = (select(SupportRound).options(selectinload(SupportRound.tracks))
             .where(SupportRound.status == RoundStatus.OPEN).order_by(SupportRound.call_closes_at, SupportRound.id))
    return list(session.scalars(query))


@dataclass(frozen=True, slots=True)
class RegionRow:
    """One region's line of a round's region budget table: the budget of each track (None: no region budget)."""

    code: str
    name_ko: str
    name_en: str
    budgets: Mapping[TrackKind, int | None]

    @property
    def total_krw(self) -> int:
        return sum(value for value in self.budgets.values() if value is not None)

    def name(self, locale: str) -> str:
        return self.name_en if locale == "en" else self.name_ko


@dataclass(frozen=True, slots=True)
class RoundOverview:
    """A round with its tracks, each track's rules as they read, the region budget table and the applications."""

    round: SupportRound
    tracks: Sequence[SupportTrack]
    rules: Mapping[TrackKind, Sequence[RuleDescription]]
    region_rows: Sequence[RegionRow]
    applications: Mapping[ApplicationStatus, int]
    applications_by_track: Mapping[int, Mapping[ApplicationStatus, int]]
    problems: Sequence[str] = field(default_factory=tuple)

    @property
    def budget_krw(self) -> int:
        return sum(track.budget_krw for track in self.tracks)

    @property
    def application_total(self) -> int:
        return sum(self.applications.values())

    @property
    def missing_kinds(self) -> list[TrackKind]:
        present = {track.kind for track in self.tracks}
        return [kind for kind in TrackKind if kind not in present]

    def track(self, kind: TrackKind) -> SupportTrack | None:
        return next((track for track in self.tracks if track.kind is kind), None)


def describe_rules(rules: object) -> list[RuleDescription]:
    """A track's stored (or proposed) rules as a page shows them; :class:`InvalidInput` if they do not parse."""
    return [describe(rule) for rule in parse_rules(rules)]


def get_round(session: Session, *, actor: Actor, round_id: int) -> SupportRound:
    _can_read(actor)
    return _round(session, round_id)


def get_round_overview(session: Session, *, actor: Actor, round_id: int) -> RoundOverview:
    """A round with its tracks, region budgets, rules in words and its applications counted by status."""
    _can_read(actor)
    query = (select(SupportRound).where(SupportRound.id == round_id)
             .options(selectinload(SupportRound.program),
                      selectinload(SupportRound.tracks).selectinload(SupportTrack.region_budgets)))
    row = session.scalar(query)
    if row is None:
        raise NotFound("No support round with id {id}", {"id": round_id})
    tracks = sorted(row.tracks, key=lambda t: list(TrackKind).index(t.kind))
    rules: dict[TrackKind, list[RuleDescription]] = {}
    problems: list[str] = []
    for track in tracks:
        try:
            rules[track.kind] = describe_rules(track.eligibility_rules)
        except InvalidInput as error:
            # Rows written around the service (an import, an old version) are shown, not hidden.
            rules[track.kind] = []
            problems.extend(f"{track.kind.value}: {p.field}: {p.english()}" for p in error.problems)
    by_region = {track.kind: {b.region_code: b.budget_krw for b in track.region_budgets} for track in tracks}
    region_rows = [
        RegionRow(code=code, name_ko=region.name_ko, name_en=region.name_en,
                  budgets={track.kind: by_region[track.kind].get(code) for track in tracks})
        for code, region in regions().items()
    ]
    totals: dict[ApplicationStatus, int] = {}
    by_track: dict[int, dict[ApplicationStatus, int]] = {track.id: {} for track in tracks}
    counted = session.execute(select(SupportApplication.track_id, SupportApplication.status, func.count())
                              .where(SupportApplication.round_id == round_id)
                              .group_by(SupportApplication.track_id, SupportApplication.status))
    for track_id, status, count in counted:
        totals[status] = totals.get(status, 0) + count
        by_track.setdefault(track_id, {})[status] = count
    return RoundOverview(round=row, tracks=tracks, rules=rules, region_rows=region_rows, applications=totals,
                         applications_by_track=by_track, problems=tuple(problems))


def open_round(session: Session, *, actor: Actor, round_id: int, now: datetime | None = None) -> SupportRound:
    """Open a draft round's call: it needs at least one track, every track with money, and a call not yet over."""
    actor.require(Permission.SUPPORT_MANAGE)
    row = _round(session, round_id, lock=True)
    moment = now or utc_now()
    if row.status is not RoundStatus.DRAFT:
        raise Conflict("The round {code} is not a draft; it cannot be opened", {"code": row.code})
    problems: list[Problem] = []
    if not row.tracks:
        problems.append(Problem("tracks", "Add at least one track before opening the call"))
    for track in row.tracks:
        if track.budget_krw <= 0:
            problems.append(Problem(f"tracks[{track.kind.value}].budget_krw",
                                    "The track {track} has no budget", {"track": track.kind.value}))
    if row.call_closes_at <= moment:
        problems.append(Problem("call_closes_at", "The call closed on {closes}; it cannot open now",
                                {"closes": row.call_closes_at.astimezone(SEOUL).strftime("%Y-%m-%d %H:%M")}))
    if problems:
        raise InvalidInput(problems)
    row.status = RoundStatus.OPEN
    record(session, actor=actor, action="support.round.opened", object_type="support_round", object_id=row.id,
           details={"code": row.code, "tracks": [t.kind.value for t in row.tracks],
                    "budget_krw": sum(t.budget_krw for t in row.tracks)})
    session.flush()
    return row


def close_round(session: Session, *, actor: Actor, round_id: int, reason: str = "",
                now: datetime | None = None) -> SupportRound:
    """Close an open round's call: at or after its closing time, or earlier with a reason (audited)."""
    actor.require(Permission.SUPPORT_MANAGE)
    row = _round(session, round_id, lock=True)
    moment = now or utc_now()
    if row.status is not RoundStatus.OPEN:
        raise Conflict("The round {code} is not open; it cannot be closed", {"code": row.code})
    reason = reason.strip()
    early = moment < row.call_closes_at
    if early and not reason:
        raise InvalidInput.single("reason", "The call closes on {closes}; give a reason to close it early",
                                  {"closes": row.call_closes_at.astimezone(SEOUL).strftime("%Y-%m-%d %H:%M")})
    if len(reason) > 1000:
        raise InvalidInput.single("reason", "Enter a reason of up to {count} characters", {"count": 1000})
    row.status = RoundStatus.CLOSED
    record(session, actor=actor, action="support.round.closed", object_type="support_round", object_id=row.id,
           reason=reason, details={"code": row.code, "early": early, "at": moment.isoformat(),
                                   "call_closes_at": row.call_closes_at.isoformat()})
    session.flush()
    return row


def publish_seed(session: Session, *, actor: Actor, round_id: int, seed: str) -> SupportRound:
    """Publish the lottery seed with its time, before the selection run; once published it never changes."""
    actor.require(Permission.SUPPORT_MANAGE)
    row = _round(session, round_id, lock=True)
    if row.lottery_seed is not None:
        raise Conflict("The lottery seed of round {code} was published at {at}; it cannot change",
                       {"code": row.code,
                        "at": row.seed_published_at.astimezone(SEOUL).strftime("%Y-%m-%d %H:%M")
                        if row.seed_published_at else ""})
    if row.status in (RoundStatus.SELECTED, RoundStatus.DECIDED):
        raise Conflict("The round {code} has been selected; a seed is published before the selection",
                       {"code": row.code})
    seed = seed.strip()
    if not seed or len(seed) > MAX_SEED_LENGTH or not seed.isprintable():
        raise InvalidInput.single("seed", "Enter a seed of 1 to {count} printable characters",
                                  {"count": MAX_SEED_LENGTH})
    row.lottery_seed = seed
    row.seed_published_at = utc_now()
    record(session, actor=actor, action="support.round.seed_published", object_type="support_round",
           object_id=row.id, details={"code": row.code, "seed": seed, "at": row.seed_published_at.isoformat()})
    session.flush()
    return row


# Tracks -----------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TrackInput:
    kind: TrackKind
    name: str
    name_en: str
    framework_code: str
    level_min: int
    level_max: int
    government_share_percent: int
    matching_share_percent: int
    cap_krw: int
    budget_krw: int
    region_budgets: dict[str, int]
    quotas: list[dict[str, Any]]
    eligibility_rules: list[dict[str, Any]]
    allows_multiple: bool
    requires_co_funder: bool


def _published_framework(session: Session, code: str) -> FrameworkVersion | None:
    """The newest published version of the framework ``code``."""
    return session.scalar(select(FrameworkVersion).where(FrameworkVersion.code == code,
                                                         FrameworkVersion.status == "published")
                          .order_by(FrameworkVersion.published_at.desc(), FrameworkVersion.id.desc()).limit(1))


def published_framework_codes(session: Session, *, actor: Actor) -> list[str]:
    """The codes of the frameworks with a published version: what a track may serve."""
    _can_read(actor)
    return list(session.scalars(select(FrameworkVersion.code).where(FrameworkVersion.status == "published")
                                .distinct().order_by(FrameworkVersion.code)))


def _parse_region_budgets(data: object, at: str, problems: list[Problem]) -> dict[str, int]:
    """{region code: KRW}, or [{"region_code", "budget_krw"}]; empty values are left out (no region budget)."""
    if isinstance(data, list):
        pairs: list[tuple[object, object]] = []
        for position, item in enumerate(data):
            if not isinstance(item, dict):
                problems.append(Problem(f"{at}[{position}]", "Each region budget must be an object with "
                                                             "region_code and budget_krw"))
                continue
            pairs.append((item.get("region_code"), item.get("budget_krw")))
    elif isinstance(data, dict):
        pairs = list(data.items())
    else:
        problems.append(Problem(at, "The region budgets must be an object of region code to KRW"))
        return {}
    known = regions()
    budgets: dict[str, int] = {}
    for code, value in pairs:
        code_text = str(code).strip()
        where = f"{at}[{code_text}]"
        if code_text not in known:
            problems.append(Problem(where, "Unknown region code {code}", {"code": code_text}))
            continue
        if code_text in budgets:
            problems.append(Problem(where, "{value} is given twice", {"value": code_text}))
            continue
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        amount = _whole_value(value)
        if amount is None or amount < 0:
            problems.append(Problem(where, "Enter an amount in KRW of at least {minimum}", {"minimum": 0}))
            continue
        budgets[code_text] = amount
    return budgets


def _parse_quotas(data: object, at: str, problems: list[Problem]) -> list[dict[str, Any]]:
    if not isinstance(data, list):
        problems.append(Problem(at, "The quotas must be a list"))
        return []
    quotas: list[dict[str, Any]] = []
    for position, item in enumerate(data):
        where = f"{at}[{position}]"
        if not isinstance(item, dict):
            problems.append(Problem(where, "Each quota must be an object with regions, min_share_percent and "
                                           "measure"))
            continue
        for key in sorted(set(item) - {"regions", "min_share_percent", "measure"}):
            problems.append(Problem(f"{where}.{key}", "Unknown key {key}", {"key": str(key)}))
        codes = _region_codes(item.get("regions"), f"{where}.regions", problems)
        share = _whole({"s": item.get("min_share_percent")}, "s", f"{where}.min_share_percent", problems, low=0,
                       high=100)
        measure = item.get("measure", "amount")
        if measure not in QUOTA_MEASURES:
            problems.append(Problem(f"{where}.measure", "Unknown measure {value}; known are {known}",
                                    {"value": str(measure), "known": ", ".join(QUOTA_MEASURES)}))
        quotas.append({"regions": codes, "min_share_percent": share, "measure": measure})
    return quotas


def _check_rule_codes(rules: list[dict[str, Any]], at: str, problems: list[Problem]) -> None:
    """The region and KSIC codes of parsed rules are known codes (the rule library checks only their form)."""
    known = {"region": regions(), "ksic_division": ksic_divisions()}
    for position, rule in enumerate(rules):
        table = known.get(str(rule.get("rule")))
        if table is None:
            continue
        for index, code in enumerate(rule.get("allowed", [])):
            if code not in table:
                message = "Unknown region code {code}" if rule["rule"] == "region" else "Unknown KSIC division {code}"
                problems.append(Problem(f"{at}[{position}].allowed[{index}]", message, {"code": code}))


def parse_track(session: Session, kind: TrackKind, raw: Mapping[str, object]) -> TrackInput:
    """A track from raw field values, checked against the framework it serves; problems at
    ``tracks[kind].<field>``."""
    prefix = f"tracks[{kind.value}]"
    problems: list[Problem] = []
    name = _name(raw, "name", f"{prefix}.name", problems)
    name_en = _name(raw, "name_en", f"{prefix}.name_en", problems)
    framework_code = _text(raw, "framework_code")
    levels: list[int] = []
    if not framework_code:
        problems.append(Problem(f"{prefix}.framework_code", "Choose the assessment framework the track serves"))
    else:
        version = _published_framework(session, framework_code)
        if version is None:
            problems.append(Problem(f"{prefix}.framework_code", "No published version of the framework {code}",
                                    {"code": framework_code[:64]}))
        else:
            levels = sorted(rule.level for rule in framework_of(version).levels)
    level_min = _whole(raw, "level_min", f"{prefix}.level_min", problems, low=0)
    level_max = _whole(raw, "level_max", f"{prefix}.level_max", problems, low=0)
    for name_, level in (("level_min", level_min), ("level_max", level_max)):
        if levels and level is not None and level not in levels:
            problems.append(Problem(f"{prefix}.{name_}", "The framework {code} has the levels {low} to {high}",
                                    {"code": framework_code, "low": levels[0], "high": levels[-1]}))
    if level_min is not None and level_max is not None and level_max < level_min:
        problems.append(Problem(f"{prefix}.level_max", "The highest level {max} is below the lowest level {min}",
                                {"min": level_min, "max": level_max}))
    government = _whole(raw, "government_share_percent", f"{prefix}.government_share_percent", problems, low=1,
                        high=100)
    matching = _whole(raw, "matching_share_percent", f"{prefix}.matching_share_percent", problems, low=0, high=100)
    requires_co_funder = _flag(raw, "requires_co_funder")
    if kind is TrackKind.WINWIN and not requires_co_funder:
        problems.append(Problem(f"{prefix}.requires_co_funder", "A win-win track needs a large enterprise as "
                                                                "co-funder"))
    if government is not None and matching is not None:
        if requires_co_funder and government + matching >= 100:
            problems.append(Problem(f"{prefix}.matching_share_percent",
                                    "With a co-funder the government ({government}%) and company ({matching}%) "
                                    "shares must leave a share for the co-funder",
                                    {"government": government, "matching": matching}))
        elif not requires_co_funder and government + matching != 100:
            problems.append(Problem(f"{prefix}.matching_share_percent",
                                    "The government ({government}%) and company ({matching}%) shares must add up "
                                    "to 100%", {"government": government, "matching": matching}))
    cap = _whole(raw, "cap_krw", f"{prefix}.cap_krw", problems, low=1)
    budget = _whole(raw, "budget_krw", f"{prefix}.budget_krw", problems, low=0)
    if cap is not None and budget is not None and 0 < budget < cap:
        problems.append(Problem(f"{prefix}.cap_krw", "The cap per company ({cap} KRW) is above the track budget "
                                                     "({budget} KRW)", {"cap": cap, "budget": budget}))
    region_data = _json(raw, "region_budgets", f"{prefix}.region_budgets", problems, {})
    region_budgets = ({} if region_data is None
                      else _parse_region_budgets(region_data, f"{prefix}.region_budgets", problems))
    if budget is not None and sum(region_budgets.values()) > budget:
        problems.append(Problem(f"{prefix}.region_budgets",
                                "The region budgets add up to {total} KRW, more than the track budget of {budget} KRW",
                                {"total": sum(region_budgets.values()), "budget": budget}))
    quota_data = _json(raw, "quotas", f"{prefix}.quotas", problems, [])
    quotas = [] if quota_data is None else _parse_quotas(quota_data, f"{prefix}.quotas", problems)
    rule_data = _json(raw, "eligibility_rules", f"{prefix}.eligibility_rules", problems, [])
    rules: list[dict[str, Any]] = []
    if rule_data is not None:
        try:
            parsed = parse_rules(rule_data)
        except InvalidInput as error:
            problems.extend(Problem(f"{prefix}.eligibility_{p.field}", p.message, p.params) for p in error.problems)
        else:
            rules = [dict(item) for item in rules_to_data(parsed)]
            _check_rule_codes(rules, f"{prefix}.eligibility_rules", problems)
            for position, rule in enumerate(parsed):
                if (rule.code == "level_in_range" and level_min is not None and level_max is not None
                        and (rule.params()["min"], rule.params()["max"]) != (level_min, level_max)):
                    problems.append(Problem(f"{prefix}.eligibility_rules[{position}]",
                                            "The level rule ({min} to {max}) differs from the track's levels "
                                            "({level_min} to {level_max})",
                                            {**rule.params(), "level_min": level_min, "level_max": level_max}))
    if problems:
        raise InvalidInput(problems)
    assert level_min is not None
    assert level_max is not None
    assert government is not None
    assert matching is not None
    assert cap is not None
    assert budget is not None
    return TrackInput(kind=kind, name=name, name_en=name_en, framework_code=framework_code, level_min=level_min,
                      level_max=level_max, government_share_percent=government, matching_share_percent=matching,
                      cap_krw=cap, budget_krw=budget, region_budgets=region_budgets, quotas=quotas,
                      eligibility_rules=rules, allows_multiple=_flag(raw, "allows_multiple"),
                      requires_co_funder=requires_co_funder)


def _track_state(track: SupportTrack) -> dict[str, Any]:
    """What a track holds, as the audit trail and the change rules compare it."""
    return {
        "name": track.name, "name_en": track.name_en, "framework_code": track.framework_code,
        "level_min": track.level_min, "level_max": track.level_max,
        "government_share_percent": track.government_share_percent,
        "matching_share_percent": track.matching_share_percent, "cap_krw": track.cap_krw,
        "budget_krw": track.budget_krw,
        "region_budgets": {b.region_code: b.budget_krw for b in track.region_budgets},
        "quotas": track.quotas, "eligibility_rules": track.eligibility_rules,
        "allows_multiple": track.allows_multiple, "requires_co_funder": track.requires_co_funder,
    }


def _input_state(data: TrackInput) -> dict[str, Any]:
    return {
        "name": data.name, "name_en": data.name_en, "framework_code": data.framework_code,
        "level_min": data.level_min, "level_max": data.level_max,
        "government_share_percent": data.government_share_percent,
        "matching_share_percent": data.matching_share_percent, "cap_krw": data.cap_krw, "budget_krw": data.budget_krw,
        "region_budgets": dict(sorted(data.region_budgets.items())), "quotas": data.quotas,
        "eligibility_rules": data.eligibility_rules, "allows_multiple": data.allows_multiple,
        "requires_co_funder": data.requires_co_funder,
    }


def parse_kind(kind: str) -> TrackKind:
    try:
        return TrackKind(kind)
    except ValueError:
        raise NotFound("No track kind {kind}", {"kind": kind[:32]}) from None


def set_track(session: Session, *, actor: Actor, round_id: int, kind: str | TrackKind,
              raw: Mapping[str, object], reason: str = "") -> SupportTrack:
    """Add or replace the track ``kind`` of a round (see the module docstring for what may change when)."""
    actor.require(Permission.SUPPORT_MANAGE)
    track_kind = kind if isinstance(kind, TrackKind) else parse_kind(kind)
    row = _round(session, round_id, lock=True)
    if row.status not in _TRACK_EDITABLE:
        raise Conflict("The round {code} has been selected; its tracks can no longer change", {"code": row.code})
    data = parse_track(session, track_kind, raw)
    track = next((t for t in row.tracks if t.kind is track_kind), None)
    new_state = _input_state(data)
    before = _track_state(track) if track is not None else None
    if track is not None and before is not None:
        changed = sorted(key for key in new_state if new_state[key] != before[key])
        applied = session.scalar(select(func.count()).where(SupportApplication.track_id == track.id)) or 0
        closed = row.status is RoundStatus.CLOSED
        allowed = set(MONEY_FIELDS) | (set() if closed else {"name", "name_en"})
        refused = [key for key in changed if key not in allowed]
        if (closed or applied) and refused:
            message = ("This can no longer change once the call has closed; only the budgets and quotas may"
                       if closed else
                       "This can no longer change once companies have applied; only the budgets, quotas and names may")
            raise InvalidInput([Problem(f"tracks[{track_kind.value}].{key}", message) for key in refused])
    elif row.status is RoundStatus.CLOSED:
        raise Conflict("The call of round {code} has closed; no track can be added", {"code": row.code})
    if track is None:
        track = SupportTrack(round=row, kind=track_kind)
        session.add(track)
    track.name, track.name_en = data.name, data.name_en
    track.framework_code, track.level_min, track.level_max = data.framework_code, data.level_min, data.level_max
    track.government_share_percent = data.government_share_percent
    track.matching_share_percent = data.matching_share_percent
    track.cap_krw, track.budget_krw = data.cap_krw, data.budget_krw
    track.quotas, track.eligibility_rules = data.quotas, data.eligibility_rules
    track.allows_multiple, track.requires_co_funder = data.allows_multiple, data.requires_co_funder
    existing = {b.region_code: b for b in track.region_budgets}
    for code, budget_row in existing.items():
        if code not in data.region_budgets:
            track.region_budgets.remove(budget_row)
    for code, amount in sorted(data.region_budgets.items()):
        if code in existing:
            existing[code].budget_krw = amount
        else:
            track.region_budgets.append(TrackRegionBudget(region_code=code, budget_krw=amount))
    session.flush()
    changes = ({key: {"from": before[key], "to": new_state[key]} for key in new_state if new_state[key] != before[key]}
               if before is not None else new_state)
    record(session, actor=actor, action="support.track.replaced" if before is not None else "support.track.added",
           object_type="support_track", object_id=track.id, reason=reason.strip(),
           details={"round": row.code, "kind": track_kind.value, "changes": changes})
    return track


def preview_rules(rules: object) -> list[RuleDescription]:
    """Rules given as data or JSON text, as they would read on a track; problems at ``eligibility_rules[i]...``."""
    problems: list[Problem] = []
    data = _json({"r": rules}, "r", "eligibility_rules", problems, [])
    if problems:
        raise InvalidInput(problems)
    try:
        parsed = parse_rules(data)
    except InvalidInput as error:
        raise InvalidInput([Problem(f"eligibility_{p.field}", p.message, p.params) for p in error.problems]) from None
    checked: list[Problem] = []
    _check_rule_codes([dict(item) for item in data] if isinstance(data, list) else [], "eligibility_rules", checked)
    if checked:
        raise InvalidInput(checked)
    return [describe(rule) for rule in parsed]


# MIDAS 2027 -------------------------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _midas2027_text() -> str:
    return resources.files("midas.support").joinpath("data", "midas2027.yaml").read_text("utf-8")


def load_midas2027() -> dict[str, Any]:
    """The shipped MIDAS 2027 configuration: the program, round defaults and the five tracks, with the basic
    track's region shares turned into KRW (a fresh copy each call: callers may change it)."""
    data: dict[str, Any] = yaml.safe_load(_midas2027_text())
    percents: dict[str, int] = data.get("basic_region_percent", {})
    for track in data["tracks"]:
        if track.get("region_budgets") == "basic_region_percent":
            track["region_budgets"] = {code: track["budget_krw"] * share // 100 for code, share in percents.items()}
    return data


def midas2027_track(kind: TrackKind) -> dict[str, Any]:
    """The MIDAS 2027 defaults of one track (a form starts from them)."""
    return next(track for track in load_midas2027()["tracks"] if track["kind"] == kind.value)


def ensure_midas2027_program(session: Session, *, actor: Actor) -> SupportProgram:
    """The MIDAS 2027 program, created from the shipped configuration if it is not stored yet."""
    actor.require(Permission.SUPPORT_MANAGE)
    program_data = load_midas2027()["program"]
    existing = session.scalar(select(SupportProgram).where(SupportProgram.code == program_data["code"]))
    return existing or create_program(session, actor=actor, raw=program_data)


def create_round_from_midas2027(session: Session, *, actor: Actor, raw: Mapping[str, object]) -> SupportRound:
    """A draft round with the five MIDAS 2027 tracks of ``midas2027.yaml``; the round's objective, adjustments and
    appeal window default to the file's. All or nothing: a track the service refuses refuses the round."""
    actor.require(Permission.SUPPORT_MANAGE)
    config = load_midas2027()
    values: dict[str, object] = dict(config["round"])
    values.update({key: value for key, value in raw.items() if value is not None and value != ""})
    # Every track is validated before anything is stored, so that a refusal names every problem at once.
    problems: list[Problem] = []
    try:
        parse_round(values)
    except InvalidInput as error:
        problems.extend(error.problems)
    for track in config["tracks"]:
        try:
            parse_track(session, TrackKind(track["kind"]), track)
        except InvalidInput as error:
            problems.extend(error.problems)
    if problems:
        raise InvalidInput(problems)
    row = create_round(session, actor=actor, raw=values)
    for track in config["tracks"]:
        set_track(session, actor=actor, round_id=row.id, kind=TrackKind(track["kind"]), raw=track,
                  reason="MIDAS 2027 configuration")
    session.refresh(row)
    return row
