"""One plain dict of every figure, as `prompt-or-tune cost --json` prints it (and reports embed)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from calculator.approaches import REGISTRY
from calculator.approaches.base import Fleet
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
        "task_kind": report.scenario.task.kind,
        "metric": report.scenario.metric,
        "target": report.scenario.quality.target,
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
                "score": costs.score,
                "pass_rate": costs.pass_rate,
                "cost_per_correct_usd": costs.cost_per_correct_usd,
                "output_tokens": float(REGISTRY[name].output_tokens(report.inputs)),
                "fleet": _fleet(REGISTRY[name].fleet(report.inputs)),
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


def _fleet(fleet: Fleet | None) -> dict[str, float] | None:
    """The self-hosted fleet's sizing, for a reader to redo the arithmetic: GPUs = replicas × GPUs per
    replica, replicas = max(min replicas, ⌈peak requests/s ÷ requests/s per replica⌉)."""
    if fleet is None:
        return None
    return {"gpus_per_replica": float(fleet.gpus_per_replica),
            "requests_per_replica_second": float(fleet.requests_per_replica_second),
            "peak_requests_per_second": float(fleet.peak_requests_per_second),
            "replicas": float(fleet.replicas), "gpus": float(fleet.gpus)}
