"""The one approach spec: every fact about an approach that more than one part of the tool needs.

Torch-free and numpy-free. The scenario (approach lists, engineering-hours fields), the cost
model (labels, FLOPs, provider training, virtual tokens), the benchmarks (approach names, progress
weights, prompt kinds, hyperparameters, learning curves, sharding), the charts (colours) and the
Tokens page all read these entries; nothing else lists approaches. Adding an approach is an entry
here (with a settings model if it trains), its prompt kind (calculator/prompts.py) if it is new,
and, if it can be measured, its runner in benchmarks/approaches/__init__.py (RUNNERS). Its cost
function is its family's (calculator/approaches/<family>.py). docs/ARCHITECTURE.md, "Where each kind
of change goes".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, get_args

from pydantic import BaseModel, ConfigDict, Field

Family = Literal["prompting", "tuning", "pretraining"]
# How the approach's prompt is built (calculator.prompts renders each kind; "tuned": the
# input and a short answer cue only, since a tuned or pretrained model learned the task).
PromptKind = Literal["zero_shot", "few_shot", "chain_of_thought", "persona", "output_format", "tuned"]
# What the model writes back: the label, or the label inside a fixed JSON object.
AnswerFormat = Literal["label", "json"]
TaskKindName = Literal["classification", "generation", "extraction"]  # what a task's answer is: a label, text, JSON
TASK_KINDS: tuple[str, ...] = get_args(TaskKindName)
ANSWER_WORDS = {"classification": "a label", "generation": "free text", "extraction": "a JSON object"}  # per kind


class Settings(BaseModel):
    """An approach's knobs in a benchmark: a trained one's hyperparameters, a search's budget
    (BenchConfig.hyperparameters.<approach>; its result row's config)."""

    model_config = ConfigDict(extra="forbid")


class LoraSettings(Settings):
    rank: int = Field(16, ge=1, le=512, description="LoRA rank r")
    alpha: int = Field(32, ge=1, le=1024, description="LoRA alpha (scale = alpha / r)")
    targets: list[str] | None = Field(None, description="module names to adapt; default per model family (all attention and MLP projections)")
    lr: float = Field(1e-3, gt=0, le=1.0, description="learning rate")
    use_dora: bool = Field(False, description="DoRA: each weight's magnitude trained apart from its direction (PEFT's use_dora)")


class DoraSettings(LoraSettings):
    use_dora: bool = Field(True, description="DoRA: each weight's magnitude trained apart from its direction (PEFT's use_dora)")


class PromptTuningSettings(Settings):
    tokens: int = Field(16, ge=1, le=512, description="soft-prompt length in virtual tokens")
    lr: float = Field(3e-2, gt=0, le=10.0, description="soft-prompt learning rate")


class FullFinetuneSettings(Settings):
    lr: float = Field(3e-5, gt=0, le=1.0, description="learning rate of every weight")


class PromptSearchSettings(Settings):
    trials: int = Field(8, ge=1, le=200, description="candidate prompts scored on the validation split (the budget, "
                        "fixed before the run)")
    validation_examples: int | None = Field(None, ge=1, le=100_000, description="validation examples each trial is "
                                            "scored on; default: what an extra pass scores (quick mode: 60)")


@dataclass(frozen=True)
class ApproachSpec:
    name: str
    family: Family
    title: str
    summary: str
    colour: str  # fixed per approach in every chart (Okabe-Ito inspired, colour-blind safe)
    progress_weight: float  # expected share of a benchmark run's time, relative to zero-shot (runner.py)
    prompt_kind: PromptKind
    engineering_hours: float  # default of team.hours.<name>
    hours_help: str
    benchmarkable: bool  # has a module in benchmarks/approaches/
    labels_field: str | None = None  # the scenario field giving the labeled examples it needs
    reasons: bool = False  # writes billed reasoning tokens before its answer
    answer_format: AnswerFormat = "label"
    flops_per_param_token: float | None = None  # training FLOPs per token per parameter (tuned)
    max_hours: float = 100_000
    inputs: tuple[str, ...] = ()  # scenario fields it reads besides the shared ones
    settings: type[Settings] | None = None  # its hyperparameters in a benchmark (trained approaches)
    learning_curve: bool = False  # a benchmark also trains it once per learning_curve size
    shardable: bool = True  # runs under FSDP (`bench --shard fsdp`)
    provider_trainable: bool = False  # an API provider's fine-tuning service can train it (data/finetune_prices.yaml)
    virtual_tokens_field: str | None = None  # the scenario field of the virtual tokens it adds to every request
    # The task kinds it can be benchmarked on: chain-of-thought reasons towards a label; output-format
    # wraps a label in JSON, and for extraction asks for the JSON object alone (free text has no format).
    task_kinds: tuple[str, ...] = TASK_KINDS

    @property
    def hours_field(self) -> str:
        return f"team.hours.{self.name}"


SPECS: tuple[ApproachSpec, ...] = (
    ApproachSpec(
        "zero_shot", "prompting", "Zero-shot prompt", "Instructions and the label set; no examples.",
        "#56B4E9", 1.0, "zero_shot", 8, "Prompt design and evaluation.", True,
        inputs=("task.instructions", "task.labels", "team.hours.zero_shot", "labeling.evaluation_labels"),
    ),
    ApproachSpec(
        "few_shot", "prompting", "Few-shot prompt", "Instructions plus k labeled examples in every prompt.",
        "#0072B2", 1.1, "few_shot", 16, "Prompt and example curation.", True,
        labels_field="task.few_shot_k",
        inputs=("task.instructions", "task.labels", "task.few_shot_examples", "task.few_shot_k",
                "team.hours.few_shot", "labeling.evaluation_labels"),
    ),
    ApproachSpec(
        "chain_of_thought", "prompting", "Chain-of-thought",
        "The model reasons before it answers; reasoning tokens are billed.",
        "#009E73", 6.0, "chain_of_thought", 24, "Prompt, parser and evaluation.", True,
        reasons=True, task_kinds=("classification",),
        inputs=("task.instructions", "task.labels", "task.reasoning_tokens", "team.hours.chain_of_thought",
                "labeling.evaluation_labels"),
    ),
    ApproachSpec(
        "persona", "prompting", "Persona prompt",
        "The zero-shot prompt spoken to an expert role the model is told to play.",
        "#7FB8D8", 1.0, "persona", 10, "Persona and prompt design, evaluation.", True,
        inputs=("task.persona", "task.instructions", "task.labels", "team.hours.persona",
                "labeling.evaluation_labels"),
    ),
    ApproachSpec(
        "output_format", "prompting", "Output-format prompt",
        "The zero-shot prompt with the answer in a fixed JSON shape a program can parse.",
        "#3D5A80", 1.0, "output_format", 12, "Output schema, parser and evaluation.", True,
        answer_format="json", task_kinds=("classification", "extraction"),
        inputs=("task.instructions", "task.labels", "team.hours.output_format",
                "labeling.evaluation_labels"),
    ),
    ApproachSpec(
        "prompt_search", "prompting", "Searched prompt",
        "The instruction and examples a search chose by their validation score, served like a few-shot prompt.",
        "#7B61A8", 1.5, "few_shot", 4, "Setting the search up and reviewing the prompt it chose.", True,
        labels_field="task.prompt_search_validation", settings=PromptSearchSettings,
        inputs=("task.instructions", "task.labels", "task.few_shot_examples", "task.few_shot_k",
                "task.prompt_search_trials", "task.prompt_search_validation", "team.hours.prompt_search",
                "labeling.evaluation_labels"),
    ),
    ApproachSpec(
        "prompt_tuning", "tuning", "Prompt-tuning", "A learned soft prompt in front of a frozen open model.",
        "#E69F00", 3.7, "tuned", 60, "Training pipeline and serving.", True,
        labels_field="finetuning.prompt_tuning_labeled_examples", flops_per_param_token=4.0,
        inputs=("finetuning.prompt_tuning_labeled_examples", "finetuning.soft_prompt_tokens",
                "team.hours.prompt_tuning", "labeling.evaluation_labels",
                "finetuning.retrain_new_label_share"),
        settings=PromptTuningSettings, learning_curve=True, shardable=False,
        virtual_tokens_field="finetuning.soft_prompt_tokens",
    ),
    ApproachSpec(
        "lora", "tuning", "LoRA fine-tune", "Low-rank adapters trained on labeled examples.",
        "#D55E00", 4.4, "tuned", 80, "Training pipeline, evaluation and serving.", True,
        labels_field="finetuning.labeled_examples", flops_per_param_token=4.0,
        inputs=("finetuning.labeled_examples", "finetuning.epochs", "team.hours.lora",
                "labeling.evaluation_labels", "finetuning.retrain_new_label_share"),
        settings=LoraSettings, learning_curve=True, provider_trainable=True,
    ),
    ApproachSpec(
        "full_finetune", "tuning", "Full fine-tune", "Every weight of the open model trained.",
        "#CC79A7", 5.1, "tuned", 120, "As LoRA, plus bigger infrastructure.", True,
        labels_field="finetuning.labeled_examples", flops_per_param_token=6.0,
        inputs=("finetuning.labeled_examples", "finetuning.epochs", "team.hours.full_finetune",
                "labeling.evaluation_labels", "finetuning.retrain_new_label_share"),
        settings=FullFinetuneSettings, shardable=False, provider_trainable=True,
    ),
    ApproachSpec(
        "dora", "tuning", "DoRA fine-tune",
        "LoRA with each weight's magnitude trained apart from its direction (weight-decomposed adapters).",
        "#8C3A00", 5.7, "tuned", 80, "As LoRA: training pipeline, evaluation and serving.", True,
        labels_field="finetuning.labeled_examples", flops_per_param_token=4.0,
        inputs=("finetuning.labeled_examples", "finetuning.epochs", "team.hours.dora",
                "labeling.evaluation_labels", "finetuning.retrain_new_label_share"),
        settings=DoraSettings, learning_curve=True, shardable=False,
    ),
    ApproachSpec(
        "pretrain", "pretraining", "Train from scratch",
        "A new model trained on a corpus of its own, then taught the task.",
        "#555555", 0.0, "tuned", 4_000, "A pretraining team's time.", False,
        labels_field="finetuning.labeled_examples", max_hours=10_000_000,
        inputs=("pretrain.model_params", "pretrain.tokens_per_param", "pretrain.data_cost_usd",
                "team.hours.pretrain", "labeling.evaluation_labels"),
    ),
)

BY_NAME: dict[str, ApproachSpec] = {s.name: s for s in SPECS}
NAMES: tuple[str, ...] = tuple(BY_NAME)
PROMPTING: tuple[str, ...] = tuple(s.name for s in SPECS if s.family == "prompting")
TUNED: tuple[str, ...] = tuple(s.name for s in SPECS if s.family == "tuning")
BENCHMARKABLE: tuple[str, ...] = tuple(s.name for s in SPECS if s.benchmarkable)
CURVED: tuple[str, ...] = tuple(s.name for s in SPECS if s.learning_curve)  # trained per learning_curve size too
ApproachName = Literal[NAMES]  # type: ignore[valid-type]  # the scenario's and reports' names
BenchmarkName = Literal[BENCHMARKABLE]  # type: ignore[valid-type]  # what a benchmark can run
FALLBACK_COLOUR = "#333333"


def spec(name: str) -> ApproachSpec:
    """The entry of `name`; KeyError names the allowed ones."""
    try:
        return BY_NAME[name]
    except KeyError:
        raise KeyError(f"unknown approach {name!r}; allowed: {', '.join(NAMES)}") from None


def title(name: str) -> str:
    """The reader's name of an approach ("LoRA fine-tune"); an unknown name is shown as given."""
    return BY_NAME[name].title if name in BY_NAME else name


def colour(name: str) -> str:
    return BY_NAME[name].colour if name in BY_NAME else FALLBACK_COLOUR
