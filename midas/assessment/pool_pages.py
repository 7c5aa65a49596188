"""The pool pages of the assessment (under /assessment): the expert pool and each expert's profile for operators,
the conflicts of interest with detection, adding and lifting, and an expert's own declarations.

Forms show each problem next to its field and keep what was typed; nothing changes while a problem stands.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from midas.assessment import pool_service as service
from midas.assessment.enums import (
    AFFILIATION_KIND_LABELS,
    CONFLICT_KIND_LABELS,
    CONFLICT_SOURCE_LABELS,
    RELATION_KIND_LABELS,
)
from midas.auth import Actor, Permission
from midas.config import Settings
from midas.errors import Conflict, InvalidInput
from midas.i18n import translate
from midas.registry import format_brn, ksic_divisions, regions
from midas.web.context import DbSession, SignedInActor, request_locale, settings_of
from midas.web.csrf import FIELD as CSRF_FIELD
from midas.web.csrf import verify_csrf
from midas.web.forms import see_other
from midas.web.rendering import render

router = APIRouter(prefix="/assessment", include_in_schema=False)
CHANGES = [Depends(verify_csrf)]
AppSettings = Annotated[Settings, Depends(settings_of)]
# Fields sent as repeated checkboxes: their values are joined with commas, as the service reads them.
LISTED_FIELDS = frozenset({"ksic_divisions", "technologies"})
CONFLICTS_PAGE = "/assessment/conflicts"


async def form_values(request: Request) -> dict[str, str]:
    """The submitted form's text fields without the CSRF token; checkbox groups joined, a ticked box wins."""
    form = await request.form()
    values: dict[str, str] = {}
    for key in dict.fromkeys(form.keys()):
        if key == CSRF_FIELD:
            continue
        texts = [value for value in form.getlist(key) if isinstance(value, str)]
        if key in LISTED_FIELDS:
            values[key] = ",".join(text for text in texts if text)
        elif key == "is_available":
            values[key] = "true" if "true" in texts else "false"
        else:
            values[key] = texts[-1] if texts else ""
    return values


FormValues = Annotated[dict[str, str], Depends(form_values)]


def _expert_page(expert_id: int) -> str:
    return f"/assessment/experts/{expert_id}"


def _wants_results_only(request: Request) -> bool:
    """htmx asks for the results alone, except when it restores a page from history (it needs all of it)."""
    return request.headers.get("HX-Request") == "true" and request.headers.get("HX-History-Restore-Request") != "true"


def _labelled(locale: str, labels: Mapping[Any, str]) -> list[tuple[str, str]]:
    return [(str(key), translate(locale, label)) for key, label in labels.items()]


def _options(request: Request) -> dict[str, list[tuple[str, str]]]:
    """The choices of every select and checkbox group, named in the reader's language."""
    locale = request_locale(request)
    return {
        "region_code": [(r.code, r.name(locale)) for r in regions().values()],
        "ksic_division": [(d.code, f"{d.code} {d.name(locale)}") for d in ksic_divisions().values()],
        "technology": _labelled(locale, service.TECHNOLOGY_LABELS),
        "available": [("true", translate(locale, "Available")), ("false", translate(locale, "Not available"))],
        "affiliation_kind": _labelled(locale, AFFILIATION_KIND_LABELS),
        "relation_kind": _labelled(locale, RELATION_KIND_LABELS),
        "relation_source": _labelled(locale, service.RELATION_SOURCE_LABELS),
        "conflict_kind": _labelled(locale, CONFLICT_KIND_LABELS),
        "conflict_source": _labelled(locale, CONFLICT_SOURCE_LABELS),
        "status": [("active", translate(locale, "In effect")), ("lifted", translate(locale, "Lifted"))],
    }


def _labels() -> dict[str, Any]:
    return {"regions": regions(), "ksic_divisions": ksic_divisions(), "format_brn": format_brn,
            "technology_labels": service.TECHNOLOGY_LABELS, "affiliation_labels": AFFILIATION_KIND_LABELS,
            "conflict_kind_labels": CONFLICT_KIND_LABELS, "conflict_source_labels": CONFLICT_SOURCE_LABELS}


def _safe_back(path: str, default: str) -> str:
    """Where a form returns to: only one of the pool's own pages, never another site."""
    if path.startswith("/assessment/") and not path.startswith("//") and "\\" not in path:
        return path
    return default


# The pool ---------------------------------------------------------------------------------------------------


@router.get("/experts")
def expert_list(request: Request, session: DbSession, actor: SignedInActor, settings: AppSettings) -> Response:
    """The expert pool: search by name or employer, filter by industry, technology, region and availability."""
    filters = {key: request.query_params.get(key, "") for key in
               ("q", "ksic_division", "technology", "region_code", "available")}
    context: dict[str, Any] = {"filters": filters, "options": _options(request), "page": None, "error": None,
                               "can_manage": actor.can(Permission.ASSESSMENT_MANAGE), **_labels()}
    status_code = 200
    try:
        query = service.parse_expert_query(request.query_params, default_page_size=settings.page_size)
        context["page"] = service.list_experts(session, actor=actor, query=query)
    except InvalidInput as error:
        actor.require(Permission.ASSESSMENT_VIEW_ALL)
        context["error"] = error
        status_code = 422
    template = "assessment/pool_expert_results.html" if _wants_results_only(request) \
        else "assessment/pool_experts.html"
    response = render(request, template, context, status_code=status_code)
    response.headers["Vary"] = "HX-Request"
    return response


def _render_expert_form(request: Request, *, values: Mapping[str, str], expert_id: int | None = None,
                        expert_name: str = "", error: InvalidInput | None = None) -> Response:
    return render(request, "assessment/pool_expert_form.html", {
        "expert_id": expert_id, "expert_name": expert_name, "values": values, "error": error,
        "options": _options(request),
        "chosen_divisions": values.get("ksic_divisions", "").split(","),
        "chosen_technologies": values.get("technologies", "").split(","),
    }, status_code=422 if error else 200)


@router.get("/experts/new")
def new_expert_form(request: Request, actor: SignedInActor) -> Response:
    """The form to add an expert."""
    actor.require(Permission.ASSESSMENT_MANAGE)
    return _render_expert_form(request, values={"is_available": "true", "max_load": "10"})


@router.post("/experts", dependencies=CHANGES)
def create_expert(request: Request, session: DbSession, actor: SignedInActor, form: FormValues) -> Response:
    """Add the expert, or show the form again with each problem next to its field."""
    try:
        expert = service.create_expert(session, actor=actor, raw=form)
    except InvalidInput as error:
        return _render_expert_form(request, values=form, error=error)
    return see_other(_expert_page(expert.id))


def _render_expert(request: Request, profile: service.ExpertProfile, *, values: Mapping[str, str] | None = None,
                   affiliation_error: InvalidInput | None = None, lift_error: InvalidInput | None = None,
                   lift_id: int | None = None, conflict_error: InvalidInput | None = None) -> Response:
    failed = affiliation_error or lift_error or conflict_error
    return render(request, "assessment/pool_expert.html", {
        "profile": profile, "e": profile.expert, "values": values or {}, "options": _options(request),
        "affiliation_error": affiliation_error, "lift_error": lift_error, "lift_id": lift_id,
        "conflict_error": conflict_error, **_labels(),
    }, status_code=422 if failed else 200)


@router.get("/experts/{expert_id}")
def expert_detail(request: Request, expert_id: int, session: DbSession, actor: SignedInActor) -> Response:
    """One expert: profile, affiliation history with an add form, and every conflict."""
    profile = service.get_expert_profile(session, actor=actor, expert_id=expert_id)
    return _render_expert(request, profile)


@router.get("/experts/{expert_id}/edit")
def edit_expert_form(request: Request, expert_id: int, session: DbSession, actor: SignedInActor) -> Response:
    """The form to change an expert's profile."""
    actor.require(Permission.ASSESSMENT_MANAGE)
    expert = service.get_expert(session, actor=actor, expert_id=expert_id)
    return _render_expert_form(request, values=service.expert_form_values(session, expert), expert_id=expert.id,
                               expert_name=expert.name)


@router.post("/experts/{expert_id}/edit", dependencies=CHANGES)
def update_expert(
    request: Request, expert_id: int, session: DbSession, actor: SignedInActor, form: FormValues
) -> Response:
    """Save the profile, or show the form again with each problem next to its field."""
    try:
        service.update_expert(session, actor=actor, expert_id=expert_id, changes=form)
    except InvalidInput as error:
        expert = service.get_expert(session, actor=actor, expert_id=expert_id)
        return _render_expert_form(request, values=form, expert_id=expert_id, expert_name=expert.name, error=error)
    return see_other(_expert_page(expert_id))


@router.post("/experts/{expert_id}/affiliations", dependencies=CHANGES)
def add_affiliation(
    request: Request, expert_id: int, session: DbSession, actor: SignedInActor, form: FormValues
) -> Response:
    """Add an affiliation from the profile page; conflicts it brings are detected at once."""
    try:
        service.add_affiliation(session, actor=actor, expert_id=expert_id, raw=form)
    except InvalidInput as error:
        profile = service.get_expert_profile(session, actor=actor, expert_id=expert_id)
        return _render_expert(request, profile, values=form, affiliation_error=error)
    return see_other(_expert_page(expert_id))


@router.post("/affiliations/{affiliation_id}/end", dependencies=CHANGES)
def end_affiliation(
    request: Request, affiliation_id: int, session: DbSession, actor: SignedInActor, form: FormValues
) -> Response:
    """Close an open affiliation on a date."""
    try:
        affiliation = service.end_affiliation(session, actor=actor, affiliation_id=affiliation_id, raw=form)
    except InvalidInput as error:
        expert_id = service.get_affiliation(session, actor=actor, affiliation_id=affiliation_id).expert_id
        profile = service.get_expert_profile(session, actor=actor, expert_id=expert_id)
        return _render_expert(request, profile, affiliation_error=error)
    return see_other(_expert_page(affiliation.expert_id))


# Conflicts for operators --------------------------------------------------------------------------------------


def _render_conflicts(request: Request, session: DbSession, actor: Actor, settings: Settings, *,
                      values: Mapping[str, str] | None = None, add_error: InvalidInput | None = None,
                      relation_error: InvalidInput | None = None, lift_error: InvalidInput | None = None,
                      lift_id: int | None = None, notice: str | None = None) -> Response:
    actor.require(Permission.ASSESSMENT_VIEW_ALL)
    filters = {key: request.query_params.get(key, "") for key in
               ("expert_id", "organization", "kind", "source", "status")}
    context: dict[str, Any] = {
        "filters": filters, "options": _options(request), "page": None, "error": None, "values": values or {},
        "add_error": add_error, "relation_error": relation_error, "lift_error": lift_error, "lift_id": lift_id,
        "can_manage": actor.can(Permission.ASSESSMENT_MANAGE), "notice": notice, **_labels(),
    }
    try:
        query = service.parse_conflict_query(session, request.query_params, default_page_size=settings.page_size)
        context["page"] = service.list_conflicts(session, actor=actor, query=query)
    except InvalidInput as error:
        context["error"] = error
    failed = context["error"] or add_error or relation_error or lift_error
    return render(request, "assessment/conflicts_list.html", context, status_code=422 if failed else 200)


def _detection_notice(request: Request) -> str | None:
    params = request.query_params
    if "added" not in params:
        return None
    numbers = {key: params.get(key, "0") for key in ("added", "known", "lifted")}
    if not all(value.isdigit() for value in numbers.values()):
        return None
    return translate(request_locale(request),
                     "Detection finished: {added} conflict(s) added, {known} known already, {lifted} kept lifted",
                     {"added": numbers["added"], "known": numbers["known"], "lifted": numbers["lifted"]})


@router.get("/conflicts")
def conflict_list(request: Request, session: DbSession, actor: SignedInActor, settings: AppSettings) -> Response:
    """Every conflict with filters; operators add, lift and run detection here."""
    return _render_conflicts(request, session, actor, settings, notice=_detection_notice(request))


@router.post("/conflicts", dependencies=CHANGES)
def add_conflict(
    request: Request, session: DbSession, actor: SignedInActor, settings: AppSettings, form: FormValues
) -> Response:
    """An operator adds a conflict, from the conflicts page or an expert's profile."""
    back = _safe_back(form.pop("back", ""), CONFLICTS_PAGE)
    try:
        service.add_conflict(session, actor=actor, raw=form)
    except (InvalidInput, Conflict) as error:
        problem = error if isinstance(error, InvalidInput) else InvalidInput.single("organization", error.message,
                                                                                     error.params)
        if back.startswith("/assessment/experts/") and form.get("expert_id", "").isdigit():
            profile = service.get_expert_profile(session, actor=actor, expert_id=int(form["expert_id"]))
            return _render_expert(request, profile, values=form, conflict_error=problem)
        return _render_conflicts(request, session, actor, settings, values=form, add_error=problem)
    return see_other(back)


@router.post("/conflicts/detect", dependencies=CHANGES)
def run_detection(session: DbSession, actor: SignedInActor) -> Response:
    """Run detection over the whole pool and show how many conflicts it added."""
    detection = service.run_detection(session, actor=actor)
    return see_other(f"{CONFLICTS_PAGE}?added={detection.added}&known={detection.already_known}"
                      f"&lifted={detection.lifted_kept}")


@router.post("/conflicts/{conflict_id}/lift", dependencies=CHANGES)
def lift_conflict(
    request: Request, conflict_id: int, session: DbSession, actor: SignedInActor, settings: AppSettings,
    form: FormValues,
) -> Response:
    """An operator lifts a conflict with a reason, from the conflicts page or an expert's profile."""
    back = _safe_back(form.get("back", ""), CONFLICTS_PAGE)
    try:
        conflict = service.lift_conflict(session, actor=actor, conflict_id=conflict_id, reason=form.get("reason", ""))
    except InvalidInput as error:
        conflict = service.get_conflict(session, actor=actor, conflict_id=conflict_id)
        if back.startswith("/assessment/experts/"):
            profile = service.get_expert_profile(session, actor=actor, expert_id=conflict.expert_id)
            return _render_expert(request, profile, lift_error=error, lift_id=conflict_id)
        return _render_conflicts(request, session, actor, settings, lift_error=error, lift_id=conflict_id)
    return see_other(back if back != CONFLICTS_PAGE else f"{CONFLICTS_PAGE}?expert_id={conflict.expert_id}")


@router.post("/relations", dependencies=CHANGES)
def add_relation(
    request: Request, session: DbSession, actor: SignedInActor, settings: AppSettings, form: FormValues
) -> Response:
    """Record a business tie between two organizations; conflicts it makes are detected at once."""
    try:
        service.add_relation(session, actor=actor, raw=form)
    except (InvalidInput, Conflict) as error:
        problem = error if isinstance(error, InvalidInput) else InvalidInput.single("related_organization",
                                                                                     error.message, error.params)
        return _render_conflicts(request, session, actor, settings, values=form, relation_error=problem)
    return see_other(CONFLICTS_PAGE)


# An expert's own conflicts ------------------------------------------------------------------------------------


def _render_my_conflicts(request: Request, session: DbSession, actor: Actor, *,
                         values: Mapping[str, str] | None = None, error: InvalidInput | None = None) -> Response:
    expert, conflicts = service.my_conflicts(session, actor=actor)
    search = request.query_params.get("q", "").strip()[:100]
    chosen = request.query_params.get("organization", "").strip()[:20]
    found = service.search_organizations(session, actor=actor, text=search) if search else []
    return render(request, "assessment/conflicts_mine.html", {
        "expert": expert, "conflicts": conflicts, "search": search, "found": found, "error": error,
        "values": values or {"organization": chosen}, "declared": request.query_params.get("declared") == "1",
        **_labels(),
    }, status_code=422 if error else 200)


@router.get("/my/conflicts")
def my_conflicts(request: Request, session: DbSession, actor: SignedInActor) -> Response:
    """An expert's conflicts and the form to declare one (find the organization by name or BRN)."""
    return _render_my_conflicts(request, session, actor)


@router.post("/my/conflicts", dependencies=CHANGES)
def declare_conflict(request: Request, session: DbSession, actor: SignedInActor, form: FormValues) -> Response:
    """An expert declares a conflict with an organization."""
    try:
        service.declare_conflict(session, actor=actor, raw=form)
    except (InvalidInput, Conflict) as error:
        problem = error if isinstance(error, InvalidInput) else InvalidInput.single("organization", error.message,
                                                                                     error.params)
        return _render_my_conflicts(request, session, actor, values=form, error=problem)
    return see_other("/assessment/my/conflicts?declared=1")
