"""Run one benchmark: model + task + approaches -> a result folder (result.json, predictions.csv, run.log).

Files are written atomically; result.json is rewritten after each approach (status 'partial')
so a watcher sees results as they land and a killed run leaves a valid, partial file. Under several
ranks (benchmarks/collectives.py) every rank runs this, and only rank 0 writes files and sends
endpoint requests.
"""

from __future__ import annotations

import csv
import io
import logging
import time
import traceback
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from benchmarks.config import BenchConfig
from benchmarks.events import ProgressEvent
from benchmarks.rows import extremes
from core.approaches import spec
from core.files import write_atomic
from core.result import (
    BenchmarkResult,
    TaskInfo,
    drop_impossible_mfu,
    save_result,
    settle_cpu_peak,
)

log = logging.getLogger("benchmarks")

def prediction_fields(kind_fields: tuple[str, ...]) -> list[str]:
    """predictions.csv's columns: the example and approach, the kind's (label, prediction, correct for
    classification; reference, prediction, score for the text kinds), the raw output last."""
    return ["approach", "backend", "index", "text", *kind_fields, "output"]


def _predictions_csv(rows: list[dict], texts: list[str], kind_fields: tuple[str, ...]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=prediction_fields(kind_fields))
    writer.writeheader()
    for row in rows:
        writer.writerow({"backend": "local", **row, "text": texts[row["index"]]})
    return out.getvalue()


def _log_to(run_dir: Path) -> logging.Handler:
    handler = logging.FileHandler(run_dir / "run.log", encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
    logging.getLogger().addHandler(handler)
    logging.getLogger().setLevel(logging.INFO)
    return handler


# Expected share of a run's time: loading, then each approach's spec weight (relative to zero-shot).
# Measured on an idle quick run, 2-core AVX2 CPU, 2026-12-01 (20261201-192236-106e37): loading 7 s,
# zero-shot 34 s, few-shot 38 s, LoRA 149 s; prompt-tuning and full fine-tune scaled with LoRA from
# the older weights (10 and 14 against LoRA's 12), chain-of-thought, persona and output format kept.
# DoRA 1.3x LoRA's (quick runs 2026-12-05 on a Zen 1 EPYC: training 271 s against 208 s).
LOADING_WEIGHT = 0.2
CURVE_POINT_WEIGHT = 0.3  # each learning-curve size, as a share of the approach's main training


def progress_edges(config: BenchConfig) -> list[float]:
    """Where loading and each approach start on the 0..1 progress bar, and 1.0 at the end."""
    weights = [LOADING_WEIGHT]
    for name, _ in config.arms:
        weight = spec(name).progress_weight
        if spec(name).learning_curve:
            weight *= 1 + CURVE_POINT_WEIGHT * len(config.learning_curve)
        weights.append(weight)
    total = sum(weights)
    return [sum(weights[:i]) / total for i in range(len(weights) + 1)]


def run_benchmark(
    config: BenchConfig, run_dir: str | Path, on_event: Callable[[ProgressEvent], None] | None = None
) -> BenchmarkResult:
    """Run every approach in `config` on one model and task; write and return the result.

    `on_event` gets a `ProgressEvent` per step of work, its `progress` (0..1 over the whole run,
    each approach weighted by its expected time) and `elapsed_s` filled in here.
    """
    import transformers

    from benchmarks.allocator import keep_freed_memory
    from benchmarks.approaches import runner
    from benchmarks.approaches.base import Context
    from benchmarks.collectives import claim_rank_cores, gathered_environment, world
    from benchmarks.endpoint.arm import Budget, open_session, served_model
    from benchmarks.environment import NeighbourCpu, claim_cores, describe, measure_cpu_peak
    from benchmarks.judge import open_judge
    from benchmarks.models import load_model
    from benchmarks.tasks import load_task
    from benchmarks.teacher import ONE_PROCESS, open_teacher

    run_dir = Path(run_dir)
    run_dir.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    keep_freed_memory()
    ranks = world()
    cores = claim_cores() if ranks.size == 1 else claim_rank_cores()
    neighbours = NeighbourCpu()  # read once the model and task are loaded
    handler = _log_to(run_dir) if ranks.main else None
    transformers.utils.logging.disable_progress_bar()
    arms = config.arms
    edges = progress_edges(config)
    current = {"slot": 0, "progress": 0.0}

    def emit(event: ProgressEvent) -> None:
        fraction = event.approach_progress or 0.0
        low, high = edges[current["slot"]], edges[min(current["slot"] + 1, len(edges) - 1)]
        # Sub-stages inside an approach each count 0..1, so never let the overall bar move back.
        current["progress"] = max(current["progress"], min(low + (high - low) * fraction, 1.0))
        event.progress, event.elapsed_s = current["progress"], time.perf_counter() - started
        event.message = event.message or event.stage
        if event.loss is None:
            log.info(event.message)
        if on_event:
            on_event(event)

    try:
        local = any(backend == "local" for _, backend in arms)  # endpoint arms alone need no local model
        emit(ProgressEvent(stage="loading", message=f"loading model {config.model} and task {config.task_name}"
                           if local else f"loading task {config.task_name} (endpoint arms only: no local model)"))
        loaded, notes = load_model(config.model, config.device, config.trust_remote_code, config.dtype) \
            if local else (None, [])
        task = load_task(config)
        busy = neighbours.note(cores)
        notes += [busy] if busy else []
        for note in notes + task.notes:
            log.warning(note)
        environment = gathered_environment(describe(loaded.device, loaded.info.dtype, loaded.dtype_choice)
                                           if local else describe("cpu"))
        ctx = Context(config=config, loaded=loaded, task=task, environment=environment, emit=emit)
        ctx.notes.extend(notes + task.notes)
        if config.quick and not config.consistency and task.kind != "classification":
            ctx.notes.append("consistency not measured: a quick run of a text task skips the paraphrase passes "
                             "(each generates every answer again); a full run measures it")
        budget = Budget(config.max_usd)  # the endpoint arms', the judge's and the teacher's requests together
        session = None
        if ranks.main and any(backend == "endpoint" for _, backend in arms):
            session = open_session(config, task.verbalizers, budget)  # preflight: before any test example is sent
        judge = open_judge(config, budget) if ranks.main and config.judge_endpoint_url else None
        if config.teacher == "endpoint" and ranks.size > 1:
            raise ValueError(f"--teacher-endpoint {ONE_PROCESS}")
        teacher = open_teacher(config, task.verbalizers, budget, run_dir if ranks.main else None) \
            if config.teacher else None
        result = BenchmarkResult(
            run_id=run_dir.name or uuid.uuid4().hex, created_at=datetime.now(UTC).isoformat(timespec="seconds"),
            status="partial", quick=config.quick, environment=ctx.environment,
            model=loaded.info if local else served_model(config),
            task=TaskInfo(name=task.name, source=task.source, kind=task.kind, labels=task.labels,
                          verbalizers=task.verbalizers,
                          split_sizes=task.split_sizes, seed=config.seed),
            approaches=[], notes=ctx.notes,
        )
        for slot, (name, backend) in enumerate(arms, start=1):
            current["slot"] = slot
            ctx.progress.approach = name
            emit(ProgressEvent(stage=name, approach=name, message=f"running {name} ({backend})",
                               notes=list(ctx.notes)))  # the data notes so far, for the live view
            if backend == "endpoint" and not ranks.main:
                continue  # rank 0 alone asks the endpoint (once, paid once)
            try:
                if backend == "endpoint":
                    from benchmarks.endpoint import arm, search

                    row = (search.run if name == "prompt_search" else arm.run)(ctx, name, session)
                else:
                    taught = teacher.teach(ctx, name) if teacher else None  # a tuned arm learns the teacher's labels
                    row = runner(name)(ctx, name)
                    row.teacher = taught
            except Exception as exc:  # one approach failing must not lose the others
                if ranks.size > 1 and backend == "local":
                    raise  # the other ranks may wait in a collective for this one: end the whole run
                log.error("%s failed: %s\n%s", name, exc, traceback.format_exc())
                ctx.notes.append(f"{name} failed: {exc.__class__.__name__}: {exc}")
                continue
            if judge:
                judge.score(ctx, row)  # a generation row's answers against the references (benchmarks/judge.py)
            if ctx.kind.name != "classification":
                row.examples = extremes(ctx.rows.predictions, [e.text for e in task.test], name, backend)
            result.approaches.append(row)
            quality = row.quality
            emit(ProgressEvent(stage=name, approach=name, approach_progress=1.0,
                               message=f"{name}: {quality.metric} {quality.value:.3f}",
                               metrics={quality.metric: quality.value, **quality.others}))
            result.notes = list(ctx.notes)
            if ranks.main:
                write_atomic(run_dir / "predictions.csv", _predictions_csv(ctx.rows.predictions, [e.text for e in task.test],
                                                                           ctx.kind.prediction_fields))
                save_result(result, run_dir)
        stopped = any((row.endpoint and row.endpoint.stopped) or (row.teacher and row.teacher.stopped)
                      for row in result.approaches)
        result.status = "complete" if len(result.approaches) == len(arms) and not stopped else "partial"
        if not result.approaches:
            result.status, result.error = "failed", "; ".join(ctx.notes[-len(arms):])
        current["slot"] = len(edges) - 1
        if local and loaded.device == "cpu":
            settle_cpu_peak(result, measure_cpu_peak(loaded.info.dtype))
        ctx.notes += [note for note in [drop_impossible_mfu(result)] if note]
        result.notes = list(ctx.notes)
        if ranks.main:
            save_result(result, run_dir)
        emit(ProgressEvent(stage="done", message=f"done: {len(result.approaches)}/{len(arms)} approaches"))
        return result
    finally:
        if handler:
            logging.getLogger().removeHandler(handler)
            handler.close()
