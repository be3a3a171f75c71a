"""How many labeled test examples an accuracy needs: the evaluation set the cost model buys and the
recommendation asks for (calculator/recommend/gaps.py) come from this one formula."""

from __future__ import annotations

import math

Z95 = 1.96
EVALUATION_MARGIN = 0.02  # ±2 points: the default evaluation set's half-width at 95%


def tests_needed(accuracy: float, margin: float) -> int:
    """Test examples for a 95% interval of ±margin around this accuracy (normal approximation,
    n = 1.96² × a × (1 − a) / margin², a clipped to [0.05, 0.95], margin at least 0.005)."""
    p = min(max(accuracy, 0.05), 0.95)
    return math.ceil(Z95**2 * p * (1 - p) / max(margin, 0.005) ** 2)
