"""The Benchmark page with no runs teaches a first one: what it measures, how long it took on a
named machine class, and how to run it on one's own data and API model (commands the CLI accepts)."""

from __future__ import annotations

import re
import shlex

from benchmarks.config import BenchConfig
from prompt_or_tune.cli import build_parser
from prompt_or_tune.commands.bench import build_config
from tests.dashboard.apptest import open_app


def guide(runs_root) -> str:
    runs_root.mkdir()  # an empty runs folder
    at = open_app("benchmark")
    assert not at.exception and not at.error
    assert [i.value for i in at.info if "runs" in i.value] == [
        "No finished runs yet. A run measures what the costs otherwise take from typed guesses."]
    assert not [m for m in at.multiselect if m.label == "Runs to compare"]
    (text,) = [m.value for m in at.markdown if m.value.startswith("**What a first run measures.**")]
    return text


def test_an_empty_benchmark_page_says_what_a_first_run_measures_and_how_long_it_takes(runs_root):
    text = guide(runs_root)
    assert ("Zero-shot prompt and Few-shot prompt against a quick LoRA fine-tune, all on the packaged model "
            "SmolLM2-135M-Instruct and the packaged task rotten_tomatoes") in text
    assert "accuracy with its 95% interval" in text and "tokens/s" in text and "latency p50 and p95" in text
    assert f"the same {BenchConfig(quick=True).test_size} held-out examples" in text
    # docs/BENCHMARKS.md, "Quick mode, measured": 393.5 and 421.1 s; bbc_headlines 789.7 s
    assert ("Quick mode took 394–421 s (about 7 minutes) on a 2-core AMD EPYC CPU with AVX2 (float32, idle, "
            "2026-12-05)") in text
    assert "scored on chrF) took 790 s there, about 13 minutes" in text


def test_its_commands_are_ones_the_cli_accepts(runs_root, tmp_path, monkeypatch):
    text = guide(runs_root)
    assert "Upload a CSV or JSONL under *Your data* above" in text and "Open *Endpoint arms*" in text
    monkeypatch.chdir(tmp_path)
    (tmp_path / "file.csv").write_text("text,label\ngood,positive\nbad,negative\n", encoding="utf-8")
    commands = re.findall(r"`(prompt-or-tune bench [^`]+)`", text)
    assert [c.split()[2] for c in commands] == ["--data", "--endpoint"]
    configs = [build_config(build_parser().parse_args(shlex.split(command)[1:])) for command in commands]
    assert all(isinstance(config, BenchConfig) for config in configs), configs  # else (option, what is wrong)
    own_data, endpoint = configs
    assert (own_data.text_col, own_data.label_col, own_data.quick) == ("text", "label", True)
    assert (endpoint.endpoint_model, endpoint.provider, endpoint.max_usd) == ("gpt-4o-mini", "openai", 1)
