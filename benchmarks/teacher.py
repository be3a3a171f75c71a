"""The teacher (distillation): a model labels the training inputs the tuned approaches train on, in place of
their gold labels (`bench --teacher-endpoint URL --teacher-model NAME`, or `--teacher local`).

What is asked: each training input in the zero-shot arm's prompt (calculator.prompts' text; on an endpoint
as the chat user turn, `arm.chat_prompts`), one request per input, read back as the zero-shot endpoint arm
reads its answers (a label constrained to the labels where the server can, else parsed; a text kind's
answer free, read by the kind), through the endpoint arms' machinery: the preflight, retries, the response
cache (a rerun pays nothing again) and the run's --max-usd budget, shared with the endpoint arms and the
judge. A local teacher is the run's own model answering the zero-shot prompt as the zero-shot arm does
(every label scored; a text kind's answer generated).

Why zero-shot: the teacher stands for the model the company would otherwise prompt, and a label bought from
it costs that prompt's tokens (the calculator prices a teacher label the same way). An answer the kind
cannot read (`TaskKind.with_answer`: no label, an empty text, no JSON object) is dropped from training and
counted, not guessed. Every tuned arm of the run trains on the same kept labels (`Context.train`; a learning
curve on their first N) and is scored on the gold test split like every arm; its row's `teacher`
(`core.result.TeacherStats`) says who labelled, how many, the labels' agreement with gold on those inputs,
their tokens and dollars. `teacher_labels.csv` in the run folder holds each input's teacher and gold label.
"""

from __future__ import annotations

import csv
import io
import json
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from benchmarks.endpoint.arm import (
    CHAT_OVERHEAD_TOKENS,
    Budget,
    BudgetExhausted,
    EndpointSession,
    answers_of,
    arm_request,
    chat_prompts,
    max_tokens_for,
    preflighted,
    request_bound_usd,
    run_arm,
)
from benchmarks.endpoint.client import EndpointSettings
from benchmarks.endpoint.money import Usage, side_pricing
from benchmarks.tasks import Example, TaskData
from calculator.prompts import TEXT
from core.approaches import TUNED, spec
from core.files import write_atomic
from core.result import TeacherStats

PROMPT = "zero_shot"  # the approach whose prompt asks the teacher: the zero-shot arm's
STAGE = "teacher labels"  # the progress sub-stage
SHARE = 0.2  # of the first tuned approach's bar, filled while the teacher labels
LABELS_FILE = "teacher_labels.csv"
# teacher_labels.csv's columns: the training input, the kind's (gold, teacher, agreement: classification's
# label, prediction, correct; a text kind's reference, prediction, score), whether it was kept, the raw answer
COLUMNS = ("index", "text", "gold", "teacher", "agreement", "kept", "output")
ONE_PROCESS = "runs in one process for now (rank 0 alone may send requests); leave out --processes"


class TeacherError(RuntimeError):
    """The teacher gave nothing to train on; the message says why."""


@dataclass
class Labels:
    """The teacher's kept labels (training order) and what the result row records of them."""

    examples: list[Example]
    stats: TeacherStats


@dataclass
class Answered:
    """A teacher's answers to the first len(answers) training inputs, and the facts of how they came."""

    answers: np.ndarray  # parsed, as the kind scores them: label indices (-1 unreadable), or texts
    outputs: list[str]
    facts: dict  # TeacherStats' fields of where and how: model, backend, prompt, tokens, dollars, counts


@dataclass
class Teacher:
    """Labels the training split once per run, for every tuned arm (`teach`)."""

    session: EndpointSession | None  # None: the run's local model answers
    run_dir: Path | None  # where teacher_labels.csv goes (None: another rank's job)
    _labels: Labels | None = None
    _failed: Exception | None = None

    def teach(self, ctx, name: str) -> TeacherStats | None:
        """Before arm `name`: for a tuned approach, the teacher's kept labels into `ctx.train` (labelled at the
        first, then reused; a failure fails every tuned arm alike) and the stats for its row; else None."""
        if name not in TUNED:
            return None
        if self._failed:
            raise self._failed
        if self._labels is None:
            try:
                with ctx.progress.part_of_approach(0.0, SHARE):
                    self._labels = self._label(ctx)
            except Exception as exc:
                self._failed = exc
                raise
        ctx.train = self._labels.examples
        return self._labels.stats.model_copy(deep=True)

    def _label(self, ctx) -> Labels:
        answered = endpoint_answers(ctx, self.session) if self.session else local_answers(ctx)
        asked = ctx.task.train[:len(answered.answers)]
        taught = [ctx.kind.with_answer(e, a) for e, a in zip(asked, answered.answers, strict=True)]
        keep = [i for i, e in enumerate(taught) if e is not None]
        if not keep:
            raise TeacherError(f"none of the teacher's {len(asked)} answers could be read as a label: nothing to "
                               "train on")
        gold = ctx.kind.targets(asked)
        agreement = ctx.kind.quality(gold[keep], answered.answers[keep])["quality"]
        usd = answered.facts.get("usd_total")
        stats = TeacherStats(answered=len(asked), unparseable=len(asked) - len(keep), kept=len(keep),
                             agreement=agreement.model_copy(update={"example_scores": []}),  # in teacher_labels.csv
                             usd_per_label=usd / len(keep) if usd is not None else None, **answered.facts)
        if stats.unparseable:
            ctx.notes.append(f"teacher: {stats.unparseable} of {len(asked)} answers could not be read as a label, "
                             "dropped from training")
        if stats.stopped:
            ctx.notes.append(f"teacher: stopped by max_usd after {len(asked)} of {len(ctx.task.train)} training "
                             f"inputs; the tuned approaches train on the {len(keep)} labels kept")
        if self.run_dir:
            rows = [{"index": i, "text": e.text, **dict(zip(COLUMNS[2:5], ctx.kind.prediction(g, a).values(), strict=True)),
                     "kept": t is not None, "output": out}
                    for i, (e, g, a, t, out) in enumerate(zip(asked, gold, answered.answers, taught, answered.outputs,
                                                              strict=True))]
            write_atomic(self.run_dir / LABELS_FILE, _csv(rows))
        return Labels([taught[i] for i in keep], stats)


def _csv(rows: list[dict]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS)
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def endpoint_answers(ctx, session: EndpointSession) -> Answered:
    """Every training input asked of the endpoint teacher within the budget: its answers, usage and dollars."""
    task, started = ctx.task, time.perf_counter()
    template, prompts = chat_prompts(task, PROMPT, examples=task.train)
    request = arm_request(ctx.kind, session, template.answer_cue,
                          max_tokens_for(PROMPT, ctx.config, task, session.counter))
    outcome = run_arm(session, prompts, request, on_progress=lambda done, total: ctx.progress.step(STAGE, done, total))
    recs = outcome.records
    if not recs:
        raise BudgetExhausted(f"max_usd ${ctx.config.max_usd:g} reached before the teacher labelled a training input")
    answers, _ = answers_of(ctx.kind, recs)
    usd = [r.usd for r in recs if r.usd is not None]
    settings = session.settings
    return Answered(answers, [r.output for r in recs], {
        "model": settings.model, "backend": "endpoint", "endpoint_host": settings.host, "provider": session.provider,
        "prompt": template.chat_body.replace(TEXT, "{input}"),
        "constrained": session.constrained if ctx.kind.name == "classification" else None,
        "prompt_tokens": float(np.mean([r.usage.input for r in recs])),
        "completion_tokens": float(np.mean([r.usage.output for r in recs])),
        "usd_total": float(sum(usd)) if usd else None,
        "usd_sent": float(sum(r.usd for r in recs if not r.cached and r.usd is not None)) if usd else None,
        "price_source": session.pricing.source if session.pricing else None,
        "sent": outcome.sent, "cached": sum(r.cached for r in recs), "retries": outcome.retries,
        "seconds": time.perf_counter() - started, "stopped": outcome.stopped})


def local_answers(ctx) -> Answered:
    """Every training input answered by the run's own model with the zero-shot prompt, as the zero-shot arm answers."""
    builder = ctx.templates.builder(kind=spec(PROMPT).prompt_kind)
    ev = ctx.evaluator.evaluate(builder, ctx.task.train, stage=STAGE)
    return Answered(ev.answers, ev.output_texts, {
        "model": ctx.loaded.info.name, "backend": "local", "prompt": builder.text("{input}"),
        "prompt_tokens": ev.prompt_tokens / len(ev.targets), "completion_tokens": ev.output_tokens_model,
        "seconds": ev.seconds})


def open_teacher(config, labels: list[str], budget: Budget, run_dir: Path | None) -> Teacher:
    """The run's teacher: local, or an endpoint's client, prices and preflight (one-line EndpointError or
    PriceNotFound before any input is sent), spending from the run's `budget`."""
    if config.teacher == "local":
        return Teacher(None, run_dir)
    return Teacher(preflighted(EndpointSettings.of_side(config, "teacher"), side_pricing(config, "teacher"),
                               config.teacher_provider, config.task_kind, labels, budget), run_dir)


def teacher_cost_estimate(config, task: TaskData, session: EndpointSession) -> str:
    """The endpoint teacher's likely and most cost, as one line (the CLI prints it before the run), over the
    training inputs whose answers are not in the response cache yet. Likely: each prompt's tiktoken count plus
    the chat template's tokens, an answer as long as the gold one (as JSON when constrained); at most: every
    answer at its max_tokens and the prompt at the budget's reserve factor."""
    from benchmarks.kinds import kind_for

    prices, counter = session.pricing, session.counter
    if prices is None:
        return "teacher cost: no prices (name --teacher-provider, or give --teacher-input-usd-per-mtok and " \
               "--teacher-output-usd-per-mtok)"
    template, prompts = chat_prompts(task, PROMPT, examples=task.train)
    max_tokens = max_tokens_for(PROMPT, config, task, counter)
    request = arm_request(kind_for(task), session, template.answer_cue, max_tokens)
    todo = [i for i, p in enumerate(prompts) if session.client.cached(request.body(session.settings.model, p)) is None]
    def head(likely: float, most: float) -> str:
        return f"teacher cost likely ${likely:.4f}, at most ${most:.4f} for {len(todo):,} requests to {session.settings.model}"

    if not todo:
        return head(0, 0) + f" (all {len(prompts):,} training inputs answered before, in the response cache)"
    constrained = session.constrained and task.kind == "classification"
    answer = counter.mean([json.dumps({"label": task.answer(task.train[i])}) if constrained
                           else task.answer(task.train[i]) for i in todo])
    inputs = sum(counter.count(prompts[i]) + CHAT_OVERHEAD_TOKENS for i in todo)
    likely = prices.usd(Usage(input=inputs, output=round(answer * len(todo))))
    most = sum(request_bound_usd(prices, counter, prompts[i], max_tokens) for i in todo)
    cached = f"; {len(prompts) - len(todo):,} answered before, in the response cache" if len(todo) < len(prompts) else ""
    cap = f"; stops at max_usd ${config.max_usd:g} with the endpoint arms" if config.max_usd else ""
    return head(likely, most) + (
        f" (zero-shot labels of {len(prompts):,} training inputs{cached}; likely: each prompt's tiktoken count + "
        f"{CHAT_OVERHEAD_TOKENS} chat tokens and a {answer:.1f}-token answer; at most: every answer at {max_tokens} "
        f"tokens; {prices.source}){cap}")
