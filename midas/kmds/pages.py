"""The validation page: upload an AAS file, see the report grouped by layer, in Korean or English.

Open to everyone, signed in or not: the standard is public and validating stores nothing. The form still carries
the CSRF token, like every form of the portal.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from midas.errors import InvalidInput, Problem
from midas.kmds.service import TEMPLATE_FORMATS, template_file, validate_upload
from midas.standard.render import LAYER_LABELS, SEVERITY_LABELS, STATUS_LABELS, finding_text, report_status
from midas.standard.report import Report, Severity
from midas.standard.validate import Mode
from midas.web.context import CurrentActor, request_locale, settings_of
from midas.web.csrf import verify_csrf
from midas.web.rendering import render

router = APIRouter(include_in_schema=False)
PAGE = "kmds/validate.html"


@dataclass(frozen=True, slots=True)
class FindingRow:
    severity: str
    severity_label: str
    rule: str
    path: str
    text: str


@dataclass(frozen=True, slots=True)
class LayerGroup:
    layer: str
    label: str
    errors: int
    findings: list[FindingRow]


@dataclass(frozen=True, slots=True)
class ReportView:
    source: str
    status: str
    status_label: str
    groups: list[LayerGroup]


def report_view(report: Report, locale: str) -> ReportView:
    """The report as the page shows it: per layer, the findings with their element paths and messages."""
    language = "ko" if locale == "ko" else "en"
    groups = []
    for layer, findings in report.by_layer().items():
        rows = [
            FindingRow(
                f.severity.value, SEVERITY_LABELS[f.severity][language], f.rule, f.path, finding_text(f, language)
            )
            for f in findings
        ]
        groups.append(
            LayerGroup(
                layer.value,
                LAYER_LABELS[layer][language],
                sum(1 for f in findings if f.severity is Severity.ERROR),
                rows,
            )
        )
    status = report_status(report)
    return ReportView(report.source, status, STATUS_LABELS[status][language], groups)


def _context(request: Request, **extra: Any) -> dict[str, Any]:
    downloads = [
        (name.upper(), f"/api/v1/standard/templates/kmds.{name}", template_file(name).filename)
        for name in TEMPLATE_FORMATS
    ]
    return {
        "max_mb": settings_of(request).upload_max_bytes // (1024 * 1024),
        "downloads": downloads,
        "modes": list(Mode),
        **extra,
    }


@router.get("/standard/validate")
def validate_form(request: Request, actor: CurrentActor) -> Response:
    return render(request, PAGE, _context(request, mode=Mode.STRICT.value))


@router.post("/standard/validate", dependencies=[Depends(verify_csrf)])
async def validate_uploaded(
    request: Request,
    actor: CurrentActor,
    file: Annotated[UploadFile | None, File()] = None,
    mode: Annotated[Mode, Form()] = Mode.STRICT,
) -> Response:
    if file is None or not file.filename:
        error = InvalidInput([Problem("file", "Choose a file to validate")])
        return render(request, PAGE, _context(request, mode=mode.value, error=error), status_code=422)
    limit = settings_of(request).upload_max_bytes
    data = await file.read(limit + 1)
    size = file.size if file.size is not None else len(data)
    report = await run_in_threadpool(
        validate_upload, data, filename=file.filename, mode=mode, max_bytes=limit, size=size
    )
    view = report_view(report, request_locale(request))
    return render(request, PAGE, _context(request, mode=mode.value, report=view))
