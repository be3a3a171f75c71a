"""What a prompt search tries: instructions (the product's own prompt kinds and paraphrases) and
example sets drawn from the training split only.

Instructions come from calculator.prompts, so the searched prompt is one the cost model can price:
the zero-shot instruction as given first, then the persona and output-format variants, then the
paraphrases (calculator.prompts.PARAPHRASES). Example sets hold k training examples: label-balanced,
nearest (each input's own k nearest training examples, Liu et al. 2021 and DSPy's KNNFewShot),
typical (each label's examples nearest its centroid: the most representative) and random, each
fixed set again with another seed when the budget allows. Similarity is bag-of-words cosine over the
training split, computed in milliseconds with no model. Torch-free.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np

from benchmarks.bag_of_words import BagOfWords
from benchmarks.prompt_ids import PromptBuilder
from benchmarks.tasks import Example, TaskData, balanced_shots
from calculator.prompts import PARAPHRASES, TEXT
from core.approaches import spec

# The instruction kinds a search may serve: each is an approach's prompt kind with no examples of its own.
INSTRUCTION_KINDS = ("zero_shot", "persona", "output_format")
ONE_WORD_VARIANT = 2  # "Reply with a single word.": a label's paraphrase, wrong for a text answer


@dataclass(frozen=True)
class Instruction:
    kind: str  # a prompt kind of calculator.prompts
    variant: int = 0  # its paraphrase (PARAPHRASES' index)

    @property
    def words(self) -> str:
        name = spec(self.kind).title.removesuffix(" prompt").lower()
        return name + (f", paraphrase {self.variant}" if self.variant else "")


NEAREST = "nearest"


@dataclass(frozen=True)
class ShotSet:
    strategy: str  # none, balanced, nearest, typical, random
    ids: tuple[int, ...] = ()  # a fixed set's places in the training split
    per_input: int = 0  # nearest: how many of its own nearest training examples each input is shown

    @property
    def k(self) -> int:
        """Examples each prompt shows."""
        return self.per_input or len(self.ids)

    @property
    def words(self) -> str:
        if not self.k:
            return "no examples"
        return f"{self.k} {self.strategy} examples" + (" per input" if self.per_input else "")


@dataclass(frozen=True)
class Candidate:
    instruction: Instruction
    shots: ShotSet = field(default_factory=lambda: ShotSet("none"))

    @property
    def words(self) -> str:
        return self.instruction.words + ("" if not self.shots.k else f" + {self.shots.words}")


def instructions(task_kind: str) -> list[Instruction]:
    """Every instruction the task's kind can take, the zero-shot one as given first, paraphrases last."""
    kinds = [k for k in INSTRUCTION_KINDS if task_kind in spec(k).task_kinds]
    variants = [v for v in range(len(PARAPHRASES)) if task_kind == "classification" or v != ONE_WORD_VARIANT]
    return [Instruction(kind, variant) for variant in variants for kind in kinds]


def typical_ids(train: list[Example], k: int) -> list[int]:
    """k training examples, labels in turn, each label's nearest its own centroid (bag-of-words cosine)."""
    bag = BagOfWords([ex.text for ex in train])
    ranked: dict[int, list[int]] = {}
    for label in sorted({ex.label for ex in train}):
        members = np.array([i for i, ex in enumerate(train) if ex.label == label])
        closeness = bag.dot(bag.mean(members))[members]
        ranked[label] = [int(i) for i in members[np.argsort(-closeness, kind="stable")]]
    ids: list[int] = []
    while len(ids) < min(k, len(train)):
        for label in ranked:
            if ranked[label] and len(ids) < k:
                ids.append(ranked[label].pop(0))
    return ids


def shot_sets(task: TaskData, k: int, seed: int) -> Iterator[ShotSet]:
    """Example sets in the order a search tries them: balanced, nearest, typical, random, then balanced and
    random with each next seed (nearest and typical have one answer)."""
    place = {id(ex): i for i, ex in enumerate(task.train)}
    yield ShotSet("balanced", tuple(place[id(ex)] for ex in balanced_shots(task, k, seed)))
    yield ShotSet(NEAREST, per_input=min(k, len(task.train)))
    yield ShotSet("typical", tuple(typical_ids(task.train, k)))
    for draw in range(seed, seed + 1_000):
        yield ShotSet("random", tuple(random.Random(draw).sample(range(len(task.train)), min(k, len(task.train)))))
        yield ShotSet("balanced", tuple(place[id(ex)] for ex in balanced_shots(task, k, draw + 1)))


def split_budget(trials: int, instruction_count: int) -> tuple[int, int]:
    """(instruction trials, example-set trials): 5 and 3 of the default 8; instructions first, since the
    example sets are tried with the best of them, and at least one of each from 2 trials on."""
    with_shots = 0 if trials < 2 else max(1, (3 * trials) // 8)
    alone = min(trials - with_shots, instruction_count)
    return alone, trials - alone


def widest_prompts(task: TaskData, k: int, trials: int, validation: int) -> list[str]:
    """Every chat prompt a search can send an endpoint, each at its widest: the longest instruction with the
    k longest training texts, for each validation example once a trial and each test example (the cost
    estimate's upper bound)."""
    longest = sorted(task.train, key=lambda ex: len(ex.text), reverse=True)[:k]
    bodies = [PromptBuilder(task, tokenizer=None, use_chat=True, kind=i.kind, variant=i.variant,
                            shots=longest).template.chat_body for i in instructions(task.kind)]
    widest = max(bodies, key=len)
    examples = task.validation[:validation] * trials + task.test
    return [widest.replace(TEXT, ex.text) for ex in examples]
