"""Text and JSON metrics against hand calculations, and the bootstrap interval they are aggregated with."""

from __future__ import annotations

import json

import numpy as np
import pytest
from sacrebleu import corpus_chrf

from benchmarks.metrics import bootstrap_mean
from benchmarks.text_metrics import (
    BESIDE,
    METRICS,
    PRIMARY,
    chrf,
    exact_match,
    field_scores,
    json_valid,
    normalize,
    parse_json,
    rouge_l,
    schema_valid,
    score_example,
    token_f1,
)

REFERENCE_JSON = json.dumps({"name": "Ada Lovelace", "born": 1815, "address": {"city": "London"}})
SCHEMA = {
    "type": "object",
    "properties": {"name": {"type": "string"}, "born": {"type": "integer"}},
    "required": ["name", "born"],
}


def test_squad_normalisation_and_exact_match():
    assert normalize("  The Eiffel-Tower, in   Paris! ") == "eiffeltower in paris"
    assert exact_match("The Eiffel Tower!", "eiffel   tower") == 1.0
    assert exact_match("Eiffel Towers", "the Eiffel Tower") == 0.0


def test_token_f1_by_hand():
    # normalised: "cat sat on mat" (4 tokens) and "cat is sitting on mat" (5); shared: cat, on, mat.
    # P = 3/4, R = 3/5, F1 = 2PR/(P+R) = 2*3/(4+5) = 2/3
    assert token_f1("The cat sat on the mat.", "A cat is sitting on a mat") == pytest.approx(2 / 3)
    assert token_f1("the", "a") == 1.0  # both empty once articles go
    assert token_f1("", "cat") == 0.0


def test_rouge_l_by_hand():
    # stemmed: [the, polic, kill, a, gunman] vs [polic, kill, the, gunman]; LCS = polic kill gunman = 3
    # (kill = killed only through the stemmer). P = 3/5, R = 3/4, F = 2PR/(P+R) = 2/3
    assert rouge_l("the police kill a gunman", "police killed the gunman") == pytest.approx(2 / 3)
    assert rouge_l("police killed the gunman", "police killed the gunman") == 1.0


def test_chrf_is_sacrebleus_scaled_to_one():
    hypothesis, reference = (
        "The quick brown fox jumps over the dog.",
        "A quick brown fox jumped over the lazy dog.",
    )
    assert chrf(hypothesis, reference) == pytest.approx(
        corpus_chrf([hypothesis], [[reference]]).score / 100
    )
    assert chrf(reference, reference) == 1.0
    assert chrf(reference.replace("lazy", "sleepy"), reference) < 1.0


def test_several_references_score_the_best():
    references = ["police killed the gunman", "the gunman was shot by officers"]
    for name in ("exact_match", "token_f1", "chrf", "rouge_l"):
        assert METRICS[name]("the gunman was shot by officers", references) == 1.0
    assert METRICS["chrf"]("police kill the gunman", references) == pytest.approx(
        max(chrf("police kill the gunman", r) for r in references)
    )
    with pytest.raises(ValueError, match="reference"):
        METRICS["chrf"]("anything", [])


def test_parse_json_takes_the_first_object_in_fences_or_prose():
    assert parse_json('```json\n{"a": {"b": [1, 2]}}\n```') == {"a": {"b": [1, 2]}}
    assert parse_json('Here it is: {"a": 1} and {"a": 2}') == {"a": 1}
    assert json_valid('{"a": 1}')
    assert not json_valid('{"a": 1, "b":')  # cut short by a token limit
    assert not json_valid("no object here")
    assert not json_valid("[1, 2]")


def test_field_scores_by_hand():
    # reference pairs: name, born, address.city; the answer: name right (after normalisation),
    # born wrong, address.city missing. P = 1/2, R = 1/3, F1 = 2*1/(2+3) = 0.4
    answer = '```json\n{"name": "ada lovelace.", "born": 1816}\n```'
    precision, recall, f1 = field_scores(answer, REFERENCE_JSON)
    assert (precision, recall, f1) == pytest.approx((1 / 2, 1 / 3, 0.4))
    assert field_scores(REFERENCE_JSON, REFERENCE_JSON) == (1.0, 1.0, 1.0)
    assert field_scores("not json", REFERENCE_JSON) == (0.0, 0.0, 0.0)
    assert field_scores("{}", "{}") == (1.0, 1.0, 1.0)


def test_schema_validity():
    assert schema_valid('{"name": "Ada", "born": 1815}', SCHEMA)
    assert not schema_valid('{"name": "Ada", "born": "1815"}', SCHEMA)
    assert not schema_valid('{"name": "Ada"}', SCHEMA)
    assert not schema_valid("no json", SCHEMA)


def test_each_kind_scores_every_metric_in_unit_interval_primary_first():
    assert PRIMARY == {"classification": "accuracy", "generation": "chrf", "extraction": "field_f1"}
    generated = score_example("generation", "The cat sat.", ["A cat sat down.", "The dog sat."])
    assert list(generated) == ["chrf", *BESIDE["generation"]]
    extracted = score_example(
        "extraction", '{"name": "Ada", "born": 1815}', [REFERENCE_JSON], schema=SCHEMA
    )
    assert list(extracted) == ["field_f1", *BESIDE["extraction"], "schema_valid"]
    assert extracted["schema_valid"] == 1.0 and extracted["json_valid"] == 1.0
    assert all(0.0 <= value <= 1.0 for value in [*generated.values(), *extracted.values()])


def test_bootstrap_interval_holds_the_mean_repeats_under_a_seed_and_narrows():
    few = np.tile([0.0, 0.5, 1.0, 1.0], 5)
    mean, (low, high) = bootstrap_mean(few, seed=7)
    assert mean == pytest.approx(0.625)
    assert 0.0 <= low < mean < high <= 1.0
    assert bootstrap_mean(few, seed=7) == (mean, (low, high))
    assert bootstrap_mean(few, seed=8) != (mean, (low, high))
    _, (many_low, many_high) = bootstrap_mean(np.tile(few, 20), seed=7)
    assert many_high - many_low < (high - low) / 2
    assert bootstrap_mean([], seed=7) == (0.0, (0.0, 1.0))
