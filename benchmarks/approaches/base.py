"""The run context every approach receives: the run's model, task and config, and one small object per job.

`progress` (the bar), `templates` (prompts and the chat-template choice), `evaluator` (answers and
scores through the task kind: the evaluation seam, benchmarks/kinds/), `trainer` (training on the
kind's targets) and `rows` (the result row and predictions). docs/ARCHITECTURE.md, "Arms".
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from benchmarks.config import BenchConfig
from benchmarks.evaluation import Evaluator
from benchmarks.events import ProgressEvent
from benchmarks.kinds import kind_for
from benchmarks.models import LoadedModel
from benchmarks.progress import Progress
from benchmarks.rows import Rows
from benchmarks.tasks import Example, TaskData
from benchmarks.templates import Templates
from benchmarks.trainer import Trainer
from core.result import Environment


@dataclass
class Context:
    config: BenchConfig
    loaded: LoadedModel | None  # None when only endpoint arms run
    task: TaskData
    environment: Environment
    emit: Callable[[ProgressEvent], None]
    notes: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.kind = kind_for(self.task)
        # What the tuned approaches train on: the training split, or a teacher's labels of its inputs (the runner
        # sets them before a tuned arm: benchmarks/teacher.py). Prompting approaches read the task's own.
        self.train: list[Example] = self.task.train
        self.progress = Progress(self.emit)
        self.evaluator = Evaluator(self.config, self.loaded, self.task, self.kind, self.progress, self.notes)
        self.templates = Templates(self.config, self.loaded, self.task, self.evaluator, self.progress, self.notes)
        self.trainer = Trainer(self.config, self.loaded, self.environment, self.kind, self.progress, self.notes)
        self.rows = Rows(self.loaded, self.environment, self.kind)

    @property
    def model(self):
        return self.loaded.model
