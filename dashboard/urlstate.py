"""The scenario in the page URL: a preset name plus only the fields that differ from it.

`?preset=support_intents&workload.requests_per_month=100000&range.api.input_usd_per_mtok=pct:20~40`
reproduces a view. Texts are written as typed, numbers as numbers, lists as compact JSON, and each
uncertainty range that differs from the preset's as `range.<field>=low~high`, or `pct:minus~plus`
for a range relative to the value (`none`: the preset's range removed).
A link that would be longer than LINK_CHARS (pasted sample inputs, many labels) is saved instead
as `links/<id>.json` under the runs folder, the id being the hash of its content, and the URL
carries `?link=<id>`. A link is validated like any other input when it is opened.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import re
from collections.abc import Mapping
from types import UnionType
from typing import Any, Literal, Union, get_args, get_origin
from urllib.parse import urlencode

from pydantic import BaseModel

from calculator.fields import numeric_fields
from calculator.scenario import Scenario
from calculator.scenario_io import ScenarioError, load_preset, preset_names
from core.files import runs_dir, write_atomic
from dashboard.edit import updated

PRESET_PARAM, SAVED_PARAM, RANGE_PREFIX = "preset", "link", "range."
BLANK = "defaults"  # no preset: the schema's own defaults
LINK_CHARS = 1500  # longer query strings are saved on the server (browsers and chat tools cut them)
NO_RANGE, RELATIVE = "none", "pct:"
_SAVED_ID = re.compile(r"[0-9a-f]{16}")


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


def _encode(value: Any) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _decode(key: str, raw: str, text: bool) -> Any:
    """A text field's value as written (older links quoted it as JSON); anything else is JSON."""
    if text:
        if raw == "null":
            return None
        return json.loads(raw) if len(raw) > 1 and raw[0] == raw[-1] == '"' else raw
    try:
        return json.loads(raw)
    except json.JSONDecodeError:
        raise ScenarioError(f"{key}: value {raw[:40]!r} in the link is not a number or a list",
                            field=key) from None


def _is_text(annotation: Any) -> bool:
    """str, a Literal of strings, or either of them or None."""
    if annotation is str:
        return True
    args = [a for a in get_args(annotation) if a is not type(None)]
    if get_origin(annotation) is Literal:
        return all(isinstance(a, str) for a in args)
    return get_origin(annotation) in (Union, UnionType) and any(_is_text(a) for a in args)


def _text_fields(model: type[BaseModel] = Scenario, prefix: str = "") -> set[str]:
    """Dotted names of the fields that hold one text (written as typed in a link)."""
    found: set[str] = set()
    for name, info in model.model_fields.items():
        annotation = info.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            found |= _text_fields(annotation, f"{prefix}{name}.")
        elif _is_text(annotation):
            found.add(f"{prefix}{name}")
    return found


def _ranges(scenario: Scenario) -> dict[str, dict[str, float]]:
    return {k: r.model_dump(exclude_none=True) for k, r in scenario.uncertainty.items()}


def _range_text(span: dict[str, float] | None) -> str:
    if span is None:
        return NO_RANGE
    if "minus_pct" in span:
        return f"{RELATIVE}{span['minus_pct']:g}~{span['plus_pct']:g}"
    return f"{span['low']:g}~{span['high']:g}"


def compact_params(scenario: Scenario, preset: str) -> dict[str, str]:
    """The query parameters that rebuild this scenario from its preset, in the URL itself."""
    start = base_scenario(preset)
    base = leaves(start.model_dump(mode="json", exclude_unset=True, exclude={"uncertainty"}))
    mine = leaves(scenario.model_dump(mode="json", exclude_unset=True, exclude={"uncertainty"}))
    # a field the preset sets and this scenario does not (a kind switch clears the typed scores): its value
    every = leaves(scenario.model_dump(mode="json", exclude={"uncertainty"}))
    mine |= {k: every[k] for k in base.keys() - mine.keys()}
    params = {PRESET_PARAM: preset}
    params.update({k: _encode(v) for k, v in mine.items() if base.get(k, object()) != v})
    old, new = _ranges(start), _ranges(scenario)
    for field in sorted(set(old) | set(new)):
        if old.get(field) != new.get(field):
            params[RANGE_PREFIX + field] = _range_text(new.get(field))
    return params


def _saved_path(link_id: str):
    return runs_dir() / "links" / f"{link_id}.json"


def scenario_to_params(scenario: Scenario, preset: str) -> dict[str, str]:
    """Short query parameters for this scenario: the differences, or the id of a saved link."""
    params = compact_params(scenario, preset)
    if len(urlencode(params)) <= LINK_CHARS:
        return params
    text = json.dumps(params, ensure_ascii=False, sort_keys=True)
    link_id = hashlib.sha256(text.encode()).hexdigest()[:16]
    path = _saved_path(link_id)
    if not path.exists():
        write_atomic(path, text)
    return {SAVED_PARAM: link_id}


def _saved_params(link_id: str) -> dict[str, str]:
    path = _saved_path(link_id) if _SAVED_ID.fullmatch(link_id) else None
    if path is None or not path.is_file():
        raise ScenarioError(f"the saved scenario {link_id[:20]!r} of this link is not on this server")
    try:
        params = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        raise ScenarioError(f"the saved scenario {link_id!r} of this link cannot be read") from None
    if not isinstance(params, dict) or SAVED_PARAM in params:
        raise ScenarioError(f"the saved scenario {link_id!r} of this link cannot be read")
    return {str(k): str(v) for k, v in params.items()}


def _range(key: str, raw: str) -> dict[str, float] | None:
    """`low~high` or `pct:minus~plus` as a range; `none`: no range."""
    if raw == NO_RANGE:
        return None
    sides = ("minus_pct", "plus_pct") if raw.startswith(RELATIVE) else ("low", "high")
    low, _, high = raw.removeprefix(RELATIVE).partition("~")
    try:
        return {sides[0]: float(low), sides[1]: float(high)}
    except ValueError:
        field = f"uncertainty.{key.removeprefix(RANGE_PREFIX)}"
        raise ScenarioError(f"{field}: range {raw[:40]!r} in the link is not low~high nor pct:minus~plus", field=field) from None


def link_preset(params: Mapping[str, str]) -> str | None:
    """The preset a link starts from, when it names one this server has."""
    name = params.get(PRESET_PARAM)
    return name if name in preset_names() else None


def _names_a_field(dotted: str, model: type[BaseModel] = Scenario) -> bool:
    """Whether a link key leads to a scenario field (what lies inside a list or mapping field is
    that field's to judge)."""
    head, _, rest = dotted.partition(".")
    if head not in model.model_fields:
        return False
    annotation = model.model_fields[head].annotation
    if rest and isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return _names_a_field(rest, annotation)
    return True


def _stray_key(params: Mapping[str, str]) -> str | None:
    """The first link key that names no scenario field (a range: no number a range can be on)."""
    numbers = set(numeric_fields())
    return next((key for key in params if key != PRESET_PARAM and not (
        key.removeprefix(RANGE_PREFIX) in numbers if key.startswith(RANGE_PREFIX) else _names_a_field(key))), None)


def _misspelt(key: str) -> ScenarioError:
    """A link key that is no scenario field, with the nearest one it may have meant."""
    known = [*leaves(Scenario().model_dump(mode="json")), *(RANGE_PREFIX + name for name in numeric_fields())]
    nearest = difflib.get_close_matches(key, known, n=1)
    hint = f"; did you mean {nearest[0]!r}?" if nearest else ""
    return ScenarioError(f"The link's {key!r} is not a scenario field (check the spelling{hint}).")


def _rebuilt(base: Scenario, changes: dict[str, Any], params: Mapping[str, str]) -> Scenario:
    """The preset with the link's changes; a rejected link that names a stray key is told that key."""
    try:
        return updated(base, changes)
    except ScenarioError as exc:
        stray = _stray_key(params)
        if stray is None or (exc.field and _names_a_field(exc.field)):
            raise
        raise _misspelt(stray) from None


def scenario_from_params(params: Mapping[str, str]) -> tuple[Scenario, str]:
    """Rebuild a scenario from query parameters. Raises ScenarioError naming the bad field."""
    if SAVED_PARAM in params:
        params = _saved_params(params[SAVED_PARAM])
    preset = params.get(PRESET_PARAM, BLANK)
    if preset != BLANK and link_preset(params) is None:
        raise ScenarioError(f"preset {preset!r} in the link is unknown; presets: {', '.join(preset_names())}")
    base, texts = base_scenario(preset), _text_fields()
    changes = {key: _decode(key, raw, key in texts) for key, raw in params.items()
               if key != PRESET_PARAM and not key.startswith(RANGE_PREFIX)}
    spans = {key.removeprefix(RANGE_PREFIX): _range(key, raw) for key, raw in params.items()
             if key.startswith(RANGE_PREFIX)}
    if spans:
        ranges = {**changes.get("uncertainty", _ranges(base)), **spans}
        changes["uncertainty"] = {field: span for field, span in ranges.items() if span is not None}
    return _rebuilt(base, changes, params), preset
