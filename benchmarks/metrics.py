"""Quality and speed statistics over a test split (plain numpy, no torch)."""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike


def wilson_interval(correct: int, total: int, z: float = 1.96) -> tuple[float, float]:
    """95% Wilson score interval for a proportion (well-behaved near 0 and 1, unlike the normal one)."""
    if total == 0:
        return (0.0, 1.0)
    p = correct / total
    denom = 1 + z * z / total
    centre = (p + z * z / (2 * total)) / denom
    half = z * math.sqrt(p * (1 - p) / total + z * z / (4 * total * total)) / denom
    return (max(0.0, centre - half), min(1.0, centre + half))


def bootstrap_mean(
    scores: ArrayLike, *, seed: int, resamples: int = 1000, confidence: float = 0.95
) -> tuple[float, tuple[float, float]]:
    """The mean of per-example scores and its bootstrap interval (percentile method), the same for a seed;
    no scores: 0 and (0, 1), as `wilson_interval`."""
    scores = np.asarray(scores, dtype=float)
    if len(scores) == 0:
        return (0.0, (0.0, 1.0))
    rng = np.random.default_rng(seed)
    means = scores[rng.integers(0, len(scores), size=(resamples, len(scores)))].mean(axis=1)
    tail = (1 - confidence) / 2 * 100
    low, high = np.percentile(means, [tail, 100 - tail])
    return (float(scores.mean()), (float(low), float(high)))


def macro_f1(truth: np.ndarray, pred: np.ndarray, n_labels: int) -> float:
    scores = []
    for label in range(n_labels):
        tp = int(np.sum((pred == label) & (truth == label)))
        fp = int(np.sum((pred == label) & (truth != label)))
        fn = int(np.sum((pred != label) & (truth == label)))
        scores.append(2 * tp / (2 * tp + fp + fn) if tp + fp + fn else 0.0)
    return float(np.mean(scores))


def per_class_accuracy(truth: np.ndarray, pred: np.ndarray, labels: list[str]) -> dict[str, float]:
    return {
        name: float(np.mean(pred[truth == i] == i)) if np.any(truth == i) else 0.0
        for i, name in enumerate(labels)
    }


def quality(truth, pred, labels: list[str]) -> dict:
    """accuracy, its Wilson interval, macro-F1 and per-class accuracy (pred -1 = unparseable, wrong)."""
    truth, pred = np.asarray(truth), np.asarray(pred)
    correct = int(np.sum(truth == pred))
    return {
        "accuracy": correct / len(truth) if len(truth) else 0.0,
        "accuracy_ci": wilson_interval(correct, len(truth)),
        "macro_f1": macro_f1(truth, pred, len(labels)),
        "per_class_accuracy": per_class_accuracy(truth, pred, labels),
    }


def latency_percentiles(seconds: np.ndarray) -> tuple[float, float]:
    """p50 and p95 in milliseconds."""
    if len(seconds) == 0:
        return (0.0, 0.0)
    return (float(np.percentile(seconds, 50) * 1000), float(np.percentile(seconds, 95) * 1000))
