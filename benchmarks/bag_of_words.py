"""Texts as bag-of-words vectors, and each input's nearest training examples by their cosine: what a prompt
search's typical and nearest example sets are chosen by, in milliseconds with no model. Torch-free."""

from __future__ import annotations

import re
from collections import Counter
from itertools import islice

import numpy as np

from benchmarks.tasks import Example


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", text.lower())


class BagOfWords:
    """Texts as unit-length word-count vectors, held sparse (each row's word ids and weights), so a
    training split of any size costs its words, not rows x vocabulary."""

    def __init__(self, texts: list[str]):
        self.vocab: dict[str, int] = {}
        rows = [Counter(self.vocab.setdefault(w, len(self.vocab)) for w in _words(t)) for t in texts]
        self.rows = len(texts)
        self.row = np.repeat(np.arange(len(rows)), [len(r) for r in rows])  # each entry's row
        self.word = np.array([w for r in rows for w in r], dtype=np.int64)
        counts = np.array([c for r in rows for c in r.values()], dtype=float)
        norms = np.sqrt(np.bincount(self.row, weights=counts ** 2, minlength=self.rows))
        self.weight = counts / np.maximum(norms[self.row], 1e-12)

    def dot(self, vector: np.ndarray) -> np.ndarray:
        """Every row's dot product with a dense vector over the vocabulary."""
        return np.bincount(self.row, weights=self.weight * vector[self.word], minlength=self.rows)

    def mean(self, rows: np.ndarray) -> np.ndarray:
        """The mean of some rows, dense over the vocabulary."""
        picked = np.isin(self.row, rows)
        total = np.bincount(self.word[picked], weights=self.weight[picked], minlength=len(self.vocab))
        return total / max(len(rows), 1)

    def similarity(self, text: str) -> np.ndarray:
        """Cosine of `text` with every row (words the rows never use count for nothing)."""
        query = np.zeros(len(self.vocab))
        for w in _words(text):
            if w in self.vocab:
                query[self.vocab[w]] += 1.0
        return self.dot(query / max(float(np.linalg.norm(query)), 1e-12))


class Neighbours:
    """Each input's nearest training examples by bag-of-words cosine: the training split alone is searched."""

    def __init__(self, train: list[Example]):
        self.train = train
        self.bag = BagOfWords([ex.text for ex in train])

    def ids(self, text: str, k: int) -> list[int]:
        """The k training examples most like `text`, the most alike last (nearest the input, as Liu et al.
        order them); ties to the earlier example; a training example that is `text` itself never (a
        split with no validation scores the training split's head)."""
        ranked = np.argsort(-self.bag.similarity(text), kind="stable")
        return list(islice((int(i) for i in ranked if self.train[i].text != text), k))[::-1]
