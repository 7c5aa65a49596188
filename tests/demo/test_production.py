"""The demo's production data: every record valid K-MDS, aggregates that sum the records, outcomes measured, a
division large enough for peer comparison, and data for the demo accounts' companies."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from midas.auth import User
from midas.demo import seed_demo
from midas.demo.distributions import NATIONAL, SMALL, Scale
from midas.demo.production import (
    ENERGY,
    MIN_DIVISION_FACTORIES,
    PRODUCTION,
    STRUCTURE,
    Profile,
    Project,
    Site,
    factory_records,
    production_scale_for,
    profile_of,
)
from midas.ingest import IngestBatch, IngestSource, ProductionRecord
from midas.kpi import FACTORY_DAY
from midas.kpi.models import PROJECT_OUTCOME
from midas.registry import Organization
from midas.standard.records import error_findings, validate_record

YESTERDAY = date(2026, 11, 25)


def _profile(division: str, factory_id: int, project: Project | None, seed: int = 7) -> Profile:
    first = project.starts_on - timedelta(days=120) if project else date(2026, 6, 1)
    return profile_of(Site(1, factory_id, division, ("프레스", "용접", "조립"), first, project), seed, YESTERDAY)


PROFILES = [
    _profile("25", 101, Project(date(2025, 7, 1), date(2026, 2, 10))),
    _profile("29", 102, Project(date(2025, 8, 1), date(2026, 5, 20))),
    _profile("10", 103, None),
    _profile("20", 104, None),
    _profile("31", 105, Project(date(2026, 1, 5), date(2026, 6, 30))),
]


@pytest.mark.parametrize("profile", PROFILES, ids=lambda p: f"division {p.site.division}")
def test_every_kind_of_record_passes_the_kmds_rules(profile: Profile) -> None:
    records = list(factory_records(profile, seed=7))
    by_template: dict[str, list[dict[str, object]]] = defaultdict(list)
    for template, _, record in records:
        by_template[template].append(record)
    assert set(by_template) == {STRUCTURE, PRODUCTION, ENERGY}
    assert len(by_template[STRUCTURE]) == 1
    for template, found in by_template.items():
        for record in found[::7]:
            assert error_findings(template, record) == (), (template, record)
        # The full four-layer path too, not only the fast certificate.
        assert not [f for f in validate_record(template, found[0]) if f.severity.value == "error"]
    assert len({key for _, key, _ in records}) == len(records)


def test_the_time_model_and_the_ranges_hold_on_every_record() -> None:
    for profile in PROFILES:
        for template, _, record in factory_records(profile, seed=7):
            if template != PRODUCTION:
                continue
            planned, production = record["PlannedBusyTime"], record["ActualProductionTime"]
            assert record["ActualUnitProcessingTime"] == production + record["ActualUnitSetupTime"]
            assert record["ActualUnitBusyTime"] == record["ActualUnitProcessingTime"] + record["ActualUnitDelayTime"]
            assert record["ActualUnitBusyTime"] + record["ActualUnitDownTime"] <= planned
            assert record["GoodQuantity"] + record["ScrapQuantity"] + record["ReworkQuantity"] \
                == record["ProducedQuantity"]
            assert planned in (4 * 3600, 8 * 3600, 16 * 3600)


def test_a_factory_is_realistic_before_its_project() -> None:
    """Availability 70-90 % and OEE 45-75 % over the baseline, scrap 0.5-3 %: summed, then divided (ISO 22400)."""
    for profile in PROFILES:
        sums: dict[str, float] = defaultdict(float)
        for template, _, record in factory_records(profile, seed=7):
            start = date.fromisoformat(str(record.get("PeriodStart", ""))[:10] or "2000-01-01")
            if template != PRODUCTION or (profile.site.project and start >= profile.site.project.starts_on):
                continue
            for key in ("PlannedBusyTime", "ActualProductionTime", "PlannedRuntimePerItem", "ProducedQuantity",
                        "GoodQuantity", "ScrapQuantity"):
                sums[key] += float(record[key])
            sums["pru_pq"] += float(record["PlannedRuntimePerItem"]) * float(record["ProducedQuantity"])
        availability = sums["ActualProductionTime"] / sums["PlannedBusyTime"]
        oee = availability * sums["pru_pq"] / sums["ActualProductionTime"] * sums["GoodQuantity"] / \
            sums["ProducedQuantity"]
        assert 0.65 <= availability <= 0.92, profile.site
        assert 0.42 <= oee <= 0.78, profile.site
        assert 0.003 <= sums["ScrapQuantity"] / sums["ProducedQuantity"] <= 0.035


def test_the_same_seed_makes_the_same_records() -> None:
    project = Project(date(2025, 7, 1), date(2026, 2, 10))
    first = list(factory_records(_profile("25", 101, project, seed=3), seed=3))
    again = list(factory_records(_profile("25", 101, project, seed=3), seed=3))
    other = list(factory_records(_profile("25", 101, project, seed=4), seed=4))
    assert first == again
    assert first != other


def test_scales() -> None:
    national, small = production_scale_for(NATIONAL), production_scale_for(SMALL)
    assert (national.supported, national.peers) == (60, 40)
    assert small.supported < national.supported
    middle = production_scale_for(Scale("middle", 5_000, 20, 400, 300, 10))
    assert small.supported <= middle.supported <= national.supported


def test_a_small_seed_fills_the_kpi_pages_and_the_outcomes(session: Session) -> None:
    seed_demo(session, scale="small", seed=11)
    # Stored records are valid K-MDS (a sample of each kind).
    for template in (STRUCTURE, PRODUCTION, ENERGY):
        sample = session.scalars(select(ProductionRecord.record).where(ProductionRecord.template == template)
                                 .order_by(ProductionRecord.id).limit(40)).all()
        assert sample, template
        for record in sample:
            assert error_findings(template, record) == ()
    # One uploaded history per company, counting what it holds.
    batches = session.scalars(select(IngestBatch).where(IngestBatch.label == "demo")).all()
    assert batches
    assert all(batch.source is IngestSource.FILE for batch in batches)
    held = dict(session.execute(
        select(ProductionRecord.batch_id, func.count()).group_by(ProductionRecord.batch_id)).all())
    assert {batch.id: batch.accepted for batch in batches} == held
    # The factory-day aggregates are the records' sums (computed here from the raw records, independently).
    expected: dict[tuple[int, date], list[float]] = defaultdict(lambda: [0.0, 0.0, 0.0])
    for factory_id, template, day, pq, apt, energy in session.execute(select(
            ProductionRecord.factory_id, ProductionRecord.template, ProductionRecord.day, ProductionRecord.pq,
            ProductionRecord.apt, ProductionRecord.energy_kwh).where(ProductionRecord.template != STRUCTURE)):
        assert day is not None
        sums = expected[(factory_id, day)]
        if template == PRODUCTION:
            sums[0] += pq or 0.0
            sums[1] += apt or 0.0
        else:
            sums[2] += energy or 0.0
    stored = {(factory_id, day): [pq, apt, energy] for factory_id, day, pq, apt, energy in session.execute(
        select(FACTORY_DAY.c.factory_id, FACTORY_DAY.c.day, FACTORY_DAY.c.pq, FACTORY_DAY.c.apt,
               FACTORY_DAY.c.energy_kwh))}
    assert stored.keys() == expected.keys()
    for key, sums in expected.items():
        assert stored[key] == pytest.approx(sums), key
    # Outcomes measured, with a spread of findings.
    outcomes = session.execute(select(PROJECT_OUTCOME.c.computable, PROJECT_OUTCOME.c.outcome)).all()
    assert any(computable for computable, _ in outcomes)
    findings = {outcome["measures"]["productivity"]["finding"] for _, outcome in outcomes}
    assert "better" in findings
    # A KSIC division with enough factories for a peer comparison.
    divisions = Counter(ksic_code[:2] for _, ksic_code in session.execute(
        select(FACTORY_DAY.c.factory_id, Organization.ksic_code).distinct()
        .join(Organization, Organization.id == FACTORY_DAY.c.organization_id)))
    assert max(divisions.values()) >= MIN_DIVISION_FACTORIES
    # A demo company's member finds its own factory's figures.
    members = session.scalars(select(User.organization_id).where(User.email.like("member%"))).all()
    with_data = set(session.scalars(select(FACTORY_DAY.c.organization_id).distinct()))
    assert with_data & set(members)
