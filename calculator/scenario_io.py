"""Reading, writing and overriding scenarios, with errors a person can act on."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from calculator.fields import field_bounds, field_unit
from calculator.scenario import Scenario
from core.approaches import SPECS, TASK_KINDS
from core.files import data_path, write_atomic

MAX_SCENARIO_BYTES = 1_000_000
PRESETS_DIR = data_path("scenarios")


class ScenarioError(ValueError):
    """A scenario that cannot be used; `str()` is one line naming the field and what is allowed."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


def describe_validation_error(exc: ValidationError) -> ScenarioError:
    """The first problem of a pydantic error as one line: field, value, allowed range."""
    error = exc.errors()[0]
    dotted = ".".join(str(part) for part in error["loc"] if part != "__root__")
    message = error["msg"].removeprefix("Value error, ")
    if error["type"] == "extra_forbidden":
        message = "unknown field (check the spelling)"
    elif error["type"] == "missing":
        message = "required field is missing"
    parts = [f"{dotted}: {message}" if dotted else message]
    if "input" in error and error["type"] not in ("missing", "extra_forbidden"):
        shown = repr(error["input"])
        parts.append(f"got {shown[:60]}")
    try:
        bounds = field_bounds(dotted)
        if bounds.low is not None or bounds.high is not None:
            unit = field_unit(dotted)
            parts.append(f"allowed {bounds}{' ' + unit if unit else ''}")
    except KeyError:
        pass
    more = len(exc.errors()) - 1
    if more:
        parts.append(f"and {more} more problem{'s' if more > 1 else ''}")
    return ScenarioError("; ".join(parts), field=dotted or None)


def scenario_from_mapping(data: Any) -> Scenario:
    if not isinstance(data, dict):
        raise ScenarioError(
            f"a scenario must be a mapping of sections (workload, api, ...), got {type(data).__name__}"
        )
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        raise describe_validation_error(exc) from None


def parse_scenario_text(text: str, suffix: str = ".yaml") -> Scenario:
    if len(text.encode("utf-8")) > MAX_SCENARIO_BYTES:
        raise ScenarioError(f"scenario file is over the {MAX_SCENARIO_BYTES // 1000} kB limit")
    try:
        data = json.loads(text) if suffix == ".json" else yaml.safe_load(text)
    except (json.JSONDecodeError, yaml.YAMLError) as exc:
        first_line = str(exc).splitlines()[0]
        raise ScenarioError(f"scenario is not valid {suffix.lstrip('.').upper()}: {first_line}") from None
    return scenario_from_mapping(data)


def load_scenario(path: str | Path) -> Scenario:
    """A scenario from a YAML or JSON file, or a preset name such as `support_intents`."""
    path = Path(path)
    if not path.exists() and (PRESETS_DIR / f"{path.name}.yaml").exists():
        path = PRESETS_DIR / f"{path.name}.yaml"
    try:
        if path.stat().st_size > MAX_SCENARIO_BYTES:
            raise ScenarioError(f"{path}: over the {MAX_SCENARIO_BYTES // 1000} kB limit for a scenario")
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ScenarioError(f"{path}: no such scenario file (presets: {', '.join(preset_names())})") from None
    except UnicodeDecodeError:
        raise ScenarioError(f"{path}: not UTF-8 text") from None
    except IsADirectoryError:
        raise ScenarioError(f"{path}: is a folder, not a scenario file") from None
    return parse_scenario_text(text, ".json" if path.suffix.lower() == ".json" else ".yaml")


def scenario_to_text(scenario: Scenario, fmt: str = "yaml") -> str:
    data = scenario.model_dump(mode="json", exclude_none=True)
    if fmt == "json":
        return json.dumps(data, indent=2, ensure_ascii=False)
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


def save_scenario(scenario: Scenario, path: str | Path) -> Path:
    """Write atomically; the format follows the suffix (.json, else YAML)."""
    path = Path(path)
    write_atomic(path, scenario_to_text(scenario, "json" if path.suffix.lower() == ".json" else "yaml"))
    return path


def apply_overrides(scenario: Scenario, assignments: list[str]) -> Scenario:
    """Apply `dotted.field=value` strings (values parsed as YAML scalars or lists)."""
    data = scenario.model_dump(mode="json")
    for assignment in assignments:
        dotted, sep, raw = assignment.partition("=")
        dotted = dotted.strip()
        if not sep or not dotted:
            raise ScenarioError(f"--set {assignment!r}: expected dotted.field=value")
        try:
            value = yaml.safe_load(raw)
        except yaml.YAMLError:
            value = raw
        set_path(data, dotted, value)
    return scores_typed_now(scenario, scenario_from_mapping(data), [a.partition("=")[0].strip() for a in assignments])


def scores_typed_now(before: Scenario, after: Scenario, fields: Iterable[str] = ()) -> Scenario:
    """The scores an edit typed are for the models `after` prices (typed with gpt-4o-mini chosen, a score
    is gpt-4o-mini's): those it changed, and those it names one by one (`quality.scores.lora`) even at the
    same value; the untouched ones keep the model they were typed for."""
    named = {dotted.removeprefix("quality.scores.") for dotted in fields if dotted.startswith("quality.scores.")}
    typed = [name for name, value in after.quality.scores.items()
             if name in named or before.quality.scores.get(name) != value]
    if not typed:
        return after
    scores_for = {**after.quality.scores_for, **{name: after.priced_model(name) for name in typed}}
    return after.model_copy(update={"quality": after.quality.model_copy(update={"scores_for": scores_for})})


def set_path(data: dict, dotted: str, value: Any) -> None:
    node = data
    parts = dotted.split(".")
    for part in parts[:-1]:
        child = node.get(part) if isinstance(node, dict) else None
        if child is None:
            child = {}
            node[part] = child
        if not isinstance(child, dict):
            raise ScenarioError(f"{dotted}: '{part}' is a value, not a section", field=dotted)
        node = child
    node[parts[-1]] = value


def preset_names() -> list[str]:
    return sorted(path.stem for path in PRESETS_DIR.glob("*.yaml"))


def load_preset(name: str) -> Scenario:
    if name not in preset_names():
        raise ScenarioError(f"preset {name!r} not found; presets: {', '.join(preset_names())}")
    return load_scenario(PRESETS_DIR / f"{name}.yaml")


STARTER_OUTPUT_TOKENS = 150.0  # a text task switched to without sample outputs: a typed answer length to start from
# A target to start from on each kind's metric (the old kind's target is on another metric): accuracy 85%,
# chrF 0.45 (a fluent answer that shares most wording with the reference), field F1 0.90.
STARTER_TARGETS = {"classification": 0.85, "generation": 0.45, "extraction": 0.90}
STARTER_INSTRUCTIONS = {  # the old kind's instructions ask for another answer (a label from a list, a reply)
    "classification": "Classify the input into exactly one of the labels.",
    "generation": "Write the answer to the input.",
    "extraction": "Extract the fields of the input as one JSON object.",
}


def with_task_kind(scenario: Scenario, kind: str) -> Scenario:
    """The scenario as a task of another kind, keeping nothing that speaks of the old one: the answers
    (labels, sample outputs, fields, few-shot examples), the instructions (they ask for the old answer), the
    target, the typed scores and their metric, an applied run, and the approaches that cannot answer the new
    kind. A text task starts from a typed answer length
    (STARTER_OUTPUT_TOKENS) until sample outputs are given. Raises ScenarioError for an unknown kind."""
    if kind == scenario.task.kind:
        return scenario
    if kind not in TASK_KINDS:
        raise ScenarioError(f"task.kind: {kind!r} is not a task kind; allowed: {', '.join(TASK_KINDS)}",
                            field="task.kind")
    data = scenario.model_dump(mode="json", exclude_unset=True)  # defaults stay defaults (their sources say so)
    task = {k: v for k, v in data.get("task", {}).items()
            if k not in ("labels", "sample_outputs", "output_tokens", "fields", "few_shot_examples", "persona",
                         "instructions")}
    task["kind"], task["instructions"] = kind, STARTER_INSTRUCTIONS[kind]
    if kind == "classification":
        task["labels"] = list(Scenario().task.labels)
    else:
        task["output_tokens"] = STARTER_OUTPUT_TOKENS
        task["fields"] = ["field_1"] if kind == "extraction" else []
    data["task"] = task
    _off_the_old_metric(data, "pass_threshold")
    data["quality"]["target"] = STARTER_TARGETS[kind]
    fits = [s.name for s in SPECS if kind in s.task_kinds]
    chosen = [name for name in data.get("approaches", fits) if name in fits]
    data["approaches"] = chosen or fits
    return scenario_from_mapping(data)


def with_metric(scenario: Scenario, metric: str | None) -> Scenario:
    """The scenario decided on another metric of its kind (None: the kind's own): the typed scores and an
    applied run were on the old one, so they go. Raises ScenarioError for a metric the kind is not decided on."""
    if (metric or None) == scenario.quality.metric:
        return scenario
    data = _off_the_old_metric(scenario.model_dump(mode="json", exclude_unset=True))
    if metric:
        data["quality"]["metric"] = metric
    return scenario_from_mapping(data)


def _off_the_old_metric(data: dict[str, Any], *also: str) -> dict[str, Any]:
    """Scenario data without what was typed or measured on its metric: the metric, the scores, an applied
    run (and the quality fields `also` names)."""
    dropped = {"metric", "scores", *also}
    data["quality"] = {k: v for k, v in data.get("quality", {}).items() if k not in dropped}
    data.pop("measured", None)
    return data
