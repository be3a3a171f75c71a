"""The evaluation seam: the classification kind's targets, scores, quality and prediction columns."""

import numpy as np

from benchmarks.kinds import KINDS, kind_for
from benchmarks.tasks import Example, TaskData
from core.approaches import TASK_KINDS


def _task() -> TaskData:
    labels = ["billing", "outage", "other"]
    test = [Example(text=f"ticket {i}", label=i % 3) for i in range(6)]
    return TaskData(name="t", source="hand-made", labels=labels, verbalizers=labels, instruction="Classify.",
                    train=test, validation=[], test=test, notes=[])


def test_classification_scores_each_answer_by_its_label():
    kind = kind_for(_task())
    assert kind.name == "classification" and kind.metric == "accuracy"
    assert tuple(KINDS) == TASK_KINDS  # every kind a config can name, kind_for can build
    targets = kind.targets(_task().test)
    assert targets.tolist() == [0, 1, 2, 0, 1, 2]
    answers = np.array([0, 1, 0, 0, -1, 2])  # one wrong label, one unparseable
    assert kind.scores(targets, answers).tolist() == [1, 1, 0, 1, 0, 1]
    quality = kind.quality(targets, answers)
    assert quality["accuracy"] == 4 / 6
    assert quality["per_class_accuracy"] == {"billing": 1.0, "outage": 0.5, "other": 0.5}
    # macro-F1 by hand: billing tp 2 fp 1 fn 0 -> 0.8; outage tp 1 fp 0 fn 1 -> 2/3; other tp 1 fp 0 fn 1 -> 2/3
    assert abs(quality["macro_f1"] - (0.8 + 2 / 3 + 2 / 3) / 3) < 1e-12
    assert kind.prediction(1, -1) == {"label": "outage", "prediction": "", "correct": False}
    assert kind.parse("Billing, I thought. The answer: Outage.", "The answer") == 1
