"""Run one benchmark: model + task + approaches -> a result folder (result.json, predictions.csv, run.log).

Files are written atomically; result.json is rewritten after each approach (status 'partial')
so a watcher sees results as they land and a killed run leaves a valid, partial file.
"""

from __future__ import annotations

import csv
import io
import logging
import traceback
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from benchmarks.config import BenchConfig
from benchmarks.result import BenchmarkResult, TaskInfo, save_result
from prompt_or_tune.files import write_atomic

log = logging.getLogger("benchmarks")

Event = dict
PREDICTION_FIELDS = ["approach", "index", "text", "label", "prediction", "correct", "output"]


def _predictions_csv(rows: list[dict], texts: list[str]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=PREDICTION_FIELDS)
    writer.writeheader()
    for row in rows:
        writer.writerow({**row, "text": texts[row["index"]]})
    return out.getvalue()


def _log_to(run_dir: Path) -> logging.Handler:
    handler = logging.FileHandler(run_dir / "run.log", encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
    logging.getLogger().addHandler(handler)
    logging.getLogger().setLevel(logging.INFO)
    return handler


# Expected share of a run's time: loading, and each approach. Measured on a quick CPU run
# (loading 5 s, zero-shot 11 s, few-shot 14 s, LoRA 191 s of 221 s); the others from their work
# (chain-of-thought generates ~100 tokens per example; the tuned ones train like LoRA).
STAGE_WEIGHTS = {"loading": 0.5, "zero_shot": 1.0, "few_shot": 1.5, "chain_of_thought": 6.0,
                 "prompt_tuning": 10.0, "lora": 12.0, "full_finetune": 14.0}
CURVE_POINT_WEIGHT = 0.3  # each learning-curve size, as a share of LoRA's main training


def progress_edges(config: BenchConfig) -> list[float]:
    """Where loading and each approach start on the 0..1 progress bar, and 1.0 at the end."""
    weights = [STAGE_WEIGHTS["loading"]]
    for name in config.approaches:
        weight = STAGE_WEIGHTS[name]
        if name == "lora":
            weight *= 1 + CURVE_POINT_WEIGHT * len(config.learning_curve)
        weights.append(weight)
    total = sum(weights)
    return [sum(weights[:i]) / total for i in range(len(weights) + 1)]


def run_benchmark(
    config: BenchConfig, run_dir: str | Path, on_event: Callable[[Event], None] | None = None
) -> BenchmarkResult:
    """Run every approach in `config` on one model and task; write and return the result.

    Events passed to `on_event`: {"stage", "progress" (0..1 over the whole run, each approach
    weighted by its expected time), "message", and optionally "done" and "total" (the current
    sub-stage's count), "loss", "metrics"}.
    """
    import transformers

    from benchmarks.allocator import keep_freed_memory
    from benchmarks.approaches import runner
    from benchmarks.approaches.base import Context
    from benchmarks.environment import describe
    from benchmarks.models import load_model
    from benchmarks.tasks import load_task

    run_dir = Path(run_dir)
    run_dir.mkdir(parents=True, exist_ok=True)
    keep_freed_memory()
    handler = _log_to(run_dir)
    transformers.utils.logging.disable_progress_bar()
    approaches = list(config.approaches)
    edges = progress_edges(config)
    current = {"slot": 0, "progress": 0.0}

    def emit(event: Event) -> None:
        fraction = min(max(event.pop("fraction", 0.0), 0.0), 1.0)
        low, high = edges[current["slot"]], edges[min(current["slot"] + 1, len(edges) - 1)]
        # Sub-stages inside an approach each count 0..1, so never let the overall bar move back.
        current["progress"] = max(current["progress"], min(low + (high - low) * fraction, 1.0))
        event["progress"] = current["progress"]
        event.setdefault("message", event.get("stage", ""))
        if "loss" not in event:
            log.info(event["message"])
        if on_event:
            on_event(event)

    try:
        emit({"stage": "loading", "message": f"loading model {config.model} and task {config.task_name}"})
        loaded, notes = load_model(config.model, config.device, config.trust_remote_code, config.dtype)
        task = load_task(config)
        for note in notes + task.notes:
            log.warning(note)
        ctx = Context(config=config, loaded=loaded, task=task, environment=describe(loaded.device), emit=emit)
        ctx.notes.extend(notes + task.notes)
        result = BenchmarkResult(
            run_id=run_dir.name or uuid.uuid4().hex, created_at=datetime.now(UTC).isoformat(timespec="seconds"),
            status="partial", quick=config.quick, environment=ctx.environment, model=loaded.info,
            task=TaskInfo(name=task.name, source=task.source, labels=task.labels, verbalizers=task.verbalizers,
                          split_sizes=task.split_sizes, seed=config.seed),
            approaches=[], notes=ctx.notes,
        )
        for slot, name in enumerate(approaches, start=1):
            current["slot"] = slot
            emit({"stage": name, "message": f"running {name}"})
            try:
                row = runner(name)(ctx)
            except Exception as exc:  # one approach failing must not lose the others
                log.error("%s failed: %s\n%s", name, exc, traceback.format_exc())
                ctx.notes.append(f"{name} failed: {exc.__class__.__name__}: {exc}")
                continue
            result.approaches.append(row)
            emit({"stage": name, "fraction": 1.0, "message": f"{name}: accuracy {row.accuracy:.3f}",
                  "metrics": {"approach": name, "accuracy": row.accuracy, "macro_f1": row.macro_f1}})
            result.notes = list(ctx.notes)
            write_atomic(run_dir / "predictions.csv", _predictions_csv(ctx.predictions, [e.text for e in task.test]))
            save_result(result, run_dir)
        result.status = "complete" if len(result.approaches) == len(approaches) else "partial"
        if not result.approaches:
            result.status, result.error = "failed", "; ".join(ctx.notes[-len(approaches):])
        current["slot"] = len(edges) - 1
        result.notes = list(ctx.notes)
        save_result(result, run_dir)
        emit({"stage": "done", "message": f"done: {len(result.approaches)}/{len(approaches)} approaches"})
        return result
    finally:
        logging.getLogger().removeHandler(handler)
        handler.close()
