"""Prompt search: the best prompt the training and validation splits can find, then scored once on test.

Each trial is a candidate prompt (benchmarks/prompt_candidates.py: an instruction of the product's
prompt kinds or a paraphrase, with or without k training examples: a fixed set, or each input's own
nearest ones) scored on the validation split with the run's own evaluation (label log-likelihoods for
classification, the kind's generation and metric for the text kinds). Instructions are tried first with
no examples, then example sets with the best instruction; the best validation score wins (the earlier,
shorter prompt on a tie), and only it is scored on the test split. The test split is never shown to the
search: candidates draw their examples from the training split and are scored on the validation split
alone (tests/benchmarks/test_prompt_search.py records every evaluation); a chosen nearest-example prompt
shows each test input its nearest training examples, as serving it would. The endpoint arm
(benchmarks/endpoint/search.py) runs the same search with its trials sent through the endpoint arms'
client, cache and budget.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import islice

import numpy as np

from benchmarks.approaches.base import Context
from benchmarks.approaches.few_shot import fitted, fitted_shots
from benchmarks.bag_of_words import Neighbours
from benchmarks.prompt_candidates import Candidate, ShotSet, instructions, shot_sets, split_budget
from benchmarks.prompt_ids import PerInputBuilder, PromptBuilder
from benchmarks.tasks import Example
from calculator.prompts import EXAMPLES, Template
from core.approaches import PromptSearchSettings
from core.result import ApproachResult, PromptSearchStats, SearchTrial

TEST_SHARE = 0.3  # of the approach's bar: the chosen prompt on the test split (the trials fill the rest)


@dataclass
class Trial:
    """One candidate scored on the validation split (by the local model or an endpoint)."""

    candidate: Candidate
    shown: frozenset[int]  # the training examples its prompts showed (places in the training split)
    prompt: str  # the candidate's prompt, {input} where the input goes
    instruction: str  # its instruction, as the model reads it
    scores: np.ndarray  # per validation example, the kind's metric
    seconds: float
    prompt_tokens: int
    computed_tokens: int
    usd: float | None = None  # an endpoint's measured dollars
    stopped: str | None = None  # why fewer than every validation example was answered ('max_usd')

    @property
    def score(self) -> float:
        return float(np.mean(self.scores))


Score = Callable[[Candidate, str], Trial]  # a candidate scored on the validation split; str: the progress stage


@dataclass
class Search:
    """The trials in the order tried."""

    validation: list[Example]
    trials: list[Trial] = field(default_factory=list)
    seconds: float = 0.0
    stopped: str | None = None

    @property
    def best(self) -> Trial:
        """The first trial with the highest validation score."""
        return max(self.trials, key=lambda t: t.score)


def instruction_of(template: Template, input_name: str) -> str:
    """The part of a prompt before its examples and input: persona, instruction, output format."""
    return template.body.replace(EXAMPLES, "").split(f"\n\n{input_name}: ", 1)[0]


def validation_examples(ctx: Context, name: str, settings: PromptSearchSettings) -> list[Example]:
    """What every trial is scored on: the validation split (the training split's head without one), cut to
    the settings' size, else to what an extra pass scores."""
    validation = ctx.task.validation or ctx.task.train[:100]
    if not ctx.task.validation:
        ctx.notes.append(f"{name}: no validation split; trials scored on the first {len(validation)} training examples")
    if settings.validation_examples:
        return validation[:settings.validation_examples]
    return ctx.templates.extra_examples(validation) if ctx.loaded else validation[:ctx.config.extra_pass_size]


def search(ctx: Context, validation: list[Example], settings: PromptSearchSettings, score: Score) -> Search:
    """Try up to `settings.trials` candidates, each scored by `score` on `validation`: instructions alone
    first, then example sets (from the training split) with the best instruction. A trial the budget
    stopped ends the search, left out: its score is over fewer examples. `stopped` says why fewer trials
    ran than budgeted ('max_usd', or 'candidates': none untried left)."""
    found = Search(validation)
    alone, with_shots = split_budget(settings.trials, len(instructions(ctx.kind.name)))
    started = time.perf_counter()

    def trial(candidate: Candidate) -> bool:
        number = len(found.trials)
        with ctx.progress.part_of_approach(number / settings.trials, (number + 1) / settings.trials):
            tried = score(candidate, f"trial {number + 1}: {candidate.words}")
        if tried.stopped:
            found.stopped = tried.stopped
            return False
        found.trials.append(tried)
        return True

    going = all(trial(Candidate(instruction)) for instruction in instructions(ctx.kind.name)[:alone])
    best = found.best.candidate.instruction if found.trials else instructions(ctx.kind.name)[0]
    seen: set[tuple[int, frozenset[int]]] = set()
    for shots in islice(shot_sets(ctx.task, ctx.config.k, ctx.config.seed), 100 * settings.trials):
        if not going or len(found.trials) >= alone + with_shots:
            break
        if shots.k and (shots.per_input, frozenset(shots.ids)) not in seen:
            seen.add((shots.per_input, frozenset(shots.ids)))
            going = trial(Candidate(best, shots))
    if going and len(found.trials) < settings.trials:
        found.stopped = "candidates"
        ctx.notes.append(f"prompt search: {len(found.trials)} of {settings.trials} trials: no untried "
                         "candidate left for this task")
    found.seconds = time.perf_counter() - started
    return found


def stats(found: Search, settings: PromptSearchSettings, metric: str) -> PromptSearchStats:
    chosen, trials = found.best, found.trials
    usd = [t.usd for t in trials if t.usd is not None]
    return PromptSearchStats(
        metric=metric, chosen=trials.index(chosen), instruction=chosen.instruction, prompt=chosen.prompt,
        budget=settings.trials,
        trials=[SearchTrial(candidate=t.candidate.words, prompt_kind=t.candidate.instruction.kind,
                            variant=t.candidate.instruction.variant, shots=t.candidate.shots.strategy,
                            shot_ids=list(t.candidate.shots.ids), k=t.candidate.shots.k,
                            validation_score=t.score, seconds=t.seconds)
                for t in trials],
        validation_examples=len(found.validation), baseline_validation_score=trials[0].score,
        calls=sum(len(t.scores) for t in trials), seconds=found.seconds,
        prompt_tokens=sum(t.prompt_tokens for t in trials), computed_tokens=sum(t.computed_tokens for t in trials),
        usd=float(sum(usd)) if usd else None, stopped=found.stopped,
    )


def labels_used(found: Search, tested: frozenset[int] = frozenset()) -> int:
    """The validation examples and every training example a trial showed, or the chosen prompt showed the
    test split (`tested`: nearest examples, retrieved per input)."""
    return len(found.validation) + len(tested.union(*(t.shown for t in found.trials)))


def nearest_shots(ctx: Context, k: int, inputs: list[Example], *, fit: bool) -> dict[str, list[int]]:
    """Each input's own k nearest training examples (places in the training split: no other split is
    searched), with `fit` (a local model) cut to fit half of max_seq_len as few-shot's are."""
    near, train = Neighbours(ctx.task.train), ctx.task.train
    shots = {}
    for text in dict.fromkeys(e.text for e in inputs):
        ids = near.ids(text, k)
        kept = fitted(ctx, [train[i] for i in ids]) if fit else [train[i] for i in ids]
        shots[text] = [i for i in ids if any(train[i] is ex for ex in kept)]
    if cut := sum(len(ids) < k for ids in shots.values()):
        ctx.notes.append(f"nearest examples: {cut} of {len(shots)} inputs shown fewer than {k}, to fit half of "
                         f"max_seq_len ({ctx.config.max_seq_len} tokens)")
    return shots


def candidate_prompt(ctx: Context, candidate: Candidate, inputs: list[Example], *,
                     local: bool) -> tuple[Candidate, PromptBuilder, frozenset[int]]:
    """The candidate's prompt for `inputs` (as fitted: a fixed set's ids then say what is shown) and the
    training examples it shows them. A local model's examples are cut to fit half of max_seq_len; an
    endpoint's go whole (its chat user turn: `PromptBuilder.chat_turn`)."""
    instruction, shots, train = candidate.instruction, candidate.shots, ctx.task.train
    kind = {"kind": instruction.kind, "variant": instruction.variant}
    make = ctx.templates.builder if local else (
        lambda cls=PromptBuilder, **kw: cls(ctx.task, tokenizer=None, use_chat=True, **kw))
    if shots.per_input:
        ids = nearest_shots(ctx, shots.per_input, inputs, fit=local)
        builder = make(PerInputBuilder, **kind, per_input={t: [train[i] for i in v] for t, v in ids.items()},
                       placeholder=f"{{the input's {shots.per_input} nearest training examples}}")
        return candidate, builder, frozenset(i for v in ids.values() for i in v)
    chosen = [train[i] for i in shots.ids]
    kept = fitted_shots(ctx, chosen) if chosen and local else chosen
    ids = tuple(i for i in shots.ids if train[i] in kept)
    return Candidate(instruction, ShotSet(shots.strategy, ids)), make(shots=kept, **kind), frozenset(ids)


def local_score(ctx: Context, validation: list[Example]) -> Score:
    """A candidate scored by the run's model, the way the zero-shot and few-shot arms score the test split."""
    def score(candidate: Candidate, stage: str) -> Trial:
        fitted_candidate, builder, shown = candidate_prompt(ctx, candidate, validation, local=True)
        ev = ctx.evaluator.evaluate(builder, validation, stage=stage)
        return Trial(fitted_candidate, shown, builder.text("{input}"),
                     instruction_of(builder.template, ctx.task.input_name), ev.scores, ev.seconds,
                     ev.prompt_tokens, ev.computed_tokens)
    return score


def run(ctx: Context, name: str) -> ApproachResult:
    settings = ctx.config.settings(name)
    with ctx.progress.part_of_approach(0.0, 1.0 - TEST_SHARE):
        validation = validation_examples(ctx, name, settings)
        chat = ctx.templates.use_chat  # chosen on validation before the trials, so outside their timing
        found = search(ctx, validation, settings, local_score(ctx, validation))
    chosen = found.best.candidate
    _, builder, shown = candidate_prompt(ctx, chosen, ctx.task.test, local=True)
    with ctx.progress.part_of_approach(1.0 - TEST_SHARE, 1.0):
        ev = ctx.evaluator.evaluate(builder, ctx.task.test, stage=name, latency=True)
    return ctx.rows.result(
        name, ev, labeled=labels_used(found, shown), search=stats(found, settings, ctx.kind.metric),
        config={"chat_template": chat, "prompt": builder.text("{input}"), "trials": settings.trials,
                "chosen": chosen.words, "k": chosen.shots.k},
    )
