"""AppTest: the dashboard shows what calculator/ computes, and bad input stays inline."""

from __future__ import annotations

import time

import pytest
import yaml

from calculator.approaches import REGISTRY
from calculator.costs import evaluate
from calculator.price_catalog import model_for
from calculator.recommend import recommend
from calculator.recommend.wording import money
from calculator.scenario_io import load_preset
from calculator.summary import run_monte_carlo
from dashboard import api_picker, figures
from dashboard.edit import updated
from tests.dashboard.apptest import PAGES, metric, open_app, sidebar_answer, widget

PRESET = "support_intents"


def expected_choice_tco(changes: dict) -> str:
    report = evaluate(updated(load_preset(PRESET), changes))
    decision = recommend(report, run_monte_carlo(report))
    return money(decision.approach(decision.choice).tco_usd)


@pytest.mark.parametrize("page", list(PAGES))
def test_every_page_loads_without_errors(page):
    at = open_app(page)
    assert not at.error, [e.value for e in at.error]
    assert sidebar_answer(at)


def test_volume_change_moves_the_costs_as_the_calculator_says():
    at = open_app("costs")
    before = metric(at, "Cheapest over 24 months")
    widget(at, "number_input", "side:workload.requests_per_month").set_value(200_000).run()
    report = evaluate(updated(load_preset(PRESET), {"workload.requests_per_month": 200_000}))
    cheapest = report.ranked()[0]
    label = f"Cheapest over 24 months: {REGISTRY[cheapest.name].title}"
    assert metric(at, label) == money(cheapest.tco_usd)
    assert metric(at, "Cheapest over 24 months") != before
    assert metric(at, "Cheapest meeting the 90% accuracy target") == expected_choice_tco(
        {"workload.requests_per_month": 200_000})
    assert at.query_params["workload.requests_per_month"] == "200000.0"


def test_horizon_slider_on_the_scenario_page_changes_the_decision_cost():
    at = open_app("scenario")
    widget(at, "slider", "main:workload.horizon_months").set_value(12).run()
    at.switch_page(PAGES["decision"]).run()
    assert metric(at, "Cost over 12 months") == expected_choice_tco({"workload.horizon_months": 12})


def test_out_of_range_input_is_reported_inline_and_the_page_keeps_working():
    at = open_app("scenario")
    widget(at, "number_input", "main:workload.requests_per_month").set_value(-5).run()
    messages = [e.value for e in at.error]
    assert ("Requests per month must be between 0 and 10,000,000,000 requests/month; "
            "you entered -5.") in messages
    assert not at.exception
    at.switch_page(PAGES["decision"]).run()  # the last good scenario is still priced
    assert metric(at, "Cost over 24 months") == expected_choice_tco({})


def test_unknown_api_model_is_reported_inline():
    at = open_app("scenario")
    widget(at, "selectbox", "main:api.model").select(api_picker.OTHER).run()
    widget(at, "text_input", "typed:api.model").set_value("no-such-model").run()
    messages = [e.value for e in at.error]
    assert ("genai-prices has no per-token price for 'no-such-model' at OpenAI: choose one of OpenAI's "
            "models from the list, or type the API input and output prices per 1M tokens (Prompting tab).") \
        in messages
    assert not any("model_ref" in m or "api.model" in m for m in messages)
    assert at.session_state["scenario"].api.model == "gpt-4o"  # the last good scenario stays
    assert sidebar_answer(at)


def test_the_api_model_is_picked_from_the_providers_list_and_prices_the_prompts():
    at = open_app("scenario")
    picker = widget(at, "selectbox", "main:api.model")
    assert picker.value == "gpt-4o" and "gpt-4o-mini" in picker.options and api_picker.OTHER in picker.options
    assert not any(w.key and w.key.endswith("typed:api.model") for w in at.text_input)  # listed: no box
    picker.select("gpt-4o-mini").run()
    assert at.session_state["scenario"].api.model == "gpt-4o-mini"
    # genai-prices: gpt-4o-mini $0.15 per 1M input tokens (gpt-4o $2.50); the blank price field says so
    assert r"Blank: \$0.15 per 1M tokens, from genai-prices" in " ".join(c.value for c in at.caption)
    assert sidebar_answer(at)
    # another provider: a model it prices replaces gpt-4o-mini, and the page says so
    widget(at, "selectbox", "main:api.provider_id").select("anthropic").run()
    api = at.session_state["scenario"].api
    assert api.provider_id == "anthropic" and api.model == model_for("anthropic", "gpt-4o-mini")
    assert widget(at, "selectbox", "main:api.model").value == api.model
    assert any(c.value.startswith(f"Model set to {api.model}, the first of Anthropic's models") for c in at.caption)


def test_a_link_reproduces_the_scenario():
    at = open_app("decision", query={"preset": PRESET, "workload.horizon_months": "6"})
    assert metric(at, "Cost over 6 months") == expected_choice_tco({"workload.horizon_months": 6})


def test_a_bad_link_falls_back_to_the_preset_with_a_message():
    at = open_app("scenario", query={"workload.horizon_months": "0"})
    assert any("Horizon must be between 1 and 120 months; you entered 0" in w.value for w in at.warning)


def test_uploaded_scenario_replaces_the_current_one_and_its_name_is_escaped():
    at = open_app("scenario")
    data = load_preset("internal_helpdesk").model_dump(mode="json", exclude_unset=True)
    data["name"] = "<b>Acme</b> **$5**"
    at.file_uploader[0].upload("mine.yaml", yaml.safe_dump(data).encode()).run()
    assert not at.exception and not at.error
    caption = next(c.value for c in at.sidebar.caption if "Acme" in c.value)
    assert caption == r"\<b\>Acme\</b\> \*\*\$5\*\*"


def test_broken_upload_says_why_and_keeps_the_scenario():
    at = open_app("scenario")
    at.file_uploader[0].upload("bad.yaml", b"workload: [1, 2").run()
    assert any("not valid YAML" in e.value for e in at.error)
    assert sidebar_answer(at) == "LoRA fine-tune"


def test_slider_change_rerenders_well_under_a_second():
    at = open_app("costs")
    slider = widget(at, "slider", "side:workload.horizon_months")
    timings = []
    for months in (18, 20, 22):
        start = time.perf_counter()
        slider.set_value(months).run()
        timings.append(time.perf_counter() - start)
    assert not at.exception
    assert min(timings) < 1.0, timings


def test_switching_back_to_the_costs_page_rerenders_well_under_a_second():
    """Its charts are drawn once per scenario (dashboard/figures.py): a switch back only lays them out."""
    at = open_app("costs")
    timings = []
    for _ in range(3):
        at.switch_page(PAGES["decision"]).run()
        start = time.perf_counter()
        at.switch_page(PAGES["costs"]).run()
        timings.append(time.perf_counter() - start)
    assert not at.exception and len(at.get("plotly_chart")) >= 8
    assert min(timings) < 1.0, timings
    scenario = at.session_state["scenario"]
    assert figures.drawn(scenario, "cumulative") is figures.drawn(scenario, "cumulative")  # drawn once


def test_tokens_page_counts_a_pasted_input_with_tiktoken():
    from calculator.prompts import build_prompt
    from calculator.tokens import counter_for

    at = open_app("tokens")
    at.selectbox[0].select("Paste your own…").run()
    text = "Where is my parcel? " * 10
    at.text_area[0].set_value(text).run()
    scenario = load_preset(PRESET)
    counter = counter_for(scenario.api.model, scenario.api.tiktoken_encoding)
    expected = counter.count(build_prompt("few_shot", scenario.task, text).text)
    table = at.dataframe[0].value
    row = table[table["approach"] == "Few-shot prompt"].iloc[0]
    assert row["prompt tokens"] == expected
    # no fraction of a cent reads 0; self-hosted approaches pay a fixed fleet, spread over the requests
    prompting = {REGISTRY[n].title for n in REGISTRY if REGISTRY[n].family == "prompting"}
    shown = table[table["approach"].isin(prompting)]["cost per request (running, incl. fleet)"]
    assert len(shown) >= 3 and all(float(v.lstrip("$")) > 0 for v in shown)
    assert set(table[table["approach"].isin(prompting)]["serving"]) == {"per request"}
    assert any(text.strip() in c.value for c in at.code)


def test_tokens_page_says_that_self_hosted_approaches_pay_a_fixed_fleet_spread_over_the_requests():
    at = open_app("tokens")
    table = at.dataframe[0].value.set_index("approach")
    report = evaluate(load_preset(PRESET))
    lora_fixed = float(report.approaches["lora"].profile.monthly_fixed_usd)
    # one definition of cost per request on every page: the trade-offs' and the Costs page's $0.000601
    assert table.loc["LoRA fine-tune", "cost per request (running, incl. fleet)"] == money(
        report.approaches["lora"].cost_per_request_usd) == "$0.000601"
    assert table.loc["LoRA fine-tune", "serving"] == f"fixed fleet {money(lora_fixed)}/month"
    assert table.loc["LoRA fine-tune", "first month at this prompt (USD)"] == pytest.approx(lora_fixed, rel=1e-3)
    note = next(i.value for i in at.info if "whatever the prompt" in i.value)
    assert f"LoRA fine-tune {money(lora_fixed)}".replace("$", "\\$") in note
