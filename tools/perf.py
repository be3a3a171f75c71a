"""Speed harness: the project's fast training and scoring paths against a plain baseline, one machine, one run.

Baseline training: HF `Trainer` + PEFT LoRA, default dtype (float32), every example padded to one
fixed max length (the longest example, rounded up to 64), full-vocabulary logits, no packing.
Baseline evaluation: per-example `generate()` of the label tokens in float32, as a hand-written
eval loop would. The fast paths run in the dtype a benchmark run would use (`auto`: bfloat16 on
CUDA and on CPUs whose bf16 products measure faster, `models.choose_dtype`); when that is not
float32 they are timed in float32 too (`*_fp32` keys), so the gain from the code and the gain from
the dtype show apart. Both sides use the same model weights, examples, LoRA config, batch size and
optimizer steps, so the ratio measures the path, not the recipe. The generation line (batched generation
from the shared prefix vs one `generate()` per prompt) is `tools/perf_generation.py`. Writes JSON with
train_speedup, eval_speedup, generation_speedup, *_mfu, ...

    python -m tools.perf [--device auto|cpu|cuda] [--dtype auto|float32|bfloat16] [--out tools/results]
                         [--generation-examples 64] [--new-tokens 24] [--peers]
"""

from __future__ import annotations

import argparse
import copy
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

from benchmarks.config import PRECISIONS, BenchConfig
from benchmarks.scoring import score_choices, sync
from core.approaches import spec

LORA_FLOPS_PER_PARAM_TOKEN = spec("lora").flops_per_param_token

RESULTS_DIR = Path(__file__).resolve().parent / "results"
# The baseline is timed in EVAL_SLICES slices; after each slice every fast model scores the whole
# set (as a benchmark run does: one call, batches packed across it), so a busy neighbour on a shared
# machine slows both sides rather than one. The fast path's first pass warms up (kernel selection,
# first-touch memory); the median of the EVAL_SLICES timed passes counts.
EVAL_SLICES = 4


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


def _timed(device: torch.device, fn):
    """(fn's result, seconds, peak memory MiB) of one call."""
    with peak_memory(device) as mem:
        sync(device)
        t0 = time.perf_counter()
        result = fn()
        sync(device)
        seconds = time.perf_counter() - t0
    return result, seconds, mem["peak"]


def interleaved(device: torch.device, n: int, baseline, fast: dict) -> tuple[list, float, float, dict[str, tuple]]:
    """The baseline over `n` items in EVAL_SLICES slices (`baseline(indices)`), each slice followed by one
    timed call of every `fast` function over the whole set (after one warm-up call each), so a busy
    neighbour slows both sides. Returns the baseline's (indices, result) per slice, its total seconds and
    peak memory, and per fast function (its first timed call's result, the median seconds, peak memory)."""
    for fn in fast.values():
        _timed(device, fn)  # warm-up: kernel selection, first-touch memory
    parts, seconds, memory = [], 0.0, 0.0
    runs: dict[str, list] = {name: [] for name in fast}
    for index in np.array_split(np.arange(n), EVAL_SLICES):
        result, slice_seconds, slice_memory = _timed(device, lambda index=index: baseline(index))
        parts.append((index, result))
        seconds, memory = seconds + slice_seconds, max(memory, slice_memory)
        for name, fn in fast.items():
            runs[name].append(_timed(device, fn))
    fast_sides = {name: (r[0][0], float(np.median([x[1] for x in r])), max(x[2] for x in r)) for name, r in runs.items()}
    return parts, seconds, memory, fast_sides


def mfu(n_params: int, computed_tokens: int, seconds: float, peak: float | None) -> float | None:
    """Inference MFU: 2·N FLOPs per token the model ran, per second, against `peak` FLOP/s."""
    return 2 * n_params * computed_tokens / seconds / peak if peak else None


def measure_eval(ctx, builder, examples, device, fast_models: dict, peaks: dict[str, float | None]) -> dict:
    """Fast scorer (each of `fast_models`) vs per-example generate (the float32 `ctx.model`), same prompts.

    tokens/s counts prompt tokens served (the same numerator for both sides); MFU counts the tokens
    each side really ran (the fast path runs the shared prefix once), against `peaks[side's dtype]`.
    """
    tok = ctx.loaded.tokenizer
    suffixes = builder.suffix_ids([e.text for e in examples])
    prompts = [builder.prefix_ids + s for s in suffixes]
    tokens = sum(map(len, prompts))
    n_params = ctx.loaded.info.flop_parameters
    base_lp = np.zeros((len(prompts), len(builder.choice_ids)))

    def score(model):
        return score_choices(model, builder.prefix_ids, suffixes, builder.choice_ids, tok.pad_token_id,
                             max_batch=ctx.config.eval_batch_size, token_budget=ctx.config.eval_batch_tokens)

    parts, base_seconds, base_memory, fast_runs = interleaved(
        device, len(prompts), lambda index: baseline_scores(
            ctx.model, tok, [prompts[i] for i in index], builder.choice_ids, ctx.task.verbalizers)[0],
        {name: lambda model=model: score(model) for name, model in fast_models.items()})
    for index, lp in parts:
        base_lp[index] = lp
    sides = {"baseline": {"seconds": base_seconds, "peak_memory_mb": base_memory, "computed_tokens": tokens,
                          "dtype": "float32"}}
    for name, (first, seconds, memory) in fast_runs.items():
        sides[name] = {"seconds": seconds, "peak_memory_mb": memory, "computed_tokens": first.computed_tokens,
                       "dtype": _dtype(fast_models[name]), "batch_size": first.max_batch}
    single_token = all(len(c) == 1 for c in builder.choice_ids)
    for name, side in sides.items():
        s, peak = side["seconds"], peaks.get(side["dtype"])
        side.update(examples_per_second=len(examples) / s, tokens_per_second=tokens / s,
                    mfu=mfu(n_params, side["computed_tokens"], s, peak))
        if name != "baseline":
            fast_lp = fast_runs[name][0].logprobs
            side.update(speedup=base_seconds / s,
                        max_abs_logprob_diff=float(np.abs(fast_lp - base_lp).max()) if single_token else None,
                        prediction_agreement=float(np.mean(fast_lp.argmax(1) == base_lp.argmax(1))))
    return {**sides, "baseline_slices": EVAL_SLICES, "token_budget": ctx.config.eval_batch_tokens,
            "prompt_tokens_per_example": tokens / len(examples)}


def _peaks(environment, device: torch.device, fast_dtype: str) -> dict[str, float | None]:
    """The peak FLOP/s each side's MFU is against, by dtype: the environment's (the GPU spec sheet, or
    the CPU matmul measured in `fast_dtype`), and on CPU a float32 matmul for the float32 sides."""
    from benchmarks.environment import measure_cpu_peak

    peaks = {fast_dtype: environment.mfu_peak}
    if "float32" not in peaks:
        peaks["float32"] = measure_cpu_peak("float32") if device.type == "cpu" else environment.mfu_peak
    return peaks


def _dtype(model) -> str:
    return str(model.get_input_embeddings().weight.dtype).removeprefix("torch.")


def tokens_seen(items, steps: int, batch_size: int) -> int:
    """Tokens a Trainer-style loop reads in `steps` batches of `batch_size`, cycling through `items` in order."""
    return sum(len(items[i % len(items)].ids) for i in range(steps * batch_size))


def baseline_train(ctx, items, lora_config, batch_size: int, steps: int, lr: float, device) -> dict:
    """HF Trainer + PEFT on the float32 model, fixed-length padding: the plain way."""
    from transformers import PrinterCallback, Trainer, TrainingArguments, default_data_collator

    from benchmarks.approaches.lora import fresh_adapter

    pad = ctx.loaded.tokenizer.pad_token_id
    length = -(-max(len(it.ids) for it in items) // 64) * 64
    rows = []
    for it in items:
        n = len(it.ids)
        labels = [-100] * (n - it.n_target) + it.ids[-it.n_target:] + [-100] * (length - n)
        rows.append({"input_ids": it.ids + [pad] * (length - n), "attention_mask": [1] * n + [0] * (length - n),
                     "labels": labels})
    peft_model = fresh_adapter(ctx.model, lora_config, ctx.config.seed)  # the fast side's start too
    with tempfile.TemporaryDirectory() as tmp:
        args = TrainingArguments(
            output_dir=tmp, per_device_train_batch_size=batch_size, max_steps=steps, learning_rate=lr,
            save_strategy="no", report_to=[], disable_tqdm=True, logging_steps=max(1, steps),
            dataloader_num_workers=0, use_cpu=device.type == "cpu", seed=ctx.config.seed,
        )
        trainer = Trainer(model=peft_model, args=args, train_dataset=rows, data_collator=default_data_collator)
        trainer.remove_callback(PrinterCallback)  # its log dicts would land in the harness's own output
        with peak_memory(device) as mem:
            t0 = time.perf_counter()
            trainer.train()
            sync(device)
            seconds = time.perf_counter() - t0
    peft_model.unload()
    return {"seconds": seconds, "tokens": tokens_seen(items, steps, batch_size), "padded_length": length,
            "peak_memory_mb": mem["peak"], "dtype": "float32"}


def fast_train(ctx, model, items, lora_config, batch_size: int, steps: int, lr: float, device,
               score: tuple | None = None) -> dict:
    """The project's training loop (benchmarks/training.py) on `model`, in that model's dtype; with
    `score` = (prompt builder, examples), the trained adapter's accuracy on them too."""
    from benchmarks.approaches.lora import fresh_adapter, scoring_model
    from benchmarks.training import TrainSettings, train

    dtype = _dtype(model)
    peft_model = fresh_adapter(model, lora_config, ctx.config.seed)
    try:
        params = [p for p in peft_model.parameters() if p.requires_grad]
        settings = TrainSettings(lr=lr, epochs=steps * batch_size / len(items), batch_size=batch_size,
                                 seed=ctx.config.seed, bf16=dtype == "bfloat16")
        with peak_memory(device) as mem:
            stats = train(peft_model.get_base_model(), items, params, settings,
                          flops_per_token=LORA_FLOPS_PER_PARAM_TOKEN * ctx.loaded.info.flop_parameters)
        accuracy = None
        if score:
            ev = ctx.evaluator.evaluate(score[0], score[1], model=scoring_model(peft_model)[0])
            accuracy = float(np.mean(ev.targets == ev.answers))
    finally:
        peft_model.unload()
    return {"seconds": stats.seconds, "tokens": stats.tokens, "steps": stats.steps, "peak_memory_mb": mem["peak"],
            "dtype": dtype} | ({"accuracy": accuracy} if score else {})


def run_perf(device: str = "auto", model: str | None = None, train_examples: int = 256, eval_examples: int = 128,
             batch_size: int = 16, dtype: str = "auto", peers: bool = False, log=print,
             generation: tuple[int, int] | None = None) -> dict:
    """Measure both paths; returns the figures (see module docstring). `generation`: the generation
    line's (examples, max_new_tokens), default `perf_generation`'s."""
    from benchmarks.allocator import keep_freed_memory
    from benchmarks.approaches.base import Context
    from benchmarks.approaches.lora import lora_config
    from benchmarks.environment import claim_cores, describe
    from benchmarks.models import load_model, resolve_dtype
    from benchmarks.tasks import balanced_shots, load_task
    from tools.perf_generation import GENERATION_EXAMPLES, NEW_TOKENS, measure_generation

    claim_cores()
    allocator = "glibc malloc keeps freed memory (benchmarks/allocator.py), both sides" if keep_freed_memory() \
        else "default allocator"
    config = BenchConfig(device=device, dtype=dtype, test_size=eval_examples, train_size=train_examples,
                         chat_template="off", train_batch_size=batch_size, **({"model": model} if model else {}))
    loaded, notes = load_model(config.model, config.device, config.trust_remote_code, dtype="float32")
    fast_dtype, dtype_note = resolve_dtype(loaded.device, config.dtype)
    notes += [dtype_note] if dtype_note else []
    task = load_task(config)
    ctx = Context(config=config, loaded=loaded, task=task, environment=describe(loaded.device, fast_dtype), emit=lambda e: None)
    dev = torch.device(loaded.device)
    fast_model = loaded.model if fast_dtype == "float32" else copy.deepcopy(loaded.model).to(getattr(torch, fast_dtype))
    n_params = loaded.info.flop_parameters
    peaks = _peaks(ctx.environment, dev, fast_dtype)
    report: dict = {"created_at": datetime.now(UTC).isoformat(timespec="seconds"),
                    "environment": ctx.environment.model_dump(), "model": loaded.info.model_dump(),
                    "machine_class": ctx.environment.machine_class, "peak_flops": peaks,
                    "task": task.name, "baseline_dtype": "float32", "fast_dtype": fast_dtype, "allocator": allocator,
                    "notes": notes}
    zero_shot = ctx.templates.builder()
    few_shot = ctx.templates.builder(shots=balanced_shots(ctx.task, 4, config.seed))
    fast_models = {"fast": fast_model} | ({"fast_fp32": loaded.model} if fast_dtype != "float32" else {})
    log(f"eval: zero-shot prompt, fast path in {' and '.join(_dtype(m) for m in fast_models.values())}")
    report["eval"] = measure_eval(ctx, zero_shot, task.test, dev, fast_models, peaks)
    log(f"eval: few-shot prompt, k=4, fast path in {fast_dtype}")
    report["eval_few_shot"] = measure_eval(ctx, few_shot, task.test, dev, {"fast": fast_model}, peaks)
    gen_examples, new_tokens = generation or (GENERATION_EXAMPLES, NEW_TOKENS)
    log(f"generation: {gen_examples} headlines, {new_tokens} new tokens, fast path in "
        f"{' and '.join(_dtype(m) for m in fast_models.values())}{', lm-eval generate_until' if peers else ''}")
    report["generation"] = measure_generation(loaded, config, fast_models, peaks, gen_examples, new_tokens, peers)
    items = ctx.trainer.items(zero_shot, task.train)
    lora = lora_config(loaded.model, config.settings("lora"))
    lora_lr = config.settings("lora").lr
    steps = max(1, len(items) // batch_size)
    log(f"train: baseline Trainer, {steps} steps of {batch_size}")
    base = baseline_train(ctx, items, lora, batch_size, steps, lora_lr, dev)
    log(f"train: fast loop in {fast_dtype}, {steps} steps of {batch_size}")
    scored = (zero_shot, task.test) if peers and fast_dtype == "float32" else None
    fast = fast_train(ctx, fast_model, items, lora, batch_size, steps, lora_lr, dev, score=scored)
    report["train"] = {"baseline": base, "fast": fast, "steps": steps, "batch_size": batch_size,
                       "lora": {"r": lora.r, "alpha": lora.lora_alpha, "targets": sorted(lora.target_modules)}}
    if fast_dtype != "float32":
        log(f"train: fast loop in float32, {steps} steps of {batch_size}")
        report["train"]["fast_fp32"] = fast_train(ctx, loaded.model, items, lora, batch_size, steps, lora_lr,
                                                  dev, score=(zero_shot, task.test) if peers else None)
    for side in (s for s in report["train"].values() if isinstance(s, dict) and "seconds" in s):
        side["tokens_per_second"] = side["tokens"] / side["seconds"]
        side["examples_per_second"] = steps * batch_size / side["seconds"]
        peak = peaks.get(side["dtype"])
        side["mfu"] = LORA_FLOPS_PER_PARAM_TOKEN * n_params * side["tokens_per_second"] / peak if peak else None
    if peers:
        from tools.peers import lm_eval_scoring, trl_training

        log(f"peers: lm-evaluation-harness hf backend on the {len(task.test)} test examples")
        scoring = lm_eval_scoring(ctx, zero_shot, task.test)
        log(f"peers: TRL SFTTrainer, {steps} steps of {batch_size}, padding-free")
        trl = trl_training(ctx, zero_shot, items, lora, batch_size, steps, lora_lr, task.test)
        ours = report["train"].get("fast_fp32", fast)
        report["peers"] = {"scoring": scoring, "training": {
            "ours": {k: ours[k] for k in ("seconds", "tokens", "tokens_per_second", "examples_per_second", "accuracy")},
            "trl": trl, "dtype": "float32"}}
    train_speedup = {name: report["train"][name]["tokens_per_second"] / base["tokens_per_second"]
                     for name in ("fast", "fast_fp32") if name in report["train"]}
    report.update(
        train_speedup=train_speedup["fast"], eval_speedup=report["eval"]["fast"]["speedup"],
        eval_speedup_few_shot=report["eval_few_shot"]["fast"]["speedup"],
        eval_speedup_all_prompts=sum(report[k]["baseline"]["seconds"] for k in ("eval", "eval_few_shot"))
        / sum(report[k]["fast"]["seconds"] for k in ("eval", "eval_few_shot")),
        train_tokens_per_second=fast["tokens_per_second"], eval_examples_per_second=report["eval"]["fast"]["examples_per_second"],
        train_mfu=fast["mfu"], eval_mfu=report["eval"]["fast"]["mfu"],
        generation_speedup=report["generation"]["fast"]["speedup"], generation_mfu=report["generation"]["fast"]["mfu"],
    )
    if fast_dtype != "float32":
        report.update(train_speedup_fp32=train_speedup["fast_fp32"],
                      eval_speedup_fp32=report["eval"]["fast_fp32"]["speedup"])
    return report


def main(argv: list[str] | None = None) -> int:
    from tools.perf_generation import GENERATION_EXAMPLES, NEW_TOKENS, print_generation

    parser = argparse.ArgumentParser(prog="python -m tools.perf", description=__doc__.split("\n\n")[0])
    parser.add_argument("--device", choices=["auto", "cpu", "cuda"], default="auto")
    parser.add_argument("--dtype", choices=PRECISIONS, default="auto",
                        help="the fast paths' dtype (baselines are float32); auto: as a benchmark run chooses")
    parser.add_argument("--model", help="default: the packaged SmolLM2-135M-Instruct")
    parser.add_argument("--train-examples", type=int, default=256)
    parser.add_argument("--eval-examples", type=int, default=128)
    parser.add_argument("--out", type=Path, default=RESULTS_DIR, help="folder for perf-<machine class>.json")
    parser.add_argument("--generation-examples", type=int, default=GENERATION_EXAMPLES,
                        help="headlines the generation line writes")
    parser.add_argument("--new-tokens", type=int, default=NEW_TOKENS, help="the generation line's max_new_tokens")
    parser.add_argument("--peers", action="store_true",
                        help="also run lm-evaluation-harness (hf: scoring, generate_until) and TRL's SFTTrainer on the same examples "
                             "(needs pip install -e '.[peers]')")
    args = parser.parse_args(argv)
    from core.files import write_atomic

    report = run_perf(args.device, args.model, args.train_examples, args.eval_examples, dtype=args.dtype,
                      peers=args.peers, log=lambda m: print(m, file=sys.stderr, flush=True),
                      generation=(args.generation_examples, args.new_tokens))
    report["command"] = "python -m tools.perf " + " ".join(argv if argv is not None else sys.argv[1:])
    path = args.out / f"perf-{report['machine_class']}.json"
    write_atomic(path, json.dumps(report, indent=2))
    keys = ("train_speedup", "eval_speedup", "eval_speedup_few_shot", "eval_speedup_all_prompts",
            "train_speedup_fp32", "eval_speedup_fp32",
            "train_tokens_per_second", "train_mfu", "eval_mfu", "generation_speedup", "generation_mfu")
    for key in keys:
        value = report.get(key)
        print(f"{key:>24}: {'-' if value is None else f'{value:.3g}'}")
    if peers := report.get("peers"):
        scoring, training = peers["scoring"], peers["training"]
        for name in ("ours", "lm_eval"):
            side = scoring[name]
            print(f"{'scoring ' + name:>24}: accuracy {side['accuracy']:.3f}, {side['examples_per_second']:.1f} examples/s")
        print(f"{'predictions agree':>24}: {scoring['prediction_agreement']:.1%}")
        for name in ("ours", "trl"):
            side = training[name]
            print(f"{'training ' + name:>24}: accuracy {side['accuracy']:.3f}, {side['examples_per_second']:.1f} examples/s")
    print_generation(report["generation"])
    print(f"written: {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
