"""One plain dict of every figure, as `prompt-or-tune cost --json` prints it (and reports embed)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from calculator.costs import CostReport
from calculator.uncertainty import DEFAULT_DRAWS, MonteCarlo, monte_carlo


def run_monte_carlo(report: CostReport, draws: int = DEFAULT_DRAWS) -> MonteCarlo:
    scenario = report.scenario
    return monte_carlo(report.inputs, list(report.approaches), scenario.uncertainty, draws)


def summary_of(report: CostReport, mc: MonteCarlo) -> dict[str, Any]:
    return {
        "scenario": report.scenario.name,
        "currency": report.scenario.currency,
        "horizon_months": report.horizon_months,
        "inputs": {
            key: {"value": float(q.value), "unit": q.unit, "source": q.source}
            for key, q in report.inputs.quantities.items()
        },
        "notes": list(report.inputs.notes),
        "approaches": {
            name: {
                "one_off_usd": float(costs.profile.one_off_usd),
                "monthly_fixed_usd": float(costs.profile.monthly_fixed_usd),
                "per_request_usd": float(costs.profile.per_request_usd),
                "tco_usd": costs.tco_usd,
                "cumulative_usd": costs.cumulative_usd,
                "accuracy": costs.accuracy,
                "cost_per_correct_usd": costs.cost_per_correct_usd,
                "parts": {
                    "one_off": {k: float(v) for k, v in costs.profile.one_off.items()},
                    "monthly_fixed": {k: float(v) for k, v in costs.profile.fixed.items()},
                    "per_request": {k: float(v) for k, v in costs.profile.per_request.items()},
                },
            }
            for name, costs in report.approaches.items()
        },
        "break_even": [asdict(b) for b in report.break_even],
        "monte_carlo": asdict(mc),
    }
