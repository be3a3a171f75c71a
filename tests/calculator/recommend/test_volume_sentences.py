"""Every "Above / Below / Between N requests a month" sentence holds in the unit the reader typed: set the
typed volume 10% on either side of N and the order of the two approaches is the one the sentence states
(each preset, as shipped; the CLI's --json carries the same sentences)."""

from __future__ import annotations

import json
import math
import re

import pytest

from calculator.analysis import analyze
from calculator.costs import evaluate
from calculator.scenario_io import apply_overrides, load_preset, preset_names
from core.approaches import SPECS
from prompt_or_tune.cli import main

DRAWS = 2_000
TITLES = {spec.title: spec.name for spec in SPECS}
VOLUME = r"([\d.,]+[kMB]?)"
ALSO = r"(?: \(also (.+?), where whole GPU replicas flip the order\))?"
SPAN = rf"(above|below|between) {VOLUME}(?: and {VOLUME})? requests a month{ALSO}"
CHANGE = re.compile(rf"^{SPAN} \(you typed [^)]*\), (.+?) becomes cheaper", re.IGNORECASE)
PAYBACK = re.compile(rf"^(.+?) is cheaper than (.+?) {SPAN} \(you typed")
BAND = re.compile(rf"(above|below|between) {VOLUME}(?: and {VOLUME})?")


def requests(words: str) -> float:
    """"3.4M" -> 3,400,000; "401k" -> 401,000; "2,000" -> 2,000 (wording.count written back)."""
    scale = {"k": 1e3, "M": 1e6, "B": 1e9}.get(words[-1], 1.0)
    return float(words.rstrip("kMB").replace(",", "")) * scale


def bands(side: str, low: str, high: str | None) -> tuple[float, float]:
    """A span in words as (from, to) volumes: "above 2.62M" -> (2.62M, inf)."""
    low_v = requests(low)
    if side.lower() == "above":
        return low_v, math.inf
    if side.lower() == "below":
        return 0.0, low_v
    return low_v, requests(high)


def claims(found) -> list[tuple[str, str, tuple[float, float], list[tuple[float, float]], str]]:
    """(cheaper, dearer, the span said, the other spans said with "also", sentence) for each volume sentence."""
    rec = found.recommendation
    out = []
    for sentence in rec.what_would_change:
        if m := CHANGE.match(sentence):
            side, low, high, also, rival = m.groups()
            out.append((TITLES[rival], rec.choice, bands(side, low, high), _also(also), sentence))
    for sentence in rec.reasons:
        if m := PAYBACK.match(sentence):
            winner, loser, side, low, high, also = m.groups()
            out.append((TITLES[winner], TITLES[loser], bands(side, low, high), _also(also), sentence))
    return out


def _also(words: str | None) -> list[tuple[float, float]]:
    return [bands(*m.groups()) for m in BAND.finditer(words or "")]


def cheaper_at(scenario, volume: float, a: str, b: str) -> bool:
    costs = evaluate(apply_overrides(scenario, [f"workload.requests_per_month={volume}"])).approaches
    return costs[a].tco_usd < costs[b].tco_usd


@pytest.mark.parametrize("preset", preset_names())
def test_each_volume_sentence_holds_ten_percent_either_side(preset):
    found = analyze(load_preset(preset), draws=DRAWS)
    scenario = found.scenario
    for cheaper, dearer, (low, high), also, sentence in claims(found):
        inside = [low * 1.1] if high == math.inf else [high * 0.9] if not low else [math.sqrt(low * high)]
        outside = [v for v in (low * 0.9, high * 1.1) if 0 < v < math.inf
                   and not any(a * 0.99 <= v <= b * 1.01 for a, b in also)]  # where "also" says it is cheaper
        inside += [math.sqrt(a * b) for a, b in also if a > 0 and b < math.inf]
        for volume in inside:
            assert cheaper_at(scenario, volume, cheaper, dearer), (sentence, volume)
        for volume in outside:
            assert not cheaper_at(scenario, volume, cheaper, dearer), (sentence, volume)


def test_the_presets_say_volume_sentences_and_the_typed_volume():
    """The check above has sentences to check: the volume sentences of the presets, in the typed unit."""
    said = {preset: claims(analyze(load_preset(preset), draws=DRAWS)) for preset in preset_names()}
    assert sum(len(found) for found in said.values()) >= 4
    sentence = next(s for *_, s in said["support_intents"] if s.startswith("LoRA fine-tune is cheaper than"))
    assert any("where whole GPU replicas flip the order" in s for *_, s in said["support_reply_drafting"])
    assert "(you typed 3M; growth of 3%/month kept)" in sentence


@pytest.mark.parametrize("preset", ["support_intents", "contract_review"])
def test_the_cli_json_carries_the_same_sentences(preset, capsys):
    assert main(["cost", preset, "--json"]) == 0
    printed = json.loads(capsys.readouterr().out)["recommendation"]
    found = analyze(load_preset(preset)).recommendation
    assert printed["what_would_change"] == found.what_would_change
    assert printed["reasons"] == found.reasons
    assert printed["headline"] == found.headline
