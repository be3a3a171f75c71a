"""The scenario in the page URL: a preset name plus the fields that differ from it.

`?preset=support_intents&workload.requests_per_month=100000` reproduces a view; values are JSON
(so lists and ranges survive) and are validated like any other input when the link is opened.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel

from calculator.scenario import Scenario
from calculator.scenario_io import ScenarioError, load_preset, preset_names
from dashboard.edit import updated

PRESET_PARAM = "preset"
BLANK = "defaults"  # no preset: the schema's own defaults


def base_scenario(preset: str) -> Scenario:
    return Scenario() if preset == BLANK else load_preset(preset)


def leaves(data: Mapping[str, Any], model: type[BaseModel] = Scenario, prefix: str = "") -> dict[str, Any]:
    """Dotted name → value, descending only into scenario sections (dicts of ranges stay whole)."""
    flat: dict[str, Any] = {}
    for name, value in data.items():
        annotation = model.model_fields[name].annotation if name in model.model_fields else None
        if isinstance(value, dict) and isinstance(annotation, type) and issubclass(annotation, BaseModel):
            flat.update(leaves(value, annotation, f"{prefix}{name}."))
        else:
            flat[f"{prefix}{name}"] = value
    return flat


def scenario_to_params(scenario: Scenario, preset: str) -> dict[str, str]:
    """The query parameters that rebuild this scenario from its preset."""
    base = leaves(base_scenario(preset).model_dump(mode="json", exclude_unset=True))
    mine = leaves(scenario.model_dump(mode="json", exclude_unset=True))
    changed = {key: value for key, value in mine.items() if base.get(key, object()) != value}
    return {PRESET_PARAM: preset, **{k: json.dumps(v, ensure_ascii=False) for k, v in changed.items()}}


def scenario_from_params(params: Mapping[str, str]) -> tuple[Scenario, str]:
    """Rebuild a scenario from query parameters. Raises ScenarioError naming the bad field."""
    preset = params.get(PRESET_PARAM, BLANK)
    if preset != BLANK and preset not in preset_names():
        raise ScenarioError(f"preset {preset!r} in the link is unknown; presets: {', '.join(preset_names())}")
    changes = {}
    for key, raw in params.items():
        if key == PRESET_PARAM:
            continue
        try:
            changes[key] = json.loads(raw)
        except json.JSONDecodeError:
            raise ScenarioError(f"{key}: value {raw[:40]!r} in the link is not valid JSON", field=key) from None
    return updated(base_scenario(preset), changes), preset
