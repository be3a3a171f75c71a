"""Change scenario fields by dotted name, keeping which fields the user set (for the sources)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from calculator.scenario import Scenario
from calculator.scenario_io import scenario_from_mapping, scores_typed_now, set_path


def updated(scenario: Scenario, changes: Mapping[str, Any]) -> Scenario:
    """A validated copy with `changes` applied. Raises ScenarioError (field, value, allowed range)."""
    data = scenario.model_dump(mode="json", exclude_unset=True)
    for dotted, value in changes.items():
        set_path(data, dotted, value)
    return scores_typed_now(scenario, scenario_from_mapping(data), changes)
