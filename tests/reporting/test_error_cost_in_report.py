"""The report shows each approach's expected error cost beside its running cost when errors are priced."""

from __future__ import annotations

from calculator.scenario_io import apply_overrides, load_preset
from reporting.document import build
from reporting.grid import costs_grid
from reporting.outline import Bullets, Paragraph, outline


def costs_section(scenario):
    data = build(scenario, draws=1_000)
    return data, next(s for s in outline(data) if s.key == "costs")


def test_costs_section_and_grid_split_running_and_error_cost():
    data, section = costs_section(apply_overrides(load_preset("support_intents"),
                                                  ["quality.cost_per_error_usd=0.05"]))
    assert isinstance(section.blocks[0], Paragraph) and "priced at $0.05 each" in section.blocks[0].text
    lines = section.blocks[1].items
    assert isinstance(section.blocks[1], Bullets)
    # full fine-tune: $75,643 running (its fleet, 17 ops hours a month, 865 evaluation and the retraining labels)
    # + 6% of 103M requests × $0.05 = $309,838 → $385,481
    assert "Full fine-tune: $75,643 to build and run + $309,838 expected errors = $385,481; $0.00397 per " \
           "correct answer." in lines
    grid = costs_grid(data.costs)
    assert grid.names.index("errors (USD)") < grid.names.index("TCO 24 months (USD)")


def test_nothing_is_added_when_errors_are_not_priced():
    data, section = costs_section(load_preset("support_intents"))
    assert not any(isinstance(b, Paragraph | Bullets) for b in section.blocks)
    assert "errors (USD)" not in costs_grid(data.costs).names
