"""The ingestion pages (company members): upload a file of production records, the dead letters to fix or
discard, and the organization's recent deliveries."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from starlette.responses import Response

from midas.errors import InvalidInput
from midas.ingest import files, service
from midas.ingest.enums import DEAD_LETTER_STATUS_LABELS, IngestSource
from midas.ingest.schemas import message_text
from midas.standard.convert.tabular import daily_report_template
from midas.web.context import DbSession, SignedInActor, request_locale, settings_of
from midas.web.csrf import verify_csrf
from midas.web.forms import FormFields, see_other
from midas.web.rendering import render

router = APIRouter(prefix="/ingest", include_in_schema=False)
CHANGES = [Depends(verify_csrf)]
TEMPLATE_TYPES = {"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                  "csv": "text/csv; charset=utf-8"}
SOURCE_LABELS = {IngestSource.HTTP: "API", IngestSource.MQTT: "MQTT", IngestSource.SPARKPLUG: "Sparkplug B",
                 IngestSource.FILE: "File upload", IngestSource.REPLAY: "Fixed dead letter"}
MAX_NOTES_SHOWN = 200
NOTICE_LABELS = {"replayed": "The fixed record was accepted.",
           "refused": "The fixed record was refused again: see the new dead letter for why.",
           "discarded": "The dead letter was discarded."}


def _translator(request: Request) -> dict[str, object]:
    locale = request_locale(request)
    return {"problem_text": lambda message, params=None: message_text(locale, message, params)}


def _upload_context(request: Request, session: DbSession, actor: SignedInActor) -> dict[str, object]:
    return {"factories": service.own_factories(session, actor=actor),
            "max_mb": settings_of(request).upload_max_bytes // (1024 * 1024), "period_labels": files.PERIOD_LABELS,
            "max_notes": MAX_NOTES_SHOWN, **_translator(request)}


@router.get("")
def upload_page(request: Request, session: DbSession, actor: SignedInActor) -> Response:
    return render(request, "ingest/upload.html", _upload_context(request, session, actor))


@router.post("", dependencies=CHANGES)
def upload(request: Request, session: DbSession, actor: SignedInActor,
           factory_id: Annotated[int, Form()], file: Annotated[UploadFile, File()],
           work_unit_id: Annotated[str, Form()] = "", device: Annotated[str, Form()] = "",
           period: Annotated[str, Form()] = "", shift_start: Annotated[str, Form()] = "",
           device_model: Annotated[UploadFile | None, File()] = None) -> Response:
    """The receipt of an uploaded file; htmx swaps in the receipt alone, a plain form gets the whole page. The
    work unit, device, period, shift start and device model are read for MTConnect logs only."""
    limit = settings_of(request).upload_max_bytes
    context = _upload_context(request, session, actor)
    template = "ingest/receipt.html" if request.headers.get("hx-request") else "ingest/upload.html"
    try:
        machine = files.machine_log(work_unit_id=work_unit_id, device=device, period=period, shift_start=shift_start,
                                    device_model=device_model.file.read(limit + 1) if device_model else b"")
        upload = files.ingest_file(session, actor=actor, filename=file.filename or "", data=file.file.read(limit + 1),
                                   factory_id=factory_id, max_bytes=limit, machine=machine)
    except InvalidInput as error:
        return render(request, template, {**context, "error": error, "file_name": file.filename},
                      status_code=422)
    return render(request, template, {**context, "receipt": upload.receipt, "notes": upload.notes,
                                      "file_name": file.filename, "selected_factory": factory_id})


@router.get("/template.{fmt}")
def download_template(fmt: str, actor: SignedInActor) -> Response:
    """The daily production report to fill in (Korean headers, a key row, an example row)."""
    if fmt not in TEMPLATE_TYPES:
        raise InvalidInput.single("fmt", "Templates come as .xlsx or .csv")
    return Response(daily_report_template(fmt), media_type=TEMPLATE_TYPES[fmt],
                    headers={"Content-Disposition": f'attachment; filename="daily-production-report.{fmt}"'})


@router.get("/dead-letters")
def dead_letters_page(request: Request, session: DbSession, actor: SignedInActor, status: str = "",
                      page: int = 1, notice: str = "") -> Response:
    letters = service.list_dead_letters(session, actor=actor, status=files.parse_status(status), page=page)
    return render(request, "ingest/dead_letters.html",
                  {"page": letters, "status": status or "open", "status_labels": DEAD_LETTER_STATUS_LABELS,
                   "source_labels": SOURCE_LABELS, "notice": NOTICE_LABELS.get(notice), **_translator(request)})


@router.post("/dead-letters/{dead_letter_id}/replay", dependencies=CHANGES)
def replay(dead_letter_id: int, session: DbSession, actor: SignedInActor, form: FormFields) -> Response:
    receipt = files.replay_text(session, actor=actor, dead_letter_id=dead_letter_id, text=form.get("item", ""))
    return see_other(f"/ingest/dead-letters?notice={'refused' if receipt.rejected else 'replayed'}")


@router.post("/dead-letters/{dead_letter_id}/discard", dependencies=CHANGES)
def discard(dead_letter_id: int, session: DbSession, actor: SignedInActor, form: FormFields) -> Response:
    service.discard_dead_letter(session, actor=actor, dead_letter_id=dead_letter_id, reason=form.get("reason", ""))
    return see_other("/ingest/dead-letters?notice=discarded")


@router.get("/batches")
def batches_page(request: Request, session: DbSession, actor: SignedInActor, page: int = 1) -> Response:
    batches = service.list_batches(session, actor=actor, page=page)
    return render(request, "ingest/batches.html", {"page": batches, "source_labels": SOURCE_LABELS})
