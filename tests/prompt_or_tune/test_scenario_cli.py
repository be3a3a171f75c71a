"""Scenario files, overrides and the `cost` command as a user runs it."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from calculator.scenario_io import (
    ScenarioError,
    apply_overrides,
    load_scenario,
    preset_names,
    save_scenario,
)
from prompt_or_tune.cli import main


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "prompt_or_tune.cli", *args],
                          capture_output=True, text=True, timeout=120)


def test_at_least_three_presets_with_different_winners():
    names = preset_names()
    assert {"support_intents", "internal_helpdesk", "contract_review"} <= set(names)


@pytest.mark.parametrize("preset", ["support_intents", "internal_helpdesk", "contract_review"])
def test_cost_json_contract(preset, capsys):
    assert main(["cost", f"data/scenarios/{preset}.yaml", "--json", "--draws", "2000"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["currency"] == "USD"
    horizon = out["horizon_months"]
    scenario = load_scenario(preset)
    volumes = [scenario.workload.requests_per_month * (1 + scenario.workload.monthly_growth_pct / 100) ** m
               for m in range(horizon)]
    for name, c in out["approaches"].items():
        expected = c["one_off_usd"] + sum(c["monthly_fixed_usd"] + v * c["per_request_usd"] for v in volumes)
        assert round(c["tco_usd"], 2) == round(expected, 2), name
        assert len(c["cumulative_usd"]) == horizon
        assert c["cumulative_usd"][-1] == pytest.approx(c["tco_usd"])
    assert set(out["monte_carlo"]["p_cheapest"]) == set(out["approaches"])
    assert sum(out["monte_carlo"]["p_cheapest"].values()) == pytest.approx(1.0)
    for entry in out["inputs"].values():
        assert set(entry) == {"value", "unit", "source"} and entry["source"]
    for b in out["break_even"]:
        assert set(b) >= {"approach", "versus", "requests_per_month", "month"}


def test_presets_tell_different_stories():
    def cheapest(preset: str, among: list[str]) -> str:
        from calculator.costs import evaluate

        report = evaluate(load_scenario(preset))
        return min(among, key=lambda name: report.approaches[name].tco_usd)

    assert cheapest("internal_helpdesk", ["zero_shot", "few_shot", "lora"]) == "zero_shot"
    assert cheapest("support_intents", ["zero_shot", "few_shot", "lora"]) == "lora"
    contract = __import__("calculator.costs", fromlist=["evaluate"]).evaluate(load_scenario("contract_review"))
    cot = contract.approaches["chain_of_thought"].profile
    # reasoning tokens are most of what a chain-of-thought request costs
    inputs = contract.inputs
    reasoning_usd = inputs["task.reasoning_tokens"] * inputs["api.output_usd_per_mtok"] / 1e6
    assert reasoning_usd / cot.per_request_usd > 0.5


def test_set_overrides_and_changes_the_numbers(capsys):
    main(["cost", "internal_helpdesk", "--json", "--draws", "1000"])
    base = json.loads(capsys.readouterr().out)
    main(["cost", "internal_helpdesk", "--json", "--draws", "1000", "--set", "workload.requests_per_month=4000"])
    doubled = json.loads(capsys.readouterr().out)
    assert doubled["inputs"]["workload.requests_per_month"] == {
        "value": 4000.0, "unit": "requests/month", "source": "user input"}
    z0, z1 = base["approaches"]["zero_shot"], doubled["approaches"]["zero_shot"]
    variable = z0["tco_usd"] - z0["one_off_usd"]
    assert z1["tco_usd"] - z1["one_off_usd"] == pytest.approx(2 * variable)


@pytest.mark.parametrize(("args", "field"), [
    (["--set", "workload.requests_per_month=-5"], "workload.requests_per_month"),
    (["--set", "workload.horizon_months=0"], "workload.horizon_months"),
    (["--set", "api.input_usd_per_mtok=0"], "api.input_usd_per_mtok"),
    (["--set", "workload.requests_per_month=.nan"], "workload.requests_per_month"),
    (["--set", "workload.volume=5"], "workload.volume"),
    (["--set", "workload.requests_per_month=lots"], "workload.requests_per_month"),
    (["--set", "api.model=gpt-unknown"], "api.model"),
    (["--set", "nonsense"], "dotted.field=value"),
])
def test_bad_input_exits_2_with_one_line(args, field):
    result = run_cli("cost", "internal_helpdesk", *args)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert field in lines[0]
    assert "Traceback" not in result.stderr


def test_bad_files(tmp_path):
    cases = {
        "list.yaml": "- a\n- b\n",
        "unsafe.yaml": "workload: !!python/object/apply:os.system ['echo hi']\n",
        "broken.json": "{not json",
        "range.yaml": "uncertainty:\n  workload.requests_per_month: {low: 10, high: 1}\n",
    }
    for name, text in cases.items():
        path = tmp_path / name
        path.write_text(text)
        result = run_cli("cost", str(path))
        assert result.returncode == 2, name
        assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1, name
    assert "range low 10" in run_cli("cost", str(tmp_path / "range.yaml")).stderr


def test_bounds_in_message():
    with pytest.raises(ScenarioError) as info:
        apply_overrides(load_scenario("internal_helpdesk"), ["workload.monthly_growth_pct=500"])
    assert info.value.field == "workload.monthly_growth_pct"
    assert "allowed [-50, 100] %/month" in str(info.value)


def test_save_and_load_round_trip(tmp_path):
    scenario = load_scenario("contract_review")
    for suffix in (".yaml", ".json"):
        path = save_scenario(scenario, tmp_path / f"saved{suffix}")
        assert load_scenario(path) == scenario
    assert not list(tmp_path.glob(".*.tmp"))  # atomic writes leave no temporaries
