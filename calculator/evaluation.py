"""How many labeled test examples a score needs: the evaluation set the cost model buys and the
recommendation asks for (calculator/recommend/gaps.py) come from this one formula. It is exact for a
share (accuracy) and an upper bound for any other score in [0, 1] with that mean (chrF, field F1), whose
variance is at most s(1 − s)."""

from __future__ import annotations

import math

Z95 = 1.96
EVALUATION_MARGIN = 0.02  # ±2 points: the default evaluation set's half-width at 95%


def tests_needed(score: float, margin: float) -> int:
    """Test examples for a 95% interval of ±margin around this score (normal approximation,
    n = 1.96² × s × (1 − s) / margin², s clipped to [0.05, 0.95], margin at least 0.005)."""
    p = min(max(score, 0.05), 0.95)
    return math.ceil(Z95**2 * p * (1 - p) / max(margin, 0.005) ** 2)
