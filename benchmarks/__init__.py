"""Benchmark scripts; each writes its results into docs/benchmarks.md."""
