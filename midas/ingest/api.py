"""The JSON routes of ingestion (under /api/v1/ingest): deliveries of records, their receipts, dead letters."""

from __future__ import annotations

from typing import Annotated, Any, Final

from fastapi import APIRouter, Body, Depends, Query, Request, Response

from midas.ingest import files, service
from midas.ingest.schemas import BatchPublic, DeadLetterDiscard, DeadLetterPagePublic, DeadLetterPublic, ReceiptPublic
from midas.web.context import DbSession, SignedInActor, request_locale, settings_of
from midas.web.csrf import verify_csrf

router = APIRouter(prefix="/ingest", tags=["ingest"])
CHANGES = [Depends(verify_csrf)]

#: A delivery at least this large is answered with ``Connection: close``. With ``midas serve --workers N`` the
#: workers share the listening socket, and a kept-alive connection stays with the worker that accepted it: four
#: senders on two workers split 3-1 half of the time, three of them sharing one core while the other idles (the
#: workers' CPU measured 4.6 s against 2.2 s). The sender's next delivery opens a new connection, which the least
#: busy worker takes first. A handshake costs nothing next to a delivery of this size; small ones keep theirs.
REBALANCE_AFTER_BYTES: Final = 1_000_000


async def limited_body(request: Request) -> bytes:
    """The request body, refused with 413 as soon as it is known to exceed the limit: by its declared length
    before anything is read, else while it streams in."""
    limit = settings_of(request).upload_max_bytes
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise files.body_too_large(limit)
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise files.body_too_large(limit)
        chunks.append(chunk)
    return b"".join(chunks)


_ITEM_EXAMPLE = {"factory_id": 12, "template": "ProductionPerformance", "record": {"WorkUnitId": "P01"},
                 "message_id": "mes-42"}
_ENVIRONMENT_EXAMPLE = {"submodels": [{
    "modelType": "Submodel", "id": "urn:example:pp:2025-03-03:P01", "kind": "Instance",
    "semanticId": {"type": "ExternalReference", "keys": [
        {"type": "GlobalReference", "value": "urn:kr:midas:kmds:1:0:template:ProductionPerformance"}]},
    "submodelElements": ["..."]}]}
_BODY_DOC: dict[str, Any] = {"requestBody": {"required": True, "content": {
    "application/json": {"schema": {"oneOf": [
        {"type": "array", "items": {"type": "object"}, "description": "Items"},
        {"type": "object", "description": "One item"},
        {"type": "object", "required": ["submodels"],
         "description": "An AAS V3.0 environment (IDTA-01001 JSON); give ?factory_id="}]},
        "examples": {"items": {"summary": "Items", "value": [_ITEM_EXAMPLE]},
                     "environment": {"summary": "An AAS environment (with ?factory_id=12)",
                                     "value": _ENVIRONMENT_EXAMPLE}}},
    "application/x-ndjson": {"schema": {"type": "string"}, "example": '{"factory_id": 12, ...}\n'},
}}}


@router.post("", response_model=ReceiptPublic, dependencies=CHANGES, openapi_extra=_BODY_DOC,
             responses={200: {"description": "The receipt (also when items were refused)"},
                        413: {"description": "The body is over the size limit; nothing was stored"},
                        415: {"description": "Neither application/json nor application/x-ndjson"},
                        422: {"description": "Refused whole, nothing stored: JSON that does not parse, no items, too "
                                             "many items, an AAS environment without `factory_id` or for a factory "
                                             "of another organization"}})
def ingest(request: Request, response: Response, session: DbSession, actor: SignedInActor,
           body: Annotated[bytes, Depends(limited_body)],
           factory_id: Annotated[int | None, Query(description="The factory of an AAS environment's submodels "
                                                               "(required for an environment, unused otherwise)")]
           = None) -> ReceiptPublic:
    """Send production records: a JSON array of items (or one item), NDJSON (one item per line), or an AAS
    environment.

    An item is `{"factory_id", "template", "record", "message_id"?}`. Acceptance is per item, so the answer is
    **200 with the receipt** whenever the delivery was read, even if every item was refused: it counts the accepted,
    duplicate (sent before: stored once) and rejected items, and names each refused item's position, dead letter
    and problems. A malformed NDJSON line is a refused item too ("line N" with the JSON error).

    An **AAS environment** (AAS V3.0 JSON with `submodels`) is sent with the query parameter `factory_id`: each
    K-MDS submodel (found by its semanticId) is read back into its record and checked like an item, at the
    position `submodel {id}`. Its message id is the submodel id, so the same submodel sent again counts as a
    duplicate. A submodel of another standard, or one the record form cannot hold (e.g. a comment on a process
    variable), is a refused item with the reason. Use the organization's API token (`Authorization: Bearer ...`)
    or a member's session (with its CSRF header).

    A body of 1 MB or more is answered with `Connection: close`: send the next delivery on a new connection, which
    the least busy server worker takes."""
    receipt = files.ingest_body(session, actor=actor, body=body, content_type=request.headers.get("content-type", ""),
                                label=request.headers.get("user-agent", "")[:100], factory_id=factory_id)
    if len(body) >= REBALANCE_AFTER_BYTES:
        response.headers["Connection"] = "close"
    return ReceiptPublic.of(receipt, request_locale(request))


@router.get("/batches/{batch_id}", response_model=BatchPublic)
def get_batch(batch_id: int, request: Request, session: DbSession, actor: SignedInActor) -> BatchPublic:
    """One delivery of your organization: its counts and its refused items."""
    batch = service.get_batch(session, actor=actor, batch_id=batch_id)
    letters = service.batch_dead_letters(session, actor=actor, batch_id=batch_id)
    return BatchPublic.of(batch, letters, request_locale(request))


@router.get("/dead-letters", response_model=DeadLetterPagePublic)
def list_dead_letters(request: Request, session: DbSession, actor: SignedInActor, status: str = "",
                      page: int = 1) -> DeadLetterPagePublic:
    """Your organization's refused items, newest first: `status` is open (the default), replayed, discarded or
    all. A record refused in several deliveries (a retry, a redelivery) is listed once, with its other copies."""
    letters = service.list_dead_letters(session, actor=actor, status=files.parse_status(status), page=page)
    return DeadLetterPagePublic.of(letters, request_locale(request))


@router.post("/dead-letters/{dead_letter_id}/replay", response_model=ReceiptPublic, dependencies=CHANGES)
def replay(dead_letter_id: int, request: Request, session: DbSession, actor: SignedInActor,
           item: Annotated[Any, Body(description="The fixed item")]) -> ReceiptPublic:
    """Send the fixed item of a dead letter: accepted, the letter and its open copies are closed; refused again, a
    new dead letter says why and this one stays open (200 with the receipt either way)."""
    receipt = service.replay_dead_letter(session, actor=actor, dead_letter_id=dead_letter_id, item=item)
    return ReceiptPublic.of(receipt, request_locale(request))


@router.post("/dead-letters/{dead_letter_id}/discard", response_model=DeadLetterPublic, dependencies=CHANGES)
def discard(dead_letter_id: int, body: DeadLetterDiscard, request: Request, session: DbSession,
            actor: SignedInActor) -> DeadLetterPublic:
    """Close a dead letter that is not needed, and its open copies (the same record that a retry or a redelivery
    brought again); the reason goes to the audit log."""
    letter = service.discard_dead_letter(session, actor=actor, dead_letter_id=dead_letter_id, reason=body.reason)
    return DeadLetterPublic.of(letter, request_locale(request), service.copies_of(session, [letter]).get(letter.id, ()))
