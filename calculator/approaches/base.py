"""What every approach is: a name, its data needs and a cost profile over the inputs.

A profile is the shape DESIGN.md gives every approach: a one-off cost, a fixed monthly cost
and a cost per request, each split into named parts. Formulas are plain arithmetic over the
inputs, so the same code prices one scenario or 100,000 Monte Carlo draws at once.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np

from calculator.approaches.spec import ApproachSpec
from calculator.units import HOURS_PER_MONTH

Number = float | np.ndarray
Params = Mapping[str, Number]


@dataclass(frozen=True)
class CostProfile:
    one_off: dict[str, Number]
    fixed: dict[str, Number]
    per_request: dict[str, Number]

    @property
    def one_off_usd(self) -> Number:
        return sum(self.one_off.values(), 0.0)

    @property
    def monthly_fixed_usd(self) -> Number:
        return sum(self.fixed.values(), 0.0)

    @property
    def per_request_usd(self) -> Number:
        return sum(self.per_request.values(), 0.0)


@dataclass(frozen=True)
class PricedApproach:
    """An approach of the spec with its cost function (the spec says what it is, this what it costs)."""

    spec: ApproachSpec
    formula: str  # how the three parts are computed, in words, for the cost table
    price: Callable[[Params], CostProfile]  # the family's cost function, before errors

    def profile(self, p: Params) -> CostProfile:
        """The family's costs plus, when errors are priced and the accuracy is known, their cost."""
        costs = self.price(p)
        errors = error_usd_per_request(p, self.name)
        if errors is None:
            return costs
        return CostProfile(costs.one_off, costs.fixed, {**costs.per_request, ERRORS: errors})

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def title(self) -> str:
        return self.spec.title

    @property
    def family(self) -> str:
        return self.spec.family

    @property
    def summary(self) -> str:
        return self.spec.summary

    def labels_needed(self, p: Params) -> Number:
        return labels_needed(p, self.spec)


ERRORS = "errors"  # the per-request part priced from the error rate


def error_usd_per_request(p: Params, name: str) -> Number | None:
    """Expected cost of a wrong answer per request: (1 − accuracy) × cost per error.

    None when errors are not priced (cost per error 0 and not drawn) or the accuracy is unknown:
    an unknown accuracy is never priced as if it made no errors (resolve_inputs notes it).
    """
    per_error = p.get("quality.cost_per_error_usd", 0.0)
    accuracy = p.get(f"accuracy.{name}")
    if accuracy is None or not np.any(np.asarray(per_error) > 0):
        return None
    return (1.0 - accuracy) * per_error


def labels_needed(p: Params, spec: ApproachSpec) -> Number:
    """Labeled examples the approach consumes: the spec's labels field, or none."""
    return p[spec.labels_field] if spec.labels_field else 0.0


def engineering_usd(p: Params, spec: ApproachSpec) -> Number:
    return p[spec.hours_field] * p["team.engineer_usd_per_hour"]


def labels_usd(p: Params, labels_needed: Number) -> Number:
    """Only labels beyond those on hand are bought."""
    return np.maximum(0.0, labels_needed - p["labeling.labels_on_hand"]) * p["labeling.cost_per_label_usd"]


def gpu_hours_for(flops: Number, p: Params, mfu_key: str, peak_key: str = "gpu.peak_flops") -> Number:
    return flops / (p[peak_key] * p[mfu_key]) / 3600.0


def self_hosted_per_request_usd(p: Params, params: Number, tokens_per_request: Number) -> Number:
    """GPU time per request: measured or set throughput, else FLOPs (2·N per token) at serving MFU."""
    if "hosting.serving_requests_per_gpu_second" in p:
        requests_per_second = p["hosting.serving_requests_per_gpu_second"]
    else:
        requests_per_second = p["gpu.peak_flops"] * p["hosting.serving_mfu"] / (
            2.0 * params * tokens_per_request
        )
    return p["hosting.gpu_usd_per_hour"] / 3600.0 / requests_per_second


def standby_usd_per_month(p: Params) -> Number:
    return p["hosting.standby_gpus"] * HOURS_PER_MONTH * p["hosting.gpu_usd_per_hour"]


def spread_over_months(amount: Number, every_months: Number) -> Number:
    """A cost repeated every R months as a monthly amount; R = 0 means never."""
    months = np.asarray(every_months, dtype=float)
    monthly = np.where(months > 0, amount / np.where(months > 0, months, 1.0), 0.0)
    return float(monthly) if monthly.ndim == 0 else monthly
