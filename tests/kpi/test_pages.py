"""The KPI pages on both databases: a company reads its own factories (and no other's), staff read the nation, and
every number on a page is the service's number."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

import midas.kpi  # noqa: F401 - registers the aggregates with ingestion
from midas.auth import Actor, Role, User
from midas.i18n import translate
from midas.kpi.api import today_in_korea
from midas.kpi.compute import KPIS, KPIS_BY_ID, NO_PLANNED_BUSY_TIME, compute_all
from midas.kpi.export import value_text
from midas.kpi.pages import BOTTOM, HEIGHT, TOP, breakdown, trend_chart
from midas.kpi.service import (
    FactoryReport,
    Grain,
    Period,
    ScopeKind,
    SeriesPoint,
    factory_report,
    rollup_report,
)
from midas.registry import Factory, Organization
from midas.web.context import LOCALE_COOKIE
from tests.factories import make_factory, make_organization, make_user, sign_in
from tests.kpi.test_aggregates import member_of, send, shift_record

NOVEMBER = Period(date(2026, 11, 1), date(2026, 11, 30))
QUERY = "start=2026-11-01&end=2026-11-30"
PEERS = 5


@dataclass(frozen=True, slots=True)
class Seeded:
    """A company with a factory that reported two days of two work units, and five peers of its division."""

    organization: Organization
    factory: Factory
    member: User
    actor: Actor
    peer_factories: tuple[Factory, ...]


def produced(seconds: int) -> dict[str, Any]:
    """The time elements of a record whose actual production time is ``seconds`` (setup 1,200 s, delay 900 s),
    consistent as K-MDS validation requires."""
    return {"ActualProductionTime": seconds, "ActualUnitProcessingTime": seconds + 1200,
            "ActualUnitBusyTime": seconds + 2100}


def seed_company(session: Session, *, peers: int = PEERS) -> Seeded:
    organization = make_organization(session, ksic_code="29", region_code="41")
    factory = make_factory(session, organization)
    member = make_user(session, Role.COMPANY_MEMBER, organization=organization)
    actor = member_of(organization)
    send(session, factory, actor,
         shift_record(2, 6, 8), shift_record(2, 14, 8, unit="P02", shift="야간", GoodQuantity=700),
         shift_record(3, 6, 8, **produced(20000)))
    peer_factories = []
    for index in range(peers):
        peer_organization = make_organization(session, ksic_code="29", region_code="48" if index % 2 else "41")
        peer = make_factory(session, peer_organization, region_code="48" if index % 2 else "41")
        send(session, peer, member_of(peer_organization),
             shift_record(2, 6, 8, **produced(16000 + 2000 * index)))
        peer_factories.append(peer)
    return Seeded(organization, factory, member, actor, tuple(peer_factories))


def report_of(session: Session, seeded: Seeded, grain: Grain = Grain.DAY) -> FactoryReport:
    return factory_report(session, actor=seeded.actor, factory_id=seeded.factory.id, period=NOVEMBER, grain=grain)


@pytest.fixture
def seeded(session: Session) -> Seeded:
    return seed_company(session)


def text_of(html: str) -> str:
    """The page's text without tags, whitespace collapsed, for assertions on what a person reads."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_a_member_reads_the_own_factory_with_the_services_numbers(client: TestClient, session: Session,
                                                                  seeded: Seeded) -> None:
    sign_in(client, seeded.member)
    response = client.get(f"/kpi/factories/{seeded.factory.id}?{QUERY}")
    assert response.status_code == 200
    html = response.text
    report = report_of(session, seeded)
    for value in report.kpis:
        row = re.search(rf'<tr data-kpi="{value.definition.id}">(.*?)</tr>', html, re.S)
        assert row is not None, value.definition.id
        assert value.definition.name_ko in row.group(1)
        assert value.definition.formula in row.group(1)
        if value.value is not None:
            assert value_text(value.definition, value.value, "ko") in row.group(1)
    oee = next(v for v in report.kpis if v.definition.id == "oee_index")
    assert oee.value is not None
    card = re.search(r'<div class="kpi-card oee" data-kpi="oee_index">(.*?)</div>', html, re.S)
    assert card is not None
    assert value_text(oee.definition, oee.value, "ko") in card.group(1)
    assert "<svg" in html
    assert "<polyline" in html
    assert 'class="waterfall"' in html
    assert f"/kpi/factories/{seeded.factory.id}/export.csv?start=2026-11-01&amp;end=2026-11-30&amp;grain=day" in html
    assert f"/kpi/factories/{seeded.factory.id}/export.xlsx?start=2026-11-01&amp;end=2026-11-30&amp;grain=day" in html
    assert "/static/kpi.css" in html


def test_the_trend_has_a_point_per_day_and_the_units_and_shifts_are_listed(client: TestClient, session: Session,
                                                                           seeded: Seeded) -> None:
    sign_in(client, seeded.member)
    html = client.get(f"/kpi/factories/{seeded.factory.id}?{QUERY}").text
    report = report_of(session, seeded)
    assert [point.label for point in report.series] == ["2026-11-02", "2026-11-03"]
    oee_line = re.search(r'<g class="series oee_index">(.*?)</g>', html, re.S)
    assert oee_line is not None
    assert oee_line.group(1).count("<circle") == 2
    units = text_of(html.split('id="units-heading"')[1].split("</table>")[0])
    assert "P01" in units
    assert "P02" in units
    shifts = text_of(html.split('id="shifts-heading"')[1].split("</table>")[0])
    assert "주간" in shifts
    assert "야간" in shifts
    unit_oee = {g.key: next(v for v in g.kpis if v.definition.id == "oee_index") for g in report.units}
    for key, value in unit_oee.items():
        assert value.value is not None
        assert value_text(value.definition, value.value, "ko") in units, key


def test_the_peer_comparison_says_a_share_and_a_band_never_a_peers_value(client: TestClient, session: Session,
                                                                         seeded: Seeded) -> None:
    sign_in(client, seeded.member)
    html = client.get(f"/kpi/factories/{seeded.factory.id}?{QUERY}").text
    report = report_of(session, seeded)
    availability = next(p for p in report.peers if p.kpi.id == "availability")
    assert availability.peers == PEERS
    assert availability.better_than_share is not None
    expected = translate("ko", "Better than {percent} % of {peers} factories in KSIC division {division}",
                         {"percent": round(availability.better_than_share * 100), "peers": PEERS, "division": "29"})
    row = re.search(r'<tr data-kpi="availability">(.*?)</tr>', html, re.S)
    assert row is not None
    assert expected in row.group(1)
    assert value_text(availability.kpi, availability.lower_quartile, "ko") in row.group(1)
    # The peers' own availabilities (16000 + 2000 i over 28800 s planned) are not in the comparison.
    band = (value_text(availability.kpi, availability.lower_quartile, "ko"),
            value_text(availability.kpi, availability.upper_quartile, "ko"))
    peer_cell = row.group(1).split('class="peer"')[1]
    for index in range(PEERS):
        own = value_text(availability.kpi, (16000 + 2000 * index) / 28800, "ko")
        if own not in band:
            assert own not in peer_cell


def test_fewer_than_five_peers_give_no_comparison(client: TestClient, session: Session) -> None:
    seeded = seed_company(session, peers=2)
    sign_in(client, seeded.member)
    html = client.get(f"/kpi/factories/{seeded.factory.id}?{QUERY}").text
    assert translate("ko", "Fewer than {minimum} factories of KSIC division {division} have a value: no comparison",
                     {"minimum": 5, "division": "29"}) in html


def test_another_organizations_factory_is_not_found(client: TestClient, session: Session, seeded: Seeded) -> None:
    stranger = make_user(session, Role.COMPANY_MEMBER)
    sign_in(client, stranger)
    assert client.get(f"/kpi/factories/{seeded.factory.id}?{QUERY}").status_code == 404
    assert client.get(f"/kpi/factories/{seeded.factory.id}/export.csv?{QUERY}").status_code == 404
    assert client.get(f"/kpi/rollup/organization/{seeded.organization.id}").status_code == 404


def test_signed_out_visitors_are_sent_to_sign_in(client: TestClient, seeded: Seeded) -> None:
    response = client.get(f"/kpi/factories/{seeded.factory.id}", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login")


def test_a_kpi_without_planned_busy_time_says_why_in_korean(client: TestClient, session: Session) -> None:
    organization = make_organization(session)
    factory = make_factory(session, organization)
    member = make_user(session, Role.COMPANY_MEMBER, organization=organization)
    record = shift_record(5, 6, 8)
    record.pop("PlannedBusyTime")
    send(session, factory, member_of(organization), record)
    sign_in(client, member)
    html = client.get(f"/kpi/factories/{factory.id}?{QUERY}").text
    reason = translate("ko", NO_PLANNED_BUSY_TIME)
    row = re.search(r'<tr data-kpi="availability">(.*?)</tr>', html, re.S)
    assert row is not None
    assert reason in row.group(1)
    assert 'data-kpi="oee_index"' in html
    assert reason in html.split('data-kpi="oee_index"')[1]
    assert "waterfall" not in html  # the breakdown is not drawn without its factors


def test_overlapping_records_are_listed_with_unit_and_day(client: TestClient, session: Session) -> None:
    organization = make_organization(session)
    factory = make_factory(session, organization)
    member = make_user(session, Role.COMPANY_MEMBER, organization=organization)
    send(session, factory, member_of(organization), shift_record(6, 6, 8), shift_record(6, 10, 8))
    sign_in(client, member)
    response = client.get(f"/kpi/factories/{factory.id}?{QUERY}")
    assert response.status_code == 200
    overlaps = text_of(response.text.split('id="overlaps"')[1].split("</section>")[0])
    assert "P01" in overlaps
    assert "2026-11-06" in overlaps
    assert "16.00" in overlaps
    assert "12.00" in overlaps


def test_the_grain_and_the_period_are_checked(client: TestClient, seeded: Seeded) -> None:
    sign_in(client, seeded.member)
    assert client.get(f"/kpi/factories/{seeded.factory.id}?grain=fortnight").status_code == 422
    response = client.get(f"/kpi/factories/{seeded.factory.id}?start=2026-11-30&end=2026-11-01")
    assert response.status_code == 422
    assert "2026-11-30" in response.text
    month = client.get(f"/kpi/factories/{seeded.factory.id}?{QUERY}&grain=month").text
    assert re.search(r'<option value="month"\s+selected>', month)


def test_the_company_start_page_lists_its_factories_with_their_oee(client: TestClient, session: Session,
                                                                   seeded: Seeded) -> None:
    idle = make_factory(session, seeded.organization, name="제2공장")
    sign_in(client, seeded.member)
    html = client.get("/kpi").text
    assert "나의 공장 KPI" in text_of(html)
    assert f'href="/kpi/factories/{seeded.factory.id}"' in html
    assert f'href="/kpi/factories/{idle.id}"' in html
    assert translate("ko", "No production records") in html
    assert client.get("/kpi/my").status_code == 200


def test_the_company_start_page_shows_the_services_oee(client: TestClient, session: Session) -> None:
    organization = make_organization(session)
    factory = make_factory(session, organization)
    member = make_user(session, Role.COMPANY_MEMBER, organization=organization)
    actor = member_of(organization)
    # A record of yesterday, so that it falls in the page's last 30 days whatever day the test runs.
    today = today_in_korea() - timedelta(days=1)
    record = shift_record(1, 6, 8)
    record["PeriodStart"] = f"{today.isoformat()}T06:00:00+09:00"
    record["PeriodEnd"] = f"{today.isoformat()}T14:00:00+09:00"
    send(session, factory, actor, record)
    report = rollup_report(session, actor=actor, kind=ScopeKind.ORGANIZATION, key=str(organization.id),
                           period=Period(today, today))
    (part,) = report.parts
    oee = next(v for v in part.kpis if v.definition.id == "oee_index")
    assert oee.value is not None
    sign_in(client, member)
    row = re.search(rf'href="/kpi/factories/{factory.id}".*?</tr>', client.get("/kpi/my").text, re.S)
    assert row is not None
    assert value_text(oee.definition, oee.value, "ko") in row.group(0)


def test_an_operator_reads_the_nation_by_region_with_links(client: TestClient, session: Session,
                                                           seeded: Seeded) -> None:
    operator = make_user(session, Role.OPERATOR)
    sign_in(client, operator)
    response = client.get(f"/kpi?{QUERY}")
    assert response.status_code == 200
    html = response.text
    assert "<h1>" in html
    assert "전국" in text_of(html.split("<h1>")[1].split("</h1>")[0])
    assert 'href="/kpi/rollup/region/41"' in html
    assert 'href="/kpi/rollup/region/48"' in html
    assert "경기도" in html
    assert "경상남도" in html
    assert 'href="/kpi/rollup/ksic/29?' in html
    assert 'action="/kpi/factories"' in html
    nation = rollup_report(session, actor=seeded.actor, kind=ScopeKind.NATION, key="", period=NOVEMBER,
                           grain=Grain.DAY)
    assert nation.factories == PEERS + 1
    oee = next(v for v in nation.kpis if v.definition.id == "oee_index")
    assert oee.value is not None
    card = re.search(r'<div class="kpi-card oee" data-kpi="oee_index">(.*?)</div>', html, re.S)
    assert card is not None
    assert value_text(oee.definition, oee.value, "ko") in card.group(1)
    assert f"/kpi/rollup/nation/all/export.csv?{QUERY.replace('&', '&amp;')}&amp;grain=day" in html


def test_an_operator_opens_a_factory_by_its_id_and_a_region(client: TestClient, session: Session,
                                                           seeded: Seeded) -> None:
    sign_in(client, make_user(session, Role.OPERATOR))
    response = client.get(f"/kpi/factories?factory_id={seeded.factory.id}", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == f"/kpi/factories/{seeded.factory.id}"
    assert client.get("/kpi/factories?factory_id=abc").status_code == 422
    assert client.get(f"/kpi/factories/{seeded.factory.id}?{QUERY}").status_code == 200
    region = client.get(f"/kpi/rollup/region/41?{QUERY}")
    assert region.status_code == 200
    assert "경기도" in region.text
    assert 'href="/kpi/rollup/ksic/29"' in region.text
    assert client.get("/kpi/rollup/planet/1").status_code == 422


def test_a_member_reads_the_own_organization_roll_up(client: TestClient, session: Session, seeded: Seeded) -> None:
    sign_in(client, seeded.member)
    html = client.get(f"/kpi/rollup/organization/{seeded.organization.id}?{QUERY}").text
    assert seeded.organization.name in html
    assert f'href="/kpi/factories/{seeded.factory.id}"' in html
    assert seeded.factory.name in html


def test_the_factory_page_in_english(client: TestClient, session: Session, seeded: Seeded) -> None:
    sign_in(client, seeded.member)
    client.cookies.set(LOCALE_COOKIE, "en")
    seeded.member.locale = "en"
    session.flush()
    html = client.get(f"/kpi/factories/{seeded.factory.id}?{QUERY}").text
    assert "Every KPI" in html
    assert "Better than" in html
    for kpi in KPIS:
        assert kpi.name in html


def test_the_navigation_shows_each_role_its_kpi_page(client: TestClient, session: Session, seeded: Seeded) -> None:
    sign_in(client, seeded.member)
    html = client.get("/kpi").text
    assert 'href="/kpi/my"' in html
    assert '<a href="/kpi">' not in html
    client.cookies.clear()
    sign_in(client, make_user(session, Role.AUDITOR))
    html = client.get("/kpi").text
    assert '<a href="/kpi" aria-current="page">' in html
    assert 'href="/kpi/my"' not in html


def point(label: str, elements: dict[str, float]) -> SeriesPoint:
    day = date.fromisoformat(label)
    return SeriesPoint(label, day, day, elements, compute_all(elements))


def shift_elements(apt: float, *, pbt: float = 28800, pq: float = 780, gq: float = 752) -> dict[str, float]:
    return {"records": 1, "pbt": pbt, "apt": apt, "pru_pq": 30 * pq, "pq": pq, "gq": gq}


def test_the_trend_breaks_where_a_kpi_is_not_computable_and_reaches_above_100() -> None:
    series = [point("2026-11-02", shift_elements(24000)), point("2026-11-03", shift_elements(20000, pbt=0)),
              point("2026-11-04", shift_elements(12000)), point("2026-11-05", shift_elements(12000))]
    chart = trend_chart(series)
    availability = next(line for line in chart.lines if line.kpi.id == "availability")
    assert len(availability.segments) == 2  # no planned busy time on the 3rd: the line stops and starts again
    assert len(availability.dots) == 3
    effectiveness = next(line for line in chart.lines if line.kpi.id == "effectiveness")
    assert len(effectiveness.dots) == 4  # 30 x 780 / 12000 = 195 %: the scale goes above 100 %
    assert chart.y_ticks[-1][1] == "200%"
    assert chart.x_labels[0][1] == "11-02"
    tops = [y for _, y, _ in effectiveness.dots]
    assert min(tops) == pytest.approx(TOP + (HEIGHT - TOP - BOTTOM) * (1 - 195 / 200))


def test_the_breakdown_multiplies_the_factors_into_oee() -> None:
    kpis = compute_all(shift_elements(24000))
    steps = breakdown(kpis, "ko")
    assert steps is not None
    assert [step.result for step in steps] == [
        "100.0 %", value_text(KPIS_BY_ID["oee_index"], 24000 / 28800, "ko"),
        value_text(KPIS_BY_ID["oee_index"], 24000 / 28800 * 30 * 780 / 24000, "ko"),
        value_text(KPIS_BY_ID["oee_index"], next(v.value for v in kpis if v.definition.id == "oee_index"), "ko")]
    assert steps[1].lost_percent == pytest.approx(100 * (1 - 24000 / 28800))
    assert breakdown(compute_all(shift_elements(24000, pbt=0)), "ko") is None
