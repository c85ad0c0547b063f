"""Runnable benchmarks: `python -m bench.<name>`; each prints its figure beside a baseline."""
