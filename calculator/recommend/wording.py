"""Numbers in words: money, counts, percentages and intervals as the decision's sentences quote them."""

from __future__ import annotations

import math
from dataclasses import dataclass

from core.metrics import METRICS, metric_name


def money(usd: float) -> str:
    """$23,090 for totals; cents and below keep three significant figures ($0.000610)."""
    if abs(usd) >= 100:
        return f"${usd:,.0f}"
    if abs(usd) >= 0.01:
        return f"${usd:,.2f}"
    if not usd:
        return "$0"
    return f"${small(usd)}"


def small(value: float) -> str:
    """A value below 0.01 to three significant figures in fixed point: 0.000610, never 6.1e-04."""
    return f"{value:.{2 - math.floor(math.log10(abs(value)))}f}"


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


def amount(value: float, unit: str) -> str:
    """An input's value in its unit as a sentence writes it: "460k requests/month", "$2.50/GPU-hour",
    "$3.00 per 1M tokens", "85%" for a fraction; never scientific notation."""
    if unit == "fraction":
        return pct(value)
    if unit.startswith("USD"):
        per = unit.removeprefix("USD")
        return money(value) + (" per 1M tokens" if per == "/1M tokens" else per)
    if abs(value) >= 10_000:
        number = count(value)
    elif abs(value) >= 100:
        number = f"{value:,.0f}"
    elif abs(value) >= 0.01 or not value:
        number = f"{value:.3g}"
    else:
        number = small(value)
    return f"{number} {unit}".rstrip()


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


@dataclass(frozen=True)
class Scale:
    """How the decision's sentences write a score on one metric: a share as a percentage ("90%"), chrF or
    field F1 as a fraction ("0.52"); a gap in points of a percentage, or as a fraction."""

    metric: str = "accuracy"

    @property
    def name(self) -> str:
        return metric_name(self.metric)

    @property
    def _unit(self) -> str:
        return METRICS[self.metric].unit if self.metric in METRICS else "fraction"

    def value(self, score: float) -> str:
        if self._unit == "percent":
            return pct(score)
        return f"{score:.2f}"

    def named(self, score: float) -> str:
        """"90% accuracy", "chrF 0.55", "field F1 0.90"."""
        return f"{pct(score)} {self.name}" if self._unit == "percent" else f"{self.name} {self.value(score)}"

    def brief(self, score: float) -> str:
        """A score where the metric is clear from the sentence: "90%" for accuracy, else "chrF 0.55"."""
        return pct(score) if self.metric == "accuracy" else self.named(score)

    def target(self, score: float) -> str:
        """"90% accuracy target", "chrF 0.55 target"."""
        return f"{self.named(score)} target"

    def gap(self, difference: float) -> str:
        return points(difference) if self._unit == "percent" else f"{abs(difference):.2f}"

    def interval(self, ci: tuple[float, float] | None) -> str:
        return f" [95% CI {self.value(ci[0])}–{self.value(ci[1])}]" if ci else ""
