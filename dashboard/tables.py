"""The tables under the charts: every number with its unit and source."""

from __future__ import annotations

import pandas as pd

from calculator.approaches import REGISTRY
from calculator.approaches.spec import title
from calculator.costs import CostReport
from calculator.fields import field_label
from calculator.recommend.wording import money, pct


def sources_table(report: CostReport) -> pd.DataFrame:
    """Every input (user, default, price table with date, benchmark run) and every cost part
    (formula over those inputs)."""
    rows = [{"what": field_label(key), "number": key, "value": float(q.value), "unit": q.unit,
             "source": q.source} for key, q in report.inputs.quantities.items()]
    for name, costs in report.approaches.items():
        formula = f"formula ({title(name)}): {REGISTRY[name].formula}"
        profile = costs.profile
        for kind, parts, unit in (("one-off", profile.one_off, "USD"),
                                  ("fixed", profile.fixed, "USD/month"),
                                  ("per request", profile.per_request, "USD/request")):
            rows += [{"what": f"{title(name)}: {kind}, {part.replace('_', ' ')}",
                      "number": f"{name}.{kind}.{part}", "value": float(value), "unit": unit,
                      "source": formula} for part, value in parts.items()]
        rows.append({"what": f"{title(name)}: total cost of ownership", "number": f"{name}.tco",
                     "value": costs.tco_usd, "unit": "USD",
                     "source": "formula: one-off + Σ_m (fixed + V_m × per request)"})
    return pd.DataFrame(rows)


def approach_table(report: CostReport) -> pd.DataFrame:
    """Totals as numbers; per-request amounts (fractions of a cent) and accuracy as text with three
    significant figures, so none reads $0.00 (the exact values are in the sources table)."""
    return pd.DataFrame([{
        "approach": title(name),
        "one-off (USD)": float(c.profile.one_off_usd),
        "fixed (USD/month)": float(c.profile.monthly_fixed_usd),
        "per request": money(float(c.profile.per_request_usd)),
        "per correct answer": "—" if c.cost_per_correct_usd is None else money(c.cost_per_correct_usd),
        "accuracy": "—" if c.accuracy is None else pct(c.accuracy),
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
