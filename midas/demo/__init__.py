"""A deterministic, realistic synthetic country for demonstrations, tests and benchmarks."""

from midas.demo.distributions import NATIONAL, SCALES, SMALL, Scale
from midas.demo.loader import DemoSummary, RecordedSeed, recorded_seed, seed_demo
from midas.demo.national import DemoCountry, DemoCredential, demo_credentials, generate_country

__all__ = [
    "NATIONAL",
    "SCALES",
    "SMALL",
    "DemoCountry",
    "DemoCredential",
    "DemoSummary",
    "RecordedSeed",
    "Scale",
    "demo_credentials",
    "generate_country",
    "recorded_seed",
    "seed_demo",
]
