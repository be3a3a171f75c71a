"""The text kinds on the evaluation seam: targets, parsing, per-example scores, quality and prediction columns."""

import json

import numpy as np

from benchmarks.kinds import kind_for
from benchmarks.metrics import bootstrap_mean
from benchmarks.tasks import NO_LABEL, Example, TaskData
from benchmarks.text_metrics import chrf, rouge_l


def _task(kind: str, targets: list) -> TaskData:
    examples = [Example(text=f"input {i}", label=NO_LABEL, target=t) for i, t in enumerate(targets)]
    return TaskData(name="t", source="hand-made", labels=[], verbalizers=[], instruction="Do it.",
                    train=examples, validation=[], test=examples, kind=kind)


def test_generation_scores_each_answer_by_chrf_against_its_best_reference():
    task = _task("generation", ["Rates rise again", ["Bank lifts rates", "Rates go up"]])
    kind = kind_for(task)
    assert kind.name == "generation" and kind.metric == "chrf" and kind.one_line
    targets = kind.targets(task.test)
    assert targets.tolist() == [["Rates rise again"], ["Bank lifts rates", "Rates go up"]]
    answers = np.array(["Rates rise again", "Rates go up!"], dtype=object)
    scores = kind.scores(targets, answers)
    assert scores[0] == 1.0  # the reference itself
    assert scores[1] == max(chrf("Rates go up!", "Bank lifts rates"), chrf("Rates go up!", "Rates go up"))
    quality = kind.quality(targets, answers)["quality"]
    assert quality.metric == "chrf" and quality.interval_basis == "bootstrap"
    assert (quality.value, quality.interval) == bootstrap_mean(scores, seed=0)
    assert quality.others["exact_match"] == 1.0  # "Rates go up!" normalises to "rates go up"
    assert quality.others["rouge_l"] == np.mean([1.0, max(rouge_l("Rates go up!", r) for r in targets[1])])
    assert set(quality.others) == {"rouge_l", "token_f1", "exact_match"}
    row = kind.prediction(targets[1], answers[1])
    assert row == {"reference": json.dumps(["Bank lifts rates", "Rates go up"]), "prediction": "Rates go up!",
                   "score": round(scores[1], 4)}


def test_generation_reads_the_answer_out_of_what_the_model_wrote():
    kind = kind_for(_task("generation", ["one line"]))
    assert kind.parse(' Headline: "Rates rise again"\nArticle: more text', "Headline") == "Rates rise again"
    assert kind.parse("\n\n  Rates rise  \n", "Headline") == "Rates rise"
    several = kind_for(_task("generation", ["Dear customer,\nthank you."]))  # a reference of two lines
    assert not several.one_line
    assert several.parse("Dear Ann,\nthanks.\n", "Reply") == "Dear Ann,\nthanks."


def test_extraction_scores_fields_and_counts_answers_without_json():
    task = _task("extraction", [{"number": "A-1", "total": 12.5}, {"number": "B-2", "total": 3}])
    kind = kind_for(task)
    assert kind.metric == "field_f1" and not kind.one_line  # a JSON object may span lines
    targets = kind.targets(task.test)
    assert targets[0] == ['{"number": "A-1", "total": 12.5}']
    answers = kind.parsed(['Here it is: {"number": "A-1",\n "total": 12.5} done', "no idea"], "JSON")
    assert answers.tolist() == ['{"number": "A-1", "total": 12.5}', "no idea"]
    assert kind.unparseable(answers) == 1
    assert kind.scores(targets, answers).tolist() == [1.0, 0.0]
    half = kind.scores(targets[:1], np.array(['{"number": "A-1", "total": 13}'], dtype=object))
    assert half.tolist() == [0.5]  # one of two fields right: precision 1/2, recall 1/2
    quality = kind.quality(targets, answers)["quality"]
    assert quality.value == 0.5 and quality.others["json_valid"] == 0.5
    assert set(quality.others) == {"field_precision", "field_recall", "json_valid"}
