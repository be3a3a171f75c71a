"""One rank of a data-parallel run: `python -m benchmarks.rank RUN_DIR`, started by torchrun or
`accelerate launch` once per rank (`benchmarks.launch.Launch.command`).

`python -m benchmarks.rank --prepare CONFIG.json [RUNS_FOLDER]` writes a run folder for ranks
started elsewhere (a SLURM job) and prints it.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
from pathlib import Path

from benchmarks.collectives import init_process_group, sharding
from benchmarks.config import BenchConfig
from benchmarks.jobs import execute_rank, prepare_run
from benchmarks.launch import DEEPSPEED_REFUSED, refused_under_fsdp
from benchmarks.models import resolve_device

CANCEL_GRACE_S = 5.0  # a cancelled rank's time to stop by itself before it is ended


def _watch_cancel(run_dir: Path, every_s: float = 1.0) -> None:
    """End this rank when the run's cancel file appears or its launcher is gone (a daemon thread):
    a rank waiting in a collective for a rank that was stopped would otherwise wait for ever."""
    parent = os.getppid()

    def watch() -> None:
        while not (run_dir / "cancel").exists() and os.getppid() == parent:
            time.sleep(every_s)
        os.kill(os.getpid(), signal.SIGTERM)  # handled in Python code; not inside a blocked collective:
        time.sleep(CANCEL_GRACE_S)
        os._exit(143)  # result.json is only ever replaced whole, so it stays valid

    threading.Thread(target=watch, name="cancel-watch", daemon=True).start()


def main(argv: list[str]) -> int:
    """Run this rank on the run folder `argv[0]` (or `--prepare` one); the exit code."""
    if len(argv) in (2, 3) and argv[0] == "--prepare":
        config = BenchConfig.model_validate_json(Path(argv[1]).read_text(encoding="utf-8"))
        print(prepare_run(config, argv[2] if len(argv) == 3 else None))
        return 0
    if len(argv) != 1:
        print("usage: python -m benchmarks.rank RUN_DIR (started by torchrun or accelerate launch)\n"
              "       python -m benchmarks.rank --prepare CONFIG.json [RUNS_FOLDER]  (prints RUN_DIR)",
              file=sys.stderr)
        return 2
    if os.environ.get("ACCELERATE_USE_DEEPSPEED") == "true":
        print(f"accelerate config: {DEEPSPEED_REFUSED}", file=sys.stderr)
        return 2
    run_dir = Path(argv[0])
    config = BenchConfig.model_validate_json((run_dir / "config.json").read_text(encoding="utf-8"))
    init_process_group(resolve_device(config.device)[0])
    if sharding() == "fsdp" and (refused := refused_under_fsdp(config)):
        print(refused, file=sys.stderr)
        return 2
    _watch_cancel(run_dir)
    code = execute_rank(run_dir)
    if code == 0:  # a cancelled rank just exits: its peers may be inside a collective
        import torch.distributed as dist

        dist.destroy_process_group()
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
