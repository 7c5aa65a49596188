"""Framework versions in the database: the shipped ones stored once, and each row read back as a Framework.

A row keeps the source text it was validated from; :func:`framework_of` parses it again (once per content hash,
cached) and refuses a row whose text no longer matches the hash a round pinned.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

from sqlalchemy import select
from sqlalchemy.orm import Session

from midas.assessment.enums import FrameworkStatus
from midas.assessment.frameworks import SHIPPED_FRAMEWORKS, Framework, parse_framework
from midas.assessment.frameworks.loader import FileFormat
from midas.assessment.models import FrameworkVersion
from midas.db import utc_now
from midas.errors import Conflict


@lru_cache(maxsize=32)
def _parse(source: str, source_format: FileFormat) -> Framework:
    return parse_framework(source, file_format=source_format)


def framework_of(version: FrameworkVersion) -> Framework:
    """The validated framework a stored version holds; a row whose text no longer matches its hash is refused."""
    file_format: FileFormat = "json" if version.source_format == "json" else "yaml"
    framework = _parse(version.source, file_format)
    if framework.content_hash != version.content_hash:
        raise Conflict("Framework {id} version {version} has changed since it was stored",
                       {"id": version.code, "version": version.version})
    return framework


def shipped_source(name: str) -> str:
    return resources.files("midas.assessment.frameworks").joinpath("data", f"{name}.yaml").read_text("utf-8")


def store_shipped_frameworks(session: Session) -> list[FrameworkVersion]:
    """Store (published) every framework MIDAS ships, unless that version is already stored; idempotent."""
    stored: list[FrameworkVersion] = []
    for name in SHIPPED_FRAMEWORKS:
        source = shipped_source(name)
        framework = _parse(source, "yaml")
        row = session.scalar(select(FrameworkVersion).where(FrameworkVersion.code == framework.id,
                                                            FrameworkVersion.version == framework.version))
        if row is None:
            row = FrameworkVersion(
                code=framework.id, version=framework.version, name=framework.name.ko, name_en=framework.name.en,
                source_format="yaml", source=source, content_hash=framework.content_hash,
                status=FrameworkStatus.PUBLISHED, published_at=utc_now(),
            )
            session.add(row)
            session.flush()
        stored.append(row)
    return stored
