"""`python -m benchmarks RUN_DIR`: execute one prepared run (what `jobs.start_run` spawns)."""

from __future__ import annotations

import sys

from benchmarks.jobs import execute


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python -m benchmarks RUN_DIR  (a folder made by benchmarks.jobs.prepare_run)", file=sys.stderr)
        return 2
    status = execute(argv[0])
    return 0 if status.state == "complete" else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
