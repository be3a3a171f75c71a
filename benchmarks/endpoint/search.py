"""The endpoint arm of a prompt search: the search of benchmarks/approaches/prompt_search.py with every
trial's validation prompts sent to the endpoint, then the chosen prompt on the test split.

Each prompt is the candidate's chat user turn (calculator.prompts' text, as every endpoint arm sends),
its examples unfitted (an endpoint has no local max_seq_len): a fixed set, or each request's own
nearest training examples (`prompt_search.candidate_prompt`, validation and test requests alike).
Requests go through the endpoint arms' `run_arm`: the response cache (a rerun sends nothing already
answered), the concurrency and the run's `--max-usd` budget, which the estimate before the run covers
(`arm.estimate_usd`). A trial the budget stops ends the search; the trials before it choose.
"""

from __future__ import annotations

import time

from benchmarks.approaches.base import Context
from benchmarks.approaches.prompt_search import (
    Search,
    Trial,
    candidate_prompt,
    instruction_of,
    labels_used,
    search,
    stats,
    validation_examples,
)
from benchmarks.endpoint.arm import (
    ArmOutcome,
    BudgetExhausted,
    EndpointSession,
    answers_of,
    arm_request,
    max_tokens_for,
    result_row,
    run_arm,
)
from benchmarks.prompt_candidates import Candidate
from benchmarks.prompt_ids import PromptBuilder
from benchmarks.tasks import Example
from core.result import ApproachResult


def _ask(ctx: Context, name: str, session: EndpointSession, builder: PromptBuilder, examples: list[Example],
         stage: str) -> tuple[list[str], ArmOutcome]:
    prompts = [builder.chat_turn(e.text) for e in examples]
    request = arm_request(ctx.kind, session, builder.answer_cue,
                          max_tokens_for(name, ctx.config, ctx.task, session.counter))
    return prompts, run_arm(session, prompts, request, on_progress=lambda done, total: ctx.progress.step(stage, done, total))


def endpoint_score(ctx: Context, name: str, session: EndpointSession, validation: list[Example]):
    """A candidate scored by the endpoint's answers on the validation split (`prompt_search.Score`)."""
    def score(candidate: Candidate, stage: str) -> Trial:
        _, builder, shown = candidate_prompt(ctx, candidate, validation, local=False)
        started = time.perf_counter()
        _, outcome = _ask(ctx, name, session, builder, validation, stage)
        answers, _ = answers_of(ctx.kind, outcome.records)
        targets = ctx.kind.targets([validation[r.index] for r in outcome.records])
        usd = [r.usd for r in outcome.records if r.usd is not None]
        tokens = int(sum(r.usage.input for r in outcome.records))
        return Trial(candidate, shown, builder.chat_turn("{input}"),
                     instruction_of(builder.template, ctx.task.input_name), ctx.kind.scores(targets, answers),
                     time.perf_counter() - started, tokens, tokens, float(sum(usd)) if usd else None,
                     outcome.stopped)
    return score


def _searched(ctx: Context, name: str, session: EndpointSession) -> Search:
    settings = ctx.config.settings(name)
    with ctx.progress.part_of_approach(0.0, 0.7):
        validation = validation_examples(ctx, name, settings)
        found = search(ctx, validation, settings, endpoint_score(ctx, name, session, validation))
    if not found.trials:
        raise BudgetExhausted(f"max_usd ${ctx.config.max_usd:g} reached before {name}'s first trial was answered")
    if found.stopped == "max_usd":
        ctx.notes.append(f"{name} (endpoint): the search stopped by max_usd after {len(found.trials)} of "
                         f"{settings.trials} trials; the best of those was chosen")
    return found


def run(ctx: Context, name: str, session: EndpointSession) -> ApproachResult:
    """The search on the endpoint, then its chosen prompt on the test split: the row, its search and predictions."""
    found = _searched(ctx, name, session)
    chosen = found.best.candidate
    _, builder, shown = candidate_prompt(ctx, chosen, ctx.task.test, local=False)
    with ctx.progress.part_of_approach(0.7, 1.0):
        prompts, outcome = _ask(ctx, name, session, builder, ctx.task.test, name)
    if not outcome.records:
        raise BudgetExhausted(f"max_usd ${ctx.config.max_usd:g} reached before {name}'s chosen prompt met the test split")
    if outcome.stopped:
        ctx.notes.append(f"{name} (endpoint): stopped by max_usd ${ctx.config.max_usd:g} after "
                         f"{len(outcome.records)} of {len(prompts)} test examples")
    row = result_row(ctx, name, session, outcome, prompts, config={
        "max_tokens": max_tokens_for(name, ctx.config, ctx.task, session.counter), "k": chosen.shots.k,
        "seed": ctx.config.seed, "temperature": 0, "prompt": builder.chat_turn("{input}"),
        "trials": ctx.config.settings(name).trials, "chosen": chosen.words})
    row.search = stats(found, ctx.config.settings(name), ctx.kind.metric)
    row.labeled_examples = labels_used(found, shown)
    return row

