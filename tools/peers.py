"""The real peers of the speed harness (`python -m tools.perf --peers`), side by side in its run.

- Scoring: lm-evaluation-harness's `hf` backend on the same model object, the same test examples
  and the same prompt text, as a local-file multiple-choice task; its per-choice log-likelihoods
  give its predictions, compared with this project's scorer example by example.
- Generation: lm-evaluation-harness's `hf` backend, `generate_until` on the same model object and the
  generation line's prompt text (`tools/perf_generation.py`), greedy, the same max_new_tokens, stopping
  only at the end token as the other paths do; its texts are compared with the per-example baseline's.
- Training: TRL's `SFTTrainer` with PEFT LoRA and padding-free batches on the same token ids
  (pre-tokenized, so both trainers see exactly the same sequences and label positions), the same
  LoRA config, batch size, steps and learning rate; each trained adapter is then scored with this
  project's scorer on the same test examples, so the accuracies compare the trainers, not the scorers.

Needs the `peers` extra (`pip install -e '.[peers]'`); nothing else in the project imports it.
"""

from __future__ import annotations

import json
import tempfile
import time
from pathlib import Path

import numpy as np

PEER_TASK = "prompt_or_tune_peer"


def _accuracy(truth: np.ndarray, pred: np.ndarray) -> float:
    return float(np.mean(truth == pred))


def lm_eval_scoring(ctx, builder, examples, batch_size: int = 32) -> dict:
    """lm-eval's `hf` backend and this project's scorer on the same prompts: accuracy, wall time,
    examples/s, and how often their predictions agree."""
    from lm_eval import evaluator
    from lm_eval.models.huggingface import HFLM

    t0 = time.perf_counter()
    ours = ctx.evaluator.evaluate(builder, examples, stage="peers: this project's scorer")
    ours_wall = time.perf_counter() - t0
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "test.jsonl"
        data.write_text("".join(json.dumps({"prompt": builder.text(e.text), "label": e.label}) + "\n"
                                for e in examples), encoding="utf-8")
        task = {
            "task": PEER_TASK, "dataset_path": "json", "dataset_kwargs": {"data_files": {"test": str(data)}},
            "test_split": "test", "output_type": "multiple_choice", "doc_to_text": "{{prompt}}",
            "doc_to_choice": list(ctx.task.verbalizers), "doc_to_target": "{{label}}",
            "target_delimiter": "" if builder.chat or builder.template.prefill else " ",
            "metric_list": [{"metric": "acc", "aggregation": "mean", "higher_is_better": True}],
        }
        lm = HFLM(pretrained=ctx.model, tokenizer=ctx.loaded.tokenizer, batch_size=batch_size)
        t0 = time.perf_counter()
        out = evaluator.simple_evaluate(model=lm, tasks=[task], log_samples=True, bootstrap_iters=0)
        peer_wall = time.perf_counter() - t0
    samples = sorted(out["samples"][PEER_TASK], key=lambda s: s["doc_id"])
    peer_pred = np.array([int(np.argmax([r[0] for r in s["filtered_resps"]])) for s in samples])
    n = len(examples)
    return {
        "examples": n,
        "ours": {"accuracy": _accuracy(ours.targets, ours.answers), "scoring_seconds": ours.seconds,
                 "wall_seconds": ours_wall, "examples_per_second": n / ours_wall},
        "lm_eval": {"accuracy": _accuracy(ours.targets, peer_pred),
                    "reported_acc": out["results"][PEER_TASK]["acc,none"],
                    "wall_seconds": peer_wall, "examples_per_second": n / peer_wall,
                    "batch_size": batch_size, "version": _version("lm_eval")},
        "prediction_agreement": _accuracy(ours.answers, peer_pred),
        "why_they_differ": "lm-eval tokenizes context and continuation together and splits the ids at the "
                           "context's length; this project tokenizes the prompt and each label apart and "
                           "concatenates the ids (the ids it also trains on). Where a label's first token would "
                           "merge with the prompt's last, the two score different token sequences.",
    }


def lm_eval_generation(loaded, prompts, new_tokens: int, batch_size: int) -> dict:
    """lm-eval's `HFLM.generate_until` on `prompts.texts` (a `perf_generation.Prompts`): its texts, wall
    seconds and peak memory (MiB), timed as the harness times the other paths, and the share of prompts
    it tokenizes to the ids the other paths run."""
    from lm_eval.api.instance import Instance
    from lm_eval.models.huggingface import HFLM

    from tools.perf import _timed

    lm = HFLM(pretrained=loaded.model, tokenizer=loaded.tokenizer, batch_size=batch_size)
    until = {"until": [], "max_gen_toks": new_tokens, "do_sample": False}  # lm-eval adds the end token
    requests = [Instance(request_type="generate_until", doc={}, arguments=(text, dict(until)), idx=i)
                for i, text in enumerate(prompts.texts)]
    device = loaded.model.get_input_embeddings().weight.device
    texts, seconds, memory = _timed(device, lambda: lm.generate_until(requests, disable_tqdm=True))
    same = [lm.tok_encode(text) == ids for text, ids in zip(prompts.texts, prompts.ids, strict=True)]
    return {"texts": texts, "seconds": seconds, "peak_memory_mb": memory, "same_prompt_ids": _accuracy(
        np.array(same), np.full(len(same), True)), "version": _version("lm_eval")}


def trl_training(ctx, builder, items, lora_config, batch_size: int, steps: int, lr: float, examples) -> dict:
    """TRL SFTTrainer + PEFT LoRA, padding-free, on `items`' ids; then its adapter scored like ours."""
    from datasets import Dataset
    from trl import SFTConfig, SFTTrainer

    from benchmarks.approaches.lora import fresh_adapter, scoring_model
    from tools.perf import tokens_seen

    rows = [{"input_ids": it.ids, "completion_mask": [0] * (len(it.ids) - it.n_target) + [1] * it.n_target}
            for it in items]
    device = ctx.model.get_input_embeddings().weight.device
    with tempfile.TemporaryDirectory() as tmp:
        args = SFTConfig(
            output_dir=tmp, per_device_train_batch_size=batch_size, max_steps=steps, learning_rate=lr,
            lr_scheduler_type="linear", warmup_steps=max(1, int(0.1 * steps)), padding_free=True,
            completion_only_loss=True, gradient_checkpointing=False,
            max_length=None, save_strategy="no", report_to=[], disable_tqdm=True, logging_steps=max(1, steps),
            dataloader_num_workers=0, use_cpu=device.type == "cpu", seed=ctx.config.seed,
            # TRL turns bf16 on by default; on a CPU without AMX that is torch's reference gemm at ~1 GFLOP/s
            # (16 steps of 16 ran for 20+ min): the peer trains in the dtype ours does
            bf16=ctx.loaded.info.dtype == "bfloat16", fp16=False,
        )
        # the adapter's start from the run's seed, as ours: TRL would draw it before seeding
        trainer = SFTTrainer(model=fresh_adapter(ctx.model, lora_config, ctx.config.seed), args=args,
                             train_dataset=Dataset.from_list(rows), processing_class=ctx.loaded.tokenizer)
        t0 = time.perf_counter()
        trainer.train()
        seconds = time.perf_counter() - t0
    peft_model = trainer.model
    try:
        scored = scoring_model(peft_model)[0]  # as the benchmark scores ours
        ev = ctx.evaluator.evaluate(builder, examples, model=scored, stage="peers: scoring TRL's adapter")
    finally:
        peft_model.unload()
    tokens = tokens_seen(items, steps, batch_size)
    return {"seconds": seconds, "tokens": tokens, "tokens_per_second": tokens / seconds,
            "examples_per_second": steps * batch_size / seconds, "accuracy": _accuracy(ev.targets, ev.answers),
            "padding_free": True, "dtype": "bfloat16" if args.bf16 else "float32", "version": _version("trl")}


def _version(package: str) -> str:
    from importlib.metadata import version

    return version(package)
