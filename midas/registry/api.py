"""The registry's JSON API: organizations, their factories and contacts, and the reference codes."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from midas.config import Settings
from midas.i18n import translate
from midas.registry import service
from midas.registry.enums import ORGANIZATION_KIND_LABELS, OrganizationKind, SizeBand
from midas.registry.reference import ksic_divisions, regions
from midas.registry.schemas import (
    CodeNamePublic,
    ContactCreate,
    ContactPublic,
    FactoryCreate,
    FactoryPublic,
    FactoryUpdate,
    OrganizationCreate,
    OrganizationPublic,
    OrganizationsPage,
    OrganizationUpdate,
    StatusChange,
)
from midas.web.context import DbSession, SignedInActor, settings_of
from midas.web.csrf import verify_csrf

router = APIRouter(prefix="/registry", tags=["registry"])
CHANGES = [Depends(verify_csrf)]
AppSettings = Annotated[Settings, Depends(settings_of)]


@router.get("/organizations", response_model=OrganizationsPage)
def list_organizations(
    session: DbSession,
    actor: SignedInActor,
    settings: AppSettings,
    q: Annotated[str, Query(description="Start of a Korean or English name (legal forms such as (주) are "
                                        "ignored) or of a business registration number")] = "",
    kind: OrganizationKind | None = None,
    region_code: Annotated[str | None, Query(description="Administrative code or name of a region")] = None,
    ksic_code: Annotated[str | None, Query(description="KSIC manufacturing division, 10-34")] = None,
    size: Annotated[SizeBand | None, Query(description="Band of employee counts")] = None,
    include_inactive: bool = False,
    page: Annotated[int, Query(ge=1)] = 1,
    page_size: Annotated[int | None, Query(ge=1, le=service.MAX_PAGE_SIZE)] = None,
) -> OrganizationsPage:
    """Organizations matching a search text and filters, ordered by name, a page at a time."""
    query = service.parse_organization_query(
        {"q": q, "kind": kind, "region_code": region_code, "ksic_code": ksic_code, "size": size,
         "include_inactive": include_inactive, "page": page, "page_size": page_size},
        default_page_size=settings.page_size,
    )
    return OrganizationsPage.of(service.list_organizations(session, actor=actor, query=query))


@router.post("/organizations", response_model=OrganizationPublic, status_code=201, dependencies=CHANGES)
def create_organization(body: OrganizationCreate, session: DbSession, actor: SignedInActor) -> OrganizationPublic:
    """Register an organization (program operators and administrators)."""
    return OrganizationPublic.of(service.create_organization(session, actor=actor, raw=body.model_dump()))


@router.get("/organizations/{organization_id}", response_model=OrganizationPublic)
def get_organization(organization_id: int, session: DbSession, actor: SignedInActor) -> OrganizationPublic:
    return OrganizationPublic.of(service.get_organization(session, actor=actor, organization_id=organization_id))


@router.patch("/organizations/{organization_id}", response_model=OrganizationPublic, dependencies=CHANGES)
def update_organization(
    organization_id: int, body: OrganizationUpdate, session: DbSession, actor: SignedInActor
) -> OrganizationPublic:
    """Change some fields; a company member may change their own organization, except its BRN."""
    organization = service.update_organization(session, actor=actor, organization_id=organization_id,
                                               changes=body.changes(), reason=body.reason or "")
    return OrganizationPublic.of(organization)


@router.post("/organizations/{organization_id}/deactivate", response_model=OrganizationPublic,
             dependencies=CHANGES)
def deactivate_organization(
    organization_id: int, body: StatusChange, session: DbSession, actor: SignedInActor
) -> OrganizationPublic:
    """Take an organization out of lists and programs; nothing is deleted."""
    organization = service.set_organization_active(session, actor=actor, organization_id=organization_id,
                                                   active=False, reason=body.reason or "")
    return OrganizationPublic.of(organization)


@router.post("/organizations/{organization_id}/reactivate", response_model=OrganizationPublic,
             dependencies=CHANGES)
def reactivate_organization(
    organization_id: int, body: StatusChange, session: DbSession, actor: SignedInActor
) -> OrganizationPublic:
    organization = service.set_organization_active(session, actor=actor, organization_id=organization_id,
                                                   active=True, reason=body.reason or "")
    return OrganizationPublic.of(organization)


@router.get("/organizations/{organization_id}/factories", response_model=list[FactoryPublic])
def list_factories(organization_id: int, session: DbSession, actor: SignedInActor) -> list[FactoryPublic]:
    return FactoryPublic.all_of(service.list_factories(session, actor=actor, organization_id=organization_id))


@router.post("/organizations/{organization_id}/factories", response_model=FactoryPublic, status_code=201,
             dependencies=CHANGES)
def create_factory(
    organization_id: int, body: FactoryCreate, session: DbSession, actor: SignedInActor
) -> FactoryPublic:
    factory = service.create_factory(session, actor=actor, organization_id=organization_id, raw=body.model_dump())
    return FactoryPublic.of(factory)


@router.get("/factories/{factory_id}", response_model=FactoryPublic)
def get_factory(factory_id: int, session: DbSession, actor: SignedInActor) -> FactoryPublic:
    return FactoryPublic.of(service.get_factory(session, actor=actor, factory_id=factory_id))


@router.patch("/factories/{factory_id}", response_model=FactoryPublic, dependencies=CHANGES)
def update_factory(factory_id: int, body: FactoryUpdate, session: DbSession, actor: SignedInActor) -> FactoryPublic:
    return FactoryPublic.of(service.update_factory(session, actor=actor, factory_id=factory_id,
                                                   changes=body.changes()))


@router.post("/factories/{factory_id}/deactivate", response_model=FactoryPublic, dependencies=CHANGES)
def deactivate_factory(
    factory_id: int, session: DbSession, actor: SignedInActor, body: StatusChange | None = None
) -> FactoryPublic:
    factory = service.set_factory_active(session, actor=actor, factory_id=factory_id, active=False,
                                         reason=(body.reason if body else None) or "")
    return FactoryPublic.of(factory)


@router.post("/factories/{factory_id}/reactivate", response_model=FactoryPublic, dependencies=CHANGES)
def reactivate_factory(
    factory_id: int, session: DbSession, actor: SignedInActor, body: StatusChange | None = None
) -> FactoryPublic:
    factory = service.set_factory_active(session, actor=actor, factory_id=factory_id, active=True,
                                         reason=(body.reason if body else None) or "")
    return FactoryPublic.of(factory)


@router.get("/organizations/{organization_id}/contacts", response_model=list[ContactPublic])
def list_contacts(organization_id: int, session: DbSession, actor: SignedInActor) -> list[ContactPublic]:
    return ContactPublic.all_of(service.list_contacts(session, actor=actor, organization_id=organization_id))


@router.post("/organizations/{organization_id}/contacts", response_model=ContactPublic, status_code=201,
             dependencies=CHANGES)
def create_contact(
    organization_id: int, body: ContactCreate, session: DbSession, actor: SignedInActor
) -> ContactPublic:
    contact = service.create_contact(session, actor=actor, organization_id=organization_id, raw=body.model_dump())
    return ContactPublic.model_validate(contact)


@router.post("/contacts/{contact_id}/deactivate", response_model=ContactPublic, dependencies=CHANGES)
def deactivate_contact(contact_id: int, session: DbSession, actor: SignedInActor) -> ContactPublic:
    return ContactPublic.model_validate(service.deactivate_contact(session, actor=actor, contact_id=contact_id))


# Reference codes are public knowledge: no sign-in needed.


@router.get("/reference/regions", response_model=list[CodeNamePublic])
def list_regions() -> list[CodeNamePublic]:
    """The 17 first-level administrative units (시·도)."""
    return [CodeNamePublic(code=r.code, name_ko=r.name_ko, name_en=r.name_en) for r in regions().values()]


@router.get("/reference/ksic-divisions", response_model=list[CodeNamePublic])
def list_ksic_divisions() -> list[CodeNamePublic]:
    """KSIC (10th revision) manufacturing divisions 10-34."""
    return [CodeNamePublic(code=d.code, name_ko=d.name_ko, name_en=d.name_en) for d in ksic_divisions().values()]


@router.get("/reference/organization-kinds", response_model=list[CodeNamePublic])
def list_organization_kinds() -> list[CodeNamePublic]:
    return [CodeNamePublic(code=kind.value, name_ko=translate("ko", label), name_en=label)
            for kind, label in ORGANIZATION_KIND_LABELS.items()]
