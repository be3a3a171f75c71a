"""Total cost of ownership over the horizon: TCO = one-off + Σ_m (fixed + V_m · per request)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from calculator.approaches import REGISTRY, CostProfile
from calculator.approaches.base import ERRORS, Number, Params, pass_rate
from calculator.breakeven import BreakEven, break_evens
from calculator.inputs import Inputs, resolve_inputs
from calculator.prices import PriceNotFound
from calculator.scenario import Scenario
from calculator.scenario_io import ScenarioError


def monthly_volumes(p: Params) -> np.ndarray:
    """V_m for m = 0 … H−1: the first month's volume grown by the monthly rate.

    Shape (H,), or (H, draws) when the volume or the growth is a Monte Carlo array.
    """
    months = np.arange(int(p["workload.horizon_months"]))
    growth = 1.0 + np.asarray(p["workload.monthly_growth_pct"], dtype=float) / 100.0
    volume = np.asarray(p["workload.requests_per_month"], dtype=float)
    if growth.ndim or volume.ndim:
        months = months[:, None]
    return volume * growth**months


def total_volume(p: Params) -> Number:
    """Σ_m V_m in closed form (vectorized over draws)."""
    horizon = p["workload.horizon_months"]
    rate = np.asarray(p["workload.monthly_growth_pct"], dtype=float) / 100.0
    safe = np.where(rate == 0, 1.0, rate)
    factor = np.where(rate == 0, horizon, ((1.0 + rate) ** horizon - 1.0) / safe)
    total = p["workload.requests_per_month"] * factor
    return float(total) if np.ndim(total) == 0 else total


def tco(profile: CostProfile, p: Params) -> Number:
    horizon = p["workload.horizon_months"]
    return profile.one_off_usd + horizon * profile.monthly_fixed_usd + profile.per_request_usd * total_volume(p)


@dataclass
class ApproachCosts:
    name: str
    profile: CostProfile
    tco_usd: float
    cumulative_usd: list[float]
    monthly_usd: list[float]
    score: float | None  # on the scenario's metric (accuracy, chrF, field F1)
    pass_rate: float | None  # share of right answers (accuracy, or a text task's measured pass rate)
    labels_needed: float
    requests: float  # Σ_m V_m over the horizon

    @property
    def error_usd(self) -> float:
        """Expected cost of the wrong answers over the horizon (0 when errors are not priced)."""
        return float(self.profile.per_request.get(ERRORS, 0.0)) * self.requests

    @property
    def running_usd(self) -> float:
        """Everything but the errors: what is paid to build and run the approach."""
        return self.tco_usd - self.error_usd

    @property
    def cost_per_request_usd(self) -> float | None:
        """What running the approach costs per request, the one definition every page, table and the CLI
        show: (fixed monthly cost × the horizon's months + the per-request parts × the horizon's requests)
        ÷ the horizon's requests, i.e. the fixed monthly cost spread over an average month's requests plus
        the per-request price. For a model served on its own GPUs that is the fleet's monthly cost (with its
        operations and retraining) ÷ the month's requests, never $0; for a prompt at an API, its token
        price. Not included: one-off costs (engineering, labels, training) and the expected cost of errors.
        None when the horizon has no requests."""
        if not self.requests:
            return None
        serving = float(self.profile.per_request_usd) - float(self.profile.per_request.get(ERRORS, 0.0))
        return float(self.profile.monthly_fixed_usd) * len(self.monthly_usd) / self.requests + serving

    @property
    def cost_per_correct_usd(self) -> float | None:
        """All-in cost over the horizon divided by the answers that are right (pass)."""
        if not self.pass_rate or not self.requests:
            return None
        return self.tco_usd / (self.requests * self.pass_rate)


@dataclass
class CostReport:
    scenario: Scenario
    inputs: Inputs
    volumes: list[float]
    approaches: dict[str, ApproachCosts]
    break_even: list[BreakEven]

    @property
    def horizon_months(self) -> int:
        return len(self.volumes)

    def ranked(self) -> list[ApproachCosts]:
        return sorted(self.approaches.values(), key=lambda costs: costs.tco_usd)


def approach_costs(name: str, inputs: Inputs, volumes: np.ndarray) -> ApproachCosts:
    approach = REGISTRY[name]
    profile = approach.profile(inputs)
    monthly = profile.monthly_fixed_usd + volumes * profile.per_request_usd
    cumulative = profile.one_off_usd + np.cumsum(monthly)
    score, passed = inputs.get(f"score.{name}"), pass_rate(inputs, name)
    return ApproachCosts(
        name=name,
        profile=profile,
        tco_usd=float(tco(profile, inputs)),
        cumulative_usd=[float(x) for x in cumulative],
        monthly_usd=[float(x) for x in monthly],
        score=None if score is None else float(score),
        pass_rate=None if passed is None else float(passed),
        labels_needed=float(approach.labels_needed(inputs)),
        requests=float(np.sum(volumes)),
    )


def tco_at_volumes(inputs: Inputs, name: str, volumes: np.ndarray) -> np.ndarray:
    """An approach's TCO at each first-month volume (growth as in the scenario), everything else held."""
    at = inputs.with_values({"workload.requests_per_month": volumes})
    return np.broadcast_to(tco(REGISTRY[name].profile(at), at), np.shape(volumes))


def evaluate_with(scenario: Scenario, section: str, **changes: object) -> CostReport | str:
    """The scenario priced with fields of one section changed (`evaluate_with(s, "teacher", approaches=[])`),
    or why it cannot be: the first line of the ScenarioError or PriceNotFound (the variant tables show it)."""
    switched = scenario.model_copy(update={section: getattr(scenario, section).model_copy(update=changes)})
    try:
        return evaluate(switched)
    except (ScenarioError, PriceNotFound) as exc:
        return str(exc).splitlines()[0]


def evaluate(scenario: Scenario, inputs: Inputs | None = None) -> CostReport:
    """Costs of every approach the scenario compares. Raises PriceNotFound for a missing price."""
    inputs = inputs or resolve_inputs(scenario)
    volumes = monthly_volumes(inputs)
    approaches = {name: approach_costs(name, inputs, volumes) for name in scenario.approaches}
    cumulative = {name: (c.profile.one_off_usd, c.cumulative_usd) for name, c in approaches.items()}
    return CostReport(
        scenario=scenario,
        inputs=inputs,
        volumes=[float(v) for v in volumes],
        approaches=approaches,
        break_even=break_evens(list(approaches), lambda name, at: tco_at_volumes(inputs, name, at),
                               float(inputs["workload.requests_per_month"]), cumulative),
    )
