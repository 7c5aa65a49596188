"""/api/v1/standard: validate a file (any API token, or a signed-in session with its CSRF header) and download
the K-MDS templates (public: the standard is published for everyone)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from enum import StrEnum
from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.responses import JSONResponse, Response

from midas.errors import InvalidInput, Problem
from midas.kmds.service import template_file, validate_upload
from midas.standard.render import report_json
from midas.standard.validate import Mode
from midas.web.context import SignedInActor, request_locale, settings_of
from midas.web.csrf import verify_csrf

router = APIRouter(prefix="/standard", tags=["standard"])

_UPLOAD_BODY: dict[str, Any] = {
    "requestBody": {
        "description": "The file, as a multipart form field named file, or as the raw request body.",
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {"file": {"type": "string", "format": "binary"}},
                    "required": ["file"],
                },
            },
            "application/json": {"schema": {"type": "object"}},
            "application/xml": {"schema": {"type": "string"}},
            "application/octet-stream": {"schema": {"type": "string", "format": "binary"}},
        },
    },
}


async def _form_closed_afterwards(request: Request) -> AsyncIterator[None]:
    """Close a form parsed on the way (verify_csrf reads one when the CSRF header is missing), even on refusal."""
    try:
        yield
    finally:
        await request.close()


class TemplateFormat(StrEnum):
    JSON = "json"
    XML = "xml"
    AASX = "aasx"


async def _body_within(request: Request, limit: int) -> tuple[bytes, int]:
    """The raw body, read no further than one byte past ``limit``, and its size (the declared one if larger)."""
    declared = int(request.headers.get("content-length") or 0)
    if declared > limit:
        return b"", declared
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        chunks.append(chunk)
        size += len(chunk)
        if size > limit:
            break
    return b"".join(chunks), max(size, declared)


async def _upload(request: Request, limit: int) -> tuple[bytes, int, str | None]:
    if request.headers.get("content-type", "").startswith("multipart/form-data"):
        # Closing the form deletes the temporary files the upload was spooled into.
        async with request.form(max_files=1, max_fields=5) as form:
            upload = form.get("file")
            if not isinstance(upload, UploadFile):
                raise InvalidInput([Problem("file", "Send the file in the form field named file")])
            data = await upload.read(limit + 1)
            return data, upload.size if upload.size is not None else len(data), upload.filename
    data, size = await _body_within(request, limit)
    return data, size, None


@router.post(
    "/validate",
    dependencies=[Depends(_form_closed_afterwards), Depends(verify_csrf)],
    openapi_extra=_UPLOAD_BODY,
    response_model=None,
)
async def validate_file(
    request: Request,
    actor: SignedInActor,
    mode: Mode = Query(Mode.STRICT, description="strict rejects on any error; tolerant loads what it can."),
    filename: str | None = Query(None, max_length=255, description="Name of the file (its ending picks the format)."),
    locale: str | None = Query(None, description="Language of the messages (ko or en); else the caller's."),
) -> JSONResponse:
    """Validate an AAS file (JSON, XML or AASX) in three layers and return the report.

    200 with the report for every file that was received (valid or not); 413 with the report when the file is
    larger than MIDAS_UPLOAD_MAX_BYTES. Nothing is stored."""
    limit = settings_of(request).upload_max_bytes
    data, size, uploaded_name = await _upload(request, limit)
    name = filename or uploaded_name or "upload"
    report = await run_in_threadpool(validate_upload, data, filename=name, mode=mode, max_bytes=limit, size=size)
    language = locale if locale in ("ko", "en") else request_locale(request)
    return JSONResponse(report_json(report, language) | {"mode": mode.value}, status_code=413 if size > limit else 200)


@router.get("/templates/kmds.{file_format}", response_class=Response)
def download_templates(file_format: TemplateFormat) -> Response:
    """The K-MDS submodel templates and concept descriptions as AAS JSON, XML or AASX."""
    published = template_file(file_format.value)
    return Response(
        published.data,
        media_type=published.media_type,
        headers={"Content-Disposition": f'attachment; filename="{published.filename}"'},
    )
