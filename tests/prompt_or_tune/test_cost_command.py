"""`prompt-or-tune cost`: light (no chart, PDF or model library loaded) and it prints the decision."""

from __future__ import annotations

import json
import subprocess
import sys

from calculator.analysis import analyze
from calculator.recommend import TOP_REASONS
from calculator.scenario_io import load_preset
from prompt_or_tune.cli import main

HEAVY = ("plotly", "fpdf", "matplotlib", "torch", "transformers")
DRAWS = 2_000


def test_cost_command_loads_no_heavy_library():
    code = ("import sys\nfrom prompt_or_tune.cli import main\nmain(['cost', 'support_intents', '--draws', '500'])\n"
            f"print('LOADED', sorted({{m.split('.')[0] for m in sys.modules}} & set({HEAVY!r})))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    assert "Recommendation:" in done.stdout  # it did run the whole command
    assert done.stdout.strip().splitlines()[-1] == "LOADED []"


def test_cost_prints_the_recommendation_under_its_table(capsys):
    assert main(["cost", "support_intents", "--draws", str(DRAWS)]) == 0
    out = capsys.readouterr().out
    rec = analyze(load_preset("support_intents"), draws=DRAWS).recommendation
    table, decision = out.split("\nRecommendation: ")
    assert "TCO $" in table and rec.headline not in table
    lines = decision.splitlines()
    assert lines[0] == f"{rec.choice} ({rec.verdict})" == "lora (provisional)"
    assert lines[1] == rec.headline
    assert lines[2:2 + TOP_REASONS] == [f"  - {reason}" for reason in rec.reasons[:TOP_REASONS]]
    assert f"{len(rec.reasons) - TOP_REASONS} more reasons" in lines[-1]


def test_cost_json_carries_the_recommendation(capsys):
    assert main(["cost", "internal_helpdesk", "--json", "--draws", str(DRAWS)]) == 0
    out = json.loads(capsys.readouterr().out)
    rec = analyze(load_preset("internal_helpdesk"), draws=DRAWS).recommendation
    assert out["recommendation"] == json.loads(json.dumps(rec.to_dict()))
    assert out["recommendation"]["choice"] in ("zero_shot", "few_shot")
    assert [r["name"] for r in out["recommendation"]["ranked"]] == [r.name for r in rec.ranked]
    assert set(out["approaches"]) == {r.name for r in rec.ranked}
