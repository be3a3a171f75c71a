"""The report carries the Decision page's "Where the tuned models are served": both hostings of each
tuned approach, cheapest first, priced as the scenario evaluated each way, with its source line."""

from __future__ import annotations

import html
from datetime import UTC, datetime

from calculator.costs import evaluate
from calculator.recommend.wording import money
from calculator.scenario_io import apply_overrides, load_preset
from reporting import build, render_data

AT_20K = "workload.requests_per_month=20000"


def lora_tco(hosting: str) -> str:
    scenario = apply_overrides(load_preset("support_intents"), [AT_20K, f"finetuning.hosting={hosting}"])
    return money(evaluate(scenario).approaches["lora"].tco_usd)


def test_the_html_report_shows_where_the_tuned_models_are_served():
    data = build(apply_overrides(load_preset("support_intents"), [AT_20K]), draws=200,
                 now=datetime(2026, 1, 1, tzinfo=UTC))
    page = render_data(data, "html").decode("utf-8")
    recommendation = page.split('<section id="recommendation">')[1].split("</section>")[0]
    assert "Where the tuned models are served" in recommendation
    at_openai = recommendation.index(html.escape("at OpenAI, gpt-4o-mini-2024-07-18 fine-tuned"))
    own = recommendation.index(html.escape("own GPUs (1× L4 24GB)"))
    assert at_openai < own  # $12,361 before $71,243: ranked by TCO
    assert (lora_tco("provider"), lora_tco("self_hosted")) == ("$12,361", "$71,243")
    assert html.escape("LoRA fine-tune costs $58,882 less over 24 months at OpenAI than on own GPUs "
                       "($12,361 against $71,243).") in recommendation
    assert html.escape("Source: each row is this scenario priced with the tuned models served that way") in recommendation
    assert "data/finetune_prices.yaml: openai/gpt-4o-mini-2024-07-18" in recommendation
    assert "data/gpu_prices.yaml: L4 24GB" in recommendation
