"""What one benchmark run does: model, task, approaches and their knobs (validated, with bounds).

Fields left as None are filled from `quick` (a CPU run that finishes in minutes) or the full
defaults, so the saved config always says what was actually run.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from benchmarks.result import ApproachName
from calculator.approaches.spec import BENCHMARKABLE

PACKAGED_MODEL = "smollm2-135m-instruct"
BUILTIN_TASKS = ("rotten_tomatoes", "imdb", "bbc_news")
ALL_APPROACHES: tuple[str, ...] = BENCHMARKABLE
QUICK_APPROACHES = ["zero_shot", "few_shot", "lora"]
Precision = Literal["auto", "float32", "bfloat16"]
PRECISIONS: tuple[str, ...] = get_args(Precision)
DEFAULT_APPROACHES = ["zero_shot", "few_shot", "chain_of_thought", "prompt_tuning", "lora"]

# Defaults that differ between quick mode (2-core CPU, minutes) and a full run. Quick LoRA plans
# 512 examples × 1 epoch = 32 steps of 16: ~24,000 tokens at ~46.5 per example (the zero-shot
# prompt), ~140 s at the ~171 tokens/s a 2-core AVX2 CPU trains (docs/BENCHMARKS.md has the
# arithmetic). The time guard is 4× that, so a busy machine still trains the whole plan.
_MODE_DEFAULTS: dict[str, dict[str, object]] = {
    "quick": {
        "approaches": QUICK_APPROACHES,
        "test_size": 240,
        "train_size": 512,
        "train_epochs": 1.0,
        "learning_curve": [],
        "consistency": True,
        "train_time_budget_s": 600.0,
    },
    "full": {
        "approaches": DEFAULT_APPROACHES,
        "test_size": 1000,
        "train_size": 4096,
        "train_epochs": 2.0,
        "learning_curve": [16, 64, 256, 1024],
        "consistency": True,
    },
}


class BenchConfig(BaseModel):
    """One benchmark run. Every field has bounds and a help text (shown by the CLI and dashboard)."""

    model_config = ConfigDict(extra="forbid")

    model: str = Field(PACKAGED_MODEL, description="the packaged SmolLM2-135M-Instruct, a local directory or a Hugging Face id (must already be on disk); random-smollm2-135m / random-llama-0.5b: its architecture with random weights, speed figures only")
    trust_remote_code: bool = Field(False, description="run model code shipped with the checkpoint (only for models you trust)")
    task: str = Field("rotten_tomatoes", description="built-in task: rotten_tomatoes, imdb or bbc_news; ignored when data_file is set")
    data_file: Path | None = Field(None, description="your own CSV or JSONL file of labeled texts")
    text_col: str = Field("text", min_length=1, description="column holding the text (data_file only)")
    label_col: str = Field("label", min_length=1, description="column holding the label (data_file only)")
    verbalizers: dict[str, str] | None = Field(None, description="label -> the word the model is scored on; default: the label name")
    max_text_chars: int = Field(2000, ge=50, le=100_000, description="longer texts are truncated (and the run says how many)")
    approaches: list[ApproachName] | None = Field(None, description="approaches to run, in order")
    quick: bool = Field(False, description="CPU-sized run: fewer test examples, shorter training, no learning curve")
    seed: int = Field(0, ge=0, le=2**31 - 1, description="seed for the split, example choice and training")
    device: Literal["auto", "cpu", "cuda"] = Field("auto", description="auto picks cuda when present, else cpu")
    dtype: Precision = Field("auto", description="auto: bfloat16 on CUDA and on CPUs with AMX bf16 units (~4x float32 there; scores shift slightly), else float32")
    chat_template: Literal["auto", "on", "off"] = Field("auto", description="wrap prompts in the model's chat template when it has one")
    test_size: int | None = Field(None, ge=10, le=100_000, description="held-out test examples, the same for every approach")
    val_size: int = Field(100, ge=0, le=10_000, description="validation examples (kept out of training and test)")
    train_size: int | None = Field(None, ge=8, le=1_000_000, description="labeled examples available for training (at most)")
    eval_batch_size: int = Field(256, ge=1, le=4096, description="examples per scoring or generation batch (upper bound; batches are also capped by eval_batch_tokens)")
    eval_batch_tokens: int = Field(8192, ge=256, le=1_000_000, description="tokens per scoring or generation batch (scoring packs examples into rows with no padding)")
    train_batch_size: int = Field(16, ge=1, le=1024, description="examples per optimizer step")
    max_seq_len: int = Field(512, ge=32, le=32_768, description="longest prompt in tokens; longer inputs are cut from the text's end")
    k: int = Field(4, ge=1, le=64, description="few-shot examples in the prompt (balanced across labels)")
    lora_rank: int = Field(16, ge=1, le=512, description="LoRA rank r")
    lora_alpha: int = Field(32, ge=1, le=1024, description="LoRA alpha (scale = alpha / r)")
    lora_targets: list[str] | None = Field(None, description="module names to adapt; default per model family (all attention and MLP projections)")
    lora_lr: float = Field(1e-3, gt=0, le=1.0, description="LoRA learning rate")
    train_epochs: float | None = Field(None, gt=0, le=100, description="passes over the training examples")
    train_time_budget_s: float | None = Field(None, gt=0, le=86_400, description="a guard, not a plan: a training run still going after this many seconds stops, and its row is marked under-trained (quick mode: 600)")
    prompt_tuning_tokens: int = Field(16, ge=1, le=512, description="soft-prompt length in virtual tokens")
    prompt_tuning_lr: float = Field(3e-2, gt=0, le=10.0, description="soft-prompt learning rate")
    full_finetune_lr: float = Field(3e-5, gt=0, le=1.0, description="full fine-tune learning rate")
    learning_curve: list[int] | None = Field(None, description="training sizes for the LoRA learning curve; [] to skip")
    consistency: bool | None = Field(None, description="score 3 prompt paraphrases (and example orders) to measure brittleness")
    max_new_tokens: int = Field(96, ge=1, le=4096, description="generation budget for chain-of-thought")

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
        for name, value in _MODE_DEFAULTS["quick" if self.quick else "full"].items():
            if getattr(self, name) is None:
                setattr(self, name, list(value) if isinstance(value, list) else value)
        if not self.approaches:
            raise ValueError("approaches must name at least one approach")
        return self

    @property
    def task_name(self) -> str:
        return Path(self.data_file).stem if self.data_file else self.task
