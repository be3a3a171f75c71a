"""What one benchmark run does: model, task, approaches and their knobs (validated, with bounds).

Fields left as None are filled from `quick` (a CPU run that finishes in minutes) or the full
defaults, so the saved config always says what was actually run.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from core.approaches import (
    BENCHMARKABLE,
    PROMPTING,
    SPECS,
    TUNED,
    Settings,
    TaskKindName,
    spec,
)
from core.result import ApproachName

PACKAGED_MODEL = "smollm2-135m-instruct"
BUILTIN_TASKS = ("rotten_tomatoes", "imdb", "bbc_news", "bbc_headlines")
BUILTIN_KINDS = {"bbc_headlines": "generation"}  # the rest are classification
ALL_APPROACHES: tuple[str, ...] = BENCHMARKABLE
QUICK_APPROACHES = ["zero_shot", "few_shot", "lora"]
Precision = Literal["auto", "float32", "bfloat16"]
PRECISIONS: tuple[str, ...] = get_args(Precision)
DEFAULT_APPROACHES = ["zero_shot", "few_shot", "chain_of_thought", "prompt_tuning", "lora"]

# Defaults that differ between quick mode (2-core CPU, minutes) and a full run. Quick LoRA plans
# 512 examples × 1 epoch = 64 steps of 8: ~16,600 tokens at ~32.5 per example (the served prompt:
# input and cue), ~115 s at the ~145 tokens/s a 2-core AVX2 CPU trains batches of 8 (measured on
# rotten_tomatoes, seed 0: batches of 8 scored 0.867, of 16 0.846; docs/BENCHMARKS.md). The time
# guard is 5× that, so a busy machine still trains the whole plan. Extra passes (template choice,
# consistency paraphrases) score 60 examples, not the whole test split: at 120 they were about 70 s of an
# idle quick run's 279 s, over its 4-minute target; the template choice still separates chat 0.54 from
# plain 0.80, and the notes say how many examples each consistency figure stands on.
# A text task's quick run measures no consistency: each paraphrase pass generates 60 answers, 265 s of the
# 1,074 s a quick bbc_headlines run took (2.55x the binary task's 421 s; without them ~1.9x, docs/BENCHMARKS.md);
# scoring labels for classification costs seconds, so its quick run keeps them. A full run measures both.
QUICK_TEXT_CONSISTENCY = False
# Training examples when train_size is not given: the mode's size, raised to EXAMPLES_PER_LABEL times
# the labels on a many-label task (60 intents: 960), so that one epoch shows LoRA each label about 16
# times, not 8.5 (512 / 60); the split keeps each label's share, and the run's notes name labels left
# with fewer than half that (tasks.FEW_PER_LABEL).
TRAIN_EXAMPLES = {"quick": 512, "full": 4096}
EXAMPLES_PER_LABEL = 16
_MODE_DEFAULTS: dict[str, dict[str, object]] = {
    "quick": {
        "approaches": QUICK_APPROACHES,
        "test_size": 240,
        "train_epochs": 1.0,
        "train_batch_size": 8,
        "extra_pass_size": 60,
        "learning_curve": [],
        "consistency": True,
        "train_time_budget_s": 600.0,
    },
    "full": {
        "approaches": DEFAULT_APPROACHES,
        "test_size": 1000,
        "train_epochs": 2.0,
        "train_batch_size": 16,
        "extra_pass_size": 100_000,
        "learning_curve": [16, 64, 256, 1024],
        "consistency": True,
    },
}


class BenchConfig(BaseModel):
    """One benchmark run. Every field has bounds and a help text (shown by the CLI and dashboard)."""

    model_config = ConfigDict(extra="forbid")

    model: str = Field(PACKAGED_MODEL, description="the packaged SmolLM2-135M-Instruct, a local directory or a Hugging Face id (must already be on disk); random-smollm2-135m / random-llama-0.5b: its architecture with random weights, speed figures only")
    trust_remote_code: bool = Field(False, description="run model code shipped with the checkpoint (only for models you trust)")
    task: str = Field("rotten_tomatoes", description="built-in task: rotten_tomatoes, imdb, bbc_news (classification) or bbc_headlines (generation: a BBC article's lead paragraph -> its headline); ignored when data_file is set")
    data_file: Path | None = Field(None, description="your own CSV or JSONL file of labeled texts")
    text_col: str = Field("text", min_length=1, description="column holding the text (data_file only)")
    label_col: str = Field("label", min_length=1, description="column holding the label (data_file only)")
    task_kind: TaskKindName = Field("classification", description="what the answer is: classification, a label from label_col; generation, free text scored against the reference in target_col; extraction, a JSON object scored field by field against the object in target_col (the last two need target_col with data_file; a built-in task sets its own kind)")
    target_col: str | None = Field(None, min_length=1, description="column holding each input's reference answer: the text for task_kind generation, the JSON object for extraction (data_file only)")
    verbalizers: dict[str, str] | None = Field(None, description="label -> the word the model is scored on; default: the label name")
    max_text_chars: int = Field(2000, ge=50, le=100_000, description="longer texts are truncated (and the run says how many)")
    approaches: list[ApproachName] | None = Field(None, description="approaches to run, in order")
    quick: bool = Field(False, description="CPU-sized run: fewer test examples, shorter training, no learning curve")
    seed: int = Field(0, ge=0, le=2**31 - 1, description="seed for the split, example choice and training")
    device: Literal["auto", "cpu", "cuda"] = Field("auto", description="auto picks cuda when present, else cpu")
    dtype: Precision = Field("auto", description="auto: bfloat16 on CUDA and on CPUs whose bf16 matmul measures at least 1.5x float32's (AMX, AVX512_BF16; scores shift slightly), else float32")
    chat_template: Literal["auto", "on", "off"] = Field("auto", description="wrap prompts in the model's chat template when it has one")
    test_size: int | None = Field(None, ge=10, le=100_000, description="held-out test examples, the same for every approach")
    val_size: int = Field(100, ge=0, le=10_000, description="validation examples (kept out of training and test)")
    train_size: int | None = Field(None, ge=8, le=1_000_000, description="labeled examples available for training (at most; default: quick 512, full 4096, and at least 16 times the labels)")
    eval_batch_size: int = Field(256, ge=1, le=4096, description="examples per scoring or generation batch (upper bound; batches are also capped by eval_batch_tokens)")
    eval_batch_tokens: int = Field(8192, ge=256, le=1_000_000, description="tokens per scoring or generation batch (scoring packs examples into rows with no padding)")
    train_batch_size: int | None = Field(None, ge=1, le=1024, description="examples per optimizer step (quick mode: 8, else 16)")
    max_seq_len: int = Field(512, ge=32, le=32_768, description="longest prompt in tokens; longer inputs are cut from the text's end")
    k: int = Field(4, ge=1, le=64, description="few-shot examples in the prompt (balanced across labels)")
    train_epochs: float | None = Field(None, gt=0, le=100, description="passes over the training examples")
    train_time_budget_s: float | None = Field(None, gt=0, le=86_400, description="a guard, not a plan: a training run still going after this many seconds stops, and its row is marked under-trained (quick mode: 600)")
    hyperparameters: dict[str, dict[str, Any]] = Field(default_factory=dict, description="per trained approach, the settings that differ from its spec's defaults, e.g. {\"lora\": {\"rank\": 8}} (core/approaches.py: LoraSettings, PromptTuningSettings, ...)")
    learning_curve: list[int] | None = Field(None, description="training sizes for the learning curves of the approaches whose spec has one (LoRA, DoRA, prompt-tuning); [] to skip")
    extra_pass_size: int | None = Field(None, ge=10, le=100_000, description="most examples an extra pass scores (the template choice, each consistency paraphrase; quick mode: 60)")
    consistency: bool | None = Field(None, description="score 3 prompt paraphrases (and example orders) to measure brittleness")
    max_new_tokens: int = Field(96, ge=1, le=4096, description="generation budget for chain-of-thought")
    # Endpoint arms (docs/ARCHITECTURE.md, arms): prompting approaches sent to an OpenAI-compatible server.
    endpoint_url: str | None = Field(None, pattern=r"^https?://", description="base URL of an OpenAI-compatible API, e.g. https://api.openai.com/v1; the prompting approaches run there")
    endpoint_model: str | None = Field(None, min_length=1, description="model name the endpoint serves (and genai-prices prices)")
    endpoint_approaches: list[ApproachName] | None = Field(None, description="prompting approaches to send to the endpoint; default: the prompting ones of approaches (which then run only there)")
    provider: str | None = Field(None, min_length=1, description="genai-prices provider id (openai, anthropic, google, ...) for measured dollars")
    input_usd_per_mtok: float | None = Field(None, ge=0, le=10_000, description="your $/1M input tokens (a self-hosted server); overrides genai-prices")
    output_usd_per_mtok: float | None = Field(None, ge=0, le=10_000, description="your $/1M output tokens (a self-hosted server); overrides genai-prices")
    api_key_env: str = Field("OPENAI_API_KEY", pattern=r"^[A-Za-z_][A-Za-z0-9_]*$", description="environment variable holding the API key (the key itself is never written anywhere)")
    max_usd: float | None = Field(None, gt=0, le=100_000, description="stop the endpoint arms before their spend would pass this many dollars (needs prices)")
    concurrency: int = Field(4, ge=1, le=256, description="endpoint requests in flight at once")
    endpoint_timeout_s: float = Field(60.0, gt=0, le=3600, description="seconds before a request is abandoned and retried")
    endpoint_retries: int = Field(6, ge=0, le=20, description="retries per request on 429, 5xx and timeouts (exponential backoff with jitter, Retry-After honoured)")
    answer_max_tokens: int = Field(16, ge=1, le=1024, description="max_tokens of an endpoint label answer (chain-of-thought uses max_new_tokens)")
    # The judge (benchmarks/judge.py): a model on an OpenAI-compatible server compares each generation answer with its reference.
    judge_endpoint_url: str | None = Field(None, pattern=r"^https?://", description="base URL of an OpenAI-compatible API whose model judges every generation row's answers against the references (two requests per example, the pair's order swapped; quality.others['judge'])")
    judge_model: str | None = Field(None, min_length=1, description="model name the judge endpoint serves (and genai-prices prices)")
    judge_provider: str | None = Field(None, min_length=1, description="genai-prices provider id of the judge model, for its measured dollars")
    judge_input_usd_per_mtok: float | None = Field(None, ge=0, le=10_000, description="the judge's $/1M input tokens (a self-hosted judge); overrides genai-prices")
    judge_output_usd_per_mtok: float | None = Field(None, ge=0, le=10_000, description="the judge's $/1M output tokens (a self-hosted judge); overrides genai-prices")
    judge_api_key_env: str = Field("OPENAI_API_KEY", pattern=r"^[A-Za-z_][A-Za-z0-9_]*$", description="environment variable holding the judge endpoint's API key (written nowhere)")
    # The teacher (benchmarks/teacher.py): a model labels the training inputs the tuned approaches train on (distillation).
    teacher: Literal["local", "endpoint"] | None = Field(None, description="who labels the training inputs the tuned approaches train on, in place of their gold labels (distillation): local, the run's own model answering zero-shot; endpoint, the model at teacher_endpoint_url (implied by it); the test split is scored against gold either way")
    teacher_endpoint_url: str | None = Field(None, pattern=r"^https?://", description="base URL of an OpenAI-compatible API whose model labels the training inputs zero-shot (the zero-shot arm's prompt, one request per input, cached) for the tuned approaches to train on")
    teacher_model: str | None = Field(None, min_length=1, description="model name the teacher endpoint serves (and genai-prices prices)")
    teacher_provider: str | None = Field(None, min_length=1, description="genai-prices provider id of the teacher model, for its measured dollars")
    teacher_input_usd_per_mtok: float | None = Field(None, ge=0, le=10_000, description="the teacher's $/1M input tokens (a self-hosted teacher); overrides genai-prices")
    teacher_output_usd_per_mtok: float | None = Field(None, ge=0, le=10_000, description="the teacher's $/1M output tokens (a self-hosted teacher); overrides genai-prices")
    teacher_api_key_env: str = Field("OPENAI_API_KEY", pattern=r"^[A-Za-z_][A-Za-z0-9_]*$", description="environment variable holding the teacher endpoint's API key (written nowhere)")

    @model_validator(mode="before")
    @classmethod
    def _flat_settings(cls, data: Any) -> Any:
        """Config files written before per-approach settings (`lora_rank`, `prompt_tuning_lr`, ...) still read:
        each `<approach>_<setting>` key moves into hyperparameters.<approach>."""
        if not isinstance(data, dict):
            return data
        data = dict(data)
        for entry in SPECS:
            for name in entry.settings.model_fields if entry.settings else ():
                old = f"{entry.name}_{name}"
                if old in data:
                    data.setdefault("hyperparameters", {}).setdefault(entry.name, {})[name] = data.pop(old)
        return data

    @field_validator("hyperparameters")
    @classmethod
    def _known_settings(cls, given: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
        trained = [s.name for s in SPECS if s.settings]
        for name, values in given.items():
            if name not in trained:
                raise ValueError(f"hyperparameters.{name}: no settings for {name!r}; allowed: {', '.join(trained)}")
            try:
                spec(name).settings.model_validate(values)
            except ValidationError as err:
                first = err.errors()[0]
                where = ".".join(str(part) for part in first["loc"])
                raise ValueError(f"hyperparameters.{name}.{where}: {first['msg']}") from None
        return given

    def settings(self, approach: str) -> Settings:
        """The approach's hyperparameters: its spec's settings model, with this run's values."""
        return spec(approach).settings.model_validate(self.hyperparameters.get(approach, {}))

    @field_validator("learning_curve")
    @classmethod
    def _sizes_positive(cls, sizes: list[int] | None) -> list[int] | None:
        if sizes is not None and any(s < 2 for s in sizes):
            raise ValueError("learning_curve sizes must be at least 2")
        return sorted(set(sizes)) if sizes is not None else None

    @field_validator("task")
    @classmethod
    def _known_task(cls, task: str) -> str:
        if task not in BUILTIN_TASKS:
            raise ValueError(f"unknown task {task!r}; allowed: {', '.join(BUILTIN_TASKS)}")
        return task

    @model_validator(mode="after")
    def _fill_mode_defaults(self) -> BenchConfig:
        if self.data_file is None:
            builtin = BUILTIN_KINDS.get(self.task, "classification")
            if "task_kind" in self.model_fields_set and self.task_kind != builtin:
                raise ValueError(f"task_kind: the built-in task {self.task} is {builtin}; a {self.task_kind} task "
                                 "needs your own file (data_file, target_col)")
            self.task_kind = builtin
        named = self.approaches is not None
        if self.quick and self.consistency is None and self.task_kind != "classification":
            self.consistency = QUICK_TEXT_CONSISTENCY
        for name, value in _MODE_DEFAULTS["quick" if self.quick else "full"].items():
            if getattr(self, name) is None:
                setattr(self, name, list(value) if isinstance(value, list) else value)
        self._approaches_fit_the_kind(named)
        if self.task_kind == "classification" and self.target_col is not None:
            raise ValueError("target_col: only for task_kind generation or extraction (a classification task reads label_col)")
        if self.task_kind != "classification" and self.data_file is not None and self.target_col is None:
            what = "reference text" if self.task_kind == "generation" else "JSON object"
            raise ValueError(f"target_col: task_kind {self.task_kind} needs the column holding each input's {what}")
        if self.endpoint_url and not self.endpoint_model:
            raise ValueError("endpoint_model: name the model the endpoint serves")
        if self.endpoint_approaches is not None and not self.endpoint_url:
            raise ValueError("endpoint_approaches: needs endpoint_url")
        if bad := [a for a in self.endpoint_approaches or [] if a not in PROMPTING]:
            raise ValueError(f"endpoint_approaches: {', '.join(bad)} cannot run on an endpoint; allowed: {', '.join(PROMPTING)}")
        if (self.input_usd_per_mtok is None) != (self.output_usd_per_mtok is None):
            raise ValueError("input_usd_per_mtok and output_usd_per_mtok: give both or neither")
        if self.max_usd is not None and self.provider is None and self.input_usd_per_mtok is None \
                and (self.endpoint_url or not (self.judge_endpoint_url or self.teacher_endpoint_url)):  # their own, below
            raise ValueError("max_usd: needs prices (provider, or input_usd_per_mtok and output_usd_per_mtok)")
        return self

    def _side_endpoint(self, who: str) -> bool:
        """The fields of a side model on its own endpoint, `who` the judge or the teacher (`<who>_endpoint_url`,
        `<who>_model`, its prices and key): its URL and model together, its prices whole, and its prices known
        when max_usd must cover it. False when it has no URL (and none of its other fields is set)."""
        if not getattr(self, f"{who}_endpoint_url"):
            given = [f for f in (f"{who}_model", f"{who}_provider", f"{who}_input_usd_per_mtok") if getattr(self, f) is not None]
            if given:
                raise ValueError(f"{who}_endpoint_url: {given[0]} needs the {who}'s endpoint URL")
            return False
        if not getattr(self, f"{who}_model"):
            raise ValueError(f"{who}_model: name the model the {who} endpoint serves")
        priced_in, priced_out = getattr(self, f"{who}_input_usd_per_mtok"), getattr(self, f"{who}_output_usd_per_mtok")
        if (priced_in is None) != (priced_out is None):
            raise ValueError(f"{who}_input_usd_per_mtok: with {who}_output_usd_per_mtok, give both or neither")
        if self.max_usd is not None and getattr(self, f"{who}_provider") is None and priced_in is None:
            raise ValueError(f"max_usd: covers the {who} too, so needs its prices ({who}_provider, or "
                             f"{who}_input_usd_per_mtok and {who}_output_usd_per_mtok)")
        return True

    @model_validator(mode="after")
    def _judge_fields(self) -> BenchConfig:
        """The judge's fields (`_side_endpoint`) and a generation task (after _fill_mode_defaults settled
        task_kind)."""
        if self._side_endpoint("judge") and self.task_kind != "generation":
            raise ValueError(f"judge_endpoint_url: the judge compares generation answers with their references; "
                             f"this task is {self.task_kind}")
        return self

    @model_validator(mode="after")
    def _teacher_fields(self) -> BenchConfig:
        """The teacher: local, or an endpoint's (`_side_endpoint`), never both; only for a run that trains."""
        if self._side_endpoint("teacher"):
            if self.teacher == "local":
                raise ValueError("teacher: local or teacher_endpoint_url, not both")
            self.teacher = "endpoint"
        elif self.teacher == "endpoint":
            raise ValueError("teacher_endpoint_url: an endpoint teacher needs its URL")
        if self.teacher and not set(self.approaches) & set(TUNED):
            raise ValueError(f"teacher: it labels the training inputs of the tuned approaches ({', '.join(TUNED)}); this run "
                             f"trains none (approaches: {', '.join(self.approaches)})")
        return self

    def _approaches_fit_the_kind(self, named: bool) -> None:
        """The approaches the task's kind can measure (the spec's task_kinds): a default list drops the
        others quietly; a list the user named that holds one is refused."""
        misfits = [a for a in self.approaches + (self.endpoint_approaches or []) if self.task_kind not in spec(a).task_kinds]
        if misfits and (named or set(misfits) & set(self.endpoint_approaches or [])):
            raise ValueError(f"approaches: {', '.join(misfits)} cannot be measured on a {self.task_kind} task; "
                             f"allowed: {', '.join(a for a in BENCHMARKABLE if self.task_kind in spec(a).task_kinds)}")
        self.approaches = [a for a in self.approaches if a not in misfits]
        if not self.approaches:
            raise ValueError("approaches must name at least one approach")

    @property
    def arms(self) -> list[tuple[str, str]]:
        """(approach, backend) in run order: with an endpoint and no endpoint_approaches, the
        prompting approaches of `approaches` run on the endpoint and the others locally."""
        if not self.endpoint_url:
            return [(a, "local") for a in self.approaches]
        if self.endpoint_approaches is None:
            return [(a, "endpoint" if a in PROMPTING else "local") for a in self.approaches]
        return [(a, "local") for a in self.approaches] + [(a, "endpoint") for a in self.endpoint_approaches]

    def training_examples(self, labels: int) -> int:
        """The most examples the training split takes: train_size when given, else the mode's size
        raised to EXAMPLES_PER_LABEL times the labels."""
        if self.train_size is not None:
            return self.train_size
        return max(TRAIN_EXAMPLES["quick" if self.quick else "full"], EXAMPLES_PER_LABEL * labels)

    @property
    def task_name(self) -> str:
        return Path(self.data_file).stem if self.data_file else self.task
