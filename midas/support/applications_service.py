"""Applications to support tracks: a company starts a draft, writes its plan (goals, target KPIs, suppliers, budget
lines, schedule, co-funder, amounts), attaches documents, and submits it while the call is open; operators list
them.

Submission is refused, with every reason at once and nothing changed, when the plan is incomplete
(:func:`completeness` names each missing place, such as ``plan.target_kpis.quality.target``), when the government
share is over the track's cap or its share of the cost, when the company's matching share is too small, or when a
win-win track has no large enterprise as co-funder. A company holds one active application a round unless the
track allows more; the refusal names the other application.

A submitted application is linked to the organization's latest final assessment in the track's framework, if
there is one; a missing assessment does not block submission (eligibility fails it on the level, seeing "none").
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import PurePosixPath
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased, selectinload

from midas.assessment import TECHNOLOGIES, Assessment, AssessmentRound, AssessmentStatus, FrameworkVersion
from midas.audit import record
from midas.auth import Actor, Permission
from midas.db import utc_now
from midas.errors import Conflict, InvalidInput, NotFound, PermissionDenied, Problem
from midas.paging import Page
from midas.registry import Factory, Organization, OrganizationKind
from midas.support.enums import ACTIVE_APPLICATION_STATUSES, ApplicationStatus, RoundStatus, TrackKind
from midas.support.models import (
    ApplicationAttachment,
    SupportApplication,
    SupportDecision,
    SupportProject,
    SupportRound,
    SupportTrack,
)

KPI_KINDS: tuple[str, ...] = ("productivity", "quality", "cost", "delivery")
KPI_LABELS: dict[str, str] = {
    "productivity": "Productivity",
    "quality": "Quality",
    "cost": "Cost",
    "delivery": "Delivery",
}
KPI_FIELDS: tuple[str, ...] = ("baseline", "target", "unit")
MAX_ROWS = 50  # suppliers, budget lines or schedule entries in one plan
MAX_ATTACHMENTS = 20
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
MAX_PAGE_SIZE = 200
# The documents an application may carry, by file extension, with the content type they are stored and served as.
ATTACHMENT_TYPES: dict[str, str] = {
    "pdf": "application/pdf",
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "hwp": "application/x-hwp",
    "hwpx": "application/hwp+zip",
}
# What browsers send for the same files besides the canonical type (Hangul files are rarely known to them).
_GENERIC_TYPES = frozenset({"", "application/octet-stream", "binary/octet-stream", "application/haansofthwp",
                            "application/vnd.hancom.hwp", "application/vnd.hancom.hwpx", "image/jpg",
                            "application/zip"})
# Statuses an application may be withdrawn from: no decision has been made on it yet.
WITHDRAWABLE = frozenset({ApplicationStatus.DRAFT, ApplicationStatus.SUBMITTED, ApplicationStatus.ELIGIBLE,
                          ApplicationStatus.INELIGIBLE})
_FIELD_NAME = re.compile(r"^plan\.(suppliers|budget_lines|schedule)\[(\d{1,3})\]\.(\w+)$")
_KPI_NAME = re.compile(r"^plan\.target_kpis\.(\w+)\.(\w+)$")
_ROW_FIELDS: dict[str, tuple[str, ...]] = {
    "suppliers": ("organization_id", "name", "solution"),
    "budget_lines": ("item", "amount_krw"),
    "schedule": ("title", "due_on"),
}
_AMOUNTS = ("government_krw", "company_krw", "co_funder_krw")
_KPI_MISSING_LABELS = {"baseline": "Enter today's value of this KPI", "target": "Enter the value the project aims at",
                "unit": "Enter the unit of this KPI"}


# Access ---------------------------------------------------------------------------------------------------------


def _own_organization(actor: Actor) -> int:
    if not actor.can(Permission.SUPPORT_APPLY) or actor.organization_id is None:
        raise PermissionDenied("Only members of a company may apply for support")
    return actor.organization_id


def can_read_all(actor: Actor) -> bool:
    return actor.can(Permission.SUPPORT_MANAGE) or actor.can(Permission.SUPPORT_VIEW_ALL)


def _application(session: Session, actor: Actor, application_id: int, *, change: bool = False) -> SupportApplication:
    """The application if the actor may see it (change it, with ``change``); another company's is not found."""
    application = session.get(SupportApplication, application_id)
    own = (application is not None and actor.can(Permission.SUPPORT_APPLY)
           and actor.organization_id == application.organization_id)
    if application is None or not (own or (can_read_all(actor) and not change)):
        if change and application is not None and can_read_all(actor):
            raise PermissionDenied("Only the applying company may change its application")
        raise NotFound("No application with id {id}", {"id": application_id})
    return application


def _require_draft(application: SupportApplication) -> None:
    if application.status is not ApplicationStatus.DRAFT:
        raise Conflict("Application {id} is {status}; only a draft can be changed",
                       {"id": application.id, "status": application.status.value})


# Parsing --------------------------------------------------------------------------------------------------------


def _text(value: object) -> str:
    return "" if value is None else str(value).strip()


def _whole_krw(value: object, where: str, problems: list[Problem]) -> int | None:
    """A non-negative whole amount of won from a number or a text with digit-group commas; None when empty."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        problems.append(Problem(where, "Enter an amount in whole won"))
        return None
    if isinstance(value, int):
        amount = value
    elif isinstance(value, float) and value.is_integer():
        amount = int(value)
    else:
        text = _text(value).replace(",", "").replace(" ", "")
        if not text.isascii() or not text.isdigit():
            problems.append(Problem(where, "Enter an amount in whole won"))
            return None
        amount = int(text)
    if amount < 0:
        problems.append(Problem(where, "An amount cannot be negative"))
        return None
    if amount >= 10**15:
        problems.append(Problem(where, "The amount is too large"))
        return None
    return amount


def _number(value: object, where: str, problems: list[Problem]) -> int | float | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        problems.append(Problem(where, "Enter a number"))
        return None
    if isinstance(value, int | float):
        number: int | float = value
    else:
        text = _text(value).replace(",", "")
        try:
            number = int(text) if re.fullmatch(r"-?\d+", text) else float(text)
        except ValueError:
            problems.append(Problem(where, "Enter a number"))
            return None
    if number != number or number in (float("inf"), float("-inf")):
        problems.append(Problem(where, "Enter a number"))
        return None
    return number


def _id(value: object, where: str, problems: list[Problem]) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    text = _text(value)
    if isinstance(value, bool) or not text.isascii() or not text.isdigit():
        problems.append(Problem(where, "Enter the id as a whole number"))
        return None
    return int(text)


def _limited(value: object, where: str, limit: int, problems: list[Problem]) -> str:
    text = _text(value)
    if len(text) > limit:
        problems.append(Problem(where, "At most {limit} characters", {"limit": limit}))
        return text[:limit]
    return text


def _rows(raw: object, where: str, problems: list[Problem]) -> list[Mapping[str, object]]:
    if raw is None:
        return []
    if not isinstance(raw, list) or not all(isinstance(row, Mapping) for row in raw):
        problems.append(Problem(where, "Expected a list of rows"))
        return []
    if len(raw) > MAX_ROWS:
        problems.append(Problem(where, "At most {limit} rows", {"limit": MAX_ROWS}))
        return []
    return raw


def _parse_kpis(raw: object, problems: list[Problem]) -> dict[str, dict[str, Any]]:
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        problems.append(Problem("plan.target_kpis", "Expected an object with productivity, quality, cost, delivery"))
        return {}
    kpis: dict[str, dict[str, Any]] = {}
    for kind in raw:
        if kind not in KPI_KINDS:
            problems.append(Problem(f"plan.target_kpis.{kind}", "Unknown KPI {kind}; known are {known}",
                                    {"kind": str(kind), "known": ", ".join(KPI_KINDS)}))
    for kind in KPI_KINDS:
        entry = raw.get(kind)
        if entry is None:
            continue
        where = f"plan.target_kpis.{kind}"
        if not isinstance(entry, Mapping):
            problems.append(Problem(where, "Expected an object with baseline, target and unit"))
            continue
        values = {"baseline": _number(entry.get("baseline"), f"{where}.baseline", problems),
                  "target": _number(entry.get("target"), f"{where}.target", problems),
                  "unit": _limited(entry.get("unit"), f"{where}.unit", 30, problems)}
        if values["baseline"] is not None or values["target"] is not None or values["unit"]:
            kpis[kind] = values
    return kpis


def _parse_suppliers(session: Session, raw: object, problems: list[Problem]) -> list[dict[str, Any]]:
    suppliers = []
    for position, row in enumerate(_rows(raw, "plan.suppliers", problems)):
        where = f"plan.suppliers[{position}]"
        organization_id = _id(row.get("organization_id"), f"{where}.organization_id", problems)
        name = _limited(row.get("name"), f"{where}.name", 200, problems)
        solution = _limited(row.get("solution"), f"{where}.solution", 200, problems)
        if organization_id is not None:
            supplier = session.get(Organization, organization_id)
            if supplier is None or supplier.kind is not OrganizationKind.TECHNOLOGY_SUPPLIER:
                problems.append(Problem(f"{where}.organization_id",
                                        "Organization {id} is not a registered technology supplier",
                                        {"id": organization_id}))
            elif not name:
                name = supplier.name
        if organization_id is None and not name and not solution:
            continue
        suppliers.append({"organization_id": organization_id, "name": name, "solution": solution})
    return suppliers


def _parse_budget_lines(raw: object, problems: list[Problem]) -> list[dict[str, Any]]:
    lines = []
    for position, row in enumerate(_rows(raw, "plan.budget_lines", problems)):
        where = f"plan.budget_lines[{position}]"
        item = _limited(row.get("item"), f"{where}.item", 200, problems)
        amount = _whole_krw(row.get("amount_krw"), f"{where}.amount_krw", problems)
        if not item and amount is None:
            continue
        lines.append({"item": item, "amount_krw": amount})
    return lines


def _parse_schedule(raw: object, problems: list[Problem]) -> list[dict[str, Any]]:
    entries = []
    for position, row in enumerate(_rows(raw, "plan.schedule", problems)):
        where = f"plan.schedule[{position}]"
        title = _limited(row.get("title"), f"{where}.title", 200, problems)
        due = _text(row.get("due_on"))
        if due:
            try:
                due = date.fromisoformat(due).isoformat()
            except ValueError:
                problems.append(Problem(f"{where}.due_on", "Enter a date as YYYY-MM-DD"))
        if not title and not due:
            continue
        entries.append({"title": title, "due_on": due or None})
    return entries


def _parse_co_funder(session: Session, value: object, problems: list[Problem]) -> int | None:
    co_funder_id = _id(value, "co_funder_id", problems)
    if co_funder_id is not None and session.get(Organization, co_funder_id) is None:
        problems.append(Problem("co_funder_id", "No organization with id {id}", {"id": co_funder_id}))
        return None
    return co_funder_id


def plan_from_form(fields: Mapping[str, str]) -> dict[str, Any]:
    """The input of :func:`update_application` from a plan form whose fields are named by their place
    (``goals``, ``plan.target_kpis.quality.target``, ``plan.budget_lines[2].amount_krw``, ``government_krw``), so
    that a problem's field is the name of the input it belongs to."""
    raw: dict[str, Any] = {"target_kpis": {}, "suppliers": [], "budget_lines": [], "schedule": []}
    rows: dict[str, dict[int, dict[str, str]]] = {name: {} for name in _ROW_FIELDS}
    for name, value in fields.items():
        if name in ("title", "goals", "co_funder_id", *_AMOUNTS):
            raw[name] = value
        elif name == "plan.goals":
            raw["goals"] = value
        elif (kpi := _KPI_NAME.match(name)) and kpi.group(1) in KPI_KINDS and kpi.group(2) in KPI_FIELDS:
            raw["target_kpis"].setdefault(kpi.group(1), {})[kpi.group(2)] = value
        elif (row := _FIELD_NAME.match(name)) and row.group(3) in _ROW_FIELDS[row.group(1)]:
            rows[row.group(1)].setdefault(int(row.group(2)), {})[row.group(3)] = value
    for name, by_position in rows.items():
        raw[name] = [by_position[position] for position in sorted(by_position)]
    return raw


# Completeness and the submission checks -------------------------------------------------------------------------


def completeness(application: SupportApplication) -> list[Problem]:
    """What is missing before ``application`` can be submitted, each at its place (empty when complete)."""
    problems: list[Problem] = []
    plan = application.plan or {}
    if not application.title.strip():
        problems.append(Problem("title", "Give the application a title"))
    if application.factory_id is None:
        problems.append(Problem("factory_id", "Choose the factory the project is for"))
    if not _text(plan.get("goals")):
        problems.append(Problem("plan.goals", "Describe the goals of the project"))
    kpis = plan.get("target_kpis") or {}
    for kind in KPI_KINDS:
        entry = kpis.get(kind) or {}
        for name in KPI_FIELDS:
            value = entry.get(name)
            if value is None or (isinstance(value, str) and not value.strip()):
                problems.append(Problem(f"plan.target_kpis.{kind}.{name}", _KPI_MISSING_LABELS[name]))
    suppliers = plan.get("suppliers") or []
    if not suppliers:
        problems.append(Problem("plan.suppliers", "Name at least one supplier and its solution"))
    for position, supplier in enumerate(suppliers):
        for name in ("name", "solution"):
            if not _text(supplier.get(name)):
                problems.append(Problem(f"plan.suppliers[{position}].{name}", "This field is required"))
    lines = plan.get("budget_lines") or []
    if not lines:
        problems.append(Problem("plan.budget_lines", "Add at least one budget line"))
    for position, line in enumerate(lines):
        if not _text(line.get("item")):
            problems.append(Problem(f"plan.budget_lines[{position}].item", "This field is required"))
        if not line.get("amount_krw"):
            problems.append(Problem(f"plan.budget_lines[{position}].amount_krw", "Enter an amount above zero"))
    schedule = plan.get("schedule") or []
    if not schedule:
        problems.append(Problem("plan.schedule", "Add at least one schedule entry"))
    for position, entry in enumerate(schedule):
        for name in ("title", "due_on"):
            if not _text(entry.get(name)):
                problems.append(Problem(f"plan.schedule[{position}].{name}", "This field is required"))
    if application.government_krw <= 0:
        problems.append(Problem("government_krw", "Enter the government support requested"))
    funded = application.government_krw + application.company_krw + application.co_funder_krw
    if application.total_cost_krw > 0 and funded != application.total_cost_krw:
        problems.append(Problem(
            "government_krw",
            "Government {government} + company {company} + co-funder {co_funder} KRW = {funded} KRW, "
            "but the budget lines add up to {total} KRW",
            {"government": _krw(application.government_krw), "company": _krw(application.company_krw),
             "co_funder": _krw(application.co_funder_krw), "funded": _krw(funded),
             "total": _krw(application.total_cost_krw)}))
    if application.track.requires_co_funder:
        if application.co_funder_id is None:
            problems.append(Problem("co_funder_id", "This track needs a large enterprise as co-funder"))
        if application.co_funder_krw <= 0:
            problems.append(Problem("co_funder_krw", "Enter the co-funder's share"))
    return problems


def _krw(amount: int) -> str:
    return f"{amount:,}"


def funding_problems(session: Session, application: SupportApplication) -> list[Problem]:
    """The track's money rules: the cap, the government's share of the cost, the matching share, the co-funder."""
    track = application.track
    total = application.total_cost_krw
    problems: list[Problem] = []
    if application.government_krw > track.cap_krw:
        problems.append(Problem("government_krw",
                                "The government support requested, {amount} KRW, is over the track's cap of {cap} KRW",
                                {"amount": _krw(application.government_krw), "cap": _krw(track.cap_krw)}))
    if total > 0 and application.government_krw * 100 > track.government_share_percent * total:
        problems.append(Problem(
            "government_krw",
            "The government support requested, {amount} KRW, is over {percent}% of the total cost of {total} KRW "
            "(at most {limit} KRW)",
            {"amount": _krw(application.government_krw), "percent": track.government_share_percent,
             "total": _krw(total), "limit": _krw(track.government_share_percent * total // 100)}))
    matching = application.company_krw + application.co_funder_krw
    if total > 0 and matching * 100 < track.matching_share_percent * total:
        problems.append(Problem(
            "company_krw",
            "The company's matching funds, {amount} KRW, are below {percent}% of the total cost of {total} KRW "
            "(at least {needed} KRW)",
            {"amount": _krw(matching), "percent": track.matching_share_percent, "total": _krw(total),
             "needed": _krw(-(-track.matching_share_percent * total // 100))}))
    if application.co_funder_id is not None:
        co_funder = session.get(Organization, application.co_funder_id)
        if track.requires_co_funder and (co_funder is None or co_funder.kind is not OrganizationKind.LARGE_ENTERPRISE):
            problems.append(Problem("co_funder_id", "The co-funder {name} is not a large enterprise",
                                    {"name": co_funder.name if co_funder else str(application.co_funder_id)}))
        if application.co_funder_id == application.organization_id:
            problems.append(Problem("co_funder_id", "A company cannot co-fund its own application"))
    elif application.co_funder_krw > 0:
        problems.append(Problem("co_funder_id", "Name the co-funder of the {amount} KRW co-funded",
                                {"amount": _krw(application.co_funder_krw)}))
    return problems


def _other_active(session: Session, organization_id: int, round_id: int, track: SupportTrack,
                  exclude_id: int | None) -> SupportApplication | None:
    """Another active application of the organization in the round that this one may not stand beside."""
    query = (select(SupportApplication).join(SupportTrack, SupportApplication.track_id == SupportTrack.id)
             .where(SupportApplication.organization_id == organization_id, SupportApplication.round_id == round_id,
                    SupportApplication.status.in_(ACTIVE_APPLICATION_STATUSES))
             .order_by(SupportApplication.id))
    if exclude_id is not None:
        query = query.where(SupportApplication.id != exclude_id)
    for other in session.scalars(query):
        if not (track.allows_multiple and other.track_id == track.id):
            return other
    return None


def _one_active(session: Session, organization_id: int, round_id: int, track: SupportTrack,
                exclude_id: int | None) -> None:
    other = _other_active(session, organization_id, round_id, track, exclude_id)
    if other is not None:
        raise Conflict("The company already has an active application in this round: application {other_id} ({status})",
                       {"other_id": other.id, "status": other.status.value})


def latest_final_assessment(session: Session, *, organization_id: int, framework_code: str) -> Assessment | None:
    """The organization's most recently finalized assessment on any version of the framework ``framework_code``."""
    query = (select(Assessment)
             .join(AssessmentRound, Assessment.round_id == AssessmentRound.id)
             .join(FrameworkVersion, AssessmentRound.framework_id == FrameworkVersion.id)
             .where(Assessment.organization_id == organization_id, Assessment.status == AssessmentStatus.FINAL,
                    FrameworkVersion.code == framework_code)
             .order_by(Assessment.finalized_at.desc(), Assessment.id.desc()).limit(1))
    return session.scalar(query)


def _call_is_open(support_round: SupportRound, now: datetime) -> bool:
    return (support_round.status is RoundStatus.OPEN
            and support_round.call_opens_at <= now <= support_round.call_closes_at)


def _refuse_closed_call(support_round: SupportRound) -> Conflict:
    return Conflict("The call of round {round} is not open: it runs from {opens} to {closes} and the round is {status}",
                    {"round": support_round.code, "opens": support_round.call_opens_at.isoformat(timespec="minutes"),
                     "closes": support_round.call_closes_at.isoformat(timespec="minutes"),
                     "status": support_round.status.value})


# Commands -------------------------------------------------------------------------------------------------------


def _track_of(session: Session, support_round: SupportRound, track: int | str | None) -> SupportTrack:
    """A track of the round by id, or by kind ("basic", "winwin", ...)."""
    text = _text(track)
    if not text:
        raise InvalidInput.single("track", "Choose a track")
    if text.isdigit():
        found = session.get(SupportTrack, int(text))
        if found is None or found.round_id != support_round.id:
            raise InvalidInput.single("track", "Round {round} has no track {track}",
                                      {"round": support_round.code, "track": text})
        return found
    if text not in {kind.value for kind in TrackKind}:
        raise InvalidInput.single("track", "Unknown track kind {kind}; known are {known}",
                                  {"kind": text, "known": ", ".join(kind.value for kind in TrackKind)})
    for candidate in support_round.tracks:
        if candidate.kind.value == text:
            return candidate
    raise InvalidInput.single("track", "Round {round} has no track {track}",
                              {"round": support_round.code, "track": text})


def start_application(session: Session, *, actor: Actor, round_id: int, track: int | str | None,
                      factory_id: object, title: object, scope: object) -> SupportApplication:
    """A draft application of the actor's organization to a track of an open round, for one of its factories and a
    scope of work in the pool's technology vocabulary."""
    organization_id = _own_organization(actor)
    support_round = session.get(SupportRound, round_id)
    if support_round is None:
        raise NotFound("No support round with id {id}", {"id": round_id})
    if not _call_is_open(support_round, datetime.now(UTC)):
        raise _refuse_closed_call(support_round)
    chosen = _track_of(session, support_round, track)
    problems: list[Problem] = []
    factory_number = _id(factory_id, "factory_id", problems)
    if factory_number is None and not problems:
        problems.append(Problem("factory_id", "Choose the factory the project is for"))
    if factory_number is not None:
        factory = session.get(Factory, factory_number)
        if factory is None or factory.organization_id != organization_id or not factory.is_active:
            problems.append(Problem("factory_id", "Factory {id} is not an active factory of your organization",
                                    {"id": factory_number}))
    title_text = _limited(title, "title", 200, problems)
    if not title_text:
        problems.append(Problem("title", "Give the application a title"))
    scope_text = _text(scope)
    if scope_text not in TECHNOLOGIES:
        problems.append(Problem("scope", "Unknown scope {scope}; known are {known}",
                                {"scope": scope_text, "known": ", ".join(TECHNOLOGIES)}))
    if problems:
        raise InvalidInput(problems)
    _one_active(session, organization_id, support_round.id, chosen, None)
    application = SupportApplication(
        round_id=support_round.id, track_id=chosen.id, organization_id=organization_id, factory_id=factory_number,
        status=ApplicationStatus.DRAFT, title=title_text, scope=scope_text, plan={}, created_by_label=actor.label,
    )
    session.add(application)
    session.flush()
    record(session, actor=actor, action="support.application.start", object_type="support_application",
           object_id=application.id, details={"round_id": support_round.id, "track": chosen.kind.value})
    return application


def update_application(session: Session, *, actor: Actor, application_id: int,
                       raw: Mapping[str, Any]) -> SupportApplication:
    """Change a draft's plan and amounts. Keys left out keep their value; a key given replaces the whole part
    (``target_kpis``, ``suppliers``, ``budget_lines``, ``schedule``). The total cost is the sum of the budget lines.
    Problems of form (not a number, not a date, an unknown supplier) are refused at their place, nothing changed;
    what is merely missing is allowed in a draft and listed by :func:`completeness`."""
    application = _application(session, actor, application_id, change=True)
    _require_draft(application)
    problems: list[Problem] = []
    plan = dict(application.plan or {})
    changes: dict[str, Any] = {}
    if "title" in raw:
        changes["title"] = _limited(raw["title"], "title", 200, problems)
        if not changes["title"]:
            problems.append(Problem("title", "Give the application a title"))
    if "scope" in raw:
        scope = _text(raw["scope"])
        if scope not in TECHNOLOGIES:
            problems.append(Problem("scope", "Unknown scope {scope}; known are {known}",
                                    {"scope": scope, "known": ", ".join(TECHNOLOGIES)}))
        changes["scope"] = scope
    if "factory_id" in raw:
        factory_number = _id(raw["factory_id"], "factory_id", problems)
        factory = session.get(Factory, factory_number) if factory_number is not None else None
        if factory_number is not None and (factory is None or factory.organization_id != application.organization_id
                                           or not factory.is_active):
            problems.append(Problem("factory_id", "Factory {id} is not an active factory of your organization",
                                    {"id": factory_number}))
        changes["factory_id"] = factory_number
    if "goals" in raw:
        plan["goals"] = _limited(raw["goals"], "plan.goals", 5000, problems)
    if "target_kpis" in raw:
        plan["target_kpis"] = _parse_kpis(raw["target_kpis"], problems)
    if "suppliers" in raw:
        plan["suppliers"] = _parse_suppliers(session, raw["suppliers"], problems)
    if "budget_lines" in raw:
        plan["budget_lines"] = _parse_budget_lines(raw["budget_lines"], problems)
    if "schedule" in raw:
        plan["schedule"] = _parse_schedule(raw["schedule"], problems)
    if "co_funder_id" in raw:
        changes["co_funder_id"] = _parse_co_funder(session, raw["co_funder_id"], problems)
    for name in _AMOUNTS:
        if name in raw:
            changes[name] = _whole_krw(raw[name], name, problems) or 0
    if problems:
        raise InvalidInput(problems)
    for name, value in changes.items():
        setattr(application, name, value)
    application.plan = plan
    application.total_cost_krw = sum(int(line.get("amount_krw") or 0) for line in plan.get("budget_lines") or [])
    application.updated_at = utc_now()
    session.flush()
    return application


def _attachment_type(filename: str, content_type: str) -> str | None:
    extension = PurePosixPath(filename.replace("\\", "/")).suffix.lower().lstrip(".")
    canonical = ATTACHMENT_TYPES.get(extension)
    if canonical is None:
        return None
    sent = content_type.split(";")[0].strip().lower()
    return canonical if sent in (canonical, *_GENERIC_TYPES) else None


def add_attachment(session: Session, *, actor: Actor, application_id: int, title: str, filename: str,
                   content_type: str, content: bytes) -> ApplicationAttachment:
    """Attach a document to a draft: PDF, PNG/JPEG, XLSX, DOCX or HWP/HWPX, up to 10 MB."""
    application = _application(session, actor, application_id, change=True)
    _require_draft(application)
    problems: list[Problem] = []
    name = PurePosixPath(filename.replace("\\", "/")).name.strip()[:255]
    if not name:
        problems.append(Problem("file", "Choose a file"))
    stored_type = _attachment_type(name, content_type)
    if name and stored_type is None:
        problems.append(Problem("file", "{name} is not a PDF, image, XLSX, DOCX or HWP file",
                                {"name": name}))
    if not content and name:
        problems.append(Problem("file", "The file {name} is empty", {"name": name}))
    if len(content) > MAX_ATTACHMENT_BYTES:
        problems.append(Problem("file", "The file {name} is {size} MB; at most {limit} MB",
                                {"name": name, "size": round(len(content) / 1024 / 1024, 1),
                                 "limit": MAX_ATTACHMENT_BYTES // 1024 // 1024}))
    if len(application.attachments) >= MAX_ATTACHMENTS:
        problems.append(Problem("file", "An application holds at most {limit} attachments",
                                {"limit": MAX_ATTACHMENTS}))
    title_text = _text(title)[:200] or name
    if problems or stored_type is None:
        raise InvalidInput(problems)
    attachment = ApplicationAttachment(application_id=application.id, title=title_text, filename=name,
                                       content_type=stored_type, content=content, size_bytes=len(content))
    application.attachments.append(attachment)
    session.flush()
    return attachment


def get_attachment(session: Session, *, actor: Actor, application_id: int,
                   attachment_id: int) -> ApplicationAttachment:
    application = _application(session, actor, application_id)
    for attachment in application.attachments:
        if attachment.id == attachment_id:
            return attachment
    raise NotFound("Application {application_id} has no attachment {id}",
                   {"application_id": application_id, "id": attachment_id})


def remove_attachment(session: Session, *, actor: Actor, application_id: int, attachment_id: int) -> None:
    application = _application(session, actor, application_id, change=True)
    _require_draft(application)
    attachment = get_attachment(session, actor=actor, application_id=application_id, attachment_id=attachment_id)
    application.attachments.remove(attachment)
    session.flush()


def submit_application(session: Session, *, actor: Actor, application_id: int,
                       now: datetime | None = None) -> SupportApplication:
    """Submit a complete draft while the call is open; every reason it cannot be submitted is given at once."""
    application = _application(session, actor, application_id, change=True)
    _require_draft(application)
    moment = now or datetime.now(UTC)
    if not _call_is_open(application.round, moment):
        raise _refuse_closed_call(application.round)
    problems = completeness(application) + funding_problems(session, application)
    if problems:
        raise InvalidInput(problems, "The application cannot be submitted: {count} problem(s)")
    _one_active(session, application.organization_id, application.round_id, application.track, application.id)
    assessment = latest_final_assessment(session, organization_id=application.organization_id,
                                         framework_code=application.track.framework_code)
    application.assessment_id = assessment.id if assessment else None
    application.status = ApplicationStatus.SUBMITTED
    application.submitted_at = moment
    session.flush()
    record(session, actor=actor, action="support.application.submit", object_type="support_application",
           object_id=application.id, reason="submitted by the company",
           details={"round_id": application.round_id, "track": application.track.kind.value,
                    "government_krw": application.government_krw, "total_cost_krw": application.total_cost_krw,
                    "assessment_id": application.assessment_id})
    return application


def _current_decision(session: Session, application_id: int) -> SupportDecision | None:
    return session.scalar(select(SupportDecision).where(SupportDecision.application_id == application_id,
                                                        SupportDecision.is_current.is_(True))
                          .order_by(SupportDecision.id.desc()).limit(1))


def withdraw_application(session: Session, *, actor: Actor, application_id: int,
                         reason: str = "") -> SupportApplication:
    """Withdraw an application on which no decision has been made; the company may then apply again."""
    application = _application(session, actor, application_id, change=True)
    if application.status not in WITHDRAWABLE or _current_decision(session, application.id) is not None:
        raise Conflict("Application {id} is {status}; it can be withdrawn only before a decision",
                       {"id": application.id, "status": application.status.value})
    before = application.status
    application.status = ApplicationStatus.WITHDRAWN
    session.flush()
    record(session, actor=actor, action="support.application.withdraw", object_type="support_application",
           object_id=application.id, reason=_text(reason)[:1000] or "withdrawn by the company",
           details={"from": before.value})
    return application


def decline_grant(session: Session, *, actor: Actor, application_id: int, reason: str) -> SupportApplication:
    """The company gives up a grant it was awarded, before any project agreement: the application is withdrawn and
    its money is free again for the track's waitlist (an operator promotes from the decisions page)."""
    application = _application(session, actor, application_id, change=True)
    if application.status is not ApplicationStatus.FUNDED:
        raise Conflict("Application {id} is {status}; only a funded application's grant can be declined",
                       {"id": application.id, "status": application.status.value})
    if session.scalar(select(SupportProject.id).where(SupportProject.application_id == application.id)) is not None:
        raise Conflict("Application {id} has a project agreement already; the operator terminates the project "
                       "instead", {"id": application.id})
    text = _text(reason)
    if not text:
        raise InvalidInput.single("reason", "Say why the company declines the grant")
    application.status = ApplicationStatus.WITHDRAWN
    session.flush()
    record(session, actor=actor, action="support.application.decline_grant", object_type="support_application",
           object_id=application.id, reason=text[:1000],
           details={"track_id": application.track_id, "government_krw": application.government_krw})
    return application


# Queries --------------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StatusStep:
    """One step of the way an application goes: its key, whether it is done, and whether it is where it stands."""

    key: str
    label: str
    done: bool
    current: bool


STEP_LABELS: dict[str, str] = {
    "draft": "Draft",
    "submitted": "Submitted",
    "eligibility": "Eligibility",
    "decision": "Decision",
    "after": "Appeal or project",
}


@dataclass(frozen=True, slots=True)
class ApplicationStatusView:
    """Everything the status page shows: the application, what is missing, its eligibility checks, its current
    decision, whether it may be appealed, its project, and the steps."""

    application: SupportApplication
    missing: list[Problem]
    funding: list[Problem]
    checks: list[dict[str, Any]]
    decision: SupportDecision | None
    can_appeal: bool
    project: SupportProject | None
    steps: list[StatusStep]
    can_change: bool
    links: dict[str, str] = field(default_factory=dict)


def _steps(application: SupportApplication, decision: SupportDecision | None,
           project: SupportProject | None) -> list[StatusStep]:
    status = application.status
    reached = {"draft"}
    if application.submitted_at is not None:
        reached.add("submitted")
    if application.eligibility_at is not None:
        reached.add("eligibility")
    if decision is not None:
        reached.add("decision")
    if project is not None or (decision is not None and decision.is_final):
        reached.add("after")
    order = list(STEP_LABELS)
    current = max((order.index(key) for key in reached), default=0)
    if status is ApplicationStatus.WITHDRAWN:
        current = -1
    return [StatusStep(key, STEP_LABELS[key], key in reached, position == current)
            for position, key in enumerate(order)]


def get_application_status(session: Session, *, actor: Actor, application_id: int) -> ApplicationStatusView:
    """The application as its status page shows it (the company's own, or any for operators and auditors)."""
    application = _application(session, actor, application_id)
    decision = _current_decision(session, application.id)
    project = session.scalar(select(SupportProject).where(SupportProject.application_id == application.id))
    now = datetime.now(UTC)
    own = actor.organization_id == application.organization_id and actor.can(Permission.SUPPORT_APPLY)
    can_appeal = bool(own and decision is not None and not decision.is_final and decision.appeal_deadline is not None
                      and now <= decision.appeal_deadline)
    draft = application.status is ApplicationStatus.DRAFT
    links = {"self": f"/support/applications/{application.id}"}
    if draft and own:
        links["edit"] = f"/support/applications/{application.id}/edit"
    if can_appeal and decision is not None:
        links["appeal"] = f"/support/decisions/{decision.id}/appeal"
    if project is not None:
        links["project"] = f"/support/projects/{project.id}"
    elif application.status is ApplicationStatus.FUNDED:
        links["decline"] = f"/support/applications/{application.id}/decline"
    return ApplicationStatusView(
        application=application, missing=completeness(application) if draft else [],
        funding=funding_problems(session, application) if draft else [],
        checks=list(application.eligibility_checks or []), decision=decision, can_appeal=can_appeal,
        project=project, steps=_steps(application, decision, project), can_change=draft and own, links=links,
    )


def get_application(session: Session, *, actor: Actor, application_id: int) -> SupportApplication:
    return _application(session, actor, application_id)


def list_my_applications(session: Session, *, actor: Actor) -> list[SupportApplication]:
    """The applications of the actor's organization, newest first."""
    organization_id = _own_organization(actor)
    query = (select(SupportApplication).where(SupportApplication.organization_id == organization_id)
             .options(selectinload(SupportApplication.round), selectinload(SupportApplication.track))
             .order_by(SupportApplication.created_at.desc(), SupportApplication.id.desc()))
    return list(session.scalars(query))


@dataclass(frozen=True, slots=True)
class TrackOffer:
    """A track of an open round as a company sees it, with its own application there (if any) and whether it may
    start one."""

    track: SupportTrack
    application: SupportApplication | None
    can_apply: bool


@dataclass(frozen=True, slots=True)
class OpenRound:
    round: SupportRound
    tracks: list[TrackOffer]


def list_open_rounds_for_company(session: Session, *, actor: Actor) -> list[OpenRound]:
    """The rounds whose call is open now, each track with the company's application in it and whether it may
    apply (one active application a round unless the track allows more)."""
    organization_id = _own_organization(actor)
    now = datetime.now(UTC)
    rounds = list(session.scalars(
        select(SupportRound).where(SupportRound.status == RoundStatus.OPEN, SupportRound.call_opens_at <= now,
                                   SupportRound.call_closes_at >= now)
        .options(selectinload(SupportRound.tracks)).order_by(SupportRound.call_closes_at, SupportRound.id)))
    if not rounds:
        return []
    mine = list(session.scalars(
        select(SupportApplication).where(SupportApplication.organization_id == organization_id,
                                         SupportApplication.round_id.in_([r.id for r in rounds]))
        .order_by(SupportApplication.id)))
    result = []
    for support_round in rounds:
        in_round = [a for a in mine if a.round_id == support_round.id]
        active = [a for a in in_round if a.status in ACTIVE_APPLICATION_STATUSES]
        offers = []
        for track in support_round.tracks:
            in_track = [a for a in in_round if a.track_id == track.id]
            shown = next((a for a in reversed(in_track) if a.status in ACTIVE_APPLICATION_STATUSES),
                         in_track[-1] if in_track else None)
            blocking = [a for a in active if not (track.allows_multiple and a.track_id == track.id)]
            offers.append(TrackOffer(track, shown, not blocking))
        result.append(OpenRound(support_round, offers))
    return result


def list_applications(session: Session, *, actor: Actor, round_id: int | None = None, track_id: int | None = None,
                      status: ApplicationStatus | str | None = None, region: str | None = None, page: int = 1,
                      page_size: int = 50) -> Page[SupportApplication]:
    """Applications for operators and auditors, filtered by round, track, status and region (the factory's region,
    else the organization's), oldest first."""
    if not can_read_all(actor):
        raise PermissionDenied("You do not have the permission {permission}",
                               {"permission": str(Permission.SUPPORT_VIEW_ALL)})
    problems: list[Problem] = []
    chosen_status: ApplicationStatus | None = None
    if status:
        try:
            chosen_status = ApplicationStatus(status)
        except ValueError:
            problems.append(Problem("status", "Unknown status {status}; known are {known}",
                                    {"status": str(status), "known": ", ".join(s.value for s in ApplicationStatus)}))
    if region and not (len(region) == 2 and region.isdigit()):
        problems.append(Problem("region", "Region {value} is not a two-digit code", {"value": region}))
    if page < 1 or not 1 <= page_size <= MAX_PAGE_SIZE:
        problems.append(Problem("page", "Enter a whole number from {minimum} to {maximum}",
                                {"minimum": 1, "maximum": MAX_PAGE_SIZE}))
    if problems:
        raise InvalidInput(problems)
    factory = aliased(Factory)
    conditions = []
    if round_id is not None:
        conditions.append(SupportApplication.round_id == round_id)
    if track_id is not None:
        conditions.append(SupportApplication.track_id == track_id)
    if chosen_status is not None:
        conditions.append(SupportApplication.status == chosen_status)
    base = (select(SupportApplication.id)
            .join(Organization, SupportApplication.organization_id == Organization.id)
            .outerjoin(factory, SupportApplication.factory_id == factory.id).where(*conditions))
    if region:
        base = base.where(func.coalesce(factory.region_code, Organization.region_code) == region)
    total = int(session.scalar(select(func.count()).select_from(base.subquery())) or 0)
    ids = list(session.scalars(base.order_by(SupportApplication.id).offset((page - 1) * page_size).limit(page_size)))
    rows = {a.id: a for a in session.scalars(
        select(SupportApplication).where(SupportApplication.id.in_(ids))
        .options(selectinload(SupportApplication.organization), selectinload(SupportApplication.track),
                 selectinload(SupportApplication.factory)))} if ids else {}
    return Page([rows[i] for i in ids], total, page, page_size)


def region_of(application: SupportApplication) -> str:
    """The region an application counts in: its factory's, else its organization's."""
    return application.factory.region_code if application.factory else application.organization.region_code


def as_problems(items: Sequence[Problem]) -> list[dict[str, Any]]:
    """Problems as JSON: field, English message id, params and the English text."""
    return [{"field": p.field, "message": p.message, "params": dict(p.params), "text": p.english()} for p in items]


@dataclass(frozen=True, slots=True)
class StartForm:
    """What the form to start an application offers: the round, its tracks (one chosen), the company's factories."""

    round: SupportRound
    track: SupportTrack | None
    factories: list[Factory]
    call_open: bool


def start_form(session: Session, *, actor: Actor, round_id: int, track_id: int | None = None) -> StartForm:
    organization_id = _own_organization(actor)
    support_round = session.get(SupportRound, round_id)
    if support_round is None:
        raise NotFound("No support round with id {id}", {"id": round_id})
    track = next((t for t in support_round.tracks if t.id == track_id), None)
    factories = list(session.scalars(select(Factory).where(Factory.organization_id == organization_id,
                                                          Factory.is_active.is_(True)).order_by(Factory.id)))
    return StartForm(support_round, track, factories, _call_is_open(support_round, datetime.now(UTC)))


def factories_for(session: Session, *, actor: Actor, application: SupportApplication) -> list[Factory]:
    """The active factories of the application's organization (for the plan form)."""
    return list(session.scalars(select(Factory).where(Factory.organization_id == application.organization_id,
                                                     Factory.is_active.is_(True)).order_by(Factory.id)))


def budget_total(fields: Mapping[str, str]) -> int | None:
    """The sum of a plan form's budget line amounts as typed so far (None while one is not a whole amount)."""
    problems: list[Problem] = []
    lines = _parse_budget_lines(plan_from_form(fields)["budget_lines"], problems)
    if problems:
        return None
    return sum(int(line["amount_krw"] or 0) for line in lines)


# Where a problem is, in words: the parts of the plan form as the pages name them.
PLACE_LABELS: dict[str, str] = {
    "title": "Title of the project",
    "factory_id": "Factory",
    "scope": "Scope of work",
    "goals": "Goals",
    "target_kpis": "Target KPIs",
    "suppliers": "Suppliers and solutions",
    "budget_lines": "Budget",
    "schedule": "Schedule",
    "government_krw": "Government support requested",
    "company_krw": "Company's matching funds",
    "co_funder_id": "Co-funder",
    "co_funder_krw": "Co-funder's share",
    "baseline": "Baseline",
    "target": "Target",
    "unit": "Unit",
    "name": "Supplier",
    "solution": "Solution",
    "organization_id": "Registered supplier id (optional)",
    "item": "Item",
    "amount_krw": "Amount",
    "due_on": "Due on",
    **KPI_LABELS,
}
_PART = re.compile(r"^(\w+)(?:\[(\d+)\])?$")


def place_of(field_path: str) -> list[tuple[str, dict[str, int]]]:
    """The words of a problem's place (``plan.budget_lines[1].amount_krw`` → Budget, row 2, Amount), as message ids
    with parameters; an unknown part is kept as it is."""
    words: list[tuple[str, dict[str, int]]] = []
    for part in field_path.removeprefix("plan.").split("."):
        match = _PART.match(part)
        name = match.group(1) if match else part
        words.append((PLACE_LABELS.get(name, name), {}))
        if match and match.group(2) is not None:
            words.append(("Row {row}", {"row": int(match.group(2)) + 1}))
    return words
