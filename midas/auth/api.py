from __future__ import annotations

from fastapi import APIRouter, Depends

from midas.auth import service
from midas.auth.enums import TokenScope
from midas.auth.schemas import ApiTokenCreate, ApiTokenIssued, ApiTokenPublic, MePublic
from midas.web.context import CurrentActor, DbSession, SignedInActor
from midas.web.csrf import verify_csrf

router = APIRouter(tags=["accounts"])


@router.get("/me", response_model=MePublic)
def me(actor: CurrentActor) -> MePublic:
    """Who the API thinks you are, and what you may do."""
    return MePublic(user_id=actor.user_id, label=actor.label, role=actor.role,
                    organization_id=actor.organization_id, locale=actor.locale,
                    permissions=sorted(actor.permissions),
                    scopes=None if actor.scopes is None else [s for s in TokenScope if s in actor.scopes])


@router.get("/tokens", response_model=list[ApiTokenPublic])
def list_tokens(session: DbSession, actor: SignedInActor) -> list[ApiTokenPublic]:
    return [ApiTokenPublic.model_validate(t) for t in service.list_api_tokens(session, actor=actor)]


@router.post("/tokens", response_model=ApiTokenIssued, status_code=201, dependencies=[Depends(verify_csrf)])
def issue_token(body: ApiTokenCreate, session: DbSession, actor: SignedInActor) -> ApiTokenIssued:
    token, secret = service.issue_api_token(session, actor=actor, name=body.name, scopes=body.scopes)
    return ApiTokenIssued(**ApiTokenPublic.model_validate(token).model_dump(), token=secret)


@router.delete("/tokens/{token_id}", status_code=204, dependencies=[Depends(verify_csrf)])
def revoke_token(token_id: int, session: DbSession, actor: SignedInActor) -> None:
    service.revoke_api_token(session, actor=actor, token_id=token_id)
