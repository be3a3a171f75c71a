"""The shared builders: one grid per table, shown as numbers on the dashboard and as text in the report;
one rendering of benchmark rows for the dashboard, the report and the terminal."""

from __future__ import annotations

import math

from calculator.costs import evaluate
from calculator.recommend.wording import count, money
from calculator.scenario_io import load_preset
from dashboard.tables import approach_table, runs_table
from prompt_or_tune.commands.bench_view import summary_table
from reporting.grid import break_even_grid, costs_grid
from reporting.run_rows import run_rows
from reporting.tables import environment, measurements, speed
from tests.fake_result import fake_result


def test_one_cost_grid_gives_the_dashboard_numbers_and_the_report_text():
    report = evaluate(load_preset("support_intents"))
    rows = costs_grid(report)
    lora = report.approaches["lora"]
    p = lora.profile
    tco = p.one_off_usd + sum(p.monthly_fixed_usd + v * p.per_request_usd for v in report.volumes)
    texts = {row[0]: dict(zip(rows.names, row, strict=True)) for row in rows.texts()}
    frame = approach_table(report).set_index("approach")
    column = f"TCO {report.horizon_months} months (USD)"
    assert math.isclose(frame.loc["LoRA fine-tune", column], tco, rel_tol=1e-12)
    assert texts["LoRA fine-tune"][column] == money(tco)
    assert texts["LoRA fine-tune"]["one-off (USD)"] == money(p.one_off_usd)
    assert "engineering " + money(p.one_off["engineering"]) in texts["LoRA fine-tune"]["parts"]
    assert [row[0] for row in rows.texts()] == list(frame.index)  # same rows, cheapest first
    assert frame[column].is_monotonic_increasing


def test_break_even_grid_says_never_in_words_and_writes_volumes_in_the_readers_units():
    """The page shows what the report prints: '3.71M requests/month' (not 3,597,369.883), 'never', '—' for
    curves that do not cross (not None)."""
    report = evaluate(load_preset("support_intents"))
    rows = break_even_grid(report)
    frame, texts = rows.frame(), rows.texts()
    assert frame.values.tolist() == texts
    for i, be in enumerate(report.break_even):
        if be.requests_per_month is None:
            assert texts[i][2] == "none (one is cheaper throughout)"
        else:
            more = f", 1 of {len(be.crossings)}" if len(be.crossings) > 1 else ""  # a fleet step crosses again
            assert texts[i][2] == f"{count(be.requests_per_month)} requests/month{more}"
        assert texts[i][4] == ("—" if be.month is None else str(be.month))
    assert any(be.month is None for be in report.break_even) and "None" not in str(texts)
    assert any(", 1 of 3" in row[2] for row in texts)  # support_intents: prompt-tuning and LoRA cross three times


def test_a_run_cut_short_is_flagged_on_every_face_with_the_model_it_ran_on():
    result = fake_result()
    result.approaches[-1].training.planned_steps = 40  # the fake trained 10 steps
    flagged = "10 of 40 steps, under-trained"
    rows = run_rows([result])
    assert [r.approach.approach for r in rows.items] == ["zero_shot", "few_shot", "lora"]
    table = runs_table([result]).set_index("approach")
    assert table.loc["LoRA fine-tune", "training"] == flagged
    assert table.loc["Zero-shot prompt", "training"] == "-"
    assert set(table["model"]) == {"smollm2-135m-instruct"}
    report = measurements(result)
    lora = dict(zip(report.columns, report.rows[-1], strict=True))
    assert lora["training"] == flagged and lora["model"] == "smollm2-135m-instruct"
    assert "Under-trained (stopped before its planned steps): run-test-1: LoRA fine-tune." in report.note
    assert flagged in summary_table(result)
    result.approaches[-1].training.planned_steps = 10
    assert runs_table([result]).set_index("approach").loc["LoRA fine-tune", "training"] == "10 of 10 steps"


def test_a_run_over_several_ranks_says_so_on_every_face():
    result = fake_result()
    assert runs_table([result])["device"].iloc[0] == "cpu" and "on cpu\n" in summary_table(result)
    env = result.environment
    env.world_size, env.devices, env.sharding = 2, ["cpu (1 thread)", "cpu (1 thread)"], "fsdp"
    assert set(runs_table([result])["device"]) == {"2 × cpu, FSDP"}
    assert summary_table(result).splitlines()[0].endswith("on 2 × cpu, FSDP")
    assert "on 2 × cpu, FSDP." in speed(result).note
    device = dict(environment(result).rows)["device"]
    assert device.endswith("; 2 processes (cpu (1 thread), cpu (1 thread)), its decoder layers sharded over them (FSDP)")
    env.sharding = "none"
    assert dict(environment(result).rows)["device"].endswith("), a whole model each")
    assert set(runs_table([result])["device"]) == {"2 × cpu"}
