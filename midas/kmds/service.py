"""What the K-MDS command line, API and page do, in one place: validate an upload, publish the templates."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

from midas.standard.convert import AAS_JSON, AAS_XML, AASX, Converter
from midas.standard.io import oversize
from midas.standard.model import VERSION
from midas.standard.report import Report, make_report
from midas.standard.templates import template_environment
from midas.standard.validate import Mode, validate_bytes

__all__ = ["TEMPLATE_FORMATS", "TemplateFile", "read_limited", "template_file", "validate_upload"]

TEMPLATE_FORMATS: dict[str, Converter] = {"json": AAS_JSON, "xml": AAS_XML, "aasx": AASX}


@dataclass(frozen=True, slots=True)
class TemplateFile:
    """One published file of the K-MDS templates."""

    filename: str
    media_type: str
    data: bytes


@cache
def template_file(file_format: str) -> TemplateFile:
    """The K-MDS templates and concept descriptions as ``json``, ``xml`` or ``aasx`` (KeyError otherwise)."""
    converter = TEMPLATE_FORMATS[file_format]
    return TemplateFile(
        f"K-MDS_{VERSION}_Templates.{file_format}", converter.media_type, converter.write(template_environment())
    )


def read_limited(read: Callable[[int], bytes], limit: int) -> bytes:
    """At most ``limit + 1`` bytes from ``read`` (one more than allowed tells that the input is too large)."""
    chunks: list[bytes] = []
    size = 0
    while size <= limit and (chunk := read(min(64 * 1024, limit + 1 - size))):
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)


def validate_upload(data: bytes, *, filename: str, mode: Mode, max_bytes: int, size: int | None = None) -> Report:
    """The report for one uploaded file. ``size`` is the full size when ``data`` was cut at ``max_bytes + 1``."""
    full_size = size if size is not None else len(data)
    if full_size > max_bytes:
        return make_report(filename, [oversize(full_size, max_bytes).finding()], loaded=False)
    return validate_bytes(data, filename=filename, mode=mode, max_bytes=max_bytes).report
