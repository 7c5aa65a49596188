"""Framework versions in the database: imported as drafts (or refused at the problem's place), previewed,
published once, and never overwritten by other content under the same version."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from midas.assessment import framework_service
from midas.assessment.enums import FrameworkStatus
from midas.audit import AuditEvent
from midas.auth import Actor, Role, actor_for
from midas.errors import Conflict, InvalidInput, PermissionDenied
from tests.assessment.factories import shipped_version
from tests.assessment.test_frameworks import as_yaml, small_framework
from tests.factories import make_user


@pytest.fixture
def operator(session: Session) -> Actor:
    return actor_for(make_user(session, Role.OPERATOR))


def events(session: Session, action: str) -> list[AuditEvent]:
    return list(session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def test_a_valid_file_is_stored_as_an_audited_draft(session: Session, operator: Actor) -> None:
    version = framework_service.import_framework(session, actor=operator, source=as_yaml(small_framework()))
    assert (version.code, version.version, version.status) == ("small", "1", FrameworkStatus.DRAFT)
    assert framework_service.framework_of(version).content_hash == version.content_hash
    assert [e.details["items"] for e in events(session, "assessment.framework.imported")] == [3]


def test_a_json_file_is_read_as_json(session: Session, operator: Actor) -> None:
    version = framework_service.import_framework(session, actor=operator, source=json.dumps(small_framework()),
                                                 file_format="json")
    assert version.source_format == "json"
    assert len(framework_service.framework_of(version).items) == 3


def test_a_cycle_is_refused_at_its_location_and_nothing_is_stored(session: Session, operator: Actor) -> None:
    text = as_yaml(small_framework()).replace("- id: field\n", "- id: field\n  parent: second\n")
    with pytest.raises(InvalidInput) as refused:
        framework_service.import_framework(session, actor=operator, source=text)
    cycle = next(p for p in refused.value.problems if p.field == "areas[0].parent")
    assert cycle.row == text.splitlines().index("  parent: second") + 1
    assert framework_service.list_framework_versions(session, actor=operator) == []


def test_bad_weights_and_uncovered_levels_are_all_named(session: Session, operator: Actor) -> None:
    document = small_framework()
    document["areas"][1]["items"][1]["weight"] = 25
    document["levels"][1]["min"] = 45
    with pytest.raises(InvalidInput) as refused:
        framework_service.import_framework(session, actor=operator, source=as_yaml(document))
    assert {"scoring.total", "areas[1].points", "levels[1].min"} <= {p.field for p in refused.value.problems}


def test_the_same_version_with_other_content_is_refused_and_the_same_content_is_kept(
        session: Session, operator: Actor) -> None:
    first = framework_service.import_framework(session, actor=operator, source=as_yaml(small_framework()))
    again = framework_service.import_framework(session, actor=operator, source=as_yaml(small_framework()))
    assert again.id == first.id
    changed = small_framework(description={"ko": "바뀐 설명", "en": "Changed"})
    with pytest.raises(Conflict):
        framework_service.import_framework(session, actor=operator, source=as_yaml(changed))
    newer = framework_service.import_framework(session, actor=operator, source=as_yaml({**changed, "version": "2"}))
    listed = [(v.code, v.version) for v in framework_service.list_framework_versions(session, actor=operator)]
    assert listed == [("small", "2"), ("small", "1")]
    assert newer.content_hash != first.content_hash


def test_publishing_a_draft_is_audited_and_happens_once(session: Session, operator: Actor) -> None:
    draft = framework_service.import_framework(session, actor=operator, source=as_yaml(small_framework()))
    published = framework_service.publish_framework(session, actor=operator, version_id=draft.id)
    assert published.status is FrameworkStatus.PUBLISHED
    assert published.published_at is not None
    assert [e.object_id for e in events(session, "assessment.framework.published")] == [str(draft.id)]
    with pytest.raises(Conflict):
        framework_service.publish_framework(session, actor=operator, version_id=draft.id)


def test_the_preview_scores_every_scale_value(session: Session, operator: Actor) -> None:
    draft = framework_service.import_framework(session, actor=operator, source=as_yaml(small_framework()))
    overview = framework_service.preview_framework_version(session, actor=operator, version_id=draft.id)
    assert [(s.score, s.preview.result.overall, s.preview.result.level) for s in overview.samples] == [
        (0, Decimal("0.00"), 1), (1, Decimal("50.00"), 2), (2, Decimal("100.00"), 3)]
    assert overview.samples[0].preview.item_count == 3
    assert [t.count for t in overview.samples[0].preview.tiers] == [1, 2]


def test_a_shipped_framework_previews_at_five_levels(session: Session, operator: Actor) -> None:
    version = shipped_version(session)
    overview = framework_service.preview_framework_version(session, actor=operator, version_id=version.id)
    assert overview.samples[0].preview.item_count == 95
    assert sorted({s.preview.result.level for s in overview.samples}) == [1, 2, 3, 4, 5]


@pytest.mark.parametrize("role", [Role.EXPERT, Role.AUDITOR, Role.COMPANY_MEMBER])
def test_only_operators_import(session: Session, role: Role) -> None:
    with pytest.raises(PermissionDenied):
        framework_service.import_framework(session, actor=actor_for(make_user(session, role)),
                                           source=as_yaml(small_framework()))


def test_the_file_format_follows_the_declaration_then_the_name() -> None:
    assert framework_service.file_format_of("a.JSON") == "json"
    assert framework_service.file_format_of("a.yml") == "yaml"
    assert framework_service.file_format_of("a.json", "yaml") == "yaml"
    with pytest.raises(InvalidInput):
        framework_service.file_format_of("a.yaml", "xml")
