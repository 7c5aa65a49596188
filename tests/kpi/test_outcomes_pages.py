"""The program outcome pages: a project's PQCD before and after with intervals (the service's numbers), the forest
plot and daily chart, the roll-ups of stored outcomes, the CSV, and who may read them."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

import midas.kpi  # noqa: F401 - registers the aggregates with ingestion
from midas.auth import Role, User
from midas.i18n import translate
from midas.kpi.outcomes import FINDING_LABELS, MEASURE_LABELS, Finding, Measure, MeasureOutcome, Outcome
from midas.kpi.outcomes_pages import (
    FOREST_TOP,
    daily_productivity,
    forest_plot,
    interval_text,
    nice_step,
    number_text,
    percent_text,
)
from midas.kpi.outcomes_service import BASELINE_DAYS, ProjectOutcome, project_outcome, refresh_outcomes
from midas.registry import Organization
from midas.support import ProjectStatus
from midas.support.models import SupportApplication
from midas.web.context import LOCALE_COOKIE
from tests.factories import make_user, sign_in
from tests.kpi.test_outcomes_service import COMPLETED, OPERATOR, STARTS, TODAY, send_days
from tests.kpi.test_pages import text_of
from tests.support.factories_projects import make_project


@dataclass(frozen=True, slots=True)
class Measured:
    """A completed project with 90 days of production before it and 90 after, and a member of its company."""

    project: Any
    organization: Organization
    member: User


def seed_measured(session: Session, *, title: str | None = None) -> Measured:
    project = make_project(session, starts_on=STARTS, status=ProjectStatus.COMPLETED,
                           completed_at=datetime(2026, 6, 30, 3, 0, tzinfo=UTC))
    if title is not None:
        application = session.get(SupportApplication, project.application_id)
        assert application is not None
        application.title = title
        session.flush()
    send_days(session, project, STARTS - timedelta(days=BASELINE_DAYS), BASELINE_DAYS, 20_000, 600)
    send_days(session, project, COMPLETED + timedelta(days=1), BASELINE_DAYS, 20_000, 720)
    organization = session.get(Organization, project.organization_id)
    assert organization is not None
    return Measured(project, organization, make_user(session, Role.COMPANY_MEMBER, organization=organization))


@pytest.fixture
def seeded(session: Session) -> Measured:
    return seed_measured(session)


def measured_now(session: Session, seeded: Measured) -> ProjectOutcome:
    """The service's outcome; the page measures at today in Korea, which gives the same periods as TODAY because
    the comparison period ended in September 2026."""
    return project_outcome(session, actor=OPERATOR, project_id=seeded.project.id, today=TODAY)


def row_of(html: str, measure: Measure) -> str:
    row = re.search(rf'<tr data-measure="{measure.value}">(.*?)</tr>', html, re.S)
    assert row is not None, measure
    return row.group(1)


def test_the_project_page_shows_the_services_numbers(client: TestClient, session: Session, seeded: Measured) -> None:
    sign_in(client, seeded.member)
    response = client.get(f"/kpi/projects/{seeded.project.id}/outcome")
    assert response.status_code == 200, response.text
    html = response.text
    measured = measured_now(session, seeded)
    assert measured.outcome is not None
    for measure, value in measured.outcome.measures.items():
        row = row_of(html, measure)
        assert translate("ko", MEASURE_LABELS[measure]) in row
        assert translate("ko", FINDING_LABELS[value.finding]) in row
        if value.baseline_value is not None:
            assert number_text(value.baseline_value) in row
        if value.after_value is not None:
            assert number_text(value.after_value) in row
        if value.improvement_pct is not None:
            assert percent_text(value.improvement_pct) in row
            assert interval_text(value.ci_low_pct, value.ci_high_pct, "ko") in row
    productivity = measured.outcome.measures[Measure.PRODUCTIVITY]
    assert productivity.finding is Finding.BETTER
    cost = text_of(row_of(html, Measure.COST))
    assert translate("ko", "Not computable") in cost  # no energy reported: the reason is said in Korean
    assert "EnergyConsumption" in cost
    page = text_of(html)
    assert seeded.organization.name in page
    assert translate("ko", "Basic") in page
    assert translate("ko", "On-time rate not computable because K-MDS records carry no due date") in page
    assert translate("ko", "Measured {days} days after completion, {start} to {end}",
                     {"days": BASELINE_DAYS, "start": "2026-07-01", "end": "2026-09-28"}) in page


def test_the_forest_plot_has_a_row_per_measure_and_the_targets(client: TestClient, session: Session,
                                                              seeded: Measured) -> None:
    sign_in(client, seeded.member)
    html = client.get(f"/kpi/projects/{seeded.project.id}/outcome").text
    forest = html.split('class="kpi-trend outcome-forest"')[1].split("</figure>")[0]
    rows = re.findall(r'<g class="forest-row (\w+)" data-measure="(\w+)">(.*?)</g>', forest, re.S)
    assert [measure for _, measure, _ in rows] == [m.value for m in Measure]
    drawn = {measure: body for _, measure, body in rows}
    assert drawn["productivity"].count('class="whisker"') == 3
    assert drawn["productivity"].count('class="point"') == 1
    assert 'class="point"' not in drawn["cost"]
    assert 'class="zero"' in forest
    # the plan declares productivity +15 % and quality (3.0 -> 1.5) +50 %: both drawn as target marks
    assert 'class="target"' in drawn["productivity"]
    assert 'class="target"' in drawn["quality"]
    productivity = row_of(html, Measure.PRODUCTIVITY)
    assert percent_text(15.0) in productivity
    assert translate("ko", "Met") in productivity
    daily = html.split('class="kpi-trend outcome-daily"')[1].split("</figure>")[0]
    assert f'<g class="daily-panel before" data-days="{BASELINE_DAYS}">' in daily
    assert f'<g class="daily-panel after" data-days="{BASELINE_DAYS}">' in daily
    assert daily.count("<polyline") == 2
    assert daily.count('class="level"') == 2


def test_a_stranger_gets_not_found(client: TestClient, session: Session, seeded: Measured) -> None:
    sign_in(client, make_user(session, Role.COMPANY_MEMBER))
    assert client.get(f"/kpi/projects/{seeded.project.id}/outcome").status_code == 404
    assert client.get(f"/kpi/projects/{seeded.project.id}/outcome.csv").status_code == 404
    assert client.get("/kpi/projects/999999/outcome").status_code == 404


def test_a_project_not_completed_shows_its_baseline_only(client: TestClient, session: Session) -> None:
    running = make_project(session, starts_on=STARTS, status=ProjectStatus.IN_PROGRESS)
    send_days(session, running, STARTS - timedelta(days=BASELINE_DAYS), 30, 20_000, 600)
    sign_in(client, make_user(session, Role.OPERATOR))
    response = client.get(f"/kpi/projects/{running.id}/outcome")
    assert response.status_code == 200, response.text
    html = response.text
    page = text_of(html)
    assert translate("ko", "Not completed yet: the outcome will be measured over the {days} days after completion",
                     {"days": BASELINE_DAYS}) in page
    assert "outcome-forest" not in html
    assert "outcome-improvement" not in html
    baseline = sum(20_000 + (n % 5) * 100 for n in range(30)) / 3600
    produced = sum(600 + (n % 7) * 3 for n in range(30))
    assert number_text(produced / baseline) in row_of(html, Measure.PRODUCTIVITY)
    assert '<g class="daily-panel before" data-days="30">' in html
    assert "daily-panel after" not in html


def test_the_csv_has_the_measures_with_a_bom_and_no_formula(client: TestClient, session: Session) -> None:
    seeded = seed_measured(session, title="=HYPERLINK(\"http://example.com\")")
    sign_in(client, seeded.member)
    response = client.get(f"/kpi/projects/{seeded.project.id}/outcome.csv")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert response.content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["과제 / Project", str(seeded.project.id), "'=HYPERLINK(\"http://example.com\")"]
    header = rows[2]
    assert header[0] == "측정 / Measure"
    body = {row[0].split(" / ")[1]: dict(zip(header, row, strict=True)) for row in rows[3:]}
    assert list(body) == [MEASURE_LABELS[m] for m in Measure]
    measured = measured_now(session, seeded)
    assert measured.outcome is not None
    productivity = measured.outcome.measures[Measure.PRODUCTIVITY]
    row = body[MEASURE_LABELS[Measure.PRODUCTIVITY]]
    assert row["판단 / Finding"] == "better"
    assert float(row["개선율 % / Improvement %"]) == pytest.approx(productivity.improvement_pct)
    assert float(row["95% 구간 하한 % / Interval low %"]) == pytest.approx(productivity.ci_low_pct)
    assert float(row["목표 개선율 % / Target %"]) == pytest.approx(15.0)
    assert row["목표 달성 / Target met"] == "달성 / met"
    assert body[MEASURE_LABELS[Measure.COST]]["개선율 % / Improvement %"] == ""
    assert not any(cell.startswith(("=", "+", "@")) for line in rows for cell in line)


def test_the_roll_ups_say_how_to_measure_then_show_the_group(client: TestClient, session: Session,
                                                            seeded: Measured) -> None:
    sign_in(client, make_user(session, Role.OPERATOR))
    empty = client.get("/kpi/outcomes")
    assert empty.status_code == 200
    assert "midas kpi outcomes" in empty.text
    refresh_outcomes(session, actor=OPERATOR, today=TODAY)
    html = client.get("/kpi/outcomes?by=track").text
    row = re.search(r'<tr data-group="basic">(.*?)</tr>', html, re.S)
    assert row is not None
    assert translate("ko", "Basic") in row.group(1)
    measured = measured_now(session, seeded)
    assert measured.outcome is not None
    median = measured.outcome.measures[Measure.PRODUCTIVITY].improvement_pct  # the median of one project
    assert percent_text(median) in row.group(1)
    assert 'class="bar productivity"' in html
    region = client.get("/kpi/outcomes?by=region").text
    assert re.search(rf'<tr data-group="{seeded.organization.region_code}">', region)
    assert client.get("/kpi/outcomes?by=year").status_code == 200
    assert client.get("/kpi/outcomes?by=ksic").status_code == 200
    assert client.get("/kpi/outcomes?by=planet").status_code == 422


def test_a_member_does_not_see_a_group_of_one_project(client: TestClient, session: Session, seeded: Measured) -> None:
    refresh_outcomes(session, actor=OPERATOR, today=TODAY)
    sign_in(client, seeded.member)
    html = client.get("/kpi/outcomes").text
    assert 'data-group="basic"' not in html
    assert translate("ko", "No group has the {minimum} projects needed to be shown.", {"minimum": 3}) in text_of(html)


def test_the_project_and_nation_pages_link_to_the_outcomes(client: TestClient, session: Session,
                                                           seeded: Measured) -> None:
    sign_in(client, make_user(session, Role.OPERATOR))
    assert f'href="/kpi/projects/{seeded.project.id}/outcome"' in client.get(
        f"/support/projects/{seeded.project.id}").text
    assert 'href="/kpi/outcomes"' in client.get("/kpi").text


def test_the_project_page_in_english(client: TestClient, session: Session, seeded: Measured) -> None:
    sign_in(client, seeded.member)
    client.cookies.set(LOCALE_COOKIE, "en")
    seeded.member.locale = "en"
    session.flush()
    page = text_of(client.get(f"/kpi/projects/{seeded.project.id}/outcome").text)
    assert "Measured outcome" in page
    assert "Productivity" in page
    assert "Better" in page
    assert "units per hour" in page


def measure(kind: Measure, finding: Finding, improvement: float | None = None, low: float | None = None,
            high: float | None = None) -> MeasureOutcome:
    return MeasureOutcome(kind, finding, "units/h", True, 30, 30, 1.0, 1.0, improvement, low, high)


def test_the_forest_plot_places_points_between_whiskers_around_zero() -> None:
    outcome = Outcome({
        Measure.PRODUCTIVITY: measure(Measure.PRODUCTIVITY, Finding.BETTER, 20.0, 5.0, 41.0),
        Measure.QUALITY: measure(Measure.QUALITY, Finding.WORSE, -12.0, -30.0, -2.0),
        Measure.COST: measure(Measure.COST, Finding.NOT_COMPUTABLE),
        Measure.DELIVERY: measure(Measure.DELIVERY, Finding.NO_CLEAR_CHANGE, 3.0, -8.0, 14.0),
    }, (), 2000, 1)
    plot = forest_plot(outcome, {"productivity": 15.0}, "en")
    assert [row.measure for row in plot.rows] == list(Measure)
    assert plot.zero_x == pytest.approx((plot.plot_left + plot.plot_right) / 2)
    better, worse, cost, unclear = plot.rows
    assert better.low_x is not None
    assert better.high_x is not None
    assert better.point_x is not None
    assert plot.zero_x < better.low_x < better.point_x < better.high_x <= plot.plot_right
    assert worse.high_x is not None
    assert worse.high_x < plot.zero_x
    assert unclear.low_x is not None
    assert unclear.high_x is not None
    assert unclear.low_x < plot.zero_x < unclear.high_x
    assert cost.point_x is None
    assert cost.low_x is None
    assert cost.text == "Not computable"
    assert better.target_x is not None
    assert plot.zero_x < better.target_x < better.point_x
    assert better.line_y == pytest.approx(FOREST_TOP + 40)
    assert [text for _, text in plot.ticks] == ["-60%", "-40%", "-20%", "0", "+20%", "+40%", "+60%"]


def test_nice_steps_and_daily_productivity() -> None:
    assert nice_step(41.0, 3) == 20.0
    assert nice_step(95.0, 4) == 25.0
    assert nice_step(0.9, 4) == pytest.approx(0.25)
    days = [(date(2026, 1, 1), {"pq": 100.0, "apt": 7200.0}), (date(2026, 1, 2), {"pq": 100.0, "apt": 0.0}),
            (date(2026, 1, 3), {"apt": 3600.0})]
    assert daily_productivity(days) == [(date(2026, 1, 1), 50.0)]
    assert number_text(1234.56) == "1,234.6"
    assert number_text(19.144) == "19.14"
    assert number_text(0.033333) == "0.03333"
    assert percent_text(-2.04) == "-2.0\u00a0%"
