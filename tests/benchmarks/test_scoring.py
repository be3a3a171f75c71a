"""The fast scorer equals a naive full-sequence reference and picks the most likely label."""

from __future__ import annotations

import pytest
import torch

from benchmarks.scoring import length_batches, pack_rows, row_batches, score_choices

pytestmark = pytest.mark.slow


def reference_logprob(model, ids: list[int], choice: list[int]) -> float:
    """Sum of log p(choice tokens | everything before), from one plain forward pass, no cache."""
    full = torch.tensor([ids + choice])
    with torch.no_grad():
        logp = model(full).logits[0].float().log_softmax(-1)
    return sum(float(logp[len(ids) - 1 + j, tok]) for j, tok in enumerate(choice))


def test_length_batches_respect_caps():
    lengths = [5, 50, 7, 49, 6, 8]
    batches = length_batches(lengths, max_batch=2, token_budget=100)
    assert sorted(i for b in batches for i in b) == list(range(6))
    assert all(len(b) <= 2 and max(lengths[i] for i in b) * len(b) <= 100 for b in batches)
    assert batches[0] == [1, 3]  # longest first


def test_pack_rows_fills_rows_first_fit_longest_first():
    rows = pack_rows([5, 9, 2, 4, 3], width=9)
    assert rows == [[1], [0, 3], [4, 2]]  # 9 | 5+4 | 3+2
    assert sorted(i for row in rows for i in row) == list(range(5))


def test_row_batches_respect_token_and_example_caps():
    rows = [[0], [1, 2], [3, 4, 5], [6]]
    assert row_batches(rows, width=10, max_examples=100, token_budget=20) == [[[0], [1, 2]], [[3, 4, 5], [6]]]
    assert row_batches(rows, width=10, max_examples=3, token_budget=100) == [[[0], [1, 2]], [[3, 4, 5]], [[6]]]


@pytest.mark.parametrize("max_batch", [2, 256])
def test_scores_match_reference_for_single_and_multi_token_labels(loaded, max_batch):
    """Packed rows (several questions to a row, label branches beside them) score as one question alone."""
    tok, model = loaded.tokenizer, loaded.model
    prefix = tok("Answer the question with one word.\n\n").input_ids
    questions = ["Question: What colour is the sky on a clear day, when no cloud hides the sun at noon?\nAnswer:",
                 "Question: What is frozen water called?\nAnswer:",
                 "Question: Which animal says meow?\nAnswer:"]
    suffixes = [tok(q, add_special_tokens=False).input_ids for q in questions]
    words = [" blue", " ice", " cat", " a purple elephant"]
    choices = [tok(w, add_special_tokens=False).input_ids for w in words]
    assert len(choices[-1]) > 1 and len(choices[0]) == 1
    branches = sum(len(c) - 1 for c in choices)
    assert len(suffixes[1]) + len(suffixes[2]) + 2 * branches <= len(suffixes[0]) + branches  # two share a row
    scores = score_choices(model, prefix, suffixes, choices, tok.pad_token_id, max_batch=max_batch)
    for i, suffix in enumerate(suffixes):
        for j, choice in enumerate(choices):
            assert scores.logprobs[i, j] == pytest.approx(reference_logprob(model, prefix + suffix, choice), abs=2e-3)
    assert list(scores.predictions) == [0, 1, 2]  # the hand-made right answers are the most likely
    assert scores.max_batch == min(max_batch, 3)
    # served: the whole prompt per question; computed (for MFU): the shared prefix once, each
    # question and each label's branch (its tokens but the last)
    inputs = sum(map(len, suffixes))
    assert scores.prompt_tokens == 3 * len(prefix) + inputs
    assert scores.computed_tokens == len(prefix) + inputs + 3 * branches


def test_labels_sharing_leading_tokens_share_trie_nodes_and_score_as_alone(loaded):
    """Intent-style labels ("card arrival", "card linking", ...) run their common tokens once per
    example (a token trie) and each still scores exactly as the label alone after the prompt."""
    from benchmarks.scoring import _Item

    tok, model = loaded.tokenizer, loaded.model
    prefix = tok("Name the support intent.\n\n").input_ids
    questions = ["Message: where is my new card, it has not come yet\nIntent:",
                 "Message: how do I link my card to the app\nIntent:",
                 "Message: I want my money back for this order\nIntent:"]
    suffixes = [tok(q, add_special_tokens=False).input_ids for q in questions]
    words = [" card arrival", " card linking", " card arrival delayed", " refund request", " refund"]
    choices = [tok(w, add_special_tokens=False).input_ids for w in words]
    distinct = {tuple(c[: t + 1]) for c in choices for t in range(len(c) - 1)}  # the trie's inner nodes
    branches = sum(len(c) - 1 for c in choices)
    assert len(distinct) < branches  # the words do share leading tokens in this tokenizer
    item = _Item.build(suffixes[0], choices)
    assert len(item.ids) == len(suffixes[0]) + len(distinct)
    scores = score_choices(model, prefix, suffixes, choices, tok.pad_token_id, max_batch=2)
    for i, suffix in enumerate(suffixes):
        for j, choice in enumerate(choices):
            assert scores.logprobs[i, j] == pytest.approx(reference_logprob(model, prefix + suffix, choice), abs=2e-3)
    assert scores.computed_tokens == len(prefix) + sum(map(len, suffixes)) + 3 * len(distinct)


def test_soft_prompt_changes_scores_consistently(loaded):
    tok, model = loaded.tokenizer, loaded.model
    prefix = tok("Say yes or no.\n").input_ids
    suffixes = [tok("Is fire hot? Answer:", add_special_tokens=False).input_ids]
    choices = [tok(" yes", add_special_tokens=False).input_ids, tok(" no", add_special_tokens=False).input_ids]
    soft = model.get_input_embeddings()(torch.tensor(tok(" Reply honestly.", add_special_tokens=False).input_ids))
    with_soft = score_choices(model, prefix, suffixes, choices, tok.pad_token_id, soft_prompt=soft.detach())
    words = tok(" Reply honestly.", add_special_tokens=False).input_ids
    as_text = score_choices(model, words + prefix, suffixes, choices, tok.pad_token_id)
    assert with_soft.logprobs == pytest.approx(as_text.logprobs, abs=2e-3)


def test_an_example_or_label_without_tokens_is_refused(loaded):
    """The first label token is read at the input's last token: with no input token it would be read
    at the previous example's, silently."""
    tok, model = loaded.tokenizer, loaded.model
    prefix = tok("Say yes or no.\n").input_ids
    yes, no = tok(" yes", add_special_tokens=False).input_ids, tok(" no", add_special_tokens=False).input_ids
    with pytest.raises(ValueError, match="at least one input token"):
        score_choices(model, prefix, [tok("Hot?", add_special_tokens=False).input_ids, []], [yes, no], tok.pad_token_id)
    with pytest.raises(ValueError, match="at least one input token"):
        score_choices(model, prefix, [tok("Hot?", add_special_tokens=False).input_ids], [yes, []], tok.pad_token_id)
