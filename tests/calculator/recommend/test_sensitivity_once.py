"""One analysis swings the choice against its rival once: the reasons and the sensitivity chart share
the bars (the swing was computed twice per dashboard rerun, ~40 ms of a ~100 ms analysis)."""

from __future__ import annotations

from calculator import analysis
from calculator.recommend import reasons
from calculator.scenario_io import load_preset
from calculator.uncertainty import tornado


def test_the_analysis_swings_its_pair_once_and_the_reasons_quote_those_bars(monkeypatch):
    swung: list[tuple[str, str]] = []

    def counted(inputs, a, b, ranges, top=12):
        swung.append((a, b))
        return tornado(inputs, a, b, ranges, top)

    monkeypatch.setattr(reasons, "tornado", counted)
    found = analysis.analyze(load_preset("support_intents"), draws=2_000)
    rec = found.recommendation
    assert found.tornado_pair == (rec.choice, rec.rival) == ("lora", "full_finetune")
    assert swung == [found.tornado_pair]  # once, for the reasons and the chart together
    assert found.tornado_bars == tornado(found.costs.inputs, *found.tornado_pair, found.scenario.uncertainty)
    # the "what would change" sentences come from the first three of those same bars
    quoted = [s for s in rec.what_would_change if "becomes cheaper by" in s]
    assert quoted == reasons.sensitivity_change(found.costs, rec.approach(rec.rival), found.tornado_bars)
    assert len(quoted) >= 1 and all(rec.approach(rec.rival).title in s for s in quoted)
