"""Numbers in words: money, counts, percentages and intervals as the decision's sentences quote them."""

from __future__ import annotations

import math


def money(usd: float) -> str:
    """$23,090 for totals; cents and below keep three significant figures ($0.000610)."""
    if abs(usd) >= 100:
        return f"${usd:,.0f}"
    if abs(usd) >= 0.01:
        return f"${usd:,.2f}"
    if not usd:
        return "$0"
    return f"${usd:.{2 - math.floor(math.log10(abs(usd)))}f}"  # fixed point, never 6.1e-04


def count(value: float) -> str:
    """1,360 / 310k / 1.51M: request volumes and label counts, three significant figures."""
    value = float(value)
    if abs(value) < 10_000:
        return f"{value:,.0f}"
    if abs(value) < 1e6:
        return f"{float(f'{value / 1e3:.3g}'):g}k"
    if abs(value) < 1e9:
        return f"{float(f'{value / 1e6:.3g}'):g}M"
    return f"{float(f'{value / 1e9:.3g}'):g}B"


def pct(fraction: float) -> str:
    return f"{fraction * 100:.1f}%".replace(".0%", "%")


def points(fraction: float) -> str:
    value = f"{abs(fraction) * 100:.1f}".removesuffix(".0")
    return f"{value} point{'' if value == '1' else 's'}"


def interval(ci: tuple[float, float] | None) -> str:
    return f" [95% CI {pct(ci[0])}–{pct(ci[1])}]" if ci else ""


def in_sentence(label: str) -> str:
    """A field label inside a sentence: "engineering hours for LoRA", but "API: input price"."""
    return label[:1].lower() + label[1:] if label[1:2].islower() else label
