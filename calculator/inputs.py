"""Resolve a scenario into the flat numbers the cost model uses, each with unit and source.

Keys are the scenario's dotted field names (so `--set` and uncertainty ranges name the same
thing), plus derived entries (`tokens.*`, `gpu.*`, `score.*`, `pass_rate.*`, ...). Values are floats, or
numpy arrays when the Monte Carlo draws them: every formula downstream is plain arithmetic.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

import numpy as np

from calculator import prices
from calculator.approaches import pretrain, tuning
from calculator.approaches.base import (
    MAX_GPUS_PER_REPLICA,
    USABLE_MEMORY,
    gpus_per_replica,
    pass_rate,
    replica_memory_bytes,
)
from calculator.approaches.prompting import output_tokens
from calculator.approaches.tuning import served_tokens
from calculator.evaluation import EVALUATION_MARGIN, tests_needed
from calculator.fields import field_unit, get_dotted, numeric_fields
from calculator.measured import score_source
from calculator.prompts import (
    ANSWER_PLACEHOLDER,
    answer_text,
    few_shot_examples,
    render,
    scenario_frame,
)
from calculator.scenario import MeasuredTeacher, Scenario, SearchedPrompt, same_model
from calculator.scenario_io import ScenarioError
from calculator.tokens import counter_for
from core.approaches import BY_NAME, SPECS, TUNED
from core.metrics import metric_name, shown, with_name

USER = "user input"
DEFAULT = "default"
CAPPED = "capped at the teacher's agreement"  # the end of a typed score's source when its teacher capped it
Number = float | np.ndarray


@dataclass(frozen=True)
class Quantity:
    value: Number
    unit: str
    source: str


@dataclass
class Inputs(Mapping[str, Number]):
    """Numbers by name; `quantities` keeps unit and source for the tables and reports."""

    quantities: dict[str, Quantity] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    intervals: dict[str, tuple[float, float]] = field(default_factory=dict)  # measured 95% intervals

    def __getitem__(self, key: str) -> Number:
        return self.quantities[key].value

    def __iter__(self) -> Iterator[str]:
        return iter(self.quantities)

    def __len__(self) -> int:
        return len(self.quantities)

    def add(self, key: str, value: Number, unit: str, source: str) -> None:
        self.quantities[key] = Quantity(value, unit, source)

    def with_values(self, values: Mapping[str, Number]) -> Inputs:
        """A copy with some values replaced (sources kept): used for sensitivity and draws."""
        updated = dict(self.quantities)
        for key, value in values.items():
            old = updated[key]
            updated[key] = Quantity(value, old.unit, old.source)
        return Inputs(updated, list(self.notes), dict(self.intervals))


def _user_set(scenario: Scenario, dotted: str) -> bool:
    node = scenario
    for part in dotted.split("."):
        if part not in node.model_fields_set:
            return False
        node = getattr(node, part)
    return True


def resolve_inputs(scenario: Scenario) -> Inputs:
    """Every number the cost model reads, with where it came from. Raises PriceNotFound, or
    ScenarioError for an absolute uncertainty range that does not contain its value."""
    inputs = Inputs()
    for dotted in numeric_fields():
        value = get_dotted(scenario, dotted)
        if value is not None:
            source = USER if _user_set(scenario, dotted) else DEFAULT
            inputs.add(dotted, float(value), field_unit(dotted), source)
    _add_evaluation_labels(scenario, inputs)
    _add_api_prices(scenario, inputs)
    _add_gpu(scenario, inputs)
    _add_tokens(scenario, inputs)
    _add_finetune_provider(scenario, inputs)
    _add_teacher(scenario, inputs)
    _add_scores(scenario, inputs)
    _add_score_is_pass_rate(scenario, inputs)
    _add_measured(scenario, inputs)
    _check_serving_fit(scenario, inputs)
    _note_unpriced_errors(scenario, inputs)
    _check_ranges(scenario, inputs)
    return inputs


def _note_unpriced_errors(scenario: Scenario, inputs: Inputs) -> None:
    """Errors are priced, but an approach's error rate is unknown: its error cost is unknown, not zero. A text
    task's error rate is its pass rate's complement, which only a run's per-example scores give."""
    if not scenario.quality.cost_per_error_usd and "quality.cost_per_error_usd" not in scenario.uncertainty:
        return
    metric = metric_name(scenario.metric)
    for name in scenario.approaches:
        if pass_rate(inputs, name) is not None:
            continue
        why = (f"has no known {metric}" if scenario.metric == "accuracy" else
               f"has no measured pass rate (its share of answers with {metric} ≥ "
               f"{shown(scenario.metric, scenario.pass_threshold)}; a typed {metric} is a mean and does not say it)")
        inputs.notes.append(
            f"{name} {why}: its error cost (at ${scenario.quality.cost_per_error_usd:g} per error) is not "
            f"priced and its TCO leaves errors out; benchmark it{' or set quality.scores.' + name if scenario.metric == 'accuracy' else ''}."
        )


def _add_score_is_pass_rate(scenario: Scenario, inputs: Inputs) -> None:
    """Whether the score itself is the share of right answers (accuracy), so errors are 1 − score."""
    is_rate = scenario.metric == "accuracy"
    inputs.add("quality.score_is_pass_rate", float(is_rate), "1 = yes",
               f"formula: the task's metric is {metric_name(scenario.metric)}"
               + (", a share of right answers" if is_rate else ", not a share of right answers"))


def _check_ranges(scenario: Scenario, inputs: Inputs) -> None:
    """An absolute range must contain its value: drawing 200k–250k for a 400k volume prices another
    scenario. Raises ScenarioError naming the field."""
    for key, span in scenario.uncertainty.items():
        if key in inputs and not span.relative and not span.low <= float(inputs[key]) <= span.high:
            raise ScenarioError(
                f"uncertainty.{key}: the range {span} does not contain the value "
                f"{float(inputs[key]):,.10g}; give a range around it, or a relative one "
                f"(e.g. {{pct: 30}} for ±30%) that follows the value",
                field="uncertainty",
            )


def _add_evaluation_labels(scenario: Scenario, inputs: Inputs) -> None:
    """The test set each approach is evaluated on: the scenario's, else enough for ±2 points at 95%
    around the target (t(1 − t) bounds the variance of any score in [0, 1] with mean t) (the size the recommendation asks for, calculator/evaluation.py)."""
    if scenario.labeling.evaluation_labels is None:
        target = scenario.quality.target
        inputs.add("labeling.evaluation_labels", float(tests_needed(target, EVALUATION_MARGIN)), "labels",
                   f"formula: 1.96² × {target:g} × (1 − {target:g}) / {EVALUATION_MARGIN:g}², a 95% interval "
                   f"of ±{EVALUATION_MARGIN * 100:g} points at the target (the widest a score in [0, 1] can need)")


def _check_serving_fit(scenario: Scenario, inputs: Inputs) -> None:
    """Each self-hosted model must fit on one node's GPUs: raises ScenarioError naming the memory
    it needs and what the largest replica holds."""
    served: dict[tuple[float, str], float] = {}  # (model size, its KV key) -> longest served request
    for name in scenario.approaches:
        spec = BY_NAME[name]
        if spec.family == "pretraining":
            model = (inputs["pretrain.model_params"], pretrain.KV_KEY)
        elif spec.family == "tuning" and not (tuning.uses_provider(inputs, spec)
                                               and "provider_ft.input_usd_per_mtok" in inputs):
            model = (inputs["finetuning.base_model_params"], tuning.KV_KEY)
        else:
            continue
        served[model] = max(served.get(model, 0.0), served_tokens(inputs, spec))
    for (params, kv_key), tokens in served.items():
        if gpus_per_replica(inputs, params, tokens, kv_key) <= MAX_GPUS_PER_REPLICA:
            continue
        weights, kv = replica_memory_bytes(inputs, params, tokens, kv_key)
        holds = MAX_GPUS_PER_REPLICA * inputs["gpu.memory_gb"] * USABLE_MEMORY
        raise ScenarioError(
            f"hosting.gpu: a {params / 1e9:,.4g}B-parameter model at {inputs['hosting.bytes_per_param']:g} "
            f"bytes/parameter needs {weights / 1e9:,.1f} GB of weights + {kv / 1e9:,.1f} GB of KV cache "
            f"({inputs['hosting.concurrent_requests']:g} concurrent requests × {tokens:,.0f} tokens), but "
            f"{MAX_GPUS_PER_REPLICA} × {scenario.hosting.gpu} (one node) hold {holds:,.1f} GB "
            f"({USABLE_MEMORY:.0%} of {inputs['gpu.memory_gb']:g} GB each); choose a GPU with more memory, "
            "fewer bytes per parameter (hosting.bytes_per_param) or fewer concurrent requests",
            field="hosting.gpu",
        )


def _add_api_prices(scenario: Scenario, inputs: Inputs) -> None:
    api = scenario.api
    overridden = {
        "api.input_usd_per_mtok": api.input_usd_per_mtok,
        "api.output_usd_per_mtok": api.output_usd_per_mtok,
        "api.cached_input_usd_per_mtok": api.cached_input_usd_per_mtok,
    }
    table = None
    if api.input_usd_per_mtok is None or api.output_usd_per_mtok is None:
        table = prices.api_token_prices(api.model, api.provider_id)
    for key, attr in (("api.input_usd_per_mtok", "input"), ("api.output_usd_per_mtok", "output"),
                      ("api.cached_input_usd_per_mtok", "cached_input")):
        if overridden[key] is None:
            if table is None:  # both main prices overridden: cached defaults to the input price
                inputs.add(key, inputs["api.input_usd_per_mtok"], "USD/1M tokens",
                           "formula: equals api.input_usd_per_mtok (no cached price given)")
            else:
                inputs.add(key, getattr(table, attr), "USD/1M tokens", table.source)
    if table is not None:
        inputs.add("api.cache_write_usd_per_mtok", table.cache_write, "USD/1M tokens", f"{table.source} (cache write)")
        inputs.add("api.batch_input_usd_per_mtok", table.batch_input, "USD/1M tokens",
                   f"{table.source} (batch)")
        inputs.add("api.batch_output_usd_per_mtok", table.batch_output, "USD/1M tokens",
                   f"{table.source} (batch)")
    else:
        inputs.add("api.cache_write_usd_per_mtok", inputs["api.input_usd_per_mtok"], "USD/1M tokens",
                   "formula: equals api.input_usd_per_mtok (overridden price)")
        for side in ("input", "output"):
            inputs.add(f"api.batch_{side}_usd_per_mtok", inputs[f"api.{side}_usd_per_mtok"],
                       "USD/1M tokens", f"formula: equals api.{side}_usd_per_mtok (overridden price)")
    _add_provider_rules(scenario, inputs)


def _add_provider_rules(scenario: Scenario, inputs: Inputs) -> None:
    """The provider's minimum cacheable prefix and the model family's hidden reasoning tokens."""
    api = scenario.api
    rule = prices.min_cacheable_tokens(api.model, api.provider_id)
    if rule is None:
        inputs.add("api.min_cacheable_tokens", 0.0, "tokens",
                   f"formula: no caching rule for {api.provider_id} in data/provider_rules.yaml (any prefix)")
    else:
        inputs.add("api.min_cacheable_tokens", rule.value, "tokens", rule.source)
    if api.reasoning_tokens_per_request is None:
        rule = prices.default_reasoning_tokens(api.model, api.provider_id)
        value, source = (0.0, f"default: {api.model} is not a reasoning model") if rule is None else \
            (rule.value, rule.source)
        inputs.add("api.reasoning_tokens_per_request", value, "tokens/request", source)


def _add_gpu(scenario: Scenario, inputs: Inputs) -> None:
    """The serving (and fine-tuning) GPU, and the pretraining run's own GPU type."""
    for section, peak in (("hosting", "gpu.peak_flops"), ("pretrain", "gpu.pretrain.peak_flops")):
        chosen = getattr(scenario, section)
        row = prices.gpu(chosen.gpu)
        table_source = f"data/gpu_prices.yaml: {row.name} ({row.source}; checked {row.checked})"
        if chosen.gpu_usd_per_hour is None:
            inputs.add(f"{section}.gpu_usd_per_hour", row.usd_per_hour, "USD/GPU-hour", table_source)
        inputs.add(peak, row.peak_bf16_tflops * 1e12, "FLOP/s", table_source)
        if section == "hosting":
            inputs.add("gpu.memory_gb", row.memory_gb, "GB", table_source)
            inputs.add("gpu.memory_bytes_per_second", row.memory_tbs * 1e12, "bytes/s", table_source)


def _add_tokens(scenario: Scenario, inputs: Inputs) -> None:
    """Prompt and cacheable-prefix tokens per prompt kind; answer tokens per answer format."""
    task = scenario.task
    counter = counter_for(scenario.api.model, scenario.api.tiktoken_encoding)
    if not counter.exact:
        inputs.notes.append(f"Token counts are estimates: {counter.note}.")
    src = f"{counter.source}, mean over {len(task.sample_inputs)} sample input(s)"
    frame = scenario_frame(task)
    shots = few_shot_examples(task)
    unseen = _unseen_shot_tokens(scenario, counter.count(ANSWER_PLACEHOLDER))
    for kind in dict.fromkeys(s.prompt_kind for s in SPECS if task.kind in s.task_kinds):
        template = render(kind, frame, shots if kind == "few_shot" else ())
        added, why = unseen if kind == "few_shot" and unseen else (0.0, "")
        inputs.add(f"tokens.{kind}.input", counter.mean(template.text(t) for t in task.sample_inputs) + added,
                   "tokens/request", src + why)
        inputs.add(f"tokens.{kind}.prefix", float(counter.count(template.prefix)) + added,
                   "tokens/request", f"{counter.source}: the fixed part of the prompt{why}")
    if task.kind == "classification":
        labels = f"{counter.source}, mean over the {len(task.labels)} labels"
        inputs.add("tokens.answer", counter.mean(" " + label for label in task.labels), "tokens/request", labels)
        inputs.add("tokens.json_answer", counter.mean(" " + answer_text("output_format", label)
                                                      for label in task.labels), "tokens/request", labels)
        return
    if task.output_tokens is not None:
        answer, source = task.output_tokens, USER if task.sample_outputs == [] else \
            f"{USER} (task.output_tokens, used instead of the {len(task.sample_outputs)} sample outputs)"
    else:
        answer, source = counter.mean(task.sample_outputs), \
            f"{counter.source}, mean over the {len(task.sample_outputs)} sample outputs"
    inputs.add("tokens.answer", answer, "tokens/request", source)
    if task.kind == "extraction":  # the JSON object is the answer itself, whatever the prompt
        inputs.add("tokens.json_answer", answer, "tokens/request", source)


def _unseen_shot_tokens(scenario: Scenario, placeholder: int) -> tuple[float, str] | None:
    """A text task given an answer length but no sample outputs or examples: its few-shot prompt shows
    k answers of that length, which the rendered prompt holds only as placeholders."""
    task = scenario.task
    if task.kind == "classification" or task.sample_outputs or task.few_shot_examples:
        return None
    added = task.few_shot_k * (task.output_tokens - placeholder)
    return added, f" + {task.few_shot_k} example answers of task.output_tokens ({task.output_tokens:g}) each"


def _add_finetune_provider(scenario: Scenario, inputs: Inputs) -> None:
    """The hosted fine-tuning row: its training price, its per-token serving prices (tuned and base)
    or none where it serves on dedicated deployments, and which tuned approaches it trains."""
    tuned = scenario.finetuning
    if tuned.hosting != "provider":
        return
    provider = tuned.provider_id or scenario.api.provider_id
    row = prices.finetune_offer(tuned.provider_base_model, provider)
    source = row.table_source
    inputs.add("provider_ft.training_usd_per_mtok", row.training_usd_per_mtok, "USD/1M tokens", source)
    if row.serving == "per_token":
        for key, value in (("input", row.tuned_input_usd_per_mtok), ("output", row.tuned_output_usd_per_mtok),
                           ("base_input", row.base_input_usd_per_mtok), ("base_output", row.base_output_usd_per_mtok)):
            inputs.add(f"provider_ft.{key}_usd_per_mtok", value, "USD/1M tokens", source)
    else:
        inputs.notes.append(f"{provider} serves tuned models only on dedicated deployments: serving is "
                            f"priced as a fleet of {scenario.hosting.gpu} at hosting.gpu_usd_per_hour.")
    for name in TUNED:
        if not BY_NAME[name].provider_trainable:
            continue
        hosted = name in row.approaches
        inputs.add(f"provider_ft.hosts.{name}", float(hosted), "1 = trained at the provider", source)
        if not hosted and name in scenario.approaches:
            inputs.notes.append(f"{provider}/{row.model} does not sell {BY_NAME[name].title}: it is trained "
                                "and served on own GPUs.")


def _add_teacher(scenario: Scenario, inputs: Inputs) -> None:
    """What one teacher label costs: its prompt (counted as the prompt kind's) and its answer (with the
    written reasoning of chain-of-thought) at the teacher model's prices; a run with a teacher replaces
    the counts with its measured usage, the agreement with its measured one and, where it was priced,
    the cost per label with usage × price."""
    taught = taught_approaches(scenario)
    if not taught:
        return
    model, provider = teacher_model(scenario)
    if same_model(model, scenario.api.model) and provider == scenario.api.provider_id:
        price_in, price_out = inputs["api.input_usd_per_mtok"], inputs["api.output_usd_per_mtok"]
        source = f"the API model's prices ({model})"
    else:
        table = prices.api_token_prices(model, provider)
        price_in, price_out, source = table.input, table.output, table.source
    spec = BY_NAME[scenario.teacher.prompt]
    hidden = 0.0 if same_model(model, scenario.api.model) else inputs["api.reasoning_tokens_per_request"]
    inputs.add("teacher.input_usd_per_mtok", float(price_in), "USD/1M tokens", source)
    inputs.add("teacher.output_usd_per_mtok", float(price_out), "USD/1M tokens", source)
    inputs.add("teacher.prompt_tokens", inputs[f"tokens.{spec.prompt_kind}.input"], "tokens/label",
               f"{spec.title}'s prompt tokens, as counted for that approach")
    inputs.add("teacher.output_tokens", output_tokens(inputs, spec) - hidden, "tokens/label",
               f"{spec.title}'s answer tokens" + (" with its written reasoning" if spec.reasons else ""))
    if (measured := measured_teacher(scenario)) is not None:
        run = f"benchmark run {scenario.measured.run_id}: the teacher {measured.model} ({measured.backend})"
        inputs.add("teacher.prompt_tokens", measured.prompt_tokens, "tokens/label", f"{run}, mean usage")
        inputs.add("teacher.output_tokens", measured.output_tokens, "tokens/label", f"{run}, mean usage")
        inputs.add("teacher.agreement", measured.agreement, "fraction", f"{run}, agreement with gold labels")
        inputs.intervals["teacher.agreement"] = tuple(measured.interval)
        if measured.usd_per_label is not None:
            inputs.add("teacher.usd_per_label", measured.usd_per_label, "USD/label", f"{run}, usage × price")
    for name in taught:
        inputs.add(f"teacher.labels.{name}", 1.0, "1 = trained on the teacher's labels", USER)


def measured_teacher(scenario: Scenario) -> MeasuredTeacher | None:
    """The teacher an applied run measured (its rows trained on its labels), if any."""
    rows = scenario.measured.approaches.values() if scenario.measured else ()
    return next((row.teacher for row in rows if row.teacher is not None), None)


def taught_approaches(scenario: Scenario) -> list[str]:
    """The tuned approaches trained on a teacher's labels: those the scenario says, and an applied run's."""
    measured = [name for name, row in scenario.measured.approaches.items()
                if row.teacher is not None] if scenario.measured else []
    return list(dict.fromkeys([*scenario.teacher.approaches, *measured]))


def teacher_model(scenario: Scenario) -> tuple[str, str]:
    """(model, provider) of the scenario's teacher: an applied run's, else its own, else the API model's."""
    teacher = scenario.teacher
    measured = measured_teacher(scenario)
    if measured is not None and measured.backend == "endpoint":
        return measured.model, teacher.provider_id or scenario.api.provider_id
    return teacher.model or scenario.api.model, teacher.provider_id or scenario.api.provider_id


def _add_scores(scenario: Scenario, inputs: Inputs) -> None:
    """Typed scores, each only on the model it was typed for: one typed for another model is left out. A
    student of a teacher is capped at the teacher's agreement, and unknown while that is."""
    unit = metric_name(scenario.metric)
    elsewhere = scenario.typed_elsewhere()
    teacher, agreement = scenario.teacher, scenario.teacher.agreement
    for approach, value in scenario.quality.scores.items():
        name = BY_NAME[approach].title
        if approach in elsewhere:
            inputs.notes.append(f"{name}: its {with_name(scenario.metric, value, 0)} was typed for "
                                f"{elsewhere[approach]}, not {scenario.priced_model(approach)}: not used.")
        elif approach in teacher.approaches and agreement is None:
            inputs.notes.append(f"{name} trains on {teacher_model(scenario)[0]}'s labels: its typed "
                                f"{with_name(scenario.metric, value, 0)} is not used until the teacher's agreement "
                                "with gold labels is known (teacher.agreement, or a run with a teacher).")
        elif approach in teacher.approaches and value > agreement:
            inputs.add(f"score.{approach}", agreement, unit,
                       f"user input {shown(scenario.metric, value, 0)}, {CAPPED}")
        else:
            inputs.add(f"score.{approach}", value, unit, USER)


def _add_searched_prompt(scenario: Scenario, inputs: Inputs, approach: str, chosen: SearchedPrompt, row: str) -> None:
    """The prompt a search chose, rendered for the scenario's own task (its kind, paraphrase and examples):
    the tokens `approach` is priced with in place of its prompt kind's. Examples chosen per request (its
    nearest) are as many, but not in the fixed part a provider caches."""
    counter = counter_for(scenario.api.model, scenario.api.tiktoken_encoding)
    pool, frame = few_shot_examples(scenario.task), scenario_frame(scenario.task)
    template = render(chosen.kind, frame, (pool * chosen.shots)[:chosen.shots], chosen.variant)
    fixed = render(chosen.kind, frame, variant=chosen.variant, per_input=True) if chosen.per_input else template
    shown = f"{chosen.shots} nearest examples per request" if chosen.per_input else f"{chosen.shots} examples"
    what = f"{row}: the chosen prompt ({chosen.kind}, paraphrase {chosen.variant}, {shown})"
    inputs.add(f"tokens.{approach}.input", counter.mean(template.text(t) for t in scenario.task.sample_inputs),
               "tokens/request", f"{what}, {counter.source} over the scenario's sample inputs")
    inputs.add(f"tokens.{approach}.prefix", float(counter.count(fixed.prefix)), "tokens/request",
               f"{what}: its fixed part" + (", before the examples" if chosen.per_input else ""))


def _add_measured(scenario: Scenario, inputs: Inputs) -> None:
    """A run's scores (with their intervals), labels, answer lengths and pass rates replace the typed ones."""
    measured = scenario.measured
    if measured is None:
        return
    source = f"benchmark run {measured.run_id} ({measured.model} on {measured.device})"
    threshold = scenario.pass_threshold
    for approach, numbers in measured.approaches.items():
        row = score_source(scenario, approach)
        inputs.add(f"score.{approach}", numbers.score, metric_name(numbers.metric), row)
        inputs.intervals[f"score.{approach}"] = tuple(numbers.interval)
        if numbers.labeled_examples:  # the labels that bought the measured score are the ones priced
            inputs.add(f"labels.{approach}", float(numbers.labeled_examples), "labels",
                       f"{row}: labels its search used" if numbers.prompt else f"{row}: labels it was trained on")
        if numbers.prompt:
            _add_searched_prompt(scenario, inputs, approach, numbers.prompt, row)
        if numbers.output_tokens is not None:
            inputs.add(f"tokens.output.{approach}", numbers.output_tokens, "tokens/request",
                       f"{row}: mean tiktoken count of its answers")
        rate = numbers.pass_rate(threshold)
        if rate is not None and scenario.task.kind != "classification":
            inputs.add(f"pass_rate.{approach}", rate, "fraction",
                       f"{row}: share of its {len(numbers.example_scores)} test answers with "
                       f"{metric_name(numbers.metric)} ≥ {shown(numbers.metric, threshold)}")
    if measured.training_mfu is not None:
        inputs.add("finetuning.training_mfu", measured.training_mfu, "fraction", source)
    if measured.serving_requests_per_gpu_second is not None and \
            scenario.hosting.serving_requests_per_gpu_second is None:
        inputs.add("hosting.serving_requests_per_gpu_second",
                   measured.serving_requests_per_gpu_second, "requests/s",
                   f"{source}, scaled to finetuning.base_model_params by parameter count")
