"""A deterministic, realistic synthetic country for demonstrations, tests and benchmarks."""
