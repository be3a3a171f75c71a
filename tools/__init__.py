"""Developer tools, run from a checkout (`python -m tools.perf`, ...) and not shipped in the wheel:
the speed harness and its peers, the training profile, the dashboard's CPU while watching a run,
and a synthetic many-label task. docs/BENCHMARKS.md, "Developer tools", has one row per module."""
