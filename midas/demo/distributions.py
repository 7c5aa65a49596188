"""The shapes of the synthetic country: how many of what, where, in which industry, how large.

The weights are relative (they need not sum to 1). They are rounded, approximate readings of public
statistics, close enough that charts of the demo data look like Korean manufacturing, not copies of them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from midas.registry import OrganizationKind

# Manufacturing establishments by region (KOSIS, 광업·제조업조사, establishments with 10+ employees,
# around 2021, rounded). Gyeonggi alone holds about a third of Korean manufacturing.
REGION_WEIGHTS: Mapping[str, float] = {
    "41": 33.0,  # 경기도
    "48": 10.0,  # 경상남도
    "47": 8.2,   # 경상북도
    "44": 6.4,   # 충청남도
    "28": 6.2,   # 인천광역시
    "26": 5.8,   # 부산광역시
    "27": 5.0,   # 대구광역시
    "43": 4.6,   # 충청북도
    "31": 2.6,   # 울산광역시
    "11": 3.4,   # 서울특별시
    "52": 2.8,   # 전북특별자치도
    "46": 2.5,   # 전라남도
    "29": 1.9,   # 광주광역시
    "30": 1.5,   # 대전광역시
    "51": 1.4,   # 강원특별자치도
    "36": 0.5,   # 세종특별자치시
    "50": 0.3,   # 제주특별자치도
}

# Technology suppliers (software, automation, IoT) cluster in Seoul and Pangyo/Suwon (Gyeonggi), with a
# research-park tail in Daejeon: after the smart-factory supplier pool of the Korea Smart Manufacturing
# Office (스마트제조혁신추진단), approximate.
SUPPLIER_REGION_WEIGHTS: Mapping[str, float] = {
    **{code: weight * 0.4 for code, weight in REGION_WEIGHTS.items()},
    "11": 30.0,
    "41": 36.0,
    "30": 5.0,
}

# Large enterprises keep their head office in Seoul far more often than their plants (FTC business-group
# designations, approximate); the plants follow REGION_WEIGHTS.
LARGE_ENTERPRISE_REGION_WEIGHTS: Mapping[str, float] = {
    **{code: weight * 0.6 for code, weight in REGION_WEIGHTS.items()},
    "11": 35.0,
}

# Manufacturing establishments by KSIC division (same KOSIS survey, rounded): fabricated metal (25) and
# machinery (29) lead, then rubber/plastics (22), food (10), motor-vehicle parts (30), electronics (26)...
KSIC_WEIGHTS: Mapping[str, float] = {
    "25": 17.0, "29": 14.0, "22": 8.5, "10": 7.5, "30": 7.0, "26": 6.2, "28": 6.0, "20": 5.5,
    "24": 4.0, "23": 3.8, "13": 3.6, "27": 3.0, "17": 2.2, "14": 1.8, "31": 2.0, "32": 1.8,
    "33": 1.8, "18": 1.4, "21": 1.1, "34": 1.3, "16": 0.9, "15": 0.6, "11": 0.5, "19": 0.2, "12": 0.02,
}

# Regional specialisations multiply the national division weights: Ulsan's cars, ships and petrochemicals,
# Gumi's electronics, Pohang's and Gwangyang's steel, Changwon's machinery, Yeosu's chemicals, Daegu's
# textiles, Seoul's apparel and printing, Jeju's food (the regions' "주력산업" lists, qualitative).
REGION_KSIC_AFFINITY: Mapping[str, Mapping[str, float]] = {
    "11": {"14": 5.0, "18": 4.0, "26": 1.5, "27": 1.8, "25": 0.6, "29": 0.7},
    "26": {"31": 3.0, "25": 1.3, "24": 1.5, "15": 2.0},
    "27": {"13": 2.5, "30": 1.5, "25": 1.2, "27": 1.5},
    "28": {"25": 1.3, "29": 1.3, "20": 1.3},
    "29": {"30": 2.0, "28": 1.6},
    "30": {"26": 1.8, "27": 2.0, "21": 1.5},
    "31": {"30": 3.0, "31": 4.0, "20": 3.0, "19": 6.0},
    "36": {"26": 1.5, "21": 1.5},
    "41": {"26": 1.4, "22": 1.1, "28": 1.2},
    "43": {"26": 1.6, "21": 2.5, "10": 1.5},
    "44": {"26": 1.6, "20": 1.8, "24": 1.6, "30": 1.4},
    "46": {"20": 4.0, "24": 2.5, "10": 2.0, "31": 2.0},
    "47": {"26": 2.0, "24": 2.5, "30": 1.3, "13": 1.5},
    "48": {"29": 1.5, "31": 3.0, "30": 1.2},
    "50": {"10": 6.0, "11": 4.0},
    "51": {"10": 2.0, "23": 2.0, "27": 1.6},
    "52": {"10": 2.0, "20": 1.3, "30": 1.5},
}

# Technology suppliers must carry a manufacturing division in the registry (10-34). Software and IoT firms
# are really KSIC J 58/62; here they are filed under what they integrate: electronics and control (26),
# machinery and automation (29), electrical equipment (28) and measuring instruments (27).
SUPPLIER_KSIC_WEIGHTS: Mapping[str, float] = {"26": 40.0, "29": 30.0, "28": 15.0, "27": 15.0}

# Large enterprises concentrate in cars, electronics, chemicals, steel, ships and machinery.
LARGE_ENTERPRISE_KSIC_WEIGHTS: Mapping[str, float] = {
    "30": 18.0, "26": 16.0, "20": 14.0, "24": 10.0, "31": 8.0, "29": 8.0, "28": 6.0, "10": 6.0,
    "22": 4.0, "21": 4.0, "19": 3.0, "25": 3.0,
}

# Institutes (technoparks, regional innovation centres) exist in every region, a little more where
# manufacturing is.
INSTITUTE_REGION_WEIGHTS: Mapping[str, float] = {code: 1.0 + weight / 10 for code, weight in REGION_WEIGHTS.items()}


@dataclass(frozen=True, slots=True)
class Scale:
    """How many organizations of each kind one run generates; SMEs fill the rest."""

    name: str
    organizations: int
    large_enterprises: int
    technology_suppliers: int
    midsize: int
    institutes: int

    @property
    def smes(self) -> int:
        return self.organizations - self.large_enterprises - self.technology_suppliers - self.midsize - self.institutes

    def count(self, kind: OrganizationKind) -> int:
        return {
            OrganizationKind.SME: self.smes,
            OrganizationKind.MIDSIZE: self.midsize,
            OrganizationKind.LARGE_ENTERPRISE: self.large_enterprises,
            OrganizationKind.TECHNOLOGY_SUPPLIER: self.technology_suppliers,
            OrganizationKind.INSTITUTE: self.institutes,
        }[kind]


# MIDAS 2027 aims at 25,000 digital manufacturing companies; the program's supplier pool is about 2,000.
NATIONAL = Scale("national", organizations=25_000, large_enterprises=100, technology_suppliers=2_000,
                 midsize=1_500, institutes=50)
SMALL = Scale("small", organizations=300, large_enterprises=3, technology_suppliers=24, midsize=18, institutes=3)
SCALES: Mapping[str, Scale] = {scale.name: scale for scale in (NATIONAL, SMALL)}


@dataclass(frozen=True, slots=True)
class SizeShape:
    """A log-normal employee count (median, spread, bounds) and revenue per employee in KRW."""

    median_employees: float
    employee_sigma: float
    min_employees: int
    max_employees: int
    revenue_per_employee_krw: float | None
    revenue_sigma: float
    min_revenue_krw: int = 0
    max_revenue_krw: int | None = None


# Employee counts after the SME statistics (중소벤처기업부 중소기업 기본통계): most manufacturing SMEs have
# 5-50 staff. Revenue per employee in manufacturing is about 0.2-0.3 billion KRW for SMEs and rises with
# size (KOSIS, approximate).
SIZE_SHAPES: Mapping[OrganizationKind, SizeShape] = {
    OrganizationKind.SME: SizeShape(16, 0.9, 5, 299, 230_000_000, 0.45),
    OrganizationKind.MIDSIZE: SizeShape(550, 0.5, 300, 3_000, 420_000_000, 0.4),
    OrganizationKind.LARGE_ENTERPRISE: SizeShape(2_500, 1.0, 300, 20_000, 1_200_000_000, 0.6,
                                                 100_000_000_000, 100_000_000_000_000),
    OrganizationKind.TECHNOLOGY_SUPPLIER: SizeShape(25, 0.9, 5, 299, 150_000_000, 0.5),
    OrganizationKind.INSTITUTE: SizeShape(150, 0.6, 20, 2_000, None, 0.0),
}


@dataclass(frozen=True, slots=True)
class FoundingShape:
    """Founding years as first + span * Beta(a, b): a > b skews towards recent years."""

    first: int
    span: int
    alpha: float
    beta: float


LAST_FOUNDING_YEAR = 2024
FOUNDING_SHAPES: Mapping[OrganizationKind, FoundingShape] = {
    OrganizationKind.SME: FoundingShape(1960, LAST_FOUNDING_YEAR - 1960, 2.2, 1.2),
    OrganizationKind.MIDSIZE: FoundingShape(1960, LAST_FOUNDING_YEAR - 1960, 1.6, 1.5),
    OrganizationKind.LARGE_ENTERPRISE: FoundingShape(1960, 45, 1.2, 2.0),
    OrganizationKind.TECHNOLOGY_SUPPLIER: FoundingShape(1990, LAST_FOUNDING_YEAR - 1990, 2.5, 1.2),
    OrganizationKind.INSTITUTE: FoundingShape(1975, 45, 1.5, 1.2),
}

# Factories per organization: (count, weight). About 1.6 on average over the national mix.
FACTORY_COUNTS: Mapping[OrganizationKind, tuple[tuple[int, float], ...]] = {
    OrganizationKind.SME: ((1, 0.40), (2, 0.57), (3, 0.03)),
    OrganizationKind.MIDSIZE: ((1, 0.2), (2, 0.3), (3, 0.3), (4, 0.2)),
    OrganizationKind.LARGE_ENTERPRISE: tuple((n, 1.0) for n in range(3, 16)),
    OrganizationKind.TECHNOLOGY_SUPPLIER: ((0, 0.55), (1, 0.4), (2, 0.05)),
    OrganizationKind.INSTITUTE: ((0, 0.6), (1, 0.4)),
}

# Production lines per factory: (fewest, most).
PRODUCTION_LINES: Mapping[OrganizationKind, tuple[int, int]] = {
    OrganizationKind.SME: (1, 8),
    OrganizationKind.MIDSIZE: (2, 20),
    OrganizationKind.LARGE_ENTERPRISE: (4, 40),
    OrganizationKind.TECHNOLOGY_SUPPLIER: (1, 3),
    OrganizationKind.INSTITUTE: (1, 2),
}

# Share of factories built in the head office's own region (the rest follow REGION_WEIGHTS).
FACTORY_HOME_REGION_SHARE = 0.85
# Share of factories in a district with an industrial complex that sit inside it rather than on an individual
# site (개별입지); with the districts of names.AREAS about two thirds of all plants end up in a complex,
# roughly the complexes' share of manufacturing (한국산업단지공단, approximate).
IN_COMPLEX_WHERE_AVAILABLE = 0.78
# Share of large enterprises' and suppliers' head offices in an office district rather than at a plant.
OFFICE_HEAD_OFFICE_SHARE = 0.6
# Share of SMEs registered as corporations (the rest are sole proprietors, 개인사업자).
SME_CORPORATION_SHARE = 0.8
# Share of organizations with a digital-transformation lead as second contact.
DX_LEAD_SHARE = 0.6
# Share of corporations with a website.
WEBSITE_SHARE = 0.6
