"""The home page: what MIDAS is for visitors; the registry at a glance, as charts, for signed-in people."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from midas.auth import Permission
from midas.registry import count_organizations_by, ksic_divisions, regions
from midas.web.charts import BarChart, bar_chart
from midas.web.context import CurrentActor, DbSession, request_locale
from midas.web.rendering import render

router = APIRouter(include_in_schema=False)


@router.get("/")
def home(request: Request, session: DbSession, actor: CurrentActor) -> Response:
    if not actor.can(Permission.REGISTRY_VIEW):
        return render(request, "home.html", {})
    locale = request_locale(request)
    by_region = count_organizations_by(session, actor=actor, column="region_code")
    by_ksic = count_organizations_by(session, actor=actor, column="ksic_code")
    by_kind = count_organizations_by(session, actor=actor, column="kind")
    region_chart: BarChart = bar_chart(
        [(regions()[code].name(locale), count, f"/registry/organizations?region_code={code}")
         for code, count in by_region.items() if code in regions()],
    )
    ksic_chart: BarChart = bar_chart(
        [(f"{code} {ksic_divisions()[code].name(locale)}", count, f"/registry/organizations?ksic_code={code}")
         for code, count in by_ksic.items() if code in ksic_divisions()],
        limit=12,
    )
    return render(request, "dashboard.html", {
        "total": sum(by_kind.values()),
        "by_kind": by_kind,
        "region_chart": region_chart,
        "ksic_chart": ksic_chart,
    })
