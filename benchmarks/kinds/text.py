"""The text kinds: generation (free text against one or more references) and extraction (a JSON
object scored field by field). The answer is generated greedily, batched, from the prompt's shared
prefix (`benchmarks.generation`), stopped at the model's end of turn (and at a line break when every
training reference is one line) or at a token limit read from the training references; it is scored
with `benchmarks.text_metrics` (the kind's primary metric and the others beside it).
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import replace
from functools import cached_property
from typing import TYPE_CHECKING, Any

import numpy as np

from benchmarks.generation import generate, generate_all, stop_ids
from benchmarks.kinds.base import Answers
from benchmarks.metrics import bootstrap_mean
from benchmarks.text_metrics import BESIDE, METRICS, PRIMARY, parse_json
from core.result import Quality

if TYPE_CHECKING:
    from benchmarks.prompt_ids import PromptBuilder
    from benchmarks.tasks import Example, TaskData

# The answer's token limit: the longest training reference (model tokens; an endpoint arm's tiktoken count)
# times this, plus LIMIT_SLACK, at most MAX_ANSWER_TOKENS; room for a longer answer than any seen, not for a
# runaway one (answer_token_limit, the one place the rule is written).
LIMIT_FACTOR = 1.5
LIMIT_SLACK = 8
MAX_ANSWER_TOKENS = 512
BOOTSTRAP_SEED = 0  # the interval is the same for the same answers


def answer_token_limit(task: TaskData, count: Callable[[str], int]) -> int:
    """The most tokens an answer of `task` may take, its training references counted by `count` (the
    model's tokenizer for a local arm, the session's tiktoken counter for an endpoint arm's max_tokens)."""
    longest = max((count(ref) for e in task.train for ref in e.references), default=MAX_ANSWER_TOKENS)
    return min(MAX_ANSWER_TOKENS, math.ceil(longest * LIMIT_FACTOR) + LIMIT_SLACK)


class TextKind:
    name: str
    prediction_fields = ("reference", "prediction", "score")

    def __init__(self, task: TaskData):
        self.task = task
        self.metric = PRIMARY[self.name]

    @cached_property
    def one_line(self) -> bool:
        """Every training reference is a single line: an answer ends at its first line break."""
        return all("\n" not in ref for e in self.task.train for ref in e.references)

    def token_limit(self, tokenizer) -> int:
        """The answer's token limit in the model's tokens."""
        return answer_token_limit(self.task, lambda ref: len(tokenizer(ref, add_special_tokens=False).input_ids))

    def targets(self, examples: list[Example]) -> np.ndarray:
        targets = np.empty(len(examples), dtype=object)
        targets[:] = [e.references for e in examples]
        return targets

    def target_ids(self, builder: PromptBuilder, example: Example) -> list[int]:
        """The first reference, then the end of sequence: a tuned model learns where its answer stops."""
        return builder.answer_ids(self.task.answer(example)) + [builder.tokenizer.eos_token_id]

    def answer(self, model, builder: PromptBuilder, suffixes: list[list[int]], *, pad_id: int, soft_prompt,
               batching: dict[str, int], on_progress: Callable[[int, int], None]) -> Answers:
        tokenizer = builder.tokenizer
        got = generate_all(model, tokenizer, builder.prefix_ids, suffixes, self.token_limit(tokenizer),
                           batching=batching, stop=stop_ids(model, tokenizer, at_newline=self.one_line),
                           soft_prompt=soft_prompt, on_batch=on_progress)
        outputs = [builder.template.prefill + text for text in got.texts]
        answers = self.parsed(outputs, builder.answer_cue)
        return Answers(
            answers=answers, output_texts=outputs, output_tokens=float(got.new_tokens.mean()),
            seconds=got.seconds, prompt_tokens=got.prompt_tokens, computed_tokens=got.computed_tokens,
            batch_size=got.batch_size, unparseable=self.unparseable(answers),
        )

    def one_request(self, model, builder: PromptBuilder, suffix: list[int], *, pad_id: int, soft_prompt) -> Any:
        tokenizer = builder.tokenizer
        return generate(model, pad_id, builder.prefix_ids, [suffix], self.token_limit(tokenizer),
                        soft_prompt=soft_prompt, stop_ids=stop_ids(model, tokenizer, at_newline=self.one_line))

    def parsed(self, outputs: list[str], cue: str) -> np.ndarray:
        answers = np.empty(len(outputs), dtype=object)
        answers[:] = [self.parse(text, cue) for text in outputs]
        return answers

    def unparseable(self, answers: np.ndarray) -> int:
        return 0

    def with_answer(self, example: Example, answer: str) -> Example | None:
        """The answer as the example's one reference; an empty one cannot be learnt from."""
        return replace(example, target=answer) if answer.strip() else None

    def scores(self, targets: np.ndarray, answers: np.ndarray) -> np.ndarray:
        return np.array([METRICS[self.metric](answer, refs) for refs, answer in zip(targets, answers, strict=True)])

    def quality(self, targets: np.ndarray, answers: np.ndarray) -> dict[str, Any]:
        """The primary metric's mean with its bootstrap 95% interval, the others' means beside it."""
        scores = self.scores(targets, answers)
        value, interval = bootstrap_mean(scores, seed=BOOTSTRAP_SEED)
        others = {name: float(np.mean([METRICS[name](a, refs) for refs, a in zip(targets, answers, strict=True)]))
                  for name in BESIDE[self.name]}
        return {"quality": Quality(metric=self.metric, value=value, interval=interval, interval_basis="bootstrap",
                                   others=others, example_scores=[round(float(x), 4) for x in scores])}

    def prediction(self, target: list[str], answer: str) -> dict[str, Any]:
        return {"reference": target[0] if len(target) == 1 else json.dumps(target, ensure_ascii=False),
                "prediction": answer, "score": round(float(METRICS[self.metric](answer, target)), 4)}


class Generation(TextKind):
    name = "generation"

    def parse(self, text: str, cue: str) -> str:
        """The answer without a repeated cue ("Headline: ...") or quotes around it; its first line when
        answers are one line."""
        text = text.strip()
        if self.one_line:
            text = next((line for line in text.splitlines() if line.strip()), "")
        text = text.strip()
        if cue and text.lower().startswith(f"{cue.lower()}:"):
            text = text[len(cue) + 1:].strip()
        if len(text) >= 2 and text[0] == text[-1] and text[0] in "\"'":
            text = text[1:-1].strip()
        return text


class Extraction(TextKind):
    name = "extraction"
    one_line = False  # a JSON object may span lines: it ends at the end of turn or the token limit

    def parse(self, text: str, cue: str) -> str:
        """The first JSON object in the text, written compactly; the text itself when there is none
        (it then scores 0 on every field)."""
        found = parse_json(text)
        return text.strip() if found is None else json.dumps(found, ensure_ascii=False)

    def unparseable(self, answers: np.ndarray) -> int:
        return sum(parse_json(a) is None for a in answers)

    def with_answer(self, example: Example, answer: str) -> Example | None:
        """The answer's JSON object as the example's target; None when it holds none."""
        found = parse_json(answer)
        return None if found is None else replace(example, target=found)
