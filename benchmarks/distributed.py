"""Data-parallel benchmark runs: N processes started by torchrun or `accelerate launch`, one result.

Every rank runs the whole benchmark on its own device (a GPU each, or on CPU its share of the
cores). Training: each optimizer step's batch is drawn exactly as in one process, and rank r
trains on items r, r+N, ...; the gradients are summed over ranks, so a step is the one-process
step up to the order of floating-point sums. Scoring: rank r scores test examples r, r+N, ...
and the log-probabilities are gathered, so every rank holds the whole split and only rank 0
writes files and events.

Why an explicit all-reduce and not DDP's wrapper: the training loop calls the model's inner
modules (`base_model`, then the output projection at the label positions only), which DDP's
forward never sees, so its reducer would not run. The arithmetic is DDP's (one sum of the
trainable gradients per step), and for LoRA (4.9M values on SmolLM2-135M) or a soft prompt
(9k) the one flattened all-reduce after backward is small next to the step.

With `--shard fsdp` (or an accelerate config with `distributed_type: FSDP`) the decoder layers are
sharded over the ranks instead of copied (`benchmarks.fsdp`): the same steps and scores, for a model
that does not fit one device.

Process groups come from accelerate's `PartialState` (NCCL on GPUs, gloo on CPUs), which reads
the environment torchrun and `accelerate launch` set, on one machine or several.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal, get_args, get_origin

from pydantic import BaseModel, ConfigDict, Field, model_validator

if TYPE_CHECKING:
    import torch

    from benchmarks.scoring import Scores
    from core.result import Environment

LAUNCH_FILE = "launch.json"  # in a run folder: how its ranks are started (absent: one process)
RANKS_LOG = "ranks.log"  # the launcher's and the ranks' own output
# How long a rank waits in a collective for the others (torch's default is 10-30 min): rank 0 alone
# runs an endpoint arm, which can take longer; a rank that dies ends the run through its launcher.
COLLECTIVE_TIMEOUT_S = 12 * 3600
CANCEL_GRACE_S = 5.0  # a cancelled rank's time to stop by itself before it is ended
BUCKET_VALUES = 1 << 24  # gradients all-reduced in flat buckets of at most this many values (64 MiB fp32)
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
        rank_entry = ["-m", "benchmarks.distributed", str(run_dir)]
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


# option of `prompt-or-tune bench` -> Launch field (help texts from the field descriptions)
LAUNCH_OPTIONS = {"--processes": "processes", "--launcher": "launcher", "--accelerate-config": "accelerate_config",
                  "--threads-per-process": "threads_per_process", "--shard": "shard"}


def add_launch_options(parser) -> None:
    """The data-parallel options of `prompt-or-tune bench` (an argparse parser)."""
    group = parser.add_argument_group("data-parallel", "one run over several processes (docs/BENCHMARKS.md)")
    kinds = {"processes": int, "threads_per_process": int, "accelerate_config": Path}
    for option, name in LAUNCH_OPTIONS.items():
        field = Launch.model_fields[name]
        choices = get_args(field.annotation) if get_origin(field.annotation) is Literal else None  # the field's own
        group.add_argument(option, dest=name, type=kinds.get(name, str), help=field.description, choices=choices)


def launch_from_args(args) -> Launch | tuple[str, str]:
    """The validated Launch of parsed bench options, or (option, message) naming what is wrong."""
    from pydantic import ValidationError

    given = {name: getattr(args, name, None) for name in LAUNCH_OPTIONS.values()}
    try:
        return Launch(**{k: v for k, v in given.items() if v is not None})
    except ValidationError as exc:
        err = exc.errors()[0]
        message = err["msg"].removeprefix("Value error, ")
        name = str(err["loc"][0]) if err["loc"] else message.split(":")[0]
        option = {field: opt for opt, field in LAUNCH_OPTIONS.items()}.get(name, "--processes")
        bounds = {type(m).__name__: getattr(m, type(m).__name__.lower(), None)
                  for m in getattr(Launch.model_fields.get(name), "metadata", [])}
        allowed = f" (allowed: {bounds['Ge']} to {bounds['Le']})" if {"Ge", "Le"} <= bounds.keys() else ""
        return option, message.removeprefix(f"{name}: ") + allowed


def read_launch(run_dir: str | Path) -> Launch:
    path = Path(run_dir) / LAUNCH_FILE
    return Launch.model_validate_json(path.read_text(encoding="utf-8")) if path.exists() else Launch()


@dataclass(frozen=True)
class World:
    """This process's place among the run's ranks (rank 0 of 1 without a process group)."""

    rank: int = 0
    size: int = 1

    @property
    def main(self) -> bool:
        return self.rank == 0


def world() -> World:
    import torch.distributed as dist

    if dist.is_available() and dist.is_initialized():
        return World(dist.get_rank(), dist.get_world_size())
    return World()


def sharding() -> Sharding:
    """How this rank holds the model: fsdp (asked for by launch.json's shard or an accelerate FSDP config,
    with several ranks) or none (a whole copy)."""
    asked = os.environ.get(SHARDING_ENV) == "fsdp" or os.environ.get("ACCELERATE_USE_FSDP") == "true"
    return "fsdp" if asked and world().size > 1 else "none"


def gather(obj: object) -> list:
    """Every rank's `obj`, in rank order (pickled; for small things: scores, counts, names).

    A sharded model's ranks first even out their forward passes (`benchmarks.fsdp.drain`): gathering
    is where a rank's uneven share of work ends."""
    import torch.distributed as dist

    w = world()
    if w.size == 1:
        return [obj]
    if sharding() == "fsdp":
        from benchmarks.fsdp import drain

        drain()
    out: list = [None] * w.size
    dist.all_gather_object(out, obj)
    return out


def shard(items: list) -> list:
    """This rank's items: every N-th, from its rank on (all of them in one process)."""
    w = world()
    return items[w.rank::w.size]


def merged(part: dict) -> dict:
    """Every rank's {key: value} in one dict (each key filled by one rank)."""
    return {key: value for some in gather(part) for key, value in some.items()}


def claim_rank_cores() -> int:
    """torch's threads for this rank: OMP_NUM_THREADS as the launcher set it (each rank its share)."""
    import torch

    threads = int(os.environ.get("OMP_NUM_THREADS") or 1)
    torch.set_num_threads(threads)
    return threads


class GradientSync:
    """The training loop's data-parallel hook: this rank's share of each batch, and the sums over ranks.

    With one process it changes nothing: the share is the batch and the sums are the local values.
    Under FSDP the sharded weights' gradients are summed by FSDP itself (reduce-scatter, in backward);
    this sums the replicated trainable ones and clips by the norm over both.
    """

    def __init__(self, params: list[torch.nn.Parameter]) -> None:
        import torch.distributed as dist
        from torch.distributed.tensor import DTensor

        self.world, self.params = world(), params
        self.sharded = [p for p in params if isinstance(p, DTensor)]
        self.replicated = [p for p in params if not isinstance(p, DTensor)]
        if self.world.size > 1:  # the same start everywhere, whatever each rank's random state was
            for p in self.replicated:
                dist.broadcast(p.data, src=0)

    def share(self, batch: list) -> list:
        return batch[self.world.rank::self.world.size]

    def reduce(self, loss: float, tokens: int, stop: bool) -> tuple[float, int, bool]:
        """Sum the gradients of `params` over ranks (in place) with (loss, tokens, stop); stop if any rank stops."""
        if self.world.size == 1:
            return loss, tokens, stop
        import torch
        import torch.distributed as dist

        device = self.params[0].device
        scalars = torch.tensor([loss, float(tokens), float(stop)], dtype=torch.float64, device=device)
        dist.all_reduce(scalars)
        for bucket in _buckets(self.replicated):
            grads = [p.grad if p.grad is not None else torch.zeros_like(p) for p in bucket]
            flat = torch.cat([g.reshape(-1).float() for g in grads])
            dist.all_reduce(flat)
            offset = 0
            for p, g in zip(bucket, grads, strict=True):
                p.grad = g.copy_(flat[offset: offset + g.numel()].view_as(g))
                offset += g.numel()
        return float(scalars[0]), int(scalars[1]), bool(scalars[2] > 0)

    def clip_grad_norm(self, max_norm: float) -> None:
        """`torch.nn.utils.clip_grad_norm_` over the whole model's gradients, sharded ones included
        (torch's own refuses a mix of sharded and plain tensors)."""
        import torch

        if not self.sharded:
            torch.nn.utils.clip_grad_norm_(self.params, max_norm)
            return
        import torch.distributed as dist

        device = self.params[0].device
        sharded = [p.grad.to_local() for p in self.sharded if p.grad is not None]
        replicated = [p.grad for p in self.replicated if p.grad is not None]
        squares = torch.zeros((), dtype=torch.float64, device=device)
        for g in sharded:
            squares += g.double().pow(2).sum()
        dist.all_reduce(squares)  # the ranks' shards together: the whole sharded weights'
        for g in replicated:  # already summed: the same on every rank
            squares += g.double().pow(2).sum()
        scale = (max_norm / (squares.sqrt() + 1e-6)).clamp(max=1.0)  # torch's clip_grad_norm_ formula
        for g in sharded + replicated:
            g.mul_(scale.to(g.dtype))


def _buckets(params: list[torch.nn.Parameter]) -> list[list[torch.nn.Parameter]]:
    buckets: list[list[torch.nn.Parameter]] = [[]] if params else []
    size = 0
    for p in params:
        if buckets[-1] and size + p.numel() > BUCKET_VALUES:
            buckets.append([])
            size = 0
        buckets[-1].append(p)
        size += p.numel()
    return buckets


def score_sharded(
    score: Callable[[list[list[int]], Callable[[int, int], None]], Scores],
    suffixes: list[list[int]],
    on_batch: Callable[[int, int], None],
) -> Scores:
    """`score(suffixes, on_batch)` over the ranks: each scores every N-th example, all get the whole.

    The gathered Scores' seconds is the slowest rank's (the split is done when it is), tokens are
    summed, and `rank_tokens_per_second` lists each rank's own rate.
    """
    import numpy as np

    from benchmarks.scoring import Scores

    w = world()
    if w.size == 1:
        return score(suffixes, on_batch)
    n = len(suffixes)
    mine = list(range(w.rank, n, w.size))

    def progress(done: int, total: int) -> None:  # rank 0's share stands for the whole split
        on_batch(min(done * w.size, n), n)

    part = score([suffixes[i] for i in mine], progress) if mine else None
    parts = gather((mine, part))
    width = next(p.logprobs.shape[1] for _, p in parts if p is not None)
    logprobs = np.zeros((n, width), dtype=np.float64)
    for indices, p in parts:
        if p is not None:
            logprobs[indices] = p.logprobs
    done = [p for _, p in parts if p is not None]
    return Scores(
        logprobs, max(p.seconds for p in done), sum(p.prompt_tokens for p in done),
        sum(p.computed_tokens for p in done), max(p.max_batch for p in done), sum(p.oom_splits for p in done),
        rank_tokens_per_second=[p.prompt_tokens / p.seconds if p else 0.0 for _, p in parts],
    )


def gathered_environment(env: Environment) -> Environment:
    """The run's environment over every rank: world size, each rank's device, the sum of their peaks, the sharding."""
    w = world()
    if w.size == 1:
        return env
    import torch

    device = f"cuda:{torch.cuda.current_device()} {env.gpu_name}" if env.device == "cuda" else (
        f"cpu ({torch.get_num_threads()} thread{'' if torch.get_num_threads() == 1 else 's'})")
    ranks = gather((device, env.mfu_peak))
    peaks = [peak for _, peak in ranks]
    total = sum(peaks) if all(peaks) else None
    basis = f"sum of the {w.size} ranks' peaks, each {env.peak_basis}" if total else env.peak_basis
    return env.model_copy(update={"world_size": w.size, "devices": [d for d, _ in ranks], "peak_flops": total,
                                  "peak_basis": basis, "sharding": sharding()})


def refused_under_fsdp(config) -> str | None:
    """Why `config` (a BenchConfig) cannot run with its model sharded, or None."""
    from benchmarks.fsdp import refused_approaches

    return refused_approaches([name for name, backend in config.arms if backend == "local"])


def _watch_cancel(run_dir: Path, every_s: float = 1.0) -> None:
    """End this rank when the run's cancel file appears or its launcher is gone (a daemon thread):
    a rank waiting in a collective for a rank that was stopped would otherwise wait for ever."""
    import signal

    parent = os.getppid()

    def watch() -> None:
        while not (run_dir / "cancel").exists() and os.getppid() == parent:
            time.sleep(every_s)
        os.kill(os.getpid(), signal.SIGTERM)  # handled in Python code; not inside a blocked collective:
        time.sleep(CANCEL_GRACE_S)
        os._exit(143)  # result.json is only ever replaced whole, so it stays valid

    threading.Thread(target=watch, name="cancel-watch", daemon=True).start()


def init_process_group(device: str) -> World:
    """Join the run's process group through accelerate (gloo on CPU, NCCL on CUDA; the device set per rank)."""
    from datetime import timedelta

    from accelerate import PartialState

    PartialState(cpu=device == "cpu", timeout=timedelta(seconds=COLLECTIVE_TIMEOUT_S))
    return world()


def main(argv: list[str]) -> int:
    """`python -m benchmarks.distributed RUN_DIR`, once per rank under torchrun or `accelerate launch`."""
    from benchmarks.config import BenchConfig
    from benchmarks.jobs import execute_rank
    from benchmarks.models import resolve_device

    if len(argv) in (2, 3) and argv[0] == "--prepare":  # a run folder for ranks started elsewhere (SLURM)
        from benchmarks.jobs import prepare_run

        config = BenchConfig.model_validate_json(Path(argv[1]).read_text(encoding="utf-8"))
        print(prepare_run(config, argv[2] if len(argv) == 3 else None))
        return 0
    if len(argv) != 1:
        print("usage: python -m benchmarks.distributed RUN_DIR (started by torchrun or accelerate launch)\n"
              "       python -m benchmarks.distributed --prepare CONFIG.json [RUNS_FOLDER]  (prints RUN_DIR)",
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
