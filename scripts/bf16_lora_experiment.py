"""Quick mode's LoRA trained and scored in bf16 on a CPU without bf16 units, at float32 speed (issue 24).

On an AVX2 CPU a bf16 matrix product is torch's emulation (1-2 GFLOP/s): a bf16 quick run would take
hours. Inside `Bf16Products()` every linear / matmul / bmm / SDPA that would run in bf16 (a bf16 operand,
or CPU autocast on) runs as AVX512_BF16 and AMX kernels compute it: operands rounded to bf16, products
accumulated in float32, the result rounded to bf16. Everything else is the real bf16 code path: bf16
weights and residual stream, norms and elementwise ops in bf16, autocast's casts of the float32 LoRA
weights and of their gradients. On a random Llama its logits stay within one bf16 step of a real bf16
forward and its LoRA gradients within 1%.

Each run: the benchmark's quick LoRA (512 examples, 64 steps of 8, the plain template, no time guard) with
a training seed (the adapter's start and the batch order; the split stays seed 0's), then the 240 test
examples scored merged (as the benchmark does where merging keeps the update); a bf16 adapter also
unmerged, and merged exactly into the float32 model and scored in float32 ("exact").

    TIKTOKEN_CACHE_DIR=../shared/tiktoken_cache .venv/bin/python scripts/bf16_lora_experiment.py \\
        --dtypes float32,bfloat16 --seeds 0,1,2 --out /tmp/bf16_lora.json
"""

from __future__ import annotations

import argparse
import functools
import json
import time
from contextlib import nullcontext
from pathlib import Path

import torch
import torch.nn.functional as F
from torch.overrides import TorchFunctionMode

PRODUCTS = {F.linear, torch.matmul, torch.Tensor.matmul, torch.Tensor.__matmul__, torch.bmm, torch.mm,
            torch.Tensor.mm, torch.Tensor.bmm, F.scaled_dot_product_attention, torch.addmm, torch.baddbmm}


def _operand(x):
    """A bf16 operand (autocast would cast a float32 one), held in float32 for the float32 kernel."""
    if isinstance(x, torch.Tensor) and x.is_floating_point():
        return x.to(torch.bfloat16).float()
    return x


class Bf16Products(TorchFunctionMode):
    """bf16 matrix products computed as native bf16 kernels do, at float32 speed (module docstring)."""

    def __torch_function__(self, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        if func in PRODUCTS:
            tensors = [a for a in [*args, *kwargs.values()] if isinstance(a, torch.Tensor)]
            floats = [t.dtype for t in tensors if t.is_floating_point()]
            bf16 = torch.bfloat16 in floats or torch.is_autocast_enabled("cpu")
            if bf16 and set(floats) <= {torch.bfloat16, torch.float32}:
                with torch.autocast("cpu", enabled=False):
                    out = func(*map(_operand, args), **{k: _operand(v) for k, v in kwargs.items()})
                return out.to(torch.bfloat16)
        return func(*args, **kwargs)


def _accuracy(ctx, builder, model) -> float:
    ev = ctx.evaluator.evaluate(builder, ctx.task.test, model=model)
    return ev.mean_score


def run(dtype: str, seeds: list[int], log, **sizes) -> dict:
    from benchmarks.approaches.base import Context
    from benchmarks.approaches.lora import fresh_adapter, lora_config, merge_error, merged_copy
    from benchmarks.config import BenchConfig
    from benchmarks.environment import claim_cores, describe
    from benchmarks.models import load_model
    from benchmarks.tasks import load_task
    from core.approaches import spec

    claim_cores()
    config = BenchConfig(quick=True, dtype=dtype, device="cpu", chat_template="off", train_time_budget_s=86_400,
                         **{k: v for k, v in sizes.items() if v})
    loaded, _ = load_model(config.model, "cpu", dtype=dtype)
    task = load_task(config)
    rows = {}
    float32_model = functools.cache(lambda: load_model(config.model, "cpu", dtype="float32")[0])
    for seed in seeds:
        cfg = config.model_copy(update={"seed": seed})
        ctx = Context(config=cfg, loaded=loaded, task=task, environment=describe("cpu"), emit=lambda e: None)
        ctx.progress.approach = "lora"
        builder = ctx.templates.builder(kind=spec("lora").prompt_kind)
        with Bf16Products() if dtype == "bfloat16" else nullcontext():
            peft_model = fresh_adapter(ctx.model, lora_config(ctx.model, cfg.settings("lora")), seed)
            params = [p for p in peft_model.parameters() if p.requires_grad]
            start = time.perf_counter()
            stats = ctx.trainer.train("lora", task.train, params, lr=cfg.settings("lora").lr, builder=builder,
                              model=peft_model.get_base_model())
            row = {"steps": f"{stats.steps}/{stats.planned_steps}", "train_s": round(time.perf_counter() - start),
                   "final_loss": stats.loss_curve[-1], "merge_error": merge_error(peft_model),
                   "merged": _accuracy(ctx, builder, merged_copy(peft_model))}
            if dtype == "bfloat16":
                row["unmerged"] = _accuracy(ctx, builder, peft_model.get_base_model())
            trained = {n: p.detach().clone() for n, p in peft_model.named_parameters() if p.requires_grad}
            peft_model.unload()
        if dtype == "bfloat16":  # the same adapter merged exactly into the float32 model, scored in float32
            ctx_float32 = Context(config=cfg, loaded=float32_model(), task=task, environment=ctx.environment,
                                  emit=lambda e: None)
            exact = fresh_adapter(ctx_float32.model, lora_config(ctx_float32.model, cfg.settings("lora")), seed)
            with torch.no_grad():
                for name, param in exact.named_parameters():
                    if name in trained:
                        param.copy_(trained[name])
            row["exact"] = _accuracy(ctx_float32, builder, merged_copy(exact))
            exact.unload()
        rows[f"{dtype} seed {seed}"] = row
        log(f"{dtype} seed {seed}: {row}")
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dtypes", default="float32,bfloat16")
    parser.add_argument("--seeds", default="0")
    parser.add_argument("--out", type=Path, default=Path("bf16_lora.json"))
    parser.add_argument("--train-size", type=int, help="default: quick mode's 512 (a smaller one: a smoke test)")
    parser.add_argument("--test-size", type=int, help="default: quick mode's 240")
    args = parser.parse_args()
    results = json.loads(args.out.read_text()) if args.out.exists() else {}
    for dtype in args.dtypes.split(","):
        results |= run(dtype, [int(s) for s in args.seeds.split(",")], lambda line: print(line, flush=True),
                       train_size=args.train_size, test_size=args.test_size)
        args.out.write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
