"""Task kinds: the evaluation seam. A kind owns what a task's target is, how the model's answer is
obtained and read back, how an answer is scored and what the result row says of its quality.

As lm-evaluation-harness dispatches on a request's `output_type`, the evaluator, the trainer and the
result rows ask the run's kind and never assume a label. Classification (label log-likelihood) is
the kind today; a new kind is a module here with the `TaskKind` methods, named in `KINDS`.
"""

from __future__ import annotations

from collections.abc import Callable

from benchmarks.kinds.base import Answers, TaskKind
from benchmarks.kinds.classification import Classification
from benchmarks.tasks import TaskData

KINDS: dict[str, Callable[[TaskData], TaskKind]] = {"classification": Classification}


def kind_for(task: TaskData) -> TaskKind:
    """The run's task kind, by the task's `kind` (tasks.load_task refuses, in one line, a kind not in KINDS)."""
    return KINDS[task.kind](task)


__all__ = ["KINDS", "Answers", "TaskKind", "kind_for"]
