"""Launch settings: how a run's processes are started (launch.json in its folder; absent: one process).

The bench command's options map onto `Launch`'s fields (`prompt_or_tune/commands/bench.py`); the
launcher starts `python -m benchmarks.rank RUN_DIR` once per rank (`benchmarks.rank`).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

if TYPE_CHECKING:
    from benchmarks.config import BenchConfig

LAUNCH_FILE = "launch.json"  # in a run folder: how its ranks are started (absent: one process)
RANKS_LOG = "ranks.log"  # the launcher's and the ranks' own output
SHARDING_ENV = "PROMPT_OR_TUNE_SHARDING"  # "fsdp" in the ranks' environment: shard the model (Launch.shard)
Sharding = Literal["none", "fsdp"]


class Launch(BaseModel):
    """How a run's processes are started (saved as launch.json next to config.json)."""

    model_config = ConfigDict(extra="forbid")

    processes: int = Field(1, ge=1, le=1024, description="processes on this machine, one per GPU (or CPU share)")
    launcher: Literal["torchrun", "accelerate"] = Field(
        "torchrun", description="torchrun (torch.distributed.run, one machine) or accelerate launch (its config "
        "file may name several machines)")
    accelerate_config: Path | None = Field(None, description="an `accelerate config` YAML file (launcher accelerate)")
    threads_per_process: int | None = Field(None, ge=1, le=1024, description="CPU threads each rank uses; default: "
                                            "the cores this process may use, divided among the processes")
    shard: Sharding = Field("none", description="none: a whole model on each rank; fsdp: each decoder layer "
                            "sharded over the ranks (FSDP2), for a model that does not fit one device")

    @model_validator(mode="after")
    def _check(self) -> Launch:
        if self.accelerate_config is not None:
            if self.launcher != "accelerate":
                raise ValueError("accelerate_config: needs launcher accelerate")
            if not Path(self.accelerate_config).is_file():
                raise ValueError(f"accelerate_config: no such file: {self.accelerate_config}")
            if (kind := self.accelerate_type()) == "DEEPSPEED":
                raise ValueError(f"accelerate_config: {DEEPSPEED_REFUSED}")
            if kind == "FSDP":
                self.shard = "fsdp"  # the config file's way of asking for it
        if self.shard == "fsdp" and self.processes < 2 and self.accelerate_config is None:
            raise ValueError("shard: fsdp shards over several processes: give --processes 2 or more")
        return self

    def accelerate_type(self) -> str | None:
        """The accelerate config file's distributed_type (MULTI_GPU, FSDP, ...), if it has one."""
        import yaml

        try:
            found = yaml.safe_load(Path(self.accelerate_config).read_text(encoding="utf-8")) \
                if self.accelerate_config else None
        except yaml.YAMLError as exc:
            raise ValueError(f"accelerate_config: not a YAML file: {exc}") from exc
        kind = found.get("distributed_type") if isinstance(found, dict) else None
        return str(kind).upper() if kind else None

    @property
    def distributed(self) -> bool:
        """True when the run goes through a launcher (even one process under accelerate)."""
        return self.processes > 1 or self.launcher == "accelerate"

    def threads(self) -> int:
        from benchmarks.environment import usable_cores

        return self.threads_per_process or max(1, usable_cores() // self.processes)

    def command(self, run_dir: str | Path) -> list[str]:
        """The launcher command line that starts this machine's ranks on `run_dir`."""
        rank_entry = ["-m", "benchmarks.rank", str(run_dir)]
        if self.launcher == "torchrun":
            return [sys.executable, "-m", "torch.distributed.run", "--standalone",
                    f"--nproc-per-node={self.processes}", *rank_entry]
        launch = [sys.executable, "-m", "accelerate.commands.launch"]
        if self.accelerate_config:
            launch += ["--config_file", str(self.accelerate_config)]
        else:  # accelerate's --multi_gpu is its torchrun path: on CPUs too (gloo), no MPI needed
            launch += ["--num_processes", str(self.processes), "--num_machines", "1"]
            launch += ["--multi_gpu"] if self.processes > 1 else []
        return [*launch, *rank_entry]

    def environment(self) -> dict[str, str]:
        """The ranks' environment: this one, with each rank's CPU threads and the sharding set."""
        threads = str(self.threads())
        return {**os.environ, "OMP_NUM_THREADS": threads, "MKL_NUM_THREADS": threads, SHARDING_ENV: self.shard}


DEEPSPEED_REFUSED = ("distributed_type DEEPSPEED is not supported by the benchmark's training loop (use MULTI_GPU, "
                     "or FSDP to shard a model that does not fit one device; docs/BENCHMARKS.md, Several GPUs)")


def read_launch(run_dir: str | Path) -> Launch:
    path = Path(run_dir) / LAUNCH_FILE
    return Launch.model_validate_json(path.read_text(encoding="utf-8")) if path.exists() else Launch()


def refused_under_fsdp(config: BenchConfig) -> str | None:
    """Why `config` cannot run with its model sharded, or None."""
    from benchmarks.fsdp import refused_approaches

    return refused_approaches([name for name, backend in config.arms if backend == "local"])
