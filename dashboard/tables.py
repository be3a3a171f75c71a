"""The tables under the charts: every number with its unit and source."""

from __future__ import annotations

import pandas as pd

from calculator.approaches import REGISTRY
from calculator.costs import CostReport
from calculator.recommend import title


def sources_table(report: CostReport) -> pd.DataFrame:
    """Every input (user, default, price table with date, benchmark run) and every cost part
    (formula over those inputs)."""
    rows = [{"number": key, "value": float(q.value), "unit": q.unit, "source": q.source}
            for key, q in report.inputs.quantities.items()]
    for name, costs in report.approaches.items():
        formula = f"formula ({title(name)}): {REGISTRY[name].formula}"
        profile = costs.profile
        for kind, parts, unit in (("one-off", profile.one_off, "USD"),
                                  ("fixed", profile.fixed, "USD/month"),
                                  ("per request", profile.per_request, "USD/request")):
            rows += [{"number": f"{name}.{kind}.{part}", "value": float(value), "unit": unit,
                      "source": formula} for part, value in parts.items()]
        rows.append({"number": f"{name}.tco", "value": costs.tco_usd, "unit": "USD",
                     "source": "formula: one-off + Σ_m (fixed + V_m × per request)"})
    return pd.DataFrame(rows)


def approach_table(report: CostReport) -> pd.DataFrame:
    return pd.DataFrame([{
        "approach": title(name),
        "one-off (USD)": float(c.profile.one_off_usd),
        "fixed (USD/month)": float(c.profile.monthly_fixed_usd),
        "per request (USD)": float(c.profile.per_request_usd),
        "per correct answer (USD)": c.cost_per_correct_usd,
        "accuracy": c.accuracy,
        f"TCO {report.horizon_months} months (USD)": c.tco_usd,
        "labels needed": c.labels_needed,
    } for name, c in report.approaches.items()])


def break_even_table(report: CostReport) -> pd.DataFrame:
    return pd.DataFrame([{
        "approach": title(be.approach), "versus": title(be.versus),
        "break-even (requests/month)": be.requests_per_month,
        "cheaper above": title(be.cheaper_above) if be.cheaper_above else "one is always cheaper",
        "curves cross in month": be.month,
    } for be in report.break_even])
