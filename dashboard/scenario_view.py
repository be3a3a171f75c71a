"""The Scenario page: the task's kind first, then every input it uses, grouped, with units and help;
save, load and share."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd
import streamlit as st

from calculator.fields import CHOICE_WORDS, choice_label, numeric_fields
from calculator.measured import applied_summary
from calculator.prices import finetune_table, gpu_table
from calculator.recommend.wording import Scale
from calculator.scenario import NOT_RANGED, Scenario
from calculator.scenario_io import (
    MAX_SCENARIO_BYTES,
    ScenarioError,
    parse_scenario_text,
    scenario_to_text,
    with_metric,
    with_task_kind,
)
from core.approaches import ANSWER_WORDS, SPECS, TASK_KINDS, TUNED, spec, title
from core.metrics import METRICS, PRIMARY, TARGET_METRICS, metric_name
from dashboard import api_picker, fields, state
from dashboard.fields import callback, choice_field, help_of, number_grid, text_field
from dashboard.state import widget_key
from dashboard.text import escape_md, in_words, opening
from reporting.grid import number

ENCODINGS = [None, "cl100k_base", "o200k_base", "p50k_base"]
UPLOAD_KEY, UPLOADED_ID = "scenario_upload", "scenario_upload_id"
UNCERTAINTY = "uncertainty"
NEW_RANGE = {"minus_pct": 25.0, "plus_pct": 25.0}
KIND, METRIC = "task.kind", "quality.metric"
TEACHER = "teacher.approaches"  # the tuned approaches trained on a teacher model's labels


def _numbers(prefix: str) -> list[str]:
    return [f for f in numeric_fields() if f.startswith(prefix)]


def _save_and_load() -> None:
    scenario = state.scenario()
    cols = st.columns([1, 1, 2])
    cols[0].download_button("Download YAML", scenario_to_text(scenario, "yaml"),
                            file_name="scenario.yaml", mime="application/x-yaml")
    cols[1].download_button("Download JSON", scenario_to_text(scenario, "json"),
                            file_name="scenario.json", mime="application/json")
    upload = cols[2].file_uploader("Load a scenario file (YAML or JSON)", type=["yaml", "yml", "json"],
                                   key=UPLOAD_KEY)
    if upload is None or st.session_state.get(UPLOADED_ID) == upload.file_id:
        return
    st.session_state[UPLOADED_ID] = upload.file_id
    try:
        if upload.size > MAX_SCENARIO_BYTES:
            raise ScenarioError(f"{upload.size:,} bytes is over the {MAX_SCENARIO_BYTES:,}-byte scenario limit")
        text = upload.getvalue().decode("utf-8")
        suffix = ".json" if upload.name.lower().endswith(".json") else ".yaml"
        state.set_scenario(parse_scenario_text(text, suffix), preset_name=state.preset())
    except UnicodeDecodeError:
        st.error("The scenario file is not UTF-8 text; nothing was changed.")
    except ScenarioError as exc:
        st.error(f"The scenario file was not loaded: {in_words(exc)}")
    else:
        st.rerun()


def _replaced(key: str, dotted: str, make: Callable[[Scenario, Any], Scenario]) -> None:
    """A choice that remakes the whole scenario (its task kind, its metric): the scenario `make` returns for
    the widget's value, nothing of the old choice kept, every widget redrawn; its error shown under `dotted`."""
    if key not in st.session_state:  # a widget of a scenario replaced in this same rerun
        return
    try:
        new = make(state.scenario(), st.session_state[key])
    except ScenarioError as exc:
        st.session_state[state.ERRORS][dotted] = in_words(exc, dotted)
        return
    state.set_scenario(new)


def _kind() -> None:
    """What the answer is: asked first, as it decides which inputs the page shows."""
    kind = state.scenario().task.kind
    key = widget_key("main", KIND)
    st.columns(2)[0].selectbox(
        "Task kind", list(TASK_KINDS), format_func=lambda k: f"{k}: {ANSWER_WORDS[k]}",
        help=f"{help_of(KIND)} Changing it starts the answers (labels, sample outputs, fields), the target and "
             "the typed scores afresh, keeps only the approaches that can answer it, and un-applies a benchmark run.",
        **({} if key in st.session_state else {"index": TASK_KINDS.index(kind)}),
        key=key, on_change=_replaced, args=(key, KIND, with_task_kind))
    fields.show_error(KIND)


def _workload() -> None:
    text_field("name", "Scenario name", "Shown on the pages and in reports.")
    number_grid(_numbers("workload."))
    kind = state.scenario().task.kind
    key = widget_key("main", "approaches")
    st.multiselect("Approaches compared", [s.name for s in SPECS if kind in s.task_kinds], format_func=title,
                   help=f"Approaches priced and ranked (those that can answer a {kind} task).",
                   **({} if key in st.session_state else {"default": state.scenario().approaches}),
                   **callback(key, "approaches"))
    fields.show_error("approaches")


def _task_numbers() -> list[str]:
    """The task's numbers its kind and approaches use: an answer length for a text task, reasoning for an
    approach that reasons before its answer (chain-of-thought)."""
    scenario = state.scenario()
    unused = set()
    if scenario.task.kind == "classification":
        unused.add("task.output_tokens")
    if not any(spec(name).reasons for name in scenario.approaches):
        unused.add("task.reasoning_tokens")
    return [f for f in _numbers("task.") if f not in unused]


def _sample_inputs() -> None:
    text_field("task.sample_inputs", "Sample inputs (one per line)",
               "Typical inputs; token counts are averaged over them.", lines=True)


def _prompting() -> None:
    """The task's answers as its kind has them: labels for classification; sample outputs (and an extraction's
    fields) for a text task."""
    kind = state.scenario().task.kind
    text_field("task.instructions", "Instructions", "The instruction every prompt starts with.", area=True)
    left, right = st.columns(2)
    if kind == "classification":
        with left:
            text_field("task.labels", "Labels (one per line)", "The answers the model may give.", lines=True)
        with right:
            _sample_inputs()
    else:
        with left:
            _sample_inputs()
            if kind == "extraction":
                text_field("task.fields", "Fields (one per line)", "The names of the fields the JSON answer holds.",
                           lines=True)
        with right:
            text_field("task.sample_outputs", "Sample outputs (one per line)",
                       f"Typical answers ({ANSWER_WORDS[kind]} each); output tokens per request are their mean "
                       "token count unless Output tokens is set.", lines=True)
    number_grid(_task_numbers())
    with api_picker.render():
        choice_field("api.tiktoken_encoding", ENCODINGS, "Tokenizer",
                     "Force a tiktoken encoding; empty: the model's own (or o200k_base).",
                     format_func=lambda e: e or "model's own")
    number_grid(_numbers("api."))


def _finetuning() -> None:
    cols = st.columns(3)
    with cols[0]:
        text_field("finetuning.base_model", "Base model", "Open model that gets tuned.")
    with cols[1]:
        choice_field("finetuning.hosting", list(CHOICE_WORDS["finetuning.hosting"]), "Tuned model hosting",
                     "Serve on own GPUs, or fine-tune and serve at the API provider.",
                     format_func=lambda value: choice_label("finetuning.hosting", value))
    with cols[2]:
        choice_field("finetuning.provider_base_model", sorted({m for _, m in finetune_table()}),
                     "Provider model to fine-tune", "Used when the tuned models are fine-tuned at the provider.")
    number_grid(_numbers("finetuning."))
    st.markdown("**Labels and engineering time**")
    number_grid(_numbers("labeling.") + _numbers("team."))
    _teacher()


def _teacher() -> None:
    """Who labels the training data: people, or a teacher model (distillation) with a reviewed share."""
    st.markdown("**Labels from a teacher model** (distillation: an API model labels the training inputs, "
                "a person reviews a share; the student is capped at the teacher's agreement with gold labels)")
    scenario = state.scenario()
    key = widget_key("main", TEACHER)
    st.multiselect("Trained on the teacher's labels", [n for n in scenario.approaches if n in TUNED],
                   format_func=title, help="Empty: people label the training data of every tuned approach.",
                   **({} if key in st.session_state else {"default": scenario.teacher.approaches}),
                   **callback(key, TEACHER))
    fields.show_error(TEACHER)
    cols = st.columns(2)
    with cols[0]:
        text_field("teacher.model", "Teacher model",
                   f"An API model genai-prices prices; empty: the API model ({scenario.api.model}).")
    with cols[1]:
        choice_field("teacher.prompt", ["zero_shot", "few_shot", "chain_of_thought"], "Teacher prompt",
                     "How the teacher is asked for each label: its tokens are counted as that prompt's.",
                     format_func=title)
    number_grid(_numbers("teacher."))


def _hosting() -> None:
    choice_field("hosting.gpu", list(gpu_table()), "GPU type", "Priced from data/gpu_prices.yaml.")
    number_grid(_numbers("hosting."))
    st.markdown("**Training from scratch**")
    number_grid(_numbers("pretrain."))


def _score_changed(name: str, key: str, shown_per_unit: float) -> None:
    if key not in st.session_state:  # a widget of a scenario replaced in this same rerun
        return
    scores = dict(state.scenario().quality.scores)
    value = st.session_state[key]
    if value is None:
        scores.pop(name, None)
    else:
        scores[name] = value / shown_per_unit
    state.change_field("quality.scores", scores, from_key=key)


def _score_inputs(scenario: Scenario) -> None:
    """One box per approach on the target's scale: a share (accuracy, a pass rate) in percent as the target
    slider shows it, chrF or field F1 as a 0-1 fraction; the scenario keeps the fraction either way."""
    percent = METRICS[scenario.metric].unit == "percent" if scenario.metric in METRICS else False
    per_unit, scale = (100.0, "%") if percent else (1.0, "0-1")
    name = opening(Scale(scenario.metric).name)
    st.markdown(f"**{escape_md(name)} per approach** ({scale}; a benchmark run overrides it; empty = unknown)")
    scores, elsewhere = scenario.quality.scores, scenario.typed_elsewhere()
    cols = st.columns(4)
    for i, approach in enumerate(scenario.approaches):
        key = widget_key("main", f"quality.scores.{approach}")
        typed = scores.get(approach)
        if approach in elsewhere:
            cols[i % 4].caption(f":orange[Typed for {escape_md(elsewhere[approach])}, not used with "
                                f"{escape_md(scenario.priced_model(approach))}]: type a new value to use it.")
        cols[i % 4].number_input(f"{title(approach)} ({scale})", min_value=0.0, max_value=per_unit,
                                 step=per_unit / 100, format="%.1f" if percent else "%.3f", key=key,
                                 on_change=_score_changed, args=(approach, key, per_unit),
                                 **({} if key in st.session_state else
                                    {"value": None if typed is None else typed * per_unit}))


def _metric() -> None:
    """The metric the target is on: the kind's own, or another the kind may be decided on."""
    scenario = state.scenario()
    kind = scenario.task.kind
    own = PRIMARY[kind]
    options = ["", *(m for m in TARGET_METRICS[kind] if m != own)]  # "": the kind's own (None would read as unset)
    key = widget_key("main", METRIC)
    st.selectbox("Target metric", options,
                 format_func=lambda m: metric_name(m) if m else f"{metric_name(own)} (the {kind} task's own)",
                 help=f"{help_of(METRIC)} Changing it clears the scores typed on the old one (and an applied run).",
                 **({} if key in st.session_state else {"index": options.index(scenario.quality.metric or "")}),
                 key=key, on_change=_replaced, args=(key, METRIC, with_metric), disabled=len(options) == 1)
    fields.show_error(METRIC)


def _quality() -> None:
    _metric()
    scenario = state.scenario()
    metric = opening(Scale(scenario.metric).name)
    shown = [f for f in _numbers("quality.")  # right or wrong: a label has no pass threshold
             if f != "quality.pass_threshold" or scenario.task.kind != "classification"]
    number_grid(shown + _numbers("constraints."),
                labels={"quality.target": f"{metric} target ({'%' if fields.in_percent('quality.target') else '0-1'})"})
    key = widget_key("main", "quality.needs_consistent_output")
    st.checkbox("Outputs must be consistent across phrasing",
                **({} if key in st.session_state else
                   {"value": state.scenario().quality.needs_consistent_output}),
                help="Weighs a measured paraphrase spread against prompting.",
                **callback(key, "quality.needs_consistent_output"))
    _score_inputs(scenario)
    fields.show_error("quality.scores")
    if scenario.measured:  # what the applied run overrides, and the rows it left out
        st.info(escape_md(applied_summary(scenario)))


def _add_range(key: str) -> None:
    """A new input to range: ±25% of its value to start with (the tornado's default swing)."""
    dotted = st.session_state.get(key)
    if dotted:
        ranges = {k: r.model_dump(exclude_none=True) for k, r in state.scenario().uncertainty.items()}
        state.change_field(UNCERTAINTY, {**ranges, dotted: dict(NEW_RANGE)})


# The uncertainty table's number columns, as text: an empty cell is blank (a grid draws a missing number as
# "None"), and what a blank means is each column's help.
RANGE_ENDS = {
    "minus_pct": ("minus %", "How far below the value the range reaches, in % of it; blank for an absolute range."),
    "plus_pct": ("plus %", "How far above the value the range reaches, in % of it; blank for an absolute range."),
    "low": ("low", "The range's lower end in the input's unit; blank for a range relative to the value."),
    "high": ("high", "The range's upper end in the input's unit; blank for a range relative to the value."),
}
NUMBER_OR_EMPTY = r"^\s*(-?[0-9][0-9,]*(\.[0-9]*)?|-?\.[0-9]+)?\s*$"


def _range_end(value: float | None) -> str:
    return "" if value is None else number(value)


def _typed(text: str | None) -> float | None:
    """A range end as typed ("1,500,000", "25", ""): the number, or None for a blank cell."""
    cleaned = (text or "").replace(",", "").strip()
    return float(cleaned) if cleaned else None


def _uncertainty() -> None:
    st.caption("Ranges on any numeric input, relative to its value (minus % and plus %: they follow "
               "the value when it is edited) or absolute (low and high, which must contain the value): "
               "the Monte Carlo draws from them and the tornado swings them. Inputs without a range "
               "swing ±25% in the tornado. The other pair stays blank. Select a row's box to delete it.")
    current = state.scenario().uncertainty
    frame = pd.DataFrame([{"input": fields.label_of(k), **{side: _range_end(v) for side, v in r.model_dump().items()}}
                          for k, r in current.items()], index=list(current), columns=["input", *RANGE_ENDS])
    key = widget_key("main", UNCERTAINTY)
    edited = st.data_editor(frame, num_rows="delete", hide_index=True, width="stretch", key=key,
                            disabled=["input"], column_config={
                                "input": st.column_config.TextColumn("input"),
                                **{side: st.column_config.TextColumn(label, help=meaning, validate=NUMBER_OR_EMPTY)
                                   for side, (label, meaning) in RANGE_ENDS.items()}})
    ranges = {}
    for dotted, row in edited.iterrows():
        ends = {side: _typed(row[side]) for side in RANGE_ENDS}
        pairs = ("low", "high") if ends["low"] is not None or ends["high"] is not None else ("minus_pct", "plus_pct")
        if all(ends[side] is not None for side in pairs):
            ranges[dotted] = {side: ends[side] for side in pairs}
    changed = ranges != {k: r.model_dump(exclude_none=True) for k, r in current.items()}
    if changed and state.change_field(UNCERTAINTY, ranges):  # resets the editor to the new ranges
        st.rerun()
    fields.show_error(UNCERTAINTY)
    free = [f for f in numeric_fields() if f not in NOT_RANGED and f not in current]
    add = f"{key}+add"  # a new box after each change of the ranges: it starts empty again
    st.selectbox("Add a range to", free, index=None, format_func=fields.label_of, key=add,
                 placeholder="Choose an input", on_change=_add_range, args=(add,),
                 help="Every numeric input of the scenario, by its title.")


GROUPS = {"Workload": _workload, "Prompting": _prompting, "Fine-tuning": _finetuning,
          "Hosting": _hosting, "Quality target": _quality, "Uncertainty": _uncertainty}


def render() -> None:
    st.title("Scenario")
    st.caption("Every input of the cost model. The page URL holds the scenario: copy it to share "
               "this exact view. Hover a field's question-mark icon for its meaning and allowed range.")
    _kind()
    _save_and_load()
    for tab, group in zip(st.tabs(list(GROUPS)), GROUPS.values(), strict=True):
        with tab:
            group()
