"""Where a LoRA training step's time goes: torch.profiler over a few steps of the benchmark's loop.

    python -m tools.train_profile [--steps 6] [--batch-size 8] [--device cpu]

Prints each operator's share of the profiled steps and, for every matrix-product shape, its GFLOP/s
next to the machine's measured peak (a 2048³ matmul on CPU, the spec sheet on a GPU). The product
shapes are what bound the MFU a step can reach: on a 2-core AVX2 CPU the base model's products at
quick mode's ~280 tokens a step run at ~75% of the 2048³ peak, and the rank-16 adapter products at
~15-30 GFLOP/s (docs/BENCHMARKS.md, "Where training time goes").
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from typing import Any

import pandas as pd

from core.result import TrainingStats


@dataclass(frozen=True)
class TrainingProfile:
    profiler: Any  # torch.profiler.profile, stopped
    stats: TrainingStats  # of the profiled steps
    peak_flops: float | None
    rank: int  # the adapters' rank


def profile_training(steps: int = 6, batch_size: int = 8, device: str = "cpu", config=None) -> TrainingProfile:
    """A fresh LoRA adapter (the benchmark's recipe) trained for `steps` warm-up steps, then `steps`
    profiled ones, on the run's task (the packaged one unless `config` names another)."""
    from torch.profiler import ProfilerActivity, profile

    from benchmarks.allocator import keep_freed_memory
    from benchmarks.approaches.base import Context
    from benchmarks.approaches.lora import fresh_adapter, lora_config
    from benchmarks.config import BenchConfig
    from benchmarks.environment import claim_cores, describe
    from benchmarks.models import load_model
    from benchmarks.tasks import load_task
    from benchmarks.training import TrainSettings, train
    from core.approaches import spec

    keep_freed_memory()
    claim_cores()
    cfg = config or BenchConfig(quick=True, device=device)
    loaded, _ = load_model(cfg.model, cfg.device, cfg.trust_remote_code, cfg.dtype)
    dtype = loaded.info.dtype
    task = load_task(cfg)
    ctx = Context(config=cfg, loaded=loaded, task=task, environment=describe(loaded.device, dtype), emit=lambda e: None)
    builder = ctx.templates.builder(kind=spec("lora").prompt_kind)
    items = ctx.trainer.items(builder, task.train)
    peft_model = fresh_adapter(loaded.model, lora_config(loaded.model, cfg.settings("lora")), cfg.seed)
    params = [p for p in peft_model.parameters() if p.requires_grad]
    settings = TrainSettings(lr=cfg.settings("lora").lr, epochs=steps * batch_size / len(items), batch_size=batch_size,
                             seed=cfg.seed, bf16=dtype == "bfloat16")
    flops = spec("lora").flops_per_param_token * loaded.info.flop_parameters
    peak = ctx.environment.mfu_peak
    train(peft_model.get_base_model(), items, params, settings, flops_per_token=flops)  # warm-up (kernel choice)
    with profile(activities=[ProfilerActivity.CPU], record_shapes=True) as prof:
        stats = train(peft_model.get_base_model(), items, params, settings, flops_per_token=flops, peak_flops=peak)
    peft_model.unload()
    return TrainingProfile(prof, stats, peak, cfg.settings("lora").rank)


def operator_shares(prof) -> pd.DataFrame:
    """Self time per operator, largest first, with its share of all profiled time."""
    events = [(e.key, e.self_cpu_time_total / 1e6, e.count) for e in prof.key_averages()]
    table = pd.DataFrame(events, columns=["operator", "seconds", "calls"]).sort_values("seconds", ascending=False)
    table["share"] = table["seconds"] / table["seconds"].sum()
    return table.reset_index(drop=True)


def matmul_rates(prof) -> pd.DataFrame:
    """Every `aten::mm` shape [m × k] · [k × n]: calls, seconds, share of all profiled time, GFLOP/s."""
    total = sum(e.self_cpu_time_total for e in prof.key_averages()) / 1e6
    rows = []
    for e in prof.key_averages(group_by_input_shape=True):
        if e.key == "aten::mm" and e.self_cpu_time_total > 0:
            (m, k), (_, n) = e.input_shapes[0], e.input_shapes[1]
            seconds = e.self_cpu_time_total / 1e6
            rows.append((m, k, n, e.count, seconds, seconds / total, 2 * m * k * n * e.count / seconds / 1e9))
    columns = ["m", "k", "n", "calls", "seconds", "share", "gflops"]
    return pd.DataFrame(rows, columns=columns).sort_values("seconds", ascending=False).reset_index(drop=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.train_profile", description=__doc__.split("\n")[0])
    parser.add_argument("--steps", type=int, default=6, help="profiled optimizer steps (default 6)")
    parser.add_argument("--batch-size", type=int, default=8, help="examples a step (quick mode: 8)")
    parser.add_argument("--device", default="cpu", help="cpu (default) or cuda")
    parser.add_argument("--rows", type=int, default=25, help="rows of each table to print")
    args = parser.parse_args(argv)
    run = profile_training(args.steps, args.batch_size, args.device)
    stats = run.stats
    pd.set_option("display.width", 160)
    peak = f" of the peak {run.peak_flops / 1e9:.0f} GFLOP/s" if run.peak_flops else ""
    print(f"{stats.steps} steps, {stats.tokens} tokens, {stats.tokens_per_second:.0f} tokens/s, "
          f"MFU {stats.mfu or 0:.1%}{peak} (profiler overhead included)")
    print(operator_shares(run.profiler).head(args.rows).to_string(formatters={"share": "{:.1%}".format}))
    rates = matmul_rates(run.profiler)
    adapter = rates[rates[["m", "k", "n"]].eq(run.rank).any(axis=1)]
    print(f"\nmatrix products: {rates.share.sum():.1%} of the time; the adapters' rank-{run.rank} ones: "
          f"{adapter.share.sum():.1%}")
    print(rates.head(args.rows).to_string(formatters={"share": "{:.1%}".format, "gflops": "{:.1f}".format}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
