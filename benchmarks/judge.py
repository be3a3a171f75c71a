"""The judge: a model on an OpenAI-compatible server compares each answer of a generation row with
its reference (`--judge-endpoint URL --judge-model NAME`), for every generation row, local or endpoint.

The rubric is pairwise against the reference, not pass/fail. The judge sees the task's instruction,
the input and two answers, A and B, without being told which is the reference, and replies A (A is
better), B (B is better) or T (they are equally good). Why pairwise: a generation task has no single
right answer, so a pass/fail rubric leaves the judge to invent its own bar for "acceptable" (how long a
headline may be, how much of the story it must name); comparing with the reference gives it the
task's own bar, the reference the dataset already holds. The question a reader asks is "is this
answer as good as the reference?", so an answer judged better or equally good counts 1 and one
judged worse counts 0. Why twice: judges prefer one position whatever the answers are (Zheng et al.
2023, "Judging LLM-as-a-judge with MT-Bench and Chatbot Arena", position bias), so every example is
asked with the answer first and again with the reference first, and the two are averaged. An
example's score is then 0, 0.5 or 1, and a judge that always names the first answer scores every
example 0.5: the row's `config["judge"]["first_preferred"]` (the share of decisive verdicts for the
first position; 0.5 is none) says how much of that there was. A verdict that cannot be read is left
out of its example's mean, and an example with none out of the row's (`unreadable` counts them).
Against the first reference when an example has several.

The row gets `quality.others["judge"]` (the mean over the examples judged), `judge_usd` (the measured
dollars of the judge's answers, cached ones at their price) and `config["judge"]` (model, host,
requests, sent, cached, unreadable, first_preferred, stopped). The judge's requests go through the
endpoint arms' machinery (benchmarks/endpoint/): the preflight (a verdict constrained to A, B, T by a
JSON schema where the server can, else read from the text), temperature 0 and seed 0, the response
cache (a rerun sends nothing it has an answer for), retries, and the run's `--max-usd` budget, shared
with the endpoint arms: each request reserves its upper bound before it is sent.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from benchmarks.endpoint.arm import (
    Budget,
    EndpointSession,
    label_request,
    preflighted,
    request_bound_usd,
    run_arm,
)
from benchmarks.endpoint.client import EndpointError, EndpointSettings
from benchmarks.endpoint.money import side_pricing
from benchmarks.tasks import Example, TaskData
from calculator.tokens import TokenCounter
from core.result import ApproachResult

VERDICTS = ["A", "B", "T"]  # A better, B better, a tie
CUE = "Verdict"
RUBRIC = "pairwise against the reference, asked twice with the order swapped; better or equal counts 1"
PROMPT = """Two answers to the same task follow. Is one of them a better answer than the other?

Task: {instruction}
{input_name}: {text}

Answer A: {first}
Answer B: {second}

Reply with one letter: A if answer A is better, B if answer B is better, T if they are equally good."""


def pair_prompts(task: TaskData, examples: list[Example], answers: list[str]) -> list[str]:
    """Two prompts per example, in example order: the answer as A and the reference as B, then swapped."""
    prompts = []
    for example, answer in zip(examples, answers, strict=True):
        reference = example.references[0]
        for first, second in ((answer, reference), (reference, answer)):
            prompts.append(PROMPT.format(instruction=task.instruction, input_name=task.input_name,
                                         text=example.text, first=first, second=second))
    return prompts


def at_least_as_good(verdict: int, answer_first: bool) -> float | None:
    """1 when the verdict puts the answer level with or above the reference, 0 below; None unread."""
    if verdict < 0:
        return None
    if VERDICTS[verdict] == "T":
        return 1.0
    return float((VERDICTS[verdict] == "A") == answer_first)


def example_scores(verdicts: dict[int, int], n: int) -> list[float | None]:
    """Each example's score: the mean of its two orders' (prompt 2i: answer first; 2i + 1: reference
    first), over the verdicts read; None when neither was (or neither was asked: a stopped budget)."""
    scores = []
    for i in range(n):
        got = [s for s in (at_least_as_good(verdicts.get(2 * i, -1), True),
                           at_least_as_good(verdicts.get(2 * i + 1, -1), False)) if s is not None]
        scores.append(float(np.mean(got)) if got else None)
    return scores


@dataclass
class Judge:
    session: EndpointSession
    max_tokens: int  # of a verdict: the config's answer_max_tokens, as any label answer

    def score(self, ctx, row: ApproachResult) -> None:
        """Judge a generation row's answers (predictions.csv's rows of its approach and backend): its
        quality.others['judge'], judge_usd and config['judge']; a note when the budget stopped the
        judge or the judge failed (the row stays, unjudged)."""
        if ctx.kind.name != "generation":
            return
        mine = [p for p in ctx.rows.predictions
                if p["approach"] == row.approach and p.get("backend", "local") == row.backend]
        examples = [ctx.task.test[p["index"]] for p in mine]
        prompts = pair_prompts(ctx.task, examples, [p["prediction"] for p in mine])
        where = f"{row.approach} ({row.backend})"
        try:
            outcome = run_arm(self.session, prompts, label_request(self.session, VERDICTS, CUE, self.max_tokens),
                              on_progress=lambda done, total: ctx.progress.step("judge", done, total))
        except EndpointError as exc:
            ctx.notes.append(f"{where}: the judge failed, the row is not judged: {exc}")
            return
        verdicts = {r.index: r.pred for r in outcome.records}
        scores = [s for s in example_scores(verdicts, len(examples)) if s is not None]
        if scores:
            row.quality.others["judge"] = float(np.mean(scores))
        firsts = [VERDICTS[r.pred] == "A" for r in outcome.records if r.pred >= 0 and VERDICTS[r.pred] != "T"]
        usd = [r.usd for r in outcome.records if r.usd is not None]
        row.judge_usd = float(sum(usd)) if usd else None
        settings = self.session.settings
        row.config["judge"] = {
            "model": settings.model, "host": settings.host, "rubric": RUBRIC, "constrained": self.session.constrained,
            "examples": len(scores), "requests": len(outcome.records), "sent": outcome.sent,
            "cached": sum(r.cached for r in outcome.records), "unreadable": sum(r.pred < 0 for r in outcome.records),
            "first_preferred": float(np.mean(firsts)) if firsts else None,  # of the decisive verdicts; 0.5: no bias
            "usd_sent": float(sum(r.usd for r in outcome.records if not r.cached)) if usd else None,
            "stopped": outcome.stopped,
        }
        if not scores:
            ctx.notes.append(f"{where}: no verdict of the judge could be read (or the budget allowed none)")
        elif outcome.stopped:
            ctx.notes.append(f"{where}: the judge stopped by max_usd after {len(scores)} of {len(examples)} "
                             "examples; quality.others['judge'] is over those")


def open_judge(config, budget: Budget | None = None) -> Judge:
    """The judge's client, prices and preflight (a one-line EndpointError/PriceNotFound before any
    answer is judged); `budget`: the endpoint arms' when the run has them, so --max-usd covers both."""
    session = preflighted(EndpointSettings.of_side(config, "judge"), side_pricing(config, "judge"),
                          config.judge_provider, "classification", VERDICTS, budget or Budget(config.max_usd))
    return Judge(session, config.answer_max_tokens)


def judge_cost_estimate(config, task: TaskData, session: EndpointSession) -> str:
    """The most the judge can cost, as one line (the CLI prints it before the run): two requests per test
    example of every arm, each answer at the endpoint arms' max_tokens for the task and every verdict at
    its own."""
    from benchmarks.kinds.text import answer_token_limit

    if session.pricing is None:
        return "judge cost: no prices (name --judge-provider, or give --judge-input-usd-per-mtok and " \
               "--judge-output-usd-per-mtok)"
    counter: TokenCounter = session.counter
    limit = answer_token_limit(task, counter.count)  # the longest answer an arm may write, not in the prompt yet
    prompts = pair_prompts(task, task.test, [""] * len(task.test))
    per_row = sum(request_bound_usd(session.pricing, counter, p, config.answer_max_tokens, limit) for p in prompts)
    rows = len(config.arms)
    cap = f"; stops at max_usd ${config.max_usd:g} with the endpoint arms" if config.max_usd else ""
    return (f"judge cost at most ${per_row * rows:.4f} for {len(prompts) * rows:,} requests to {config.judge_model} "
            f"(2 per test example of each of {rows} rows; every answer at {limit} tokens; "
            f"{session.pricing.source}){cap}")
