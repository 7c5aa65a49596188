"""The programs pages of support programs (under /support): rounds by program and year, a new round (optionally
with the MIDAS 2027 tracks), a round's overview (tracks, region budgets, quotas, rules in words, applications,
open / close / publish the seed), a track's form with a live check of its rules, and the sanctions operators
record and lift.

Reading needs SUPPORT_VIEW_ALL (or SUPPORT_MANAGE); changing needs SUPPORT_MANAGE (the services check both).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from datetime import date, datetime
from typing import Any

from fastapi import APIRouter, Depends, Request
from sqlalchemy.orm import Session
from starlette.responses import Response

from midas.auth import Actor, Permission
from midas.errors import Conflict, InvalidInput, MidasError, Problem
from midas.i18n import translate
from midas.registry import regions
from midas.support import programs_service, sanctions_service
from midas.support.enums import (
    APPLICATION_STATUS_LABELS,
    COUNTING_CATEGORY_LABELS,
    OBJECTIVE_LABELS,
    ROUND_STATUS_LABELS,
    SANCTION_KIND_LABELS,
    TRACK_KIND_LABELS,
    RoundStatus,
    SanctionKind,
    TrackKind,
)
from midas.support.models import SupportTrack
from midas.web.charts import bar_chart
from midas.web.context import DbSession, SignedInActor, request_locale
from midas.web.csrf import verify_csrf
from midas.web.forms import FormFields, see_other
from midas.web.rendering import render

router = APIRouter(prefix="/support", include_in_schema=False)
CHANGES = [Depends(verify_csrf)]
# The fields of the track form that are whole numbers or texts (the rest are JSON text areas and check boxes).
TRACK_FIELDS = ("name", "name_en", "framework_code", "level_min", "level_max", "government_share_percent",
                "matching_share_percent", "cap_krw", "budget_krw")


def _labels() -> dict[str, Any]:
    return {"track_labels": TRACK_KIND_LABELS, "round_status_labels": ROUND_STATUS_LABELS,
            "objective_labels": OBJECTIVE_LABELS, "application_status_labels": APPLICATION_STATUS_LABELS,
            "sanction_kind_labels": SANCTION_KIND_LABELS, "adjustment_labels": programs_service.ADJUSTMENT_LABELS,
            "measure_labels": programs_service.MEASURE_LABELS, "regions": regions(),
            "capital_regions": programs_service.CAPITAL_REGIONS, "counting_labels": COUNTING_CATEGORY_LABELS}


def problems_under(error: MidasError | None, name: str, prefix: str = "") -> list[Problem]:
    """The problems of ``error`` about the field ``name`` (or anything inside it), under ``prefix``."""
    if not isinstance(error, InvalidInput):
        return []
    found = []
    for problem in error.problems:
        where = problem.field.removeprefix(prefix)
        if where == name or where.startswith((f"{name}[", f"{name}.")):
            found.append(problem)
    return found


# Rounds -----------------------------------------------------------------------------------------------------


def _render_rounds(request: Request, session: Session, actor: Actor, *, program_values: Mapping[str, str] | None = None,
                   program_error: MidasError | None = None) -> Response:
    summaries = programs_service.list_rounds(session, actor=actor)
    programs = programs_service.list_programs(session, actor=actor)
    by_program: dict[int, list[programs_service.RoundSummary]] = {program.id: [] for program in programs}
    for summary in summaries:
        by_program.setdefault(summary.round.program_id, []).append(summary)
    default_rules = json.dumps(programs_service.load_midas2027()["program"]["counting_rules"], ensure_ascii=False,
                               indent=1)
    return render(request, "support/programs_rounds.html", {
        "programs": programs, "by_program": by_program, "can_manage": actor.can(Permission.SUPPORT_MANAGE),
        "program_values": program_values or {"counting_rules": default_rules}, "program_error": program_error,
        "problems_under": problems_under, **_labels(),
    }, status_code=program_error.status_code if program_error else 200)


@router.get("/rounds")
def rounds_page(request: Request, session: DbSession, actor: SignedInActor) -> Response:
    return _render_rounds(request, session, actor)


@router.post("/programs", dependencies=CHANGES)
def create_program(request: Request, session: DbSession, actor: SignedInActor, form: FormFields) -> Response:
    try:
        if form.get("midas2027"):
            programs_service.ensure_midas2027_program(session, actor=actor)
        else:
            programs_service.create_program(session, actor=actor, raw=form)
    except InvalidInput as error:
        session.rollback()
        return _render_rounds(request, session, actor, program_values=form, program_error=error)
    return see_other("/support/rounds")


def _render_new(request: Request, session: Session, actor: Actor, *, values: Mapping[str, str],
                error: MidasError | None = None) -> Response:
    actor.require(Permission.SUPPORT_MANAGE)
    programs = programs_service.list_programs(session, actor=actor)
    return render(request, "support/programs_new.html", {
        "programs": programs, "values": values, "error": error, "problems_under": problems_under, **_labels(),
    }, status_code=error.status_code if error else 200)


@router.get("/rounds/new")
def new_round_form(request: Request, session: DbSession, actor: SignedInActor) -> Response:
    program = request.query_params.get("program_id", "")
    return _render_new(request, session, actor, values={"program_id": program, "appeal_days": "14",
                                                        "objective": "total_score", "midas2027": "true",
                                                        "first_time_points": "", "non_capital_points": ""})


def _adjustments(form: Mapping[str, str]) -> list[dict[str, object]]:
    """The adjustments from the form's two point fields (an empty field: no adjustment of that kind)."""
    adjustments: list[dict[str, object]] = []
    for kind in programs_service.ADJUSTMENT_KINDS:
        points = form.get(f"{kind}_points", "").strip()
        if points:
            adjustments.append({"kind": kind, "points": points})
    return adjustments


@router.post("/rounds", dependencies=CHANGES)
def create_round(request: Request, session: DbSession, actor: SignedInActor, form: FormFields) -> Response:
    raw: dict[str, object] = {key: value for key, value in form.items()
                              if key not in ("midas2027", "first_time_points", "non_capital_points")}
    adjustments = _adjustments(form)
    try:
        if form.get("midas2027"):
            if adjustments:
                raw["adjustments"] = adjustments
            created = programs_service.create_round_from_midas2027(session, actor=actor, raw=raw)
        else:
            raw["adjustments"] = adjustments
            created = programs_service.create_round(session, actor=actor, raw=raw)
    except InvalidInput as error:
        session.rollback()
        return _render_new(request, session, actor, values=form, error=error)
    return see_other(f"/support/rounds/{created.id}")


def _charts(request: Request, overview: programs_service.RoundOverview) -> dict[str, Any]:
    locale = request_locale(request)
    track_rows = [(translate(locale, TRACK_KIND_LABELS[t.kind]), t.budget_krw // 100_000_000, None)
                  for t in overview.tracks]
    region_rows = [(row.name(locale), row.total_krw // 100_000_000, None)
                   for row in overview.region_rows if row.total_krw]
    status_rows = [(translate(locale, APPLICATION_STATUS_LABELS[status]), count, None)
                   for status, count in overview.applications.items()]
    return {"track_chart": bar_chart(track_rows), "region_chart": bar_chart(region_rows),
            "status_chart": bar_chart(status_rows)}


def _render_round(request: Request, session: Session, actor: Actor, round_id: int, *,
                  action_error: MidasError | None = None, action: str = "",
                  values: Mapping[str, str] | None = None) -> Response:
    overview = programs_service.get_round_overview(session, actor=actor, round_id=round_id)
    return render(request, "support/programs_round.html", {
        "overview": overview, "r": overview.round, "can_manage": actor.can(Permission.SUPPORT_MANAGE),
        "action_error": action_error, "action": action, "values": values or {}, "statuses": RoundStatus,
        "has_region_budgets": any(row.total_krw for row in overview.region_rows),
        **_charts(request, overview), **_labels(),
    }, status_code=action_error.status_code if action_error else 200)


@router.get("/rounds/{round_id}")
def round_page(request: Request, round_id: int, session: DbSession, actor: SignedInActor) -> Response:
    return _render_round(request, session, actor, round_id)


def _round_action(request: Request, session: Session, actor: Actor, round_id: int, action: str,
                  change: Callable[[], object], values: Mapping[str, str]) -> Response:
    try:
        change()
    except (InvalidInput, Conflict) as error:
        session.rollback()
        return _render_round(request, session, actor, round_id, action_error=error, action=action, values=values)
    return see_other(f"/support/rounds/{round_id}")


@router.post("/rounds/{round_id}/open", dependencies=CHANGES)
def open_round(request: Request, round_id: int, session: DbSession, actor: SignedInActor) -> Response:
    return _round_action(request, session, actor, round_id, "open",
                         lambda: programs_service.open_round(session, actor=actor, round_id=round_id), {})


@router.post("/rounds/{round_id}/close", dependencies=CHANGES)
def close_round(request: Request, round_id: int, session: DbSession, actor: SignedInActor,
                form: FormFields) -> Response:
    reason = form.get("reason", "")
    return _round_action(request, session, actor, round_id, "close",
                         lambda: programs_service.close_round(session, actor=actor, round_id=round_id, reason=reason),
                         form)


@router.post("/rounds/{round_id}/seed", dependencies=CHANGES)
def publish_seed(request: Request, round_id: int, session: DbSession, actor: SignedInActor,
                 form: FormFields) -> Response:
    seed = form.get("seed", "")
    return _round_action(request, session, actor, round_id, "seed",
                         lambda: programs_service.publish_seed(session, actor=actor, round_id=round_id, seed=seed),
                         form)


# Tracks -----------------------------------------------------------------------------------------------------


def _json_text(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, indent=1) if value else "[]"


def _track_values(track: SupportTrack | None, kind: TrackKind) -> dict[str, str]:
    """The form's values: the stored track, else the MIDAS 2027 defaults of its kind."""
    source: dict[str, Any]
    if track is not None:
        source = {name: getattr(track, name) for name in TRACK_FIELDS}
        source.update(region_budgets={b.region_code: b.budget_krw for b in track.region_budgets},
                      quotas=track.quotas, eligibility_rules=track.eligibility_rules,
                      allows_multiple=track.allows_multiple, requires_co_funder=track.requires_co_funder)
    else:
        source = programs_service.midas2027_track(kind)
    values = {name: str(source.get(name, "")) for name in TRACK_FIELDS}
    values.update({f"region_{code}": str(amount) for code, amount in (source.get("region_budgets") or {}).items()})
    values["quotas"] = _json_text(source.get("quotas"))
    values["eligibility_rules"] = _json_text(source.get("eligibility_rules"))
    values["allows_multiple"] = "true" if source.get("allows_multiple") else ""
    values["requires_co_funder"] = "true" if source.get("requires_co_funder") else ""
    return values


def _render_track(request: Request, session: Session, actor: Actor, round_id: int, kind: TrackKind, *,
                  values: Mapping[str, str] | None = None, error: MidasError | None = None) -> Response:
    actor.require(Permission.SUPPORT_MANAGE)
    overview = programs_service.get_round_overview(session, actor=actor, round_id=round_id)
    track = overview.track(kind)
    return render(request, "support/programs_track.html", {
        "r": overview.round, "kind": kind, "track": track, "values": values or _track_values(track, kind),
        "error": error, "prefix": f"tracks[{kind.value}].", "problems_under": problems_under,
        "frameworks": programs_service.published_framework_codes(session, actor=actor), **_labels(),
    }, status_code=error.status_code if error else 200)


@router.get("/rounds/{round_id}/tracks/{kind}")
def track_form(request: Request, round_id: int, kind: str, session: DbSession, actor: SignedInActor) -> Response:
    return _render_track(request, session, actor, round_id, programs_service.parse_kind(kind))


def _track_raw(form: Mapping[str, str]) -> dict[str, object]:
    raw: dict[str, object] = {name: form.get(name, "") for name in TRACK_FIELDS}
    raw["region_budgets"] = {code: form.get(f"region_{code}", "") for code in regions()}
    for name in ("quotas", "eligibility_rules", "allows_multiple", "requires_co_funder"):
        raw[name] = form.get(name, "")
    return raw


@router.post("/rounds/{round_id}/tracks/{kind}", dependencies=CHANGES)
def save_track(request: Request, round_id: int, kind: str, session: DbSession, actor: SignedInActor,
               form: FormFields) -> Response:
    track_kind = programs_service.parse_kind(kind)
    try:
        programs_service.set_track(session, actor=actor, round_id=round_id, kind=track_kind, raw=_track_raw(form),
                                   reason=form.get("reason", ""))
    except (InvalidInput, Conflict) as error:
        session.rollback()
        return _render_track(request, session, actor, round_id, track_kind, values=form, error=error)
    return see_other(f"/support/rounds/{round_id}#track-{track_kind.value}")


@router.post("/rounds/{round_id}/tracks/{kind}/preview", dependencies=CHANGES)
def preview_rules(request: Request, round_id: int, kind: str, actor: SignedInActor, form: FormFields) -> Response:
    """The rules of the text area as they would read, or their problems (htmx; nothing is stored)."""
    actor.require(Permission.SUPPORT_MANAGE)
    programs_service.parse_kind(kind)
    error: InvalidInput | None = None
    descriptions = []
    try:
        descriptions = programs_service.preview_rules(form.get("eligibility_rules", ""))
    except InvalidInput as refused:
        error = refused
    return render(request, "support/programs_rules_preview.html", {"descriptions": descriptions, "error": error})


# Sanctions --------------------------------------------------------------------------------------------------


def _render_sanctions(request: Request, session: Session, actor: Actor, *, values: Mapping[str, str] | None = None,
                      error: MidasError | None = None, lift_error: MidasError | None = None,
                      failed_id: int | None = None) -> Response:
    active_only = request.query_params.get("active", "") == "1"
    on_text = request.query_params.get("on", "")
    today = datetime.now(programs_service.SEOUL).date()
    try:
        on = date.fromisoformat(on_text) if on_text else today
    except ValueError:
        on = today
    try:
        page = max(1, int(request.query_params.get("page", "1")))
    except ValueError:
        page = 1
    listed = sanctions_service.list_sanctions(session, actor=actor, active_on=on if active_only else None,
                                              page=page)
    sanctions = listed.items
    shown = lift_error or error
    return render(request, "support/sanctions_list.html", {
        "sanctions": sanctions, "listed": listed, "active_only": active_only, "on": on,
        "values": values or {"starts_on": str(on)},
        "error": error, "lift_error": lift_error, "failed_id": failed_id,
        "in_force": {s.id: sanctions_service.is_in_force(s, on) for s in sanctions},
        "can_manage": actor.can(Permission.SUPPORT_MANAGE), "kinds": list(SanctionKind),
        "problems_under": problems_under, **_labels(),
    }, status_code=shown.status_code if shown else 200)


@router.get("/sanctions")
def sanctions_page(request: Request, session: DbSession, actor: SignedInActor) -> Response:
    return _render_sanctions(request, session, actor)


@router.post("/sanctions", dependencies=CHANGES)
def create_sanction(request: Request, session: DbSession, actor: SignedInActor, form: FormFields) -> Response:
    try:
        sanctions_service.create_sanction(session, actor=actor, raw=form)
    except InvalidInput as error:
        session.rollback()
        return _render_sanctions(request, session, actor, values=form, error=error)
    return see_other("/support/sanctions")


@router.post("/sanctions/{sanction_id}/lift", dependencies=CHANGES)
def lift_sanction(request: Request, sanction_id: int, session: DbSession, actor: SignedInActor,
                  form: FormFields) -> Response:
    try:
        sanctions_service.lift_sanction(session, actor=actor, sanction_id=sanction_id, reason=form.get("reason", ""))
    except (InvalidInput, Conflict) as error:
        session.rollback()
        return _render_sanctions(request, session, actor, lift_error=error, failed_id=sanction_id)
    return see_other("/support/sanctions")
