"""The trade-offs at a glance: every approach along what decision makers compare them on.

One row per approach in the ranking's order; each cell a number with where it comes from (an input
and its source, a measured run, or the formula over named parts), never an adjective. Built once
from the analysis: the Decision page shows it, the report prints it. Torch- and plotly-free.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from calculator.analysis import Analysis
from calculator.approaches.base import ERRORS
from calculator.fields import COST_PER_REQUEST, field_label
from calculator.measured import applied_curve
from calculator.recommend import RankedApproach
from calculator.recommend.ranking import engineering_time
from calculator.recommend.reasons import curve_source, labels_to_reach
from calculator.recommend.wording import count, money
from core.approaches import spec

COLUMNS = ("approach", "labeled data needed", "one-off cost", COST_PER_REQUEST, "engineering effort",
           "time to launch", "quality", "consistency")
NOTE = ("Each cell: the figure, then where it comes from. Cost per request: the fixed monthly cost ÷ an "
        "average month's requests + the per-request price (one-off costs and expected errors not included, see "
        "quality). Time to launch: engineering hours of one "
        "engineer full time. Quality: the score on the task's metric with its 95% interval. "
        "Consistency: max − min score over prompt paraphrases in a benchmark run.")


def tradeoffs(found: Analysis) -> pd.DataFrame:
    """The table, one row per ranked approach, the chosen one marked."""
    rec = found.recommendation
    rows = [[entry.title + (" (chosen)" if entry.name == rec.choice else ""), _labels(found, entry),
             _one_off(found, entry), _per_request(found, entry), _effort(found, entry),
             f"{entry.launch_weeks:.1f} weeks ({engineering_time(entry.launch_weeks)})",
             _quality(entry), _consistency(found, entry)] for entry in rec.ranked]
    return pd.DataFrame(rows, columns=list(COLUMNS))


def _source(found: Analysis, key: str) -> str:
    quantity = found.costs.inputs.quantities[key]
    return f"{field_label(key)}: {quantity.source}" if not key.startswith("labels.") else quantity.source


def _curve(found: Analysis, name: str) -> tuple[list[tuple[int, float]], str] | None:
    """An applied approach's learning curve as the rest of the page reads it, and its source: the applied
    row's own point included (its score with the labels it trained on), so the curve's best is the
    applied score. The scenario's curve approach's is the scenario's (the reasons quote it); another's comes from the
    applied row of the attached result. None for an approach whose figures are typed."""
    measured = found.scenario.measured
    applied = measured.approaches.get(name) if measured else None
    if applied is None:
        return None
    if name == measured.curve_approach:
        points = list(measured.learning_curve)
    else:
        result = next((r for r in found.results if r.run_id == measured.run_id), None)
        row = result.approach(name, applied.backend) if result else None
        points = applied_curve(row) if row else []
    return (sorted(points), curve_source(measured, name)) if points else None


def _labels(found: Analysis, entry: RankedApproach) -> str:
    field = spec(entry.name).labels_field
    if not field:
        return "0 (the prompt carries no examples)"
    key = f"labels.{entry.name}" if f"labels.{entry.name}" in found.costs.inputs.quantities else field
    costed = f"{count(entry.labels_needed)} ({_source(found, key)})"
    curve = _curve(found, entry.name)
    if curve is None:
        return costed
    measured_points, source = curve
    target = found.scenario.quality.target
    hit = labels_to_reach(measured_points, target)
    scale = entry.scale
    if hit is None:
        most, best = max(measured_points, key=lambda point: point[1])
        reach = (f"the {scale.brief(target)} target not reached on the {source} (best {scale.brief(best)} with "
                 f"{count(most)})")
    else:
        reach = f"{count(hit)} to reach the {scale.brief(target)} target ({source})"
    return f"{reach}; priced: {costed}"


def _named_parts(parts: dict[str, float]) -> str:
    return " + ".join(f"{name} {money(float(value))}" for name, value in parts.items() if float(value))


LABEL_PARTS = ("labels", "evaluation labels")  # one-off parts that buy labels: each says how many


def _one_off(found: Analysis, entry: RankedApproach) -> str:
    """The one-off total by part; a part that buys labels with their count ("865 evaluation labels $346"), so
    the labels a table says are bought and the money spent on them are the same ones."""
    profile = found.costs.approaches[entry.name].profile
    per_label = float(found.costs.inputs["labeling.cost_per_label_usd"])
    parts = " + ".join((f"{count(float(usd) / per_label)} " if name in LABEL_PARTS and per_label else "")
                       + f"{name} {money(float(usd))}" for name, usd in profile.one_off.items() if float(usd))
    return f"{money(float(profile.one_off_usd))}" + (f" ({parts})" if parts else "")


def _per_request(found: Analysis, entry: RankedApproach) -> str:
    """ApproachCosts.cost_per_request_usd with what it is made of: the fixed monthly cost over an average
    month's requests, the per-request price by part."""
    costs = found.costs.approaches[entry.name]
    if costs.cost_per_request_usd is None:
        return "— (no requests over the horizon)"
    serving = {k: float(v) for k, v in costs.profile.per_request.items() if k != ERRORS}
    price, fixed = sum(serving.values()), float(costs.profile.monthly_fixed_usd)
    if not fixed:
        parts = _named_parts(serving)
        return money(costs.cost_per_request_usd) + (f" ({parts})" if parts else "")
    volume = float(np.mean(found.costs.volumes))
    priced = f" + {money(price)} per request" if price else ""
    return (f"{money(costs.cost_per_request_usd)} ({money(fixed)}/month fixed ÷ {count(volume)} requests a "
            f"month{priced})")


def _effort(found: Analysis, entry: RankedApproach) -> str:
    key = spec(entry.name).hours_field
    hours = float(found.costs.inputs[key])
    work = spec(entry.name).hours_help.rstrip(".")
    return f"{hours:,.0f} h ({found.costs.inputs.quantities[key].source}): {work[:1].lower()}{work[1:]}"


def _quality(entry: RankedApproach) -> str:
    if entry.score is None:
        return f"{entry.scale.name} unknown (neither typed nor measured)"
    return f"{entry.scale.brief(entry.score)}{entry.scale.interval(entry.score_ci)} ({entry.score_source})"


def _consistency(found: Analysis, entry: RankedApproach) -> str:
    if entry.consistency_spread is None:
        return "not measured"
    measured = found.scenario.measured
    row = measured.approaches[entry.name]
    return (f"{entry.scale.gap(entry.consistency_spread)} between prompt paraphrases (max − min "
            f"{entry.scale.name}, run "
            f"{row.run_id or measured.run_id})")
