"""The dashboard's tables: fractions of a cent stay readable, every number keeps its source."""

from __future__ import annotations

from calculator.costs import evaluate
from calculator.recommend.wording import money
from calculator.scenario_io import load_preset
from dashboard.tables import approach_table, sources_table
from reporting.grid import number


def test_per_request_amounts_keep_three_significant_figures_and_accuracy_is_a_percentage():
    report = evaluate(load_preset("support_intents"))
    table = approach_table(report).set_index("approach")
    lora = report.approaches["lora"]
    per_request = "cost per request (running, incl. fleet)"
    # the fleet's $2,587 a month over an average month's 4.3M requests: never $0 for a self-hosted model
    assert table.loc["LoRA fine-tune", per_request] == money(lora.cost_per_request_usd) == "$0.000601"
    # 0.000790: its ~310-token prompt at gpt-4o's full $2.50 (under OpenAI's 1,024-token caching minimum) + the label at $10
    assert table.loc["Zero-shot prompt", per_request] == "$0.000790"
    assert table.loc["LoRA fine-tune", "accuracy"] == "93%"
    assert table.loc["Train from scratch", "accuracy"] == "—"
    assert not any(v in ("$0.00", "$0") for v in table[per_request])


def test_sources_table_names_each_number_in_words_next_to_its_dotted_name():
    report = evaluate(load_preset("support_intents"))
    rows = sources_table(report).set_index("number")
    assert rows.loc["team.hours.lora", "what"] == "Engineering hours for LoRA fine-tune"
    assert rows.loc["lora.tco", "value"] == number(report.approaches["lora"].tco_usd)  # six figures, as the report
    assert rows.loc["gpu.peak_flops", "value"] == "121 trillion"  # the L4's bf16 FLOP/s, never 1.21e+14
    # a share as a percentage, as the sliders show it: MFU 35% (not 0.35 fraction), accuracy 93%, chrF stays 0-1
    assert rows.loc["finetuning.training_mfu", ["value", "unit"]].tolist() == ["35%", ""]
    assert rows.loc["score.lora", ["value", "unit"]].tolist() == ["93%", "accuracy"]
    chrf = sources_table(evaluate(load_preset("support_reply_drafting"))).set_index("number")
    assert chrf.loc["score.lora", ["value", "unit"]].tolist() == ["0.52", "chrF"]
    assert rows.loc["lora.tco", "source"].startswith("formula")
