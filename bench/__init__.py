"""Avtal benchmarks: `python -m bench` measures the event pipeline and the stack's warm start."""
