"""The benchmark result contract (docs/ARCHITECTURE.md, contract 2).

Pure pydantic, no torch: `calculator/` imports this module to read results as data.
Bump SCHEMA_VERSION on any breaking change and keep `load_result` able to read the versions before
it (upgraded on read) or say clearly why not. Version 2 (issue 26): every row's quality is
`Quality` (the task kind's metric, its value, interval and the other metrics), since a row of a
generation or extraction task has no accuracy; classification rows keep accuracy and macro-F1.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from core.approaches import BenchmarkName, TaskKindName
from core.files import write_atomic

SCHEMA_VERSION = 2
READABLE_VERSIONS = (1, 2)  # version 1: quality only as accuracy; upgraded on read

ApproachName = BenchmarkName  # the approaches of the spec that a benchmark can run


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Environment(_Strict):
    device: str = Field(description="'cpu' or 'cuda'")
    gpu_name: str | None = None
    peak_bf16_flops: float | None = Field(None, description="dense bf16 FLOP/s of the GPU, for MFU")
    peak_flops: float | None = Field(None, description="the FLOP/s MFU is against: the GPU's spec-sheet dense bf16, "
                                     "or on CPU a measured matmul in the run's dtype (None in older files)")
    peak_basis: str | None = Field(None, description="how peak_flops was obtained")
    dtype: str | None = Field(None, description="the dtype the run's matrix products ran in, whose peak MFU is "
                              "against (None in older files, and in endpoint-only runs)")
    dtype_reason: str | None = Field(None, description="why that dtype: asked for, or auto's rule with what it "
                                     "measured (None in older files)")
    cpu_peak_flops: dict[str, float] = Field(default_factory=dict, description="CPU matmul FLOP/s measured by dtype: "
                                             "the run's, and where auto measured both to choose, both")
    machine_class: str | None = Field(None, description="cpu-avx2, cpu-avx512, cpu-amx or cuda-<gpu>")
    cpu_model: str | None = None
    cpu_flags: list[str] = Field(default_factory=list, description="the CPU's vector / matrix flags (avx2, amx_bf16, ...)")
    cpu_count: int
    cores: int | None = Field(None, description="CPU cores this run may use (its affinity); None in older files")
    world_size: int = Field(1, ge=1, description="processes the run was data-parallel over (one per device)")
    devices: list[str] = Field(default_factory=list, description="each rank's device, rank order (empty in "
                               "one-process files); peak_flops is then the sum of their peaks")
    sharding: Literal["none", "fsdp"] = Field("none", description="how the ranks held the model: none (a whole "
                                              "copy each) or fsdp (each decoder layer sharded over them)")
    python_version: str
    platform: str
    torch_version: str
    transformers_version: str
    peft_version: str

    @property
    def mfu_peak(self) -> float | None:
        """The peak MFU is computed against (older files: the GPU's bf16 peak only)."""
        return self.peak_flops or self.peak_bf16_flops


class ModelInfo(_Strict):
    name: str
    source: str = Field(description="package path, local directory or Hugging Face id")
    parameters: int
    matmul_parameters: int | None = Field(None, description="parameters each token multiplies (all but the token "
                                          "embedding and vocabulary head): the N of MFU's 2·N / 4·N per token; "
                                          "None in older files, whose MFU counted every parameter")
    dtype: str

    @property
    def flop_parameters(self) -> int:
        """The N that FLOPs per token are counted with."""
        return self.matmul_parameters or self.parameters


class TaskInfo(_Strict):
    name: str
    source: str
    kind: TaskKindName = Field("classification", description="what the answer is: a label, free text, a JSON object")
    labels: list[str] = Field(description="the labels of a classification task (empty for the text kinds)")
    verbalizers: list[str] = Field(description="the word scored for each label, same order")
    split_sizes: dict[str, int] = Field(description="train / validation / test example counts")
    seed: int


class TrainingStats(_Strict):
    seconds: float
    steps: int
    epochs: float
    tokens: int = Field(description="non-padding tokens processed in training")
    tokens_per_second: float
    peak_memory_mb: float = Field(description="CUDA peak allocated, or process RSS peak on CPU")
    flops: float = Field(description="estimate: ~4·N per token for LoRA/prompt-tuning, 6·N full")
    mfu: float | None = Field(None, description="flops / seconds / peak (Environment.mfu_peak: GPU spec sheet or measured CPU matmul)")
    trainable_parameters: int
    loss_curve: list[float] = Field(default_factory=list, description="training loss per logged step")
    planned_steps: int | None = Field(None, description="optimizer steps the configuration planned; fewer were run "
                                      "only when the time guard stopped training (None in files written before)")
    world_size: int = Field(1, ge=1, description="ranks that shared each optimizer step's batch")
    rank_tokens_per_second: list[float] = Field(default_factory=list, description="each rank's own tokens / seconds "
                                                "(rank order; empty in one-process files); tokens_per_second is their total")

    @property
    def under_trained(self) -> bool:
        """Training stopped before its plan (the time guard cut it): the accuracy is not the approach's."""
        return self.planned_steps is not None and self.steps < self.planned_steps


class AnswerExample(_Strict):
    """One test answer as a reader checks a quality number by: the input, its reference, the answer, its score."""

    index: int = Field(description="its place in the test split (predictions.csv's index)")
    text: str
    reference: str
    answer: str
    score: float = Field(description="on the row's metric, in [0, 1]")


class Quality(_Strict):
    """How good a row's answers are, on its task kind's primary metric (each example scored in [0, 1])."""

    metric: str = Field(description="accuracy (classification), chrf (generation), field_f1 (extraction), ...: "
                        "benchmarks/text_metrics.py names and explains each")
    value: float = Field(description="the mean over the test examples scored, in [0, 1]")
    interval: tuple[float, float] = Field(description="95% interval of the value (see interval_basis)")
    interval_basis: Literal["wilson", "bootstrap"] = Field(
        description="wilson: Wilson score interval of a proportion; bootstrap: percentile bootstrap of the mean")
    others: dict[str, float] = Field(default_factory=dict, description="the kind's other metrics, mean over the "
                                     "same examples (macro_f1 for classification; rouge_l, token_f1, ... for text)")
    example_scores: list[float] = Field(default_factory=list, description="each test example's score on the "
                                        "metric, in test order (text kinds; empty for classification and in "
                                        "files written before): a pass rate at any threshold comes from them")

    @classmethod
    def of_accuracy(cls, accuracy: float, interval: tuple[float, float], macro_f1: float | None) -> Quality:
        return cls(metric="accuracy", value=accuracy, interval=interval, interval_basis="wilson",
                   others={} if macro_f1 is None else {"macro_f1": macro_f1})


def _quality_from_accuracy(data):
    """A version-1 row or curve point (accuracy only) read with its Quality."""
    if isinstance(data, dict) and "quality" not in data and data.get("accuracy") is not None:
        quality = Quality.of_accuracy(data["accuracy"], tuple(data["accuracy_ci"]), data.get("macro_f1"))
        return {**data, "quality": quality}
    return data


class CurvePoint(_Strict):
    labeled_examples: int
    quality: Quality
    accuracy: float | None = Field(None, description="classification only (quality.value)")
    accuracy_ci: tuple[float, float] | None = None
    macro_f1: float | None = None

    _upgrade = model_validator(mode="before")(_quality_from_accuracy)


class Consistency(_Strict):
    """The primary metric over prompt paraphrases (and example orders): the spread is brittleness."""

    variants: list[str]
    metric: str = "accuracy"
    scores: list[float] = Field(description="the metric's value for each variant, in order")
    spread: float = Field(description="max - min score over the variants")

    @model_validator(mode="before")
    @classmethod
    def _version_1(cls, data):
        if isinstance(data, dict) and "accuracies" in data:
            data = {**data, "scores": data["accuracies"]}
            del data["accuracies"]
        return data


class SearchTrial(_Strict):
    """One candidate prompt of a prompt search and its score on the validation split."""

    candidate: str = Field(description="in words: the instruction and the examples shown, e.g. 'persona + 4 "
                           "balanced examples'")
    prompt_kind: str = Field(description="how its instruction is rendered (calculator.prompts: zero_shot, persona, "
                             "output_format)")
    variant: int = Field(description="the paraphrase of the instruction (calculator.prompts.PARAPHRASES; 0: as given)")
    shots: str = Field(description="how its examples were chosen: none, random, balanced, typical or nearest "
                       "(each input's own nearest training examples)")
    shot_ids: list[int] = Field(default_factory=list, description="its fixed examples' places in the training "
                                "split (empty for nearest: each input has its own)")
    k: int | None = Field(None, description="examples each prompt shows (nearest: per input, as many as fit); None "
                          "in older files: len(shot_ids)")
    validation_score: float = Field(description="the task kind's metric on the validation examples, in [0, 1]")
    seconds: float


class PromptSearchStats(_Strict):
    """A prompt search (benchmarks/approaches/prompt_search.py): every candidate tried on the validation split,
    in order (the validation curve), and the one chosen; only the chosen one is scored on the test split."""

    metric: str = Field(description="the metric trials were chosen by (the task kind's primary)")
    chosen: int = Field(description="the chosen trial's place in `trials`: the best validation score, the "
                        "earlier (shorter) on a tie")
    instruction: str = Field(description="the chosen prompt's instruction, as the model reads it")
    prompt: str = Field(description="the chosen prompt, {input} where the input goes (and a placeholder where "
                        "each input's own nearest examples go)")
    budget: int = Field(description="trials allowed before the run")
    trials: list[SearchTrial]
    validation_examples: int = Field(description="validation examples each trial was scored on")
    baseline_validation_score: float = Field(description="the first trial's: the zero-shot instruction as given, "
                                             "no examples")
    calls: int = Field(description="requests the search made: trials × validation examples")
    seconds: float = Field(description="wall time of the search (every trial's scoring)")
    prompt_tokens: int = Field(description="prompt tokens of every call, summed (the model's tokenizer)")
    computed_tokens: int = Field(description="tokens the model ran for them (each trial's shared prefix once)")
    usd: float | None = Field(None, description="dollars of the search's calls (endpoint rows); None on a local model")
    stopped: str | None = Field(None, description="why fewer trials ran than budgeted: 'max_usd' (the run's spending "
                                "cap) or 'candidates' (no untried candidate left); None when the budget was spent")


LATENCY_SAMPLES = 16  # single requests timed per result row (benchmarks/latency.py)
QUICK_LATENCY_SAMPLES = 8  # in quick mode: 16 single requests were ~20 s of a 4-minute CPU run
LATENCY_BASES = {
    "one_request": "Latency: one request served alone (whole prompt, batch of one), over "
                   f"{LATENCY_SAMPLES} test examples ({QUICK_LATENCY_SAMPLES} in quick mode) spread across the "
                   "input lengths.",
    "batch": "Latency: the wall time of the scoring batch each example was in (how earlier versions measured "
             "it), not comparable with one request alone.",
    "endpoint": "Latency: one request to the endpoint, client-side wall time at the run's concurrency (network and "
                "queueing included); answers from the response cache are not counted.",
}


class EndpointStats(_Strict):
    """What an endpoint arm measured per request: the provider's `usage`, the dollars, the cache."""

    requests: int = Field(description="test examples answered (sent now or found in the response cache)")
    sent: int = Field(description="requests sent in this run (the rest came from the response cache)")
    cached: int = Field(description="answers read from the response cache: no request, no new cost, no latency")
    retries: int = Field(0, description="requests repeated after a 429, a 5xx or a timeout")
    concurrency: int
    constrained: bool = Field(description="the answer was constrained to the label set (JSON schema with an enum)")
    input_tokens: float = Field(description="mean usage.prompt_tokens per request")
    cached_input_tokens: float = Field(0.0, description="mean usage.prompt_tokens_details.cached_tokens")
    output_tokens: float = Field(description="mean usage.completion_tokens (reasoning included)")
    reasoning_tokens: float = Field(0.0, description="mean usage.completion_tokens_details.reasoning_tokens")
    tiktoken_input_tokens: float | None = Field(None, description="the calculator's tiktoken count of the same prompt")
    input_tokens_difference: float | None = Field(None, description="measured minus tiktoken, mean per request")
    usd_per_request: float | None = Field(None, description="mean measured dollars per request; None without prices")
    usd_per_request_p50: float | None = None
    usd_per_request_p95: float | None = None
    usd_total: float | None = Field(None, description="dollars of every answer in the row (cached ones at their price)")
    usd_sent: float | None = Field(None, description="dollars of the requests sent in this run")
    price_source: str | None = Field(None, description="genai-prices provider/model, or 'user-given $/1M'")
    stopped: str | None = Field(None, description="why the arm stopped before the whole test split ('max_usd')")


class TeacherStats(_Strict):
    """Who labelled the training inputs a tuned row trained on, in place of their gold labels (distillation,
    benchmarks/teacher.py), how well those labels agree with gold and what they cost. The row's
    `labeled_examples` is `kept`; its test split is still scored against gold."""

    model: str = Field(description="the teacher model (the served name, or the run's local model)")
    backend: Literal["local", "endpoint"] = Field(description="local: the run's own model answering zero-shot; "
                                                  "endpoint: a model on an OpenAI-compatible server")
    endpoint_host: str | None = Field(None, description="host[:port] of an endpoint teacher (never its key)")
    provider: str | None = Field(None, description="genai-prices provider id of an endpoint teacher, if named")
    prompt: str = Field(description="the zero-shot prompt each training input was asked with ({input} in its place)")
    constrained: bool | None = Field(None, description="endpoint: answers constrained to the labels (JSON schema "
                                     "enum); false: read from the reply's text; None for a local teacher")
    answered: int = Field(description="training inputs the teacher answered: the whole training split unless "
                          "max_usd stopped it (`stopped`)")
    unparseable: int = Field(description="answers that could not be read as a label (a text kind: an empty answer, "
                             "no JSON object for extraction), dropped from training")
    kept: int = Field(description="answered - unparseable: the labels the row trained on (its labeled_examples)")
    agreement: Quality = Field(description="the kept labels against the gold labels of the same inputs, on the task "
                               "kind's metric: for classification the share equal, with its Wilson 95% interval")
    prompt_tokens: float = Field(description="mean input tokens per training input: usage.prompt_tokens (endpoint), "
                                 "the model's prompt tokens (local)")
    completion_tokens: float = Field(description="mean answer tokens per training input: usage.completion_tokens "
                                     "(endpoint), the scored label's or generated tokens (local)")
    usd_total: float | None = Field(None, description="dollars of every answer, cached ones at their price: what "
                                    "labelling the training inputs costs (usage x price); None without prices or local")
    usd_per_label: float | None = Field(None, description="usd_total / kept: one usable label, the dropped answers' "
                                        "price included")
    usd_sent: float | None = Field(None, description="dollars of the requests sent in this run (0 when every answer "
                                   "came from the response cache)")
    price_source: str | None = Field(None, description="genai-prices provider/model, or 'user-given $/1M tokens'")
    sent: int = Field(0, description="requests sent in this run (endpoint; 0 for a local teacher)")
    cached: int = Field(0, description="answers read from the response cache: nothing sent, nothing paid again")
    retries: int = Field(0, description="requests repeated after a 429, a 5xx or a timeout")
    seconds: float = Field(description="wall time of the labelling (all cached: reading the cache)")
    stopped: str | None = Field(None, description="why the teacher stopped before the whole training split ('max_usd')")


class ApproachResult(_Strict):
    approach: ApproachName
    backend: Literal["local", "endpoint"] = Field("local", description="where the approach ran (docs/ARCHITECTURE.md, arms)")
    model: str | None = Field(None, description="the model this row measured; None: the run's model")
    endpoint_host: str | None = Field(None, description="host[:port] of an endpoint row (never its key)")
    provider: str | None = Field(None, description="genai-prices provider id of an endpoint row, if named")
    config: dict = Field(default_factory=dict)
    labeled_examples: int = Field(description="labeled examples the approach consumed (k for few-shot)")
    n_test: int
    quality: Quality
    accuracy: float | None = Field(None, description="classification only: the share right (quality.value)")
    accuracy_ci: tuple[float, float] | None = Field(None, description="classification only: 95% Wilson interval")
    macro_f1: float | None = Field(None, description="classification only")
    per_class_accuracy: dict[str, float] = Field(default_factory=dict, description="classification only")
    unparseable: int = Field(0, description="answers that could not be read (no label; for extraction, no JSON object)")
    prompt_tokens_model: float = Field(description="mean prompt tokens per request, model tokenizer")
    prompt_tokens_tiktoken: float | None = Field(None, description="same prompt, tiktoken count")
    computed_tokens_model: float | None = Field(None, description="mean tokens the model ran per request: the "
                                                "prompt's shared prefix once per pass, then each input and its label "
                                                "branches (None on endpoint arms and in older files)")
    output_tokens_model: float = Field(description="mean tokens the model wrote per answer (generated, or the "
                                       "scored label's), model tokenizer; an endpoint's usage.completion_tokens")
    output_tokens_tiktoken: float | None = None
    tiktoken_encoding: str | None = None
    latency_ms_p50: float = Field(description="see latency_basis")
    latency_ms_p95: float
    latency_basis: Literal["one_request", "batch", "endpoint"] = Field(
        "batch", description="LATENCY_BASES explains each; results written before the field existed read as batch")
    batch_size: int = Field(description="most test examples in one forward pass (throughput's batches)")
    throughput_requests_per_second: float
    eval_tokens_per_second: float = Field(description="prompt tokens served per second (prefix + input per example)")
    output_tokens_per_second: float | None = Field(None, description="tokens generated per second over the test "
                                                   "split, batched (the text kinds; None for label scoring)")
    eval_mfu: float | None = Field(None, description="2·N FLOPs per token the model really ran (a shared prefix "
                                   "once, generated tokens included; N = ModelInfo.flop_parameters) ÷ time ÷ Environment.mfu_peak")
    eval_rank_tokens_per_second: list[float] = Field(default_factory=list, description="each rank's prompt tokens / "
                                                     "its own seconds on its shard of the test split (empty: one process)")
    training: TrainingStats | None = None
    search: PromptSearchStats | None = Field(None, description="a searched prompt's trials and choice; None for "
                                             "other approaches and in older files")
    learning_curve: list[CurvePoint] = Field(default_factory=list)
    consistency: Consistency | None = None
    endpoint: EndpointStats | None = None
    judge_usd: float | None = Field(None, description="dollars the judge's requests for this row cost (benchmarks/"
                                    "judge.py: each answer compared with its reference twice, the order swapped; "
                                    "measured from their usage, cached answers at their price; its score is "
                                    "quality.others['judge'], its counts config['judge']); None without a judge "
                                    "or its prices, and in older files")
    teacher: TeacherStats | None = Field(None, description="a tuned row trained on a teacher model's labels of the "
                                         "training inputs (bench --teacher-endpoint / --teacher local); None: on the "
                                         "gold labels, and in older files")
    examples: list[AnswerExample] = Field(default_factory=list, description="text kinds: its best and worst answers "
                                          "by score (benchmarks/rows.py: extremes), so a report shows what the number "
                                          "means; empty for classification and in older files")

    _upgrade = model_validator(mode="before")(_quality_from_accuracy)


class BenchmarkResult(_Strict):
    schema_version: int = SCHEMA_VERSION
    run_id: str
    created_at: str = Field(description="ISO 8601, UTC")
    status: Literal["complete", "partial", "failed"] = "complete"
    quick: bool
    environment: Environment
    model: ModelInfo
    task: TaskInfo
    approaches: list[ApproachResult]
    notes: list[str] = Field(default_factory=list)
    error: str | None = None

    def approach(self, name: str, backend: str | None = None) -> ApproachResult | None:
        """The row of `name` (on `backend`, when given; else its first row)."""
        return next((a for a in self.approaches if a.approach == name and backend in (None, a.backend)), None)


def settle_cpu_peak(result: BenchmarkResult, peak_at_end: float) -> None:
    """Keep the faster of the CPU peaks measured as the run started and as it ended, and rescale
    every MFU to it.

    A 1 s matmul at the start reads 130-180 GFLOP/s on the same idle 2-core EPYC from one run to
    the next, and lower whenever a neighbour is busy; the faster of two is closer to what the
    hardware gives, so MFU is less often flattered by a low start.
    """
    env = result.environment
    if env.device != "cpu" or not env.peak_flops or peak_at_end <= env.peak_flops:
        return
    scale = env.peak_flops / peak_at_end
    for a in result.approaches:
        a.eval_mfu = a.eval_mfu * scale if a.eval_mfu is not None else None
        if a.training and a.training.mfu is not None:
            a.training.mfu *= scale
    env.peak_flops = peak_at_end
    if env.dtype:
        env.cpu_peak_flops[env.dtype] = peak_at_end
    env.peak_basis = f"{env.peak_basis}; the faster of two measurements, as the run started and as it ended"


def drop_impossible_mfu(result: BenchmarkResult) -> str | None:
    """Clear every MFU of a run in which one exceeds 100%, and say why.

    On a CPU the peak is measured as the run starts; on a busy machine it comes out lower than what
    the run later reaches, and an MFU above 100% would be shown as a measurement.
    """
    rows = result.approaches
    mfus = [a.eval_mfu for a in rows] + [a.training.mfu for a in rows if a.training]
    if not any(m is not None and m > 1 for m in mfus):
        return None
    for a in rows:
        a.eval_mfu = None
        if a.training:
            a.training.mfu = None
    peak = result.environment.mfu_peak or 0.0
    return (f"MFU not reported: the peak measured as the run started ({peak / 1e9:,.0f} GFLOP/s) is below "
            "what the run itself reached, so the machine was busier then; measure again on an idle machine")


class ResultError(ValueError):
    """A result file that cannot be read as this schema; the message says why."""


def load_result(path: str | Path) -> BenchmarkResult:
    """Read `result.json` (or a run folder holding one)."""
    path = Path(path)
    if path.is_dir():
        path = path / "result.json"
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ResultError(f"no benchmark result at {path}") from exc
    except json.JSONDecodeError as exc:
        raise ResultError(f"{path} is not valid JSON: {exc.msg} (line {exc.lineno})") from exc
    version = raw.get("schema_version") if isinstance(raw, dict) else None
    if version not in READABLE_VERSIONS:
        raise ResultError(f"{path}: schema_version {version!r}, this version reads "
                          f"{', '.join(map(str, READABLE_VERSIONS))}")
    try:
        return BenchmarkResult.model_validate({**raw, "schema_version": SCHEMA_VERSION})
    except ValueError as exc:
        raise ResultError(f"{path} does not match the benchmark result schema: {exc}") from exc


def save_result(result: BenchmarkResult, run_dir: str | Path) -> Path:
    path = Path(run_dir) / "result.json"
    write_atomic(path, result.model_dump_json(indent=2))
    return path
