"""Prompt search: the best prompt the training and validation splits can find, then scored once on test.

Each trial is a candidate prompt (benchmarks/prompt_candidates.py: an instruction of the product's
prompt kinds or a paraphrase, with or without k training examples) scored on the validation split with
the run's own evaluation (label log-likelihoods for classification, the kind's generation and metric
for the text kinds). Instructions are tried first with no examples, then example sets with the best
instruction; the best validation score wins (the earlier, shorter prompt on a tie), and only it is
scored on the test split. The test split is never shown to the search: `search` receives the training
split's examples and the validation split alone.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from itertools import islice

from benchmarks.approaches.base import Context
from benchmarks.approaches.few_shot import fitted_shots
from benchmarks.evaluation import Evaluation
from benchmarks.prompt_candidates import Candidate, ShotSet, instructions, shot_sets, split_budget
from benchmarks.prompt_ids import PromptBuilder
from benchmarks.tasks import Example
from core.approaches import PromptSearchSettings
from core.result import ApproachResult, PromptSearchStats, SearchTrial

TEST_SHARE = 0.3  # of the approach's bar: the chosen prompt on the test split (the trials fill the rest)


@dataclass
class Search:
    """The trials in the order tried, each with its builder and validation evaluation."""

    validation: list[Example]
    trials: list[tuple[Candidate, PromptBuilder, Evaluation]] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def best(self) -> int:
        """The first trial with the highest validation score."""
        scores = [ev.mean_score for _, _, ev in self.trials]
        return scores.index(max(scores))


def _builder(ctx: Context, candidate: Candidate) -> tuple[Candidate, PromptBuilder]:
    """The candidate's prompt; its examples cut to fit half of max_seq_len (the ids say what is shown)."""
    chosen = [ctx.task.train[i] for i in candidate.shots.ids]
    kept = fitted_shots(ctx, chosen) if chosen else []
    ids = tuple(i for i in candidate.shots.ids if ctx.task.train[i] in kept)
    fitted = Candidate(candidate.instruction, ShotSet(candidate.shots.strategy, ids))
    builder = ctx.templates.builder(kind=fitted.instruction.kind, variant=fitted.instruction.variant, shots=kept)
    return fitted, builder


def search(ctx: Context, validation: list[Example], settings: PromptSearchSettings) -> Search:
    """Try up to `settings.trials` candidates on `validation`: instructions alone first, then example sets
    (from the training split) with the best instruction."""
    found = Search(validation)
    alone, with_shots = split_budget(settings.trials, len(instructions(ctx.kind.name)))
    started = time.perf_counter()

    def trial(candidate: Candidate) -> None:
        number = len(found.trials)
        with ctx.progress.part_of_approach(number / settings.trials, (number + 1) / settings.trials):
            fitted, builder = _builder(ctx, candidate)
            ev = ctx.evaluator.evaluate(builder, validation, stage=f"trial {number + 1}: {fitted.words}")
        found.trials.append((fitted, builder, ev))

    for instruction in instructions(ctx.kind.name)[:alone]:
        trial(Candidate(instruction))
    best = found.trials[found.best][0].instruction if found.trials else instructions(ctx.kind.name)[0]
    tried: set[tuple[int, ...]] = set()
    for shots in islice(shot_sets(ctx.task, ctx.config.k, ctx.config.seed), 100 * settings.trials):
        if len(found.trials) >= alone + with_shots:
            break
        if shots.ids and tuple(sorted(shots.ids)) not in tried:
            tried.add(tuple(sorted(shots.ids)))
            trial(Candidate(best, shots))
    found.seconds = time.perf_counter() - started
    return found


def stats(found: Search, settings: PromptSearchSettings, metric: str) -> PromptSearchStats:
    chosen, builder, _ = found.trials[found.best]
    evaluations = [ev for _, _, ev in found.trials]
    template = builder.template
    return PromptSearchStats(
        metric=metric, chosen=found.best,
        instruction=template.body.split(f"\n\n{builder.task.input_name}: ", 1)[0],
        prompt=builder.text("{input}"), budget=settings.trials,
        trials=[SearchTrial(candidate=c.words, prompt_kind=c.instruction.kind, variant=c.instruction.variant,
                            shots=c.shots.strategy, shot_ids=list(c.shots.ids), validation_score=ev.mean_score,
                            seconds=ev.seconds) for c, _, ev in found.trials],
        validation_examples=len(found.validation), baseline_validation_score=evaluations[0].mean_score,
        calls=sum(len(ev.targets) for ev in evaluations), seconds=found.seconds,
        prompt_tokens=sum(ev.prompt_tokens for ev in evaluations),
        computed_tokens=sum(ev.computed_tokens for ev in evaluations),
    )


def run(ctx: Context, name: str) -> ApproachResult:
    settings = ctx.config.settings(name)
    with ctx.progress.part_of_approach(0.0, 1.0 - TEST_SHARE):
        validation = ctx.task.validation or ctx.task.train[:100]
        if not ctx.task.validation:
            ctx.notes.append(f"{name}: no validation split; trials scored on the first {len(validation)} training examples")
        validation = validation[:settings.validation_examples] if settings.validation_examples \
            else ctx.templates.extra_examples(validation)
        chat = ctx.templates.use_chat  # chosen on validation before the trials, so outside their timing
        found = search(ctx, validation, settings)
    chosen, builder, _ = found.trials[found.best]
    with ctx.progress.part_of_approach(1.0 - TEST_SHARE, 1.0):
        ev = ctx.evaluator.evaluate(builder, ctx.task.test, stage=name, latency=True)
    shown = {i for c, _, _ in found.trials for i in c.shots.ids}
    return ctx.rows.result(
        name, ev, labeled=len(validation) + len(shown), search=stats(found, settings, ctx.kind.metric),
        config={"chat_template": chat, "prompt": builder.text("{input}"), "trials": settings.trials,
                "chosen": chosen.words, "k": len(chosen.shots.ids)},
    )
