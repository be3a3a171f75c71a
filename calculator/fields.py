"""The scenario's fields as a reader and a form see them: dotted names, labels, units, help, bounds.

Reflection over the pydantic schema in calculator/scenario.py: the dashboard builds its inputs
from these, the CLI's `--set` checks against them, and every table names a field by its label.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from calculator.scenario import Scenario
from core.approaches import title as approach_title


class Bounds(BaseModel):
    low: float | None = None
    high: float | None = None
    low_open: bool = False
    high_open: bool = False

    def contains(self, value: float) -> bool:
        if self.low is not None and (value < self.low or (self.low_open and value == self.low)):
            return False
        return not (
            self.high is not None and (value > self.high or (self.high_open and value == self.high))
        )

    def __str__(self) -> str:
        left = "(" if self.low_open else "["
        right = ")" if self.high_open else "]"
        low = "-inf" if self.low is None else f"{self.low:g}"
        high = "inf" if self.high is None else f"{self.high:g}"
        return f"{left}{low}, {high}{right}"


def _field(dotted: str):
    model: type[BaseModel] = Scenario
    parts = dotted.split(".")
    for part in parts[:-1]:
        info = model.model_fields.get(part)
        annotation = getattr(info, "annotation", None)
        if info is None or not (isinstance(annotation, type) and issubclass(annotation, BaseModel)):
            raise KeyError(dotted)
        model = annotation
    info = model.model_fields.get(parts[-1])
    if info is None:
        raise KeyError(dotted)
    return info


# Field names as a reader says them: phrases first, then single words; whole names that the
# words alone would garble (and the calculator's derived inputs, which are not scenario fields).
LABEL_PHRASES = {"usd_per_mtok": "price_per_1M_tokens", "usd_per_hour": "hourly_rate", "_usd": ""}
LABEL_WORDS = {"pct": "%", "mfu": "MFU", "mbu": "MBU", "gpus": "GPUs", "gpu": "GPU", "params": "parameters",
               "param": "parameter", "kv": "KV cache", "gb": "GB", "flops": "FLOP/s", "min": "minimum",
               "ops": "operations"}
SECTION_PREFIX = {"api": "API", "pretrain": "Pretraining", "provider_ft": "Hosted fine-tune"}
LABELS = {
    "workload.horizon_months": "Horizon",
    "teacher.reviewed_share": "Teacher labels reviewed by people",
    "teacher.agreement": "Teacher's agreement with gold labels",
    "teacher.input_usd_per_mtok": "Teacher: input price per 1M tokens",
    "teacher.output_usd_per_mtok": "Teacher: output price per 1M tokens",
    "teacher.prompt_tokens": "Teacher: prompt tokens per label",
    "teacher.output_tokens": "Teacher: answer tokens per label",
    "task.few_shot_k": "Examples per few-shot prompt",
    "finetuning.prompt_tuning_labeled_examples": "Labeled examples for prompt-tuning",
    "finetuning.retrain_every_months": "Months between retrainings",
    "constraints.launch_weeks": "Weeks until launch",
    "tokens.answer": "Tokens per answer",
    "tokens.json_answer": "Tokens per JSON answer",
    "gpu.peak_flops": "GPU peak compute (bf16)",
    "gpu.memory_bytes_per_second": "GPU memory bandwidth",
    "hosting.serving_mbu": "Serving MBU (decode)",
    "api.batch_input_usd_per_mtok": "API: batch input price per 1M tokens",
    "api.batch_output_usd_per_mtok": "API: batch output price per 1M tokens",
    "hosting.serving_requests_per_gpu_second": "Serving throughput per GPU",
    "hosting.peak_to_average": "Peak-to-average traffic",
    "gpu.memory_gb": "GPU memory",
    "gpu.pretrain.peak_flops": "Pretraining: GPU peak compute (bf16)",
    "finetuning.retrain_new_label_share": "Share of new labels per retraining",
    "quality.target": "Quality target",
    "quality.score_is_pass_rate": "Score is a pass rate",
}
PER_APPROACH = {  # keys that name an approach: (section, last part or "" for the approach itself)
    ("score", ""): "Score of {}",
    ("team.hours", ""): "Engineering hours for {}",
    ("labels", ""): "Labeled examples for {}",
    ("tokens", "input"): "Prompt tokens per request, {}",
    ("tokens", "prefix"): "Cacheable prompt prefix tokens, {}",
    ("tokens.output", ""): "Output tokens per request, {}",
    ("pass_rate", ""): "Pass rate of {}",
    ("provider_ft.hosts", ""): "{} trained at the provider",
    ("teacher.labels", ""): "{} trained on the teacher's labels",
}


# The column of calculator.costs.ApproachCosts.cost_per_request_usd on every face (Costs, Tokens, trade-offs,
# the report, `prompt-or-tune cost`): what one request costs to run, a fleet's fixed monthly cost included.
COST_PER_REQUEST = "cost per request (running, incl. fleet)"
COST_PER_REQUEST_HELP = ("Cost per request (running, incl. fleet): the fixed monthly cost (a fleet of GPUs, its "
                         "operations and retraining) ÷ an average month's requests + the per-request price (API "
                         "tokens); one-off costs and expected errors not included.")

# A choice field's values as a reader says them (the scenario file keeps the value itself).
CHOICE_WORDS = {"finetuning.hosting": {"self_hosted": "on own GPUs", "provider": "at the provider"}}


def choice_label(dotted: str, value: str) -> str:
    """"on own GPUs" for finetuning.hosting's self_hosted: a choice as prose and pickers show it."""
    return CHOICE_WORDS.get(dotted, {}).get(value, value)


def _approach_title(name: str) -> str:
    return approach_title(name) if name != "tuned" else "tuned model"


def field_label(dotted: str) -> str:
    """A reader's name for an input or scenario field ("Requests per month"), without its unit.

    The dotted name stays the reference (hovers, source tables, URLs); this is for prose and axes.
    """
    if dotted in LABELS:
        return LABELS[dotted]
    parts = dotted.split(".")
    for (section, last), pattern in PER_APPROACH.items():
        if not last and ".".join(parts[:-1]) == section:
            return pattern.format(_approach_title(parts[-1]))
        if last and len(parts) == 3 and parts[0] == section and parts[2] == last:
            return pattern.format(_approach_title(parts[1]))
    name = parts[-1]
    for phrase, said in LABEL_PHRASES.items():
        name = name.replace(phrase, said)
    words = " ".join(LABEL_WORDS.get(word, word) for word in name.split("_") if word)
    section = SECTION_PREFIX.get(parts[0])
    return f"{section}: {words}" if section else words[:1].upper() + words[1:]


def field_unit(dotted: str) -> str:
    extra = _field(dotted).json_schema_extra or {}
    return str(extra.get("unit", ""))


def field_help(dotted: str) -> str:
    return _field(dotted).description or ""


def field_bounds(dotted: str) -> Bounds:
    bounds = Bounds()
    for meta in _field(dotted).metadata:
        for attr, side, is_open in (("ge", "low", False), ("gt", "low", True),
                                    ("le", "high", False), ("lt", "high", True)):
            value = getattr(meta, attr, None)
            if value is not None:
                setattr(bounds, side, float(value))
                setattr(bounds, f"{side}_open", is_open)
    return bounds


def is_field(dotted: str) -> bool:
    """Whether `dotted` names a scenario field (a number, a text, a list...)."""
    try:
        _field(dotted)
    except KeyError:
        return False
    return True


def numeric_fields(model: type[BaseModel] = Scenario, prefix: str = "") -> list[str]:
    """Dotted names of every number a user can set (those carrying a unit)."""
    names: list[str] = []
    for name, info in model.model_fields.items():
        annotation = info.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            names += numeric_fields(annotation, f"{prefix}{name}.")
        elif info.json_schema_extra and "unit" in info.json_schema_extra:
            names.append(f"{prefix}{name}")
    return names


def get_dotted(scenario: BaseModel, dotted: str) -> Any:
    value: Any = scenario
    for part in dotted.split("."):
        value = getattr(value, part)
    return value
