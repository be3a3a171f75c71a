"""Task kinds: the evaluation seam. A kind owns what a task's target is, how the model's answer is
obtained and read back, how an answer is scored and what the result row says of its quality.

As lm-evaluation-harness dispatches on a request's `output_type`, the evaluator, the trainer and the
result rows ask the run's kind and never assume a label. Classification scores each label's
log-likelihood; generation and extraction generate their answer (`text.py`). A new kind is a module
here with the `TaskKind` methods, named in `KINDS`.
"""

from __future__ import annotations

from collections.abc import Callable

from benchmarks.kinds.base import Answers, TaskKind
from benchmarks.kinds.classification import Classification
from benchmarks.kinds.text import Extraction, Generation
from benchmarks.tasks import TaskData

KINDS: dict[str, Callable[[TaskData], TaskKind]] = {
    "classification": Classification, "generation": Generation, "extraction": Extraction,
}


def kind_for(task: TaskData) -> TaskKind:
    """The run's task kind, by the task's `kind` (one of core.approaches.TASK_KINDS: test_kinds checks KINDS has each)."""
    return KINDS[task.kind](task)


__all__ = ["KINDS", "Answers", "TaskKind", "kind_for"]
