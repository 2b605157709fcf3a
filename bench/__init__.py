"""Benchmarks (not run by the tests): `python -m bench.reports`."""
