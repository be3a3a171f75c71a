"""The Tokens page: the exact prompt each approach sends, its tiktoken count, the answer it writes and what
it costs."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from calculator.approaches import REGISTRY
from calculator.approaches.base import ERRORS
from calculator.costs import ApproachCosts, CostReport, approach_costs
from calculator.fields import COST_PER_REQUEST, COST_PER_REQUEST_HELP
from calculator.inputs import Inputs
from calculator.prompts import build_prompt
from calculator.recommend.wording import count, money
from calculator.tokens import counter_for
from core.approaches import spec, title
from dashboard import compute, state
from dashboard.text import dollars

PASTE = "Paste your own…"
MAX_INPUT_CHARS = 20_000


def at_prompt(report: CostReport, approach: str, prompt_tokens: int) -> ApproachCosts:
    """The calculator's costs of an approach with this prompt's token count in place of the mean."""
    inputs = report.inputs.with_values({f"tokens.{spec(approach).prompt_kind}.input": float(prompt_tokens)})
    return approach_costs(approach, inputs, np.asarray(report.volumes))


def first_month_usd(costs: ApproachCosts, volume: float) -> float:
    """Running the approach in the first month: its fixed monthly cost (a fleet) + the month's requests × the
    per-request price (expected errors aside, as in the cost per request)."""
    profile = costs.profile
    price = float(profile.per_request_usd) - float(profile.per_request.get(ERRORS, 0.0))
    return float(profile.monthly_fixed_usd) + volume * price


def output_source(inputs: Inputs, name: str) -> str:
    """Where an approach's output tokens per request come from, part by part: its answer as a run measured it,
    else the task's answer length (a label, a JSON object, a text); for a prompt, the reasoning it writes too."""
    approach = spec(name)
    measured, typed = f"tokens.output.{name}", "tokens.json_answer" if approach.answer_format == "json" else "tokens.answer"
    answer = measured if measured in inputs else typed
    parts = [f"answer: {inputs.quantities[answer].source}"]
    if approach.family == "prompting":
        reasoning = [("task.reasoning_tokens", "reasoning")] if approach.reasons else []
        for key, what in [*reasoning, ("api.reasoning_tokens_per_request", "hidden reasoning")]:
            if inputs.get(key):
                parts.append(f"{what}: {inputs[key]:,.0f} ({inputs.quantities[key].source})")
    return "; ".join(parts)


def render() -> None:
    scenario = state.scenario()
    report = compute.cost_report(scenario)
    st.title("Tokens")
    samples = scenario.task.sample_inputs
    choice = st.selectbox("Sample input", [*samples, PASTE],
                          format_func=lambda s: s if len(s) < 90 else s[:87] + "…")
    text = choice
    if choice == PASTE:
        text = st.text_area("Your input", max_chars=MAX_INPUT_CHARS, value=samples[0])
    counter = counter_for(scenario.api.model, scenario.api.tiktoken_encoding)
    volume = scenario.workload.requests_per_month
    (st.caption if counter.exact else st.warning)(f"Token counts: {counter.source}.")
    rows, fleet = [], {}
    for name in scenario.approaches:
        prompt = build_prompt(name, scenario.task, text)
        tokens = counter.count(prompt.text)
        output = float(REGISTRY[name].output_tokens(report.inputs))
        costs = at_prompt(report, name, tokens)
        cost = money(costs.cost_per_request_usd) if costs.cost_per_request_usd is not None else "—"
        monthly = fleet_usd_per_month(costs)
        if monthly is not None:
            fleet[name] = monthly
        rows.append({"approach": title(name), "prompt tokens": tokens, "output tokens": output,
                     "cached prefix tokens": counter.count(prompt.prefix), COST_PER_REQUEST: cost,
                     "first month at this prompt (USD)": first_month_usd(costs, volume),
                     "serving": "per request" if monthly is None else f"fixed fleet {money(monthly)}/month",
                     "output tokens from": output_source(report.inputs, name)})
        served = ("paid per request" if monthly is None else
                  f"served by a fixed fleet of {money(monthly)} a month")
        with st.expander(f"{title(name)}: {tokens:,} prompt tokens, {output:,.0f} output tokens, {cost} per "
                         f"request, {served}"):
            st.code(prompt.text, language=None, wrap_lines=True)
    st.subheader("Per approach")
    st.caption(f"{COST_PER_REQUEST_HELP} The first month: {count(volume)} requests at this prompt; one-off costs "
               "are on the Costs page. Output tokens: what each approach writes per request (billed by the API, or "
               "decoded by the fleet), the same whatever the input.")
    if fleet:
        st.info(fleet_note(fleet), icon=":material/dns:")
    # per request as text with three significant figures (fractions of a cent; %.6f showed 0.000000)
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch", column_config={
        "output tokens": st.column_config.NumberColumn(format="%.1f"),
        "first month at this prompt (USD)": st.column_config.NumberColumn(format="dollar")})


def fleet_usd_per_month(costs: ApproachCosts) -> float | None:
    """The fixed monthly cost of an approach served on its own GPUs (nothing per request), else None."""
    fixed = float(costs.profile.monthly_fixed_usd)
    return fixed if not float(costs.profile.per_request_usd) and fixed > 0 else None


def fleet_note(fleet: dict[str, float]) -> str:
    """Why a self-hosted approach's prompt length does not move its cost: its GPUs cost the same whatever it."""
    named = ", ".join(f"{title(n)} {money(usd)}" for n, usd in fleet.items())
    return dollars(f"Served on their own GPUs, these approaches pay a fixed monthly cost (the fleet, its "
                   f"operations and retraining) whatever the prompt's length: {named} a month. Their cost per "
                   "request is that cost spread over the month's requests; a shorter prompt does not lower it.")
