"""Framework versions in the database: imported as drafts, previewed, published, and read back as Frameworks.

A row keeps the source text it was validated from; :func:`framework_of` parses it again (once per content hash,
cached) and refuses a row whose text no longer matches the hash a round pinned.

The life of a version: an operator imports a YAML or JSON file (refused with the loader's located problems), which
is stored as a *draft*; the preview shows its shape and how uniform scores at each scale value come out; publishing
makes it available to rounds. The same framework id and version with other content is refused: a changed framework
is a new version, so that a round pinned to a version always means the same thing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from sqlalchemy import select
from sqlalchemy.orm import Session

from midas.assessment.enums import FrameworkStatus
from midas.assessment.frameworks import SHIPPED_FRAMEWORKS, Framework, FrameworkPreview, parse_framework, preview
from midas.assessment.frameworks.loader import FileFormat
from midas.assessment.models import FrameworkVersion
from midas.audit import record
from midas.auth import Actor, Permission
from midas.db import utc_now
from midas.errors import Conflict, InvalidInput, NotFound

FILE_FORMATS: tuple[FileFormat, ...] = ("yaml", "json")
# A framework file of a few hundred items is tens of kilobytes; a megabyte is far beyond any real one.
MAX_SOURCE_CHARACTERS = 1_000_000


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


def _stored(session: Session, code: str, version: str) -> FrameworkVersion | None:
    return session.scalar(select(FrameworkVersion).where(FrameworkVersion.code == code,
                                                         FrameworkVersion.version == version))


def store_shipped_frameworks(session: Session) -> list[FrameworkVersion]:
    """Store (published) every framework MIDAS ships, unless that version is already stored; idempotent."""
    stored: list[FrameworkVersion] = []
    for name in SHIPPED_FRAMEWORKS:
        source = shipped_source(name)
        framework = _parse(source, "yaml")
        row = _stored(session, framework.id, framework.version)
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


def file_format_of(file_name: str, declared: str = "") -> FileFormat:
    """The format a framework file is read as: the one declared, else its suffix (``.json``), else YAML."""
    wanted = declared.strip().lower()
    if wanted:
        if wanted not in FILE_FORMATS:
            raise InvalidInput.single("file_format", "Unknown file format {value} (yaml or json)",
                                      {"value": wanted[:20]})
        return "json" if wanted == "json" else "yaml"
    return "json" if file_name.lower().endswith(".json") else "yaml"


def import_framework(session: Session, *, actor: Actor, source: str, file_format: FileFormat = "yaml",
                     ) -> FrameworkVersion:
    """Store a framework file as a draft version, after the loader has checked all of it.

    A file with problems raises the loader's :class:`InvalidInput`, each problem at its location in the file.
    Importing the very same content again returns the stored version; the same id and version with other content
    is refused (a changed framework needs a new version number).
    """
    actor.require(Permission.ASSESSMENT_MANAGE)
    if not source.strip():
        raise InvalidInput.single("source", "The framework file is empty")
    if len(source) > MAX_SOURCE_CHARACTERS:
        raise InvalidInput.single("source", "The framework file is larger than {limit} characters",
                                  {"limit": MAX_SOURCE_CHARACTERS})
    framework = _parse(source, file_format)
    existing = _stored(session, framework.id, framework.version)
    if existing is not None:
        if existing.content_hash == framework.content_hash:
            return existing
        raise Conflict("Framework {id} version {version} is stored already with other content; give the changed "
                       "framework a new version", {"id": framework.id, "version": framework.version})
    row = FrameworkVersion(code=framework.id, version=framework.version, name=framework.name.ko,
                           name_en=framework.name.en, source_format=file_format, source=source,
                           content_hash=framework.content_hash, status=FrameworkStatus.DRAFT)
    session.add(row)
    session.flush()
    record(session, actor=actor, action="assessment.framework.imported", object_type="assessment_framework",
           object_id=row.id, details={"code": row.code, "version": row.version, "hash": row.content_hash,
                                      "items": len(framework.items)})
    return row


def list_framework_versions(session: Session, *, actor: Actor,
                            status: FrameworkStatus | None = None) -> Sequence[FrameworkVersion]:
    """Every stored version (or those with one status), by framework id, newest version first."""
    actor.require(Permission.ASSESSMENT_VIEW_ALL)
    query = select(FrameworkVersion).order_by(FrameworkVersion.code, FrameworkVersion.created_at.desc(),
                                              FrameworkVersion.id.desc())
    if status is not None:
        query = query.where(FrameworkVersion.status == status)
    return session.scalars(query).all()


def get_framework_version(session: Session, *, actor: Actor, version_id: int) -> FrameworkVersion:
    actor.require(Permission.ASSESSMENT_VIEW_ALL)
    row = session.get(FrameworkVersion, version_id)
    if row is None:
        raise NotFound("No framework version with id {id}", {"id": version_id})
    return row


@dataclass(frozen=True, slots=True)
class LevelSample:
    """Every item scored ``score``, and the overall score and maturity level that gives."""

    score: int
    preview: FrameworkPreview


@dataclass(frozen=True, slots=True)
class FrameworkOverview:
    """A stored version with its parsed framework and the sample scoring at each value of its scale."""

    version: FrameworkVersion
    framework: Framework
    samples: tuple[LevelSample, ...]


def sample_scoring(framework: Framework) -> tuple[LevelSample, ...]:
    """The preview of uniform scores at each scale value: the structure counts and where each sample lands."""
    return tuple(LevelSample(value, preview(framework, dict.fromkeys((item.id for item in framework.items), value)))
                 for value in framework.scale.levels)


def preview_framework_version(session: Session, *, actor: Actor, version_id: int) -> FrameworkOverview:
    """What an operator reads before publishing: the framework, its counts and the sample scoring at each level."""
    row = get_framework_version(session, actor=actor, version_id=version_id)
    framework = framework_of(row)
    return FrameworkOverview(version=row, framework=framework, samples=sample_scoring(framework))


def preview_scores(session: Session, *, actor: Actor, version_id: int,
                   scores: Mapping[str, object]) -> FrameworkPreview:
    """The scoring of sample item scores (partial or partly wrong) against a stored version."""
    row = get_framework_version(session, actor=actor, version_id=version_id)
    return preview(framework_of(row), scores)


def publish_framework(session: Session, *, actor: Actor, version_id: int) -> FrameworkVersion:
    """Make a draft version available to rounds; a published version never changes again."""
    actor.require(Permission.ASSESSMENT_MANAGE)
    row = get_framework_version(session, actor=actor, version_id=version_id)
    if row.status is not FrameworkStatus.DRAFT:
        raise Conflict("Framework {id} version {version} is not a draft", {"id": row.code, "version": row.version})
    framework_of(row)
    row.status = FrameworkStatus.PUBLISHED
    row.published_at = utc_now()
    record(session, actor=actor, action="assessment.framework.published", object_type="assessment_framework",
           object_id=row.id, details={"code": row.code, "version": row.version, "hash": row.content_hash})
    return row
