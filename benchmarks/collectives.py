"""What the ranks of a data-parallel run do together: their process group, gathering, sharded scoring.

Every rank runs the whole benchmark on its own device (a GPU each, or on CPU its share of the
cores). Scoring: rank r scores test examples r, r+N, ... and the log-probabilities are gathered,
so every rank holds the whole split and only rank 0 writes files and events. Training's sum over
the ranks is `benchmarks.gradient_sync`; how the ranks are started, `benchmarks.launch`.

Process groups come from accelerate's `PartialState` (NCCL on GPUs, gloo on CPUs), which reads
the environment torchrun and `accelerate launch` set, on one machine or several.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from benchmarks.launch import SHARDING_ENV, Sharding

if TYPE_CHECKING:
    from benchmarks.scoring import Scores
    from core.result import Environment

# How long a rank waits in a collective for the others (torch's default is 10-30 min): rank 0 alone
# runs an endpoint arm, which can take longer; a rank that dies ends the run through its launcher.
COLLECTIVE_TIMEOUT_S = 12 * 3600


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


def init_process_group(device: str) -> World:
    """Join the run's process group through accelerate (gloo on CPU, NCCL on CUDA; the device set per rank)."""
    from datetime import timedelta

    from accelerate import PartialState

    PartialState(cpu=device == "cpu", timeout=timedelta(seconds=COLLECTIVE_TIMEOUT_S))
    return world()


def sharding() -> Sharding:
    """How this rank holds the model: fsdp (asked for by launch.json's shard or an accelerate FSDP config,
    with several ranks) or none (a whole copy)."""
    asked = os.environ.get(SHARDING_ENV) == "fsdp" or os.environ.get("ACCELERATE_USE_FSDP") == "true"
    return "fsdp" if asked and world().size > 1 else "none"


def claim_rank_cores() -> int:
    """torch's threads for this rank: OMP_NUM_THREADS as the launcher set it (each rank its share)."""
    import torch

    threads = int(os.environ.get("OMP_NUM_THREADS") or 1)
    torch.set_num_threads(threads)
    return threads


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

