"""Benchmarks: ours side by side with the closest peer (see bench/README.md)."""
