"""The scenario contract: a company's numbers, validated (docs/ARCHITECTURE.md, contract 1).

Every numeric field carries a unit (`json_schema_extra["unit"]`), a default, bounds and help
text; the dashboard builds its inputs from these and the CLI's `--set` checks against them.
"""

from __future__ import annotations

import math
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    create_model,
    field_validator,
    model_validator,
)
from pydantic_core import InitErrorDetails, PydanticCustomError

from calculator.prompts import DEFAULT_PERSONA, TEXT_PERSONA
from core.approaches import BY_NAME, NAMES, SPECS, TASK_KINDS, ApproachName, TaskKindName
from core.metrics import PRIMARY, TARGET_METRICS, metric_name

NOT_RANGED = {"workload.horizon_months"}  # the horizon fixes the months; it is not drawn


def invalid(model: str, loc: tuple[str, ...], message: str, value: Any) -> ValidationError:
    """A validation error on one field of a model, raised from a check across fields: the message then
    names that field (task.labels), not the section."""
    return ValidationError.from_exception_data(
        model, [InitErrorDetails(type=PydanticCustomError("scenario", message), loc=loc, input=value)])


def quantity(default: Any, unit: str, help: str, **bounds: Any) -> Any:
    """A scenario field with its unit and help text in one place."""
    return Field(default, description=help, json_schema_extra={"unit": unit}, **bounds)


def same_model(a: str, b: str) -> bool:
    """Model names that mean the same model: case and an organisation prefix ("org/") aside."""
    return a.strip().lower().rsplit("/", 1)[-1] == b.strip().lower().rsplit("/", 1)[-1]


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, validate_assignment=True)


class Workload(Section):
    requests_per_month: float = quantity(
        50_000, "requests/month", "Requests the task handles in the first month.", ge=0, le=1e10
    )
    monthly_growth_pct: float = quantity(
        0.0, "%/month", "Compound growth of the request volume per month.", ge=-50, le=100
    )
    horizon_months: int = quantity(
        12, "months", "How many months the total cost of ownership covers.", ge=1, le=120
    )


class FewShotExample(Section):
    """An input and its answer: a label (classification) or the output written for it (generation,
    extraction: the reply, the JSON object)."""

    text: str = Field(min_length=1, max_length=20_000)
    label: str | None = Field(None, min_length=1, max_length=200)
    output: str | None = Field(None, min_length=1, max_length=20_000)

    @model_validator(mode="after")
    def _one_answer(self) -> FewShotExample:
        if (self.label is None) == (self.output is None):
            raise ValueError("a few-shot example has a label (classification) or an output (generation, "
                             "extraction), one of the two")
        return self

    @property
    def answer(self) -> str:
        return self.label if self.label is not None else self.output


KIND_HELP = ("What the answer is: classification (one label from a list), generation (free text: a reply, a "
             "summary, a rewrite) or extraction (fields of the input as one JSON object).")


class Task(Section):
    kind: TaskKindName = Field("classification", description=KIND_HELP)
    instructions: str = Field(
        "Classify the customer message into exactly one of the labels.",
        min_length=1,
        max_length=20_000,
        description="The instruction every prompt starts with.",
    )
    labels: list[str] = Field(
        default_factory=lambda: ["billing", "technical", "account", "other"],
        max_length=500,
        description="The answers the model may give (classification: at least two).",
    )
    sample_inputs: list[str] = Field(
        default_factory=lambda: ["My invoice shows a charge I don't recognise, can you explain it?"],
        min_length=1,
        max_length=2_000,
        description="Typical inputs; token counts are averaged over them.",
    )
    few_shot_examples: list[FewShotExample] = Field(
        default_factory=list,
        max_length=500,
        description="Examples shown to few-shot prompts; empty: sample inputs stand in.",
    )
    few_shot_k: int = quantity(8, "examples", "Examples in each few-shot prompt.", ge=1, le=200)
    prompt_search_trials: int = quantity(
        8, "trials", "Candidate prompts a prompt search scores (instructions, their paraphrases, example sets); "
        "each trial asks the API model once per validation example.", ge=1, le=1_000,
    )
    prompt_search_validation: int = quantity(
        100, "examples", "Labeled validation examples every candidate prompt of a prompt search is scored on.",
        ge=1, le=100_000,
    )
    persona: str = Field(
        DEFAULT_PERSONA, min_length=1, max_length=5_000,
        description="The role a persona prompt tells the model to play.",
    )
    reasoning_tokens: float = quantity(
        150, "tokens/request", "Reasoning a chain-of-thought answer writes before its label.",
        ge=0, le=100_000,
    )
    sample_outputs: list[str] = Field(
        default_factory=list, max_length=2_000,
        description="Typical answers (generation: replies, summaries; extraction: JSON objects); output tokens "
                    "per request are their mean tiktoken count.",
    )
    output_tokens: float | None = quantity(
        None, "tokens/request", "Tokens of one answer, when there are no sample outputs (generation, extraction); "
        "given beside sample outputs, it is used instead of their count.", gt=0, le=100_000,
    )
    fields: list[str] = Field(
        default_factory=list, max_length=500,
        description="Extraction: the names of the fields the JSON answer holds.",
    )

    @model_validator(mode="before")
    @classmethod
    def _defaults_of_the_kind(cls, data: Any) -> Any:
        """A text task has no labels and speaks with the text persona unless it says otherwise."""
        if isinstance(data, dict) and data.get("kind", "classification") != "classification":
            data = {"labels": [], "persona": TEXT_PERSONA, **data}
        return data

    @model_validator(mode="after")
    def _what_the_kind_needs(self) -> Task:
        problem = self._problem()
        if problem:
            field, message = problem
            raise invalid("Task", (field,), message, getattr(self, field))
        return self

    def _problem(self) -> tuple[str, str] | None:
        """(field, why) of the first thing this kind of task lacks or should not have."""
        kind = self.kind
        if kind == "classification":
            if len(self.labels) < 2:
                return "labels", "a classification task needs at least two labels"
            extra = next((f for f in ("sample_outputs", "fields") if getattr(self, f)), None)
            extra = extra or ("output_tokens" if self.output_tokens is not None else None)
            if extra:
                return extra, "belongs to generation and extraction tasks; a classification task answers with a label"
        else:
            answers = "free text" if kind == "generation" else "JSON objects"
            if self.labels:
                return "labels", f"a {kind} task has no labels (its answers are {answers}): give sample_outputs"
            if not self.sample_outputs and self.output_tokens is None:
                return "sample_outputs", f"a {kind} task needs typical answers, or an answer length in output_tokens"
            if kind == "extraction" and not self.fields:
                return "fields", "an extraction task names the fields its JSON answer holds"
            if kind == "generation" and self.fields:
                return "fields", "only an extraction task has fields"
        wrong = [i for i, ex in enumerate(self.few_shot_examples) if (ex.label is None) == (kind == "classification")]
        if wrong:
            return "few_shot_examples", (f"example {wrong[0] + 1}: a {kind} task's examples each have "
                                         f"{'a label' if kind == 'classification' else 'an output'}")
        return None

    @field_validator("labels")
    @classmethod
    def _distinct_labels(cls, labels: list[str]) -> list[str]:
        cleaned = [label.strip() for label in labels]
        if any(not label for label in cleaned):
            raise ValueError("labels must not be empty strings")
        if len(set(cleaned)) != len(cleaned):
            raise ValueError("labels must be distinct")
        return cleaned


class Api(Section):
    provider_id: str = Field("openai", description="genai-prices provider id, e.g. openai, anthropic.")
    model: str = Field("gpt-4o-mini", description="API model used for prompting (genai-prices name).")
    input_usd_per_mtok: float | None = quantity(
        None, "USD/1M tokens", "Override the input price from genai-prices.", gt=0, le=10_000
    )
    output_usd_per_mtok: float | None = quantity(
        None, "USD/1M tokens", "Override the output price from genai-prices.", gt=0, le=10_000
    )
    cached_input_usd_per_mtok: float | None = quantity(
        None, "USD/1M tokens", "Override the cached-input price.", gt=0, le=10_000
    )
    cache_hit_share: float = quantity(
        0.0, "fraction", "Share of the fixed prompt prefix billed at the cached-input price.",
        ge=0, le=1,
    )
    batch_share: float = quantity(
        0.0, "fraction", "Share of requests sent through the provider's batch API.", ge=0, le=1
    )
    reasoning_tokens_per_request: float | None = quantity(
        None, "tokens/request", "Hidden reasoning tokens a reasoning model writes per request, billed as "
        "output; empty: the model family's default (data/provider_rules.yaml), 0 for other models.",
        ge=0, le=100_000,
    )
    tiktoken_encoding: str | None = Field(
        None, description="Force a tiktoken encoding (cl100k_base, o200k_base, p50k_base)."
    )


class Labeling(Section):
    cost_per_label_usd: float = quantity(
        0.50, "USD/label", "What one labeled example costs to produce.", ge=0, le=10_000
    )
    labels_on_hand: int = quantity(
        0, "labels", "Labeled examples the company already has.", ge=0, le=1_000_000_000
    )
    evaluation_labels: int | None = quantity(
        None, "labels", "Labeled test examples set aside to evaluate an approach before launch (prompting "
        "approaches too); labels on hand go to training first, then to these. Empty: enough for a 95% "
        "interval of ±2 points at the target, 1.96² × t × (1 − t) / 0.02².", ge=0, le=100_000_000,
    )


# One hours field per approach, with the spec's default and help text.
EngineeringHours = create_model(
    "EngineeringHours",
    __base__=Section,
    __doc__="Engineering hours each approach takes to build, evaluate and launch.",
    **{s.name: (float, quantity(s.engineering_hours, "hours", s.hours_help, ge=0, le=s.max_hours))
       for s in SPECS},
)


class Team(Section):
    engineer_usd_per_hour: float = quantity(
        100, "USD/hour", "Loaded cost of one engineering hour.", gt=0, le=5_000
    )
    hours: EngineeringHours = Field(default_factory=EngineeringHours)


class FineTuning(Section):
    base_model: str = Field("Llama-3.1-8B-Instruct", description="Open model that gets tuned.")
    base_model_params: float = quantity(
        8e9, "parameters", "Parameter count of the tuned (and self-served) model.", ge=1e6, le=2e12
    )
    labeled_examples: int = quantity(
        2_000, "labels", "Labeled examples for LoRA and full fine-tuning.", ge=1, le=100_000_000
    )
    prompt_tuning_labeled_examples: int = quantity(
        2_000, "labels", "Labeled examples for prompt-tuning.", ge=1, le=100_000_000
    )
    epochs: float = quantity(3, "epochs", "Passes over the labeled examples.", gt=0, le=100)
    training_mfu: float = quantity(
        0.35, "fraction", "Model FLOP utilisation reached when training.", gt=0, le=1
    )
    soft_prompt_tokens: int = quantity(
        20, "tokens", "Virtual tokens a prompt-tuned model prepends.", ge=1, le=1_000
    )
    retrain_every_months: int = quantity(
        0, "months", "Retrain (compute again) every R months; 0 = never.", ge=0, le=120
    )
    retrain_new_label_share: float = quantity(
        0.2, "fraction", "Share of the training labels produced fresh (recent traffic, at the cost per "
        "label) for each retraining; 0 = retrain on the same labels.", ge=0, le=1,
    )
    kv_bytes_per_token: float | None = quantity(
        None, "bytes/token", "KV cache per served token of the tuned model in bf16: 2 (K and V) × layers × "
        "KV heads × head size × 2 bytes (Llama 3.1 8B: 131,072; a model without grouped-query attention "
        "holds several times more). Empty: 131,072 × √(parameters / 8e9).", gt=0, le=1e8,
    )
    hosting: Literal["self_hosted", "provider"] = Field(
        "self_hosted",
        description="Serve tuned models on own GPUs, or fine-tune and serve at the API provider.",
    )
    provider_base_model: str = Field(
        "gpt-4o-mini-2024-07-18",
        description="Provider model fine-tuned when hosting is 'provider' (data/finetune_prices.yaml).",
    )
    provider_id: str | None = Field(
        None, description="Provider that fine-tunes and serves when hosting is 'provider' "
        "(data/finetune_prices.yaml, e.g. openai, fireworks); empty: the API provider (api.provider_id).",
    )


class Hosting(Section):
    gpu: str = Field("H100 80GB", description="GPU type from data/gpu_prices.yaml.")
    gpu_usd_per_hour: float | None = quantity(
        None, "USD/GPU-hour", "Override the GPU price from the table.", gt=0, le=1_000
    )
    min_replicas: int = quantity(
        1, "replicas", "Replicas kept running for availability however low the traffic (each a full "
        "copy of the model on its GPUs), paid every hour of the month.", ge=0, le=10_000
    )
    peak_to_average: float = quantity(
        2.0, "ratio", "Busiest hour's request rate over the month's average; the fleet is sized for it.",
        ge=1, le=100,
    )
    bytes_per_param: float = quantity(
        2.0, "bytes/parameter", "Bytes per weight in the serving dtype: 2 = bf16/fp16, 1 = fp8/int8, "
        "0.5 = int4.", ge=0.25, le=4,
    )
    concurrent_requests: float = quantity(
        32, "requests", "Requests one replica serves at once (its batch); each holds a KV cache.",
        ge=1, le=10_000,
    )
    ops_hours_per_month: float = quantity(
        17, "hours/month", "Engineering time to run the self-hosted deployment (updates, monitoring, "
        "on-call), at the engineer rate; 17 is 0.1 of a full-time engineer (2,080 h a year).", ge=0, le=10_000,
    )
    serving_mfu: float = quantity(
        0.25, "fraction", "FLOP utilisation reached when serving (batched).", gt=0, le=1
    )
    serving_mbu: float = quantity(
        0.6, "fraction", "Memory-bandwidth utilisation reached when decoding (writing answers token by token, "
        "bound by reading the weights and KV cache): 0.6 is conservative, tuned stacks (vLLM, TensorRT-LLM) "
        "reach 0.7-0.85.", gt=0, le=1,
    )
    serving_requests_per_gpu_second: float | None = quantity(
        None, "requests/s", "Override the serving throughput of one GPU.", gt=0, le=1e7
    )

    @model_validator(mode="before")
    @classmethod
    def _standby_gpus(cls, data: Any) -> Any:
        """Files written before the fleet was sized give `standby_gpus` (GPUs kept on): read it as
        the replica floor, rounded up to whole replicas."""
        if isinstance(data, dict) and "standby_gpus" in data:
            data = dict(data)
            standby = data.pop("standby_gpus")
            if isinstance(standby, int | float):
                standby = math.ceil(standby)
            data.setdefault("min_replicas", standby)
        return data


class Pretrain(Section):
    model_params: float = quantity(
        1e9, "parameters", "Size of a model trained from scratch.", ge=1e6, le=2e12
    )
    tokens_per_param: float = quantity(
        2_000, "tokens/parameter",
        "Training tokens per parameter. Current practice trains small models far past the "
        "compute-optimal point (Llama 3 8B: 15T tokens, about 1,900; Llama 3.2 1B: 9T, about 7,300); "
        "20 is Chinchilla's compute-optimal choice.", gt=0, le=100_000,
    )
    mfu: float = quantity(0.40, "fraction", "FLOP utilisation of the pretraining run.", gt=0, le=1)
    gpu: str = Field("H100 80GB", description="GPU type the pretraining run rents (data/gpu_prices.yaml).")
    gpu_usd_per_hour: float | None = quantity(
        None, "USD/GPU-hour", "Override the pretraining GPU's price from the table.", gt=0, le=1_000
    )
    data_cost_usd: float = quantity(
        250_000, "USD", "Acquiring and cleaning the pretraining corpus.", ge=0, le=1e11
    )
    kv_bytes_per_token: float | None = quantity(
        None, "bytes/token", "KV cache per served token of the new model in bf16 (2 × layers × KV heads × "
        "head size × 2 bytes). Empty: 131,072 × √(parameters / 8e9).", gt=0, le=1e8,
    )


class Teacher(Section):
    """An API model that labels the training inputs in place of people (distillation): each label costs its
    prompt's tokens at the teacher's prices, and a reviewed share of them a person's cost per label. The
    student it trains is bounded by the teacher: a typed score is capped at the teacher's agreement with
    gold labels, and is unknown while that agreement is."""

    approaches: list[ApproachName] = Field(
        default_factory=list,
        description="Tuned approaches trained on the teacher's labels; empty: people label everything.")
    model: str | None = Field(None, description="The teacher's model, priced by genai-prices; empty: the API model.")
    provider_id: str | None = Field(None, description="The teacher's provider; empty: the API provider.")
    prompt: Literal["zero_shot", "few_shot", "chain_of_thought"] = Field(
        "zero_shot", description="How the teacher is prompted for each label (its tokens are counted as that "
                                 "approach's prompt is).")
    reviewed_share: float = quantity(
        0.1, "fraction", "Share of the teacher's labels a person checks, at the cost per label.", ge=0, le=1)
    agreement: float | None = quantity(
        None, "fraction", "The teacher's agreement with gold labels on this task (a benchmark run with a "
        "teacher measures it); a student trained on its labels is capped at it.", ge=0, le=1)

    @field_validator("approaches")
    @classmethod
    def _tuned(cls, approaches: list[str]) -> list[str]:
        untrained = [name for name in approaches if BY_NAME[name].family != "tuning"]
        if untrained:
            raise ValueError(f"{', '.join(untrained)} train on no labels; a teacher labels for the tuned "
                             "approaches (prompt_tuning, lora, full_finetune, dora)")
        return list(dict.fromkeys(approaches))


class Quality(Section):
    """What the task must reach, on its metric (accuracy for classification; chrF, field F1 or another
    of core.metrics.TARGET_METRICS for a text task), and what each approach reaches. Scores are
    fractions from 0 to 1 (a chrF of 55 is 0.55)."""

    metric: str | None = Field(
        None, description="The metric the target is stated on; empty: the task kind's own (accuracy, chrF, "
                          "field F1).")
    target: float = quantity(
        0.85, "fraction", "The score on the task's metric an approach must reach to be acceptable.", ge=0, le=1
    )
    scores: dict[ApproachName, float] = Field(
        default_factory=dict,
        description="The score per approach on the task's metric, typed in by the user (a benchmark overrides it).",
    )
    scores_for: dict[ApproachName, str] = Field(
        default_factory=dict,
        description="The model each typed score is for (filled with the model the scenario prices when the "
                    "score is typed); a score typed for another model than the one priced now is not used.",
    )
    pass_threshold: float | None = quantity(
        None, "fraction", "A text task's answer counts as an error (priced at cost_per_error_usd) when its own "
        "score is below this; empty: exact for extraction (1.0), the target for generation.", ge=0, le=1,
    )
    needs_consistent_output: bool = Field(
        False, description="Outputs must be stable across phrasing (weighs prompt brittleness)."
    )
    cost_per_error_usd: float = quantity(
        0.0, "USD/error",
        "What one wrong answer costs the business (rework, a misrouted ticket); 0 = errors not priced.",
        ge=0, le=1e6,
    )

    @model_validator(mode="before")
    @classmethod
    def _accuracy_names(cls, data: Any) -> Any:
        """Files written before text tasks name the target `accuracy_target` and the scores `accuracy`."""
        if isinstance(data, dict) and ({"accuracy_target", "accuracy"} & set(data)):
            data = dict(data)
            if "accuracy_target" in data:
                data.setdefault("target", data.pop("accuracy_target"))
            if "accuracy" in data:
                data.setdefault("scores", data.pop("accuracy"))
        return data

    @field_validator("scores")
    @classmethod
    def _fractions(cls, scores: dict[str, float]) -> dict[str, float]:
        for name, value in scores.items():
            if not 0 <= value <= 1:
                raise ValueError(f"{name}'s score must be a fraction from 0 to 1 (a chrF of 45 is 0.45), got {value}")
        return scores


class Constraints(Section):
    budget_usd: float | None = quantity(
        None, "USD", "Most the company will spend over the horizon.", gt=0, le=1e12
    )
    launch_weeks: float | None = quantity(
        None, "weeks", "Time until the task must be live.", gt=0, le=520
    )


class Range(Section):
    """How unsure a number is: relative to its value (`minus_pct`/`plus_pct`, or `pct` for both;
    the default form, so the range follows the value when it is edited), or absolute (`low`/`high`,
    as older scenario files wrote it; it must contain the value)."""

    low: float | None = None
    high: float | None = None
    minus_pct: float | None = Field(None, ge=0, le=100)
    plus_pct: float | None = Field(None, ge=0, le=10_000)

    @model_validator(mode="before")
    @classmethod
    def _both_sides(cls, data: Any) -> Any:
        """`pct: 30` is `minus_pct: 30, plus_pct: 30`; one side of a pair alone names the other as missing."""
        if not isinstance(data, dict):
            return data
        if "pct" in data:
            rest = {k: v for k, v in data.items() if k != "pct"}
            data = {"minus_pct": data["pct"], "plus_pct": data["pct"], **rest}
        for pair in (("low", "high"), ("minus_pct", "plus_pct")):
            missing = [side for side in pair if side not in data]
            if len(missing) == 1:
                raise ValidationError.from_exception_data(
                    "Range", [{"type": "missing", "loc": (missing[0],), "input": data}])
        return data

    @model_validator(mode="after")
    def _one_form(self) -> Range:
        if (self.low is not None) == self.relative:
            raise ValueError("a range is either low and high, or minus_pct and plus_pct (or pct for both)")
        if self.low is not None and self.low > self.high:
            raise ValueError(f"range low {self.low} is above high {self.high}")
        return self

    @property
    def relative(self) -> bool:
        return self.minus_pct is not None

    def span(self, value: float) -> tuple[float, float]:
        """(low, high) around this value."""
        if self.relative:
            return value * (1 - self.minus_pct / 100), value * (1 + self.plus_pct / 100)
        return self.low, self.high

    def __str__(self) -> str:
        if self.relative:
            if self.minus_pct == self.plus_pct:
                return f"±{self.plus_pct:g}%"
            return f"−{self.minus_pct:g}%/+{self.plus_pct:g}%"
        return f"[{self.low:,.10g}, {self.high:,.10g}]"


class MeasuredTeacher(Section):
    """The teacher whose labels a measured tuned row trained on (a run with --teacher-endpoint / --teacher)."""

    model: str
    backend: Literal["local", "endpoint"]
    agreement: float = Field(ge=0, le=1, description="its kept labels against gold on the training inputs")
    interval: tuple[float, float]
    kept: int = Field(ge=0, description="the labels the row trained on")
    usd_per_label: float | None = Field(None, ge=0, description="measured: usage × price ÷ kept labels (None: local "
                                        "or without prices)")
    prompt_tokens: float = Field(ge=0)
    output_tokens: float = Field(ge=0)


class SearchedPrompt(Section):
    """What a prompt search chose, in the terms calculator.prompts renders: the scenario's own task is then
    priced with that prompt (its kind, paraphrase and number of examples), not the run's task's text."""

    kind: Literal["zero_shot", "persona", "output_format"]
    variant: int = Field(0, ge=0, description="the paraphrase (calculator.prompts.PARAPHRASES)")
    shots: int = Field(0, ge=0, description="examples the prompt shows")
    per_input: bool = Field(False, description="each request shows its own examples (its nearest): no part of the "
                            "prefix a provider caches")


class MeasuredApproach(Section):
    """One benchmark row applied to an approach: its score on the run's metric, what it was measured on,
    and for a text task the answers' length and every test example's own score (the pass rate at any
    threshold comes from them)."""

    metric: str = "accuracy"
    score: float = Field(ge=0, le=1)
    interval: tuple[float, float]
    consistency_spread: float | None = None
    model: str | None = Field(None, description="the model the row measured (None: saved before it was recorded)")
    backend: Literal["local", "endpoint"] | None = None
    run_id: str | None = None
    labeled_examples: int | None = Field(
        None, ge=0, description="labels a tuned approach's measured score was trained on (priced in its place)")
    output_tokens: float | None = Field(
        None, ge=0, description="mean tiktoken count of its answers on the test split (text tasks)")
    example_scores: list[float] = Field(
        default_factory=list, description="each test example's score on the metric (text tasks)")
    teacher: MeasuredTeacher | None = Field(None, description="a tuned row trained on a teacher's labels")
    prompt: SearchedPrompt | None = Field(None, description="a searched prompt's choice: the prompt priced in its "
                                          "place")

    @model_validator(mode="before")
    @classmethod
    def _older_names(cls, data: Any) -> Any:
        """Scenarios saved before text tasks hold `accuracy` and `accuracy_ci`; before 0.2, an unread
        `prompt_tokens`."""
        if isinstance(data, dict) and ({"accuracy", "accuracy_ci", "prompt_tokens"} & set(data)):
            data = {k: v for k, v in data.items() if k != "prompt_tokens"}
            if "accuracy" in data:
                data.setdefault("score", data.pop("accuracy"))
            if "accuracy_ci" in data:
                data.setdefault("interval", data.pop("accuracy_ci"))
        return data

    def pass_rate(self, threshold: float) -> float | None:
        """Share of test examples scoring at least `threshold`; None without per-example scores."""
        if not self.example_scores:
            return None
        return sum(score >= threshold - 1e-9 for score in self.example_scores) / len(self.example_scores)


class Measured(Section):
    """Numbers taken from a benchmark run; each carries that run's id as its source."""

    run_id: str
    model: str
    device: str
    approaches: dict[ApproachName, MeasuredApproach] = Field(default_factory=dict)
    learning_curve: list[tuple[int, float]] = Field(
        default_factory=list, description="(labeled examples, score) points of `learning_curve_approach`."
    )
    learning_curve_approach: ApproachName | None = Field(
        None, description="Whose curve: the best-scoring applied trained approach that has one (None in files "
                          "written before the field: LoRA's)."
    )
    training_mfu: float | None = None
    serving_requests_per_gpu_second: float | None = None
    not_applied: dict[ApproachName, str] = Field(
        default_factory=dict,
        description="Approaches whose measured score is not used, and why (e.g. training was cut).",
    )
    left_out: dict[str, str] = Field(
        default_factory=dict,
        description="Rows measured on another model than the scenario prices and not chosen, by "
                    "'approach@backend': why (e.g. 'Zero-shot was measured on X, the scenario prices gpt-4o').",
    )

    @property
    def curve_approach(self) -> str | None:
        """Whose `learning_curve` this is (files written before `learning_curve_approach` hold LoRA's)."""
        return (self.learning_curve_approach or "lora") if self.learning_curve else None


class Scenario(Section):
    name: str = Field("Untitled scenario", min_length=1, max_length=200)
    description: str = Field("", max_length=5_000)
    currency: Literal["USD"] = "USD"
    approaches: list[ApproachName] = Field(
        default_factory=lambda: list(NAMES), min_length=1,
        description="Approaches compared.",
    )
    workload: Workload = Field(default_factory=Workload)
    task: Task = Field(default_factory=Task)
    api: Api = Field(default_factory=Api)
    labeling: Labeling = Field(default_factory=Labeling)
    team: Team = Field(default_factory=Team)
    finetuning: FineTuning = Field(default_factory=FineTuning)
    hosting: Hosting = Field(default_factory=Hosting)
    pretrain: Pretrain = Field(default_factory=Pretrain)
    teacher: Teacher = Field(default_factory=Teacher)
    quality: Quality = Field(default_factory=Quality)
    constraints: Constraints = Field(default_factory=Constraints)
    uncertainty: dict[str, Range] = Field(
        default_factory=dict,
        description="Ranges (low, high) on numeric fields, by dotted name, e.g. workload.requests_per_month.",
    )
    measured: Measured | None = None

    @field_validator("approaches")
    @classmethod
    def _unique(cls, approaches: list[str]) -> list[str]:
        return list(dict.fromkeys(approaches))

    @model_validator(mode="before")
    @classmethod
    def _older_range_names(cls, data: Any) -> Any:
        """Ranges saved before text tasks name the target `quality.accuracy_target`."""
        if isinstance(data, dict) and isinstance(data.get("uncertainty"), dict):
            ranges = data["uncertainty"]
            if "quality.accuracy_target" in ranges:
                data = {**data, "uncertainty": {("quality.target" if key == "quality.accuracy_target" else key): value
                                                for key, value in ranges.items()}}
        return data

    @model_validator(mode="before")
    @classmethod
    def _approaches_of_the_kind(cls, data: Any) -> Any:
        """Without a list, the approaches compared are those that can answer the task's kind."""
        if isinstance(data, dict) and "approaches" not in data:
            task = data.get("task")
            kind = task.get("kind", "classification") if isinstance(task, dict) else getattr(task, "kind", None)
            if kind in TASK_KINDS and kind != "classification":
                data = {**data, "approaches": [s.name for s in SPECS if kind in s.task_kinds]}
        return data

    @model_validator(mode="after")
    def _fits_the_kind(self) -> Scenario:
        kind = self.task.kind
        misfits = [name for name in self.approaches if kind not in BY_NAME[name].task_kinds]
        if misfits:
            raise invalid("Scenario", ("approaches",),
                          f"{', '.join(misfits)} cannot answer a {kind} task ({BY_NAME[misfits[0]].title} answers "
                          f"{' or '.join(BY_NAME[misfits[0]].task_kinds)} tasks)", self.approaches)
        allowed = TARGET_METRICS[kind]
        if self.quality.metric is not None and self.quality.metric not in allowed:
            raise invalid("Scenario", ("quality", "metric"),
                          f"a {kind} task is decided on {', '.join(metric_name(m) + ' (' + m + ')' for m in allowed)}",
                          self.quality.metric)
        return self

    @model_validator(mode="after")
    def _scores_name_their_model(self) -> Scenario:
        """A typed score without its model is for the model priced now (a preset, an older file); an
        entry without its score is dropped."""
        scores_for = {name: self.quality.scores_for.get(name) or self.priced_model(name)
                      for name in self.quality.scores}
        if scores_for != self.quality.scores_for:
            self.quality.scores_for = scores_for
        return self

    def priced_model(self, approach: str) -> str:
        """The model the scenario prices for an approach: the API model for prompting; for a tuned one the
        provider's model when the provider trains it, else the base model trained on own GPUs."""
        spec = BY_NAME[approach]
        if spec.family == "prompting":
            return self.api.model
        if self.finetuning.hosting == "provider" and spec.provider_trainable:
            return self.finetuning.provider_base_model
        return self.finetuning.base_model

    def typed_elsewhere(self) -> dict[str, str]:
        """Typed scores that are for another model than the one priced now: approach -> that model."""
        return {name: model for name, model in self.quality.scores_for.items()
                if not same_model(model, self.priced_model(name))}

    @property
    def metric(self) -> str:
        """The metric the target and the scores are on: the scenario's choice, else the kind's own."""
        return self.quality.metric or PRIMARY[self.task.kind]

    @property
    def pass_threshold(self) -> float:
        """The score below which one answer counts as an error: right or wrong for classification, exact
        for extraction, the target for generation, unless the scenario says."""
        if self.quality.pass_threshold is not None:
            return self.quality.pass_threshold
        return self.quality.target if self.task.kind == "generation" else 1.0

    @model_validator(mode="after")
    def _ranges_name_numeric_fields(self) -> Scenario:
        from calculator.fields import field_bounds, numeric_fields  # reflects over this module

        numeric = set(numeric_fields()) - NOT_RANGED
        for dotted, rng in self.uncertainty.items():
            if dotted not in numeric:
                raise ValueError(
                    f"uncertainty: '{dotted}' is not a numeric scenario field "
                    f"(e.g. workload.requests_per_month, api.input_usd_per_mtok)"
                )
            bounds = field_bounds(dotted)
            for side in () if rng.relative else (rng.low, rng.high):  # relative: clamped when drawn
                if not bounds.contains(side):
                    raise ValueError(f"uncertainty: {dotted} range {side} outside {bounds}")
        return self
