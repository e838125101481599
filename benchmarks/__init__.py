"""Benchmarks: each ``bench_*`` module has ``main(argv) -> int``; ``python -m benchmarks`` runs them all."""
