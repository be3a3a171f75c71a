"""Speed harness: the project's fast training and scoring paths against a plain baseline, one machine, one run.

Baseline training: HF `Trainer` + PEFT LoRA, default dtype, every example padded to one fixed
max length (the longest example, rounded up to 64), full-vocabulary logits, no packing.
Baseline evaluation: per-example `generate()` of the label tokens, as a hand-written eval loop would.
Both sides use the same model, examples, LoRA config, batch size and optimizer steps, so the ratio
measures the path, not the recipe. Writes JSON with train_speedup, eval_speedup, *_mfu, ...

    python -m benchmarks.perf [--device auto|cpu|cuda] [--out benchmarks/results]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import torch

from benchmarks.config import BenchConfig

RESULTS_DIR = Path(__file__).resolve().parent / "results"


@contextmanager
def peak_memory(device: torch.device):
    """Peak memory (MiB) inside the block: CUDA allocator peak, or sampled process RSS on CPU."""
    import psutil

    box = {"peak": 0.0}
    if device.type == "cuda":
        torch.cuda.reset_peak_memory_stats(device)
        yield box
        box["peak"] = torch.cuda.max_memory_allocated(device) / 2**20
        return
    proc, stop = psutil.Process(), threading.Event()

    def sample() -> None:
        while not stop.is_set():
            box["peak"] = max(box["peak"], proc.memory_info().rss / 2**20)
            stop.wait(0.05)

    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    try:
        yield box
    finally:
        stop.set()
        thread.join()


def _sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


@torch.inference_mode()
def baseline_scores(model, tokenizer, prompts: list[list[int]], choices: list[list[int]], words: list[str]):
    """Per-example generate(): label log-probs from the first generated step, and the parsed text."""
    device = model.get_input_embeddings().weight.device
    logprobs = np.zeros((len(prompts), len(choices)))
    parsed = np.full(len(prompts), -1)
    width = max(map(len, choices))
    for i, ids in enumerate(prompts):
        out = model.generate(
            input_ids=torch.tensor([ids], device=device), attention_mask=torch.ones((1, len(ids)), dtype=torch.long, device=device),
            max_new_tokens=width, do_sample=False, output_logits=True, return_dict_in_generate=True,
            pad_token_id=tokenizer.pad_token_id,
        )
        first = out.logits[0][0].float().log_softmax(-1)
        logprobs[i] = [float(first[c[0]]) for c in choices]
        text = tokenizer.decode(out.sequences[0, len(ids):], skip_special_tokens=True).strip().lower()
        parsed[i] = next((j for j, w in enumerate(words) if text.startswith(w.lower())), -1)
    return logprobs, parsed


def measure_eval(ctx, builder, examples, device, baseline: dict | None = None) -> dict:
    """Fast scorer vs per-example generate on the same prompts; agreement of the two.

    `baseline` (an earlier result of this function) reuses that baseline run, e.g. to time the
    fast path again in another dtype against the same fp32 baseline.
    """
    from benchmarks.scoring import score_choices

    tok = ctx.loaded.tokenizer
    suffixes = builder.suffix_ids([e.text for e in examples])
    prompts = [builder.prefix_ids + s for s in suffixes]
    tokens = sum(map(len, prompts))
    n_params = ctx.loaded.info.parameters
    peak = ctx.environment.peak_bf16_flops
    if baseline:
        out = {"baseline": dict(baseline["baseline"]), "_baseline_logprobs": baseline["_baseline_logprobs"]}
    else:
        with peak_memory(device) as mem:
            _sync(device)
            t0 = time.perf_counter()
            base_lp, _ = baseline_scores(ctx.model, tok, prompts, builder.choice_ids, ctx.task.verbalizers)
            _sync(device)
            out = {"baseline": {"seconds": time.perf_counter() - t0}, "_baseline_logprobs": base_lp}
        out["baseline"]["peak_memory_mb"] = mem["peak"]
    base_lp = out["_baseline_logprobs"]
    with peak_memory(device) as mem:
        scores = score_choices(ctx.model, builder.prefix_ids, suffixes, builder.choice_ids, tok.pad_token_id,
                               max_batch=ctx.config.eval_batch_size)
        out["fast"] = {"seconds": scores.seconds, "batch_size": scores.max_batch}
    out["fast"]["peak_memory_mb"] = mem["peak"]
    for side in ("baseline", "fast"):
        s = out[side]["seconds"]
        out[side].update(examples_per_second=len(examples) / s, tokens_per_second=tokens / s,
                         mfu=2 * n_params * tokens / s / peak if peak else None)
    first = scores.logprobs if all(len(c) == 1 for c in builder.choice_ids) else None
    out["speedup"] = out["baseline"]["seconds"] / out["fast"]["seconds"]
    out["prompt_tokens_per_example"] = tokens / len(examples)
    out["max_abs_logprob_diff"] = float(np.abs(first - base_lp).max()) if first is not None else None
    out["prediction_agreement"] = float(np.mean(scores.predictions == base_lp.argmax(1)))
    return out


def baseline_train(ctx, items, lora_config, batch_size: int, steps: int, lr: float, device) -> dict:
    """HF Trainer + PEFT, fixed-length padding, default dtype: the plain way."""
    from peft import get_peft_model
    from transformers import Trainer, TrainingArguments, default_data_collator

    pad = ctx.loaded.tokenizer.pad_token_id
    length = -(-max(len(it.ids) for it in items) // 64) * 64
    rows = []
    for it in items:
        n = len(it.ids)
        labels = [-100] * (n - it.n_target) + it.ids[-it.n_target:] + [-100] * (length - n)
        rows.append({"input_ids": it.ids + [pad] * (length - n), "attention_mask": [1] * n + [0] * (length - n),
                     "labels": labels})
    model = ctx.model.float() if device.type == "cuda" else ctx.model  # default dtype: fp32
    peft_model = get_peft_model(model, lora_config)
    with tempfile.TemporaryDirectory() as tmp:
        args = TrainingArguments(
            output_dir=tmp, per_device_train_batch_size=batch_size, max_steps=steps, learning_rate=lr,
            save_strategy="no", report_to=[], disable_tqdm=True, logging_steps=max(1, steps),
            dataloader_num_workers=0, use_cpu=device.type == "cpu", seed=ctx.config.seed,
        )
        trainer = Trainer(model=peft_model, args=args, train_dataset=rows, data_collator=default_data_collator)
        with peak_memory(device) as mem:
            t0 = time.perf_counter()
            trainer.train()
            _sync(device)
            seconds = time.perf_counter() - t0
    peft_model.unload()
    if device.type == "cuda":
        ctx.model.to(torch.bfloat16)
    used = [items[i % len(items)] for i in range(steps * batch_size)]
    tokens = sum(len(it.ids) for it in used)
    return {"seconds": seconds, "tokens": tokens, "padded_length": length, "peak_memory_mb": mem["peak"]}


def fast_train(ctx, items, lora_config, batch_size: int, steps: int, lr: float, device) -> dict:
    from peft import get_peft_model

    from benchmarks.training import TrainSettings, train

    peft_model = get_peft_model(ctx.model, lora_config)
    try:
        params = [p for p in peft_model.parameters() if p.requires_grad]
        settings = TrainSettings(lr=lr, epochs=steps * batch_size / len(items), batch_size=batch_size,
                                 seed=ctx.config.seed)
        with peak_memory(device) as mem:
            stats = train(peft_model.get_base_model(), items, params, settings,
                          flops_per_token=4 * ctx.loaded.info.parameters)
    finally:
        peft_model.unload()
    return {"seconds": stats.seconds, "tokens": stats.tokens, "steps": stats.steps, "peak_memory_mb": mem["peak"]}


def run_perf(device: str = "auto", model: str | None = None, train_examples: int = 256, eval_examples: int = 128,
             batch_size: int = 16, log=print) -> dict:
    """Measure both paths; returns the figures (see module docstring)."""
    from peft import LoraConfig

    from benchmarks.approaches.base import Context
    from benchmarks.approaches.lora import lora_targets
    from benchmarks.environment import describe
    from benchmarks.models import load_model
    from benchmarks.tasks import load_task

    config = BenchConfig(device=device, test_size=eval_examples, train_size=train_examples, chat_template="off",
                         train_batch_size=batch_size, **({"model": model} if model else {}))
    loaded, notes = load_model(config.model, config.device, config.trust_remote_code)
    task = load_task(config)
    ctx = Context(config=config, loaded=loaded, task=task, environment=describe(loaded.device), emit=lambda e: None)
    dev = torch.device(loaded.device)
    peak, n_params = ctx.environment.peak_bf16_flops, loaded.info.parameters
    report: dict = {"created_at": datetime.now(UTC).isoformat(timespec="seconds"),
                    "environment": ctx.environment.model_dump(), "model": loaded.info.model_dump(),
                    "task": task.name, "notes": notes}
    log("eval: zero-shot prompt")
    zero_shot = ctx.builder()
    report["eval"] = measure_eval(ctx, zero_shot, task.test, dev)
    log("eval: few-shot prompt (k=4)")
    report["eval_few_shot"] = measure_eval(ctx, ctx.builder(shots=ctx.balanced_shots(4, config.seed)), task.test, dev)
    items = ctx.train_items(ctx.builder(), task.train)
    lora = LoraConfig(r=config.lora_rank, lora_alpha=config.lora_alpha, lora_dropout=0.0,
                      target_modules=lora_targets(loaded.model, None), task_type="CAUSAL_LM")
    steps = max(1, len(items) // batch_size)
    log(f"train: baseline Trainer, {steps} steps of {batch_size}")
    base = baseline_train(ctx, items, lora, batch_size, steps, config.lora_lr, dev)
    log(f"train: fast loop, {steps} steps of {batch_size}")
    fast = fast_train(ctx, items, lora, batch_size, steps, config.lora_lr, dev)
    for side in (base, fast):
        side["tokens_per_second"] = side["tokens"] / side["seconds"]
        side["examples_per_second"] = steps * batch_size / side["seconds"]
        side["mfu"] = 4 * n_params * side["tokens_per_second"] / peak if peak else None
    report["train"] = {"baseline": base, "fast": fast, "steps": steps, "batch_size": batch_size,
                       "lora": {"r": lora.r, "alpha": lora.lora_alpha, "targets": sorted(lora.target_modules)}}
    if dev.type == "cpu" and config.dtype == "auto":
        log("CPU bfloat16 (AMX where present): fast paths again, same fp32 baselines")
        ctx.model.to(torch.bfloat16)
        report["eval_bf16"] = measure_eval(ctx, zero_shot, task.test, dev, baseline=report["eval"])
        fast16 = fast_train(ctx, items, lora, batch_size, steps, config.lora_lr, dev)
        fast16["tokens_per_second"] = fast16["tokens"] / fast16["seconds"]
        fast16["examples_per_second"] = steps * batch_size / fast16["seconds"]
        report["train"]["fast_bf16"] = fast16
        ctx.model.to(torch.float32)
        report.update(train_speedup_bf16=fast16["tokens_per_second"] / base["tokens_per_second"],
                      eval_speedup_bf16=report["eval_bf16"]["speedup"])
    for key in ("eval", "eval_few_shot", "eval_bf16"):
        report.get(key, {}).pop("_baseline_logprobs", None)
    report.update(
        train_speedup=fast["tokens_per_second"] / base["tokens_per_second"],
        eval_speedup=report["eval"]["speedup"], eval_speedup_few_shot=report["eval_few_shot"]["speedup"],
        train_tokens_per_second=fast["tokens_per_second"], eval_examples_per_second=report["eval"]["fast"]["examples_per_second"],
        train_mfu=fast["mfu"], eval_mfu=report["eval"]["fast"]["mfu"],
    )
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.perf", description=__doc__.split("\n\n")[0])
    parser.add_argument("--device", choices=["auto", "cpu", "cuda"], default="auto")
    parser.add_argument("--model", help="default: the packaged SmolLM2-135M-Instruct")
    parser.add_argument("--train-examples", type=int, default=256)
    parser.add_argument("--eval-examples", type=int, default=128)
    parser.add_argument("--out", type=Path, default=RESULTS_DIR, help="folder for perf-<device>.json")
    args = parser.parse_args(argv)
    from prompt_or_tune.files import write_atomic

    report = run_perf(args.device, args.model, args.train_examples, args.eval_examples,
                      log=lambda m: print(m, file=sys.stderr, flush=True))
    report["command"] = "python -m benchmarks.perf " + " ".join(argv if argv is not None else sys.argv[1:])
    path = args.out / f"perf-{report['environment']['device']}.json"
    write_atomic(path, json.dumps(report, indent=2))
    keys = ("train_speedup", "eval_speedup", "eval_speedup_few_shot", "train_speedup_bf16", "eval_speedup_bf16",
            "train_tokens_per_second", "train_mfu", "eval_mfu")
    for key in keys:
        value = report.get(key)
        print(f"{key:>24}: {'-' if value is None else f'{value:.3g}'}")
    print(f"written: {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
