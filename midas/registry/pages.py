"""The registry's pages: search and browse organizations, see one with its factories and contacts, and
register or change them through forms that show each problem next to its field."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import fields
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from midas.auth import Actor, Permission
from midas.config import Settings
from midas.errors import InvalidInput, NotFound
from midas.i18n import translate
from midas.registry import service
from midas.registry.enums import (
    CONTACT_ROLE_LABELS,
    ORGANIZATION_KIND_LABELS,
    SIZE_BAND_LABELS,
)
from midas.registry.models import Factory, Organization
from midas.registry.reference import format_brn, ksic_divisions, regions
from midas.registry.validation import FactoryInput, OrganizationInput
from midas.web.context import DbSession, SignedInActor, request_locale, settings_of
from midas.web.csrf import verify_csrf
from midas.web.forms import FormFields, see_other
from midas.web.rendering import render

router = APIRouter(prefix="/registry", include_in_schema=False)
CHANGES = [Depends(verify_csrf)]
AppSettings = Annotated[Settings, Depends(settings_of)]


def _organization_page(organization_id: int) -> str:
    return f"/registry/organizations/{organization_id}"


def _wants_results_only(request: Request) -> bool:
    """htmx asks for the results alone, except when it restores a page from history (it needs all of it)."""
    return request.headers.get("HX-Request") == "true" and request.headers.get("HX-History-Restore-Request") != "true"


def _options(request: Request) -> dict[str, list[tuple[str, str]]]:
    """The choices of every select, named in the reader's language."""
    locale = request_locale(request)
    return {
        "kind": [(k.value, translate(locale, label)) for k, label in ORGANIZATION_KIND_LABELS.items()],
        "region_code": [(r.code, r.name(locale)) for r in regions().values()],
        "ksic_code": [(d.code, f"{d.code} {d.name(locale)}") for d in ksic_divisions().values()],
        "size": [(s.value, translate(locale, label)) for s, label in SIZE_BAND_LABELS.items()],
        "role": [(r.value, translate(locale, label)) for r, label in CONTACT_ROLE_LABELS.items()],
    }


def _labels() -> dict[str, Any]:
    return {"kind_labels": ORGANIZATION_KIND_LABELS, "role_labels": CONTACT_ROLE_LABELS,
            "regions": regions(), "ksic_divisions": ksic_divisions(), "format_brn": format_brn}


def _as_text(value: object) -> str:
    return "" if value is None else str(value)


def _organization_form_values(organization: Organization) -> dict[str, str]:
    values = {f.name: _as_text(getattr(organization, f.name)) for f in fields(OrganizationInput)}
    values["brn"] = format_brn(organization.brn)
    return values


def _factory_form_values(factory: Factory) -> dict[str, str]:
    return {f.name: _as_text(getattr(factory, f.name)) for f in fields(FactoryInput)}


# The list --------------------------------------------------------------------------------------------------


@router.get("/organizations")
def organization_list(request: Request, session: DbSession, actor: SignedInActor, settings: AppSettings) -> Response:
    filters = {key: request.query_params.get(key, "") for key in
               ("q", "kind", "region_code", "ksic_code", "size", "include_inactive")}
    context: dict[str, Any] = {"filters": filters, "options": _options(request), "page": None, "error": None,
                               "can_create": actor.can(Permission.REGISTRY_EDIT_ANY), **_labels()}
    status_code = 200
    try:
        query = service.parse_organization_query(request.query_params, default_page_size=settings.page_size)
        context["page"] = service.list_organizations(session, actor=actor, query=query)
    except InvalidInput as error:
        context["error"] = error
        status_code = 422
    template = "registry/organization_results.html" if _wants_results_only(request) else "registry/organizations.html"
    response = render(request, template, context, status_code=status_code)
    # The same URL answers with a whole page or only the results: caches must keep them apart.
    response.headers["Vary"] = "HX-Request"
    return response


@router.get("/my")
def my_organization(actor: SignedInActor) -> Response:
    """A company member's own organization (the navigation links here)."""
    if actor.organization_id is None:
        raise NotFound("You do not belong to an organization")
    return see_other(_organization_page(actor.organization_id))


# One organization ----------------------------------------------------------------------------------------


def _render_organization_form(
    request: Request, actor: Actor, *, values: Mapping[str, str], organization: Organization | None = None,
    error: InvalidInput | None = None,
) -> Response:
    return render(request, "registry/organization_form.html", {
        "organization": organization, "values": values, "error": error, "options": _options(request),
        "brn_editable": actor.can(Permission.REGISTRY_EDIT_ANY),
    }, status_code=422 if error else 200)


@router.get("/organizations/new")
def new_organization_form(request: Request, actor: SignedInActor) -> Response:
    actor.require(Permission.REGISTRY_EDIT_ANY)
    return _render_organization_form(request, actor, values={})


@router.post("/organizations", dependencies=CHANGES)
def create_organization(request: Request, session: DbSession, actor: SignedInActor, form: FormFields) -> Response:
    try:
        organization = service.create_organization(session, actor=actor, raw=form)
    except InvalidInput as error:
        return _render_organization_form(request, actor, values=form, error=error)
    return see_other(_organization_page(organization.id))


def _render_organization(request: Request, profile: service.OrganizationProfile, *,
                         status_error: InvalidInput | None = None) -> Response:
    return render(request, "registry/organization.html", {
        "profile": profile, "o": profile.organization, "status_error": status_error, **_labels(),
    }, status_code=422 if status_error else 200)


@router.get("/organizations/{organization_id}")
def organization_detail(request: Request, organization_id: int, session: DbSession, actor: SignedInActor) -> Response:
    profile = service.get_organization_profile(session, actor=actor, organization_id=organization_id)
    return _render_organization(request, profile)


@router.get("/organizations/{organization_id}/edit")
def edit_organization_form(
    request: Request, organization_id: int, session: DbSession, actor: SignedInActor
) -> Response:
    actor.require_edit_organization(organization_id)
    organization = service.get_organization(session, actor=actor, organization_id=organization_id)
    return _render_organization_form(request, actor, values=_organization_form_values(organization),
                                     organization=organization)


@router.post("/organizations/{organization_id}/edit", dependencies=CHANGES)
def update_organization(
    request: Request, organization_id: int, session: DbSession, actor: SignedInActor, form: FormFields
) -> Response:
    changes = dict(form)
    reason = changes.pop("reason", "")
    try:
        service.update_organization(session, actor=actor, organization_id=organization_id, changes=changes,
                                    reason=reason)
    except InvalidInput as error:
        organization = service.get_organization(session, actor=actor, organization_id=organization_id)
        values = {**_organization_form_values(organization), **form}
        return _render_organization_form(request, actor, values=values, organization=organization, error=error)
    return see_other(_organization_page(organization_id))


def _change_status(
    request: Request, session: DbSession, actor: Actor, organization_id: int, *, active: bool, reason: str
) -> Response:
    try:
        service.set_organization_active(session, actor=actor, organization_id=organization_id, active=active,
                                        reason=reason)
    except InvalidInput as error:
        profile = service.get_organization_profile(session, actor=actor, organization_id=organization_id)
        return _render_organization(request, profile, status_error=error)
    return see_other(_organization_page(organization_id))


@router.post("/organizations/{organization_id}/deactivate", dependencies=CHANGES)
def deactivate_organization(
    request: Request, organization_id: int, session: DbSession, actor: SignedInActor, form: FormFields
) -> Response:
    return _change_status(request, session, actor, organization_id, active=False, reason=form.get("reason", ""))


@router.post("/organizations/{organization_id}/reactivate", dependencies=CHANGES)
def reactivate_organization(
    request: Request, organization_id: int, session: DbSession, actor: SignedInActor, form: FormFields
) -> Response:
    return _change_status(request, session, actor, organization_id, active=True, reason=form.get("reason", ""))


# Factories -----------------------------------------------------------------------------------------------


def _render_factory_form(
    request: Request, *, organization: Organization, values: Mapping[str, str], factory: Factory | None = None,
    error: InvalidInput | None = None,
) -> Response:
    return render(request, "registry/factory_form.html", {
        "organization": organization, "factory": factory, "values": values, "error": error,
        "options": _options(request),
    }, status_code=422 if error else 200)


@router.get("/organizations/{organization_id}/factories/new")
def new_factory_form(request: Request, organization_id: int, session: DbSession, actor: SignedInActor) -> Response:
    actor.require_edit_organization(organization_id)
    organization = service.get_organization(session, actor=actor, organization_id=organization_id)
    return _render_factory_form(request, organization=organization, values={"region_code": organization.region_code})


@router.post("/organizations/{organization_id}/factories", dependencies=CHANGES)
def create_factory(
    request: Request, organization_id: int, session: DbSession, actor: SignedInActor, form: FormFields
) -> Response:
    try:
        service.create_factory(session, actor=actor, organization_id=organization_id, raw=form)
    except InvalidInput as error:
        organization = service.get_organization(session, actor=actor, organization_id=organization_id)
        return _render_factory_form(request, organization=organization, values=form, error=error)
    return see_other(_organization_page(organization_id))


@router.get("/factories/{factory_id}/edit")
def edit_factory_form(request: Request, factory_id: int, session: DbSession, actor: SignedInActor) -> Response:
    factory = service.get_factory(session, actor=actor, factory_id=factory_id)
    actor.require_edit_organization(factory.organization_id)
    return _render_factory_form(request, organization=factory.organization, factory=factory,
                                values=_factory_form_values(factory))


@router.post("/factories/{factory_id}/edit", dependencies=CHANGES)
def update_factory(
    request: Request, factory_id: int, session: DbSession, actor: SignedInActor, form: FormFields
) -> Response:
    try:
        factory = service.update_factory(session, actor=actor, factory_id=factory_id, changes=form)
    except InvalidInput as error:
        factory = service.get_factory(session, actor=actor, factory_id=factory_id)
        return _render_factory_form(request, organization=factory.organization, factory=factory,
                                    values={**_factory_form_values(factory), **form}, error=error)
    return see_other(_organization_page(factory.organization_id))


@router.post("/factories/{factory_id}/deactivate", dependencies=CHANGES)
def deactivate_factory(factory_id: int, session: DbSession, actor: SignedInActor, form: FormFields) -> Response:
    factory = service.set_factory_active(session, actor=actor, factory_id=factory_id, active=False,
                                         reason=form.get("reason", ""))
    return see_other(_organization_page(factory.organization_id))


@router.post("/factories/{factory_id}/reactivate", dependencies=CHANGES)
def reactivate_factory(factory_id: int, session: DbSession, actor: SignedInActor, form: FormFields) -> Response:
    factory = service.set_factory_active(session, actor=actor, factory_id=factory_id, active=True,
                                         reason=form.get("reason", ""))
    return see_other(_organization_page(factory.organization_id))


# Contacts ------------------------------------------------------------------------------------------------


def _render_contact_form(
    request: Request, *, organization: Organization, values: Mapping[str, str], error: InvalidInput | None = None
) -> Response:
    return render(request, "registry/contact_form.html", {
        "organization": organization, "values": values, "error": error, "options": _options(request),
    }, status_code=422 if error else 200)


@router.get("/organizations/{organization_id}/contacts/new")
def new_contact_form(request: Request, organization_id: int, session: DbSession, actor: SignedInActor) -> Response:
    actor.require_edit_organization(organization_id)
    organization = service.get_organization(session, actor=actor, organization_id=organization_id)
    return _render_contact_form(request, organization=organization, values={})


@router.post("/organizations/{organization_id}/contacts", dependencies=CHANGES)
def create_contact(
    request: Request, organization_id: int, session: DbSession, actor: SignedInActor, form: FormFields
) -> Response:
    try:
        service.create_contact(session, actor=actor, organization_id=organization_id, raw=form)
    except InvalidInput as error:
        organization = service.get_organization(session, actor=actor, organization_id=organization_id)
        return _render_contact_form(request, organization=organization, values=form, error=error)
    return see_other(_organization_page(organization_id))


@router.post("/contacts/{contact_id}/deactivate", dependencies=CHANGES)
def deactivate_contact(contact_id: int, session: DbSession, actor: SignedInActor) -> Response:
    contact = service.deactivate_contact(session, actor=actor, contact_id=contact_id)
    return see_other(_organization_page(contact.organization_id))
