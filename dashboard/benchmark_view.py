"""The Benchmark page: start a live run, watch it, compare finished runs, apply one to the scenario."""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd
import streamlit as st
from pydantic import ValidationError

from benchmarks import jobs
from benchmarks.config import (
    ALL_APPROACHES,
    BUILTIN_KINDS,
    BUILTIN_TASKS,
    PACKAGED_MODEL,
    PRECISIONS,
    QUICK_APPROACHES,
    BenchConfig,
)
from calculator.scenario_io import describe_validation_error
from core.approaches import TASK_KINDS, PromptSearchSettings, title
from core.result import LATENCY_BASES, BenchmarkResult
from dashboard import (
    applied,
    dataset_check,
    endpoint_form,
    live_runs,
    plots,
    run_view,
    runs,
    search_view,
    teacher_form,
)
from dashboard.tables import runs_table
from dashboard.text import escape_md
from reporting import charts
from reporting.run_rows import is_text, under_trained

UPLOAD = "Upload CSV/JSONL…"
STORED, CHECKED = "dataset_stored", "dataset_checked"  # file id -> stored upload; last check
ESTIMATE = "endpoint_estimate"  # the last endpoint cost estimate, shown under the form
KIND, LABEL, TARGET = "dataset_kind", "dataset_label_col", "dataset_target_col"  # what the answer is, its column
FIELDS = BenchConfig.model_fields
TRIALS = PromptSearchSettings.model_fields["trials"]
TRIALS_RANGE = [next(getattr(m, side) for m in TRIALS.metadata if hasattr(m, side)) for side in ("ge", "le")]


def _use_kind(kind: str, column: str) -> None:
    """The suggestion's button: score the file as `kind`, `column` its answers."""
    st.session_state[KIND] = kind
    st.session_state[TARGET if kind != "classification" else LABEL] = column


def _suggest(check: dataset_check.DatasetCheck, target_col: str) -> None:
    """A kind that fits the file better (a JSON-object column: extraction; free text: generation), with
    a button that chooses it."""
    if check.suggestion is None or check.suggestion == (check.kind, target_col):
        return
    kind, column = check.suggestion
    why = "holds JSON objects" if kind == "extraction" else "holds free text, not labels"
    how = "each object scored field by field" if kind == "extraction" else "each answer scored against it"
    st.info(f"Column '{escape_md(column)}' {why}: run it as {'an' if kind == 'extraction' else 'a'} {kind} task, "
            f"{how}.", icon=":material/lightbulb:")
    st.button(f"Score '{column}' as {kind}", key="use_kind", on_click=_use_kind, args=(kind, column))


def _dataset() -> tuple[dataset_check.DatasetCheck | None, str, str, str]:
    """The uploaded file, stored and checked as soon as it arrives or its columns or kind change
    (outside the form, so nothing waits for Start); its preview; the column names and what the answer is."""
    upload = st.file_uploader("Your data (used when the task is 'Upload')", type=["csv", "jsonl"],
                              help="A CSV or JSONL file with one input per row and its answer: a label, a "
                                   "reference text or a JSON object; checked as soon as it is uploaded.")
    cols = st.columns([2, 1, 1, 1])
    kind = cols[0].selectbox("What the answer is", TASK_KINDS, key=KIND, format_func=dataset_check.KIND_WORDS.get,
                             help="Classification: each row's label, from the label column (scored: accuracy). "
                                  "Generation: free text, scored against the reference text in the target column "
                                  "(chrF). Extraction: a JSON object, scored field by field against the object in "
                                  "the target column (field F1).")
    text_col = cols[1].text_input("Text column", "text", help="The column holding each input")
    st.session_state.setdefault(LABEL, "label")  # a default through the state: the suggestion's button sets it too
    label_col = cols[2].text_input("Label column", key=LABEL, disabled=kind != "classification",
                                   help="The column holding each input's label (classification)")
    target_col = cols[3].text_input("Target column", key=TARGET, disabled=kind == "classification",
                                    placeholder="e.g. reply" if kind == "generation" else "e.g. fields",
                                    help="The column holding each input's reference answer: a text (generation) "
                                         "or a JSON object (extraction)").strip()
    if upload is None:
        return None, text_col, label_col, target_col
    stored = st.session_state.get(STORED)
    if stored is None or stored[0] != upload.file_id:
        stored = st.session_state[STORED] = (upload.file_id, dataset_check.store_upload(upload))
    check, wanted = stored[1], (upload.file_id, text_col, label_col, kind, target_col)
    if check.path is not None:
        last = st.session_state.get(CHECKED)
        if last is None or last[0] != wanted:
            last = st.session_state[CHECKED] = (wanted, dataset_check.check_file(
                check.path, check.file_name, text_col, label_col, kind, target_col))
        check = last[1]
    dataset_check.show(check, text_col, target_col)
    _suggest(check, target_col)
    return check, text_col, label_col, target_col


def _task_name(task: str) -> str:
    """A built-in task with its kind when it is not classification ("bbc_headlines (generation)")."""
    return f"{task} ({BUILTIN_KINDS[task]})" if task in BUILTIN_KINDS else task


def _start_form() -> None:
    check, text_col, label_col, target_col = _dataset()
    with st.form("bench"):
        cols = st.columns([2, 2, 1, 1])
        model = cols[0].text_input("Model", PACKAGED_MODEL,
                                   help="The packaged SmolLM2-135M-Instruct, a local folder, or a "
                                        "Hugging Face id already on disk.")
        tasks = [*BUILTIN_TASKS, UPLOAD]
        task = cols[1].selectbox("Task", tasks, index=len(tasks) - 1 if check else 0, format_func=_task_name)
        quick = cols[2].radio("Mode", ["quick", "full"], help="quick: CPU-sized, minutes") == "quick"
        dtype = cols[3].selectbox("Precision", PRECISIONS,
                                  help="auto: bfloat16 on a GPU and on CPUs whose bf16 products measure at least "
                                       "1.5× float32's (AMX, AVX512_BF16; scores within ~0.2 log-prob), else "
                                       "float32. "
                                       "The run's notes and the runs table say which ran.")
        cols = st.columns([4, 1, 1])
        approaches = cols[0].multiselect("Approaches", list(ALL_APPROACHES), default=QUICK_APPROACHES,
                                         format_func=title)
        # fewer examples: a cheaper endpoint run (and a wider interval, which the runs table shows)
        quick_n, full_n = BenchConfig(quick=True).test_size, BenchConfig().test_size
        test_size = cols[1].number_input("Test examples", min_value=10, max_value=100_000, value=None, step=10,
                                         placeholder=f"{quick_n} quick",
                                         help=f"{FIELDS['test_size'].description}; blank: {quick_n} in quick "
                                              f"mode, {full_n:,} in full")
        trials = cols[2].number_input("Search trials", min_value=TRIALS_RANGE[0], max_value=TRIALS_RANGE[1],
                                      value=None, step=1, placeholder=f"{TRIALS.default} trials",
                                      help=f"{title('prompt_search')}: {TRIALS.description}, each scored on the "
                                           f"validation split; blank: {TRIALS.default}. Read only when "
                                           f"{title('prompt_search')} is among the approaches.")
        endpoint = endpoint_form.inputs()
        teacher = teacher_form.inputs()
        buttons = st.columns([1, 2, 2])  # room for the estimate button's whole label at 1366 px
        start = buttons[0].form_submit_button("Start run", type="primary")
        estimate_only = buttons[1].form_submit_button("Estimate the endpoint cost",
                                                      help="The most the endpoint arms and an endpoint teacher can "
                                                           "cost; nothing is sent but one small request to a teacher")
    if not (start or estimate_only):
        _show_estimate()
        return
    st.session_state.pop(ESTIMATE, None)
    try:
        data = {"model": model, "quick": quick, "approaches": approaches or None,
                "text_col": text_col, "label_col": label_col, "dtype": dtype, "test_size": test_size,
                **endpoint.fields, **teacher}
        if trials is not None and "prompt_search" in approaches:
            data["hyperparameters"] = {"prompt_search": {"trials": int(trials)}}
        if task == UPLOAD:
            if check is None:
                raise ValueError("choose a CSV or JSONL file to upload, or pick a built-in task")
            if not check.usable:
                raise ValueError(f"{check.file_name} cannot be benchmarked: {check.problem}")
            data["data_file"] = str(check.path)
            if check.kind != "classification":
                data.update(task_kind=check.kind, target_col=target_col or None)
        else:
            data["task"] = task
        config = BenchConfig.model_validate(data)
        lines = [endpoint_form.estimate(config) if config.endpoint_url else None, teacher_form.estimate(config)]
        st.session_state[ESTIMATE] = " ".join(line for line in lines if line) or (
            "No endpoint arms: give an endpoint URL (and its model) to send the prompting approaches there."
            if estimate_only else None)
        if estimate_only:
            _show_estimate()
            return
        run_dir = jobs.start_run(config, secret_env=endpoint.secrets)
    except ValidationError as exc:
        st.error(f"The run was not started: {describe_validation_error(exc)}")
        return
    except (ValueError, OSError, LookupError) as exc:  # LookupError: an endpoint model without prices
        st.error(f"The run was not started: {exc}")
        return
    live_runs.remember(run_dir)
    st.rerun()  # list it under "In progress" at once


def _show_estimate() -> None:
    if line := st.session_state.get(ESTIMATE):
        st.info(escape_md(line))


_LATENCY = LATENCY_BASES["one_request"] + " Older runs timed whole batches (a note under the table says which)."
_GPU_ONLY = "Share of the GPU's peak bf16 FLOP/s; blank on CPU, which has no such peak to divide by"
# approach and accuracy pinned first: the table is wider than the page, and they are what a reader compares
_RUNS_COLUMNS = {
    "approach": st.column_config.TextColumn(pinned=True),
    "accuracy": st.column_config.NumberColumn(format="%.3f", pinned=True),
    "95% CI": st.column_config.TextColumn(pinned=True),
    "macro-F1": st.column_config.NumberColumn(format="%.3f"),
    # a text run among them: each row's own metric (chrF, field F1, ...) instead of accuracy
    "metric": st.column_config.TextColumn(pinned=True, help="The task kind's primary metric, per example in [0, 1]: "
                                                            "accuracy (classification), chrF (generation), field F1 "
                                                            "(extraction)"),
    "score": st.column_config.NumberColumn(format="%.3f", pinned=True, help="The mean of the metric over the test split"),
    "score 95% CI": st.column_config.TextColumn("95% CI", pinned=True, help="Wilson interval for accuracy, "
                                                                           "a bootstrap interval for the text metrics"),
    "other metrics": st.column_config.TextColumn(help="The kind's other metrics, mean over the same examples"),
    "output tokens/s": st.column_config.NumberColumn(format="%.0f", help="Tokens generated per second over the "
                                                                         "test split, batched (text tasks)"),
    "training": st.column_config.TextColumn(help="Optimizer steps run, of those planned; 'under-trained': "
                                                 "the time guard stopped training early"),
    "prompt tokens": st.column_config.NumberColumn(format="%.1f", help="Mean prompt tokens per request, model tokenizer"),
    "computed tokens": st.column_config.NumberColumn(
        format="%.1f", help="Mean tokens the model ran per request: the prompt's shared prefix (instruction, "
                            "examples) once per pass, then each input and its label tokens"),
    "latency p50 (ms)": st.column_config.NumberColumn(format="%.0f", help=_LATENCY),
    "latency p95 (ms)": st.column_config.NumberColumn(format="%.0f", help=_LATENCY),
    "eval tokens/s": st.column_config.NumberColumn(format="%.0f", help="Prompt tokens scored per second over the test split"),
    "eval MFU": st.column_config.NumberColumn(format="percent", help=_GPU_ONLY),
    "training (s)": st.column_config.NumberColumn(format="%.0f"),
    "training tokens/s": st.column_config.NumberColumn(format="%.0f"),
    "training MFU": st.column_config.NumberColumn(format="percent", help=_GPU_ONLY),
}


STATES = ("complete: every approach measured · partial: an approach failed or an endpoint's budget stopped it · "
          "killed: the process ended mid-run, the approaches measured before are kept · failed: nothing measured · "
          "cancelled: stopped from the page")


def _runs_list(ended: list[runs.Run]) -> None:
    """Every run that is no longer in progress, once, with its state and why it stopped (a table that
    wraps: the whole error is the point)."""
    rows = [[escape_md(r.run_id), r.state, escape_md(_when(r.started)), escape_md(_measured(r)), escape_md(r.why)]
            for r in ended]
    st.table(pd.DataFrame(rows, columns=["run", "state", "started", "approaches measured", "why"]), hide_index=True)
    st.caption(STATES)


def _when(iso: str) -> str:
    """"2026-01-07 09:30 UTC" from the run's ISO time (as written, if it is not one)."""
    try:
        return datetime.fromisoformat(iso).astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
    except ValueError:
        return iso


def _measured(run: runs.Run) -> str:
    return ", ".join(title(a.approach) for a in run.result.approaches) if run.result else ""


# Quick mode's wall times measured on a 2-core AMD EPYC (Zen 1, AVX2, float32), idle, 2026-12-05:
# docs/BENCHMARKS.md, "Quick mode, measured".
QUICK_CLASSIFICATION_S = (394, 421)  # rotten_tomatoes, three runs that day
QUICK_GENERATION_S = 790  # bbc_headlines in quick mode (run 20261205-155545-40086f, docs/BENCHMARKS.md)


def _first_run_guide() -> None:
    """The empty page: what a first run measures, how long it takes, and how to run one on the
    reader's own data and API model."""
    approaches = [title(name) for name in QUICK_APPROACHES]
    low, high = QUICK_CLASSIFICATION_S
    st.info("No finished runs yet. A run measures what the costs otherwise take from typed guesses.",
            icon=":material/science:")
    st.markdown(
        f"**What a first run measures.** {approaches[0]} and {approaches[1]} against a quick "
        f"{approaches[2]}, all on the packaged model SmolLM2-135M-Instruct and the packaged task "
        f"rotten_tomatoes (movie reviews, positive or negative), scored on the same "
        f"{BenchConfig(quick=True).test_size} held-out examples. For each approach: accuracy with its 95% "
        "interval, prompt tokens per request, tokens/s, latency p50 and p95 of one request, and the "
        "fine-tune's training time; applied to the scenario, they replace the typed scores and cost inputs.\n\n"
        f"**How long.** Quick mode took {low}–{high} s (about {round(high / 60)} minutes) on a 2-core AMD "
        "EPYC CPU with AVX2 (float32, idle, 2026-12-05); the generation task bbc_headlines (news leads to "
        f"headlines, scored on chrF) took {QUICK_GENERATION_S:,} s there, about "
        f"{round(QUICK_GENERATION_S / 60)} minutes. Other work on the same cores slows a run down.\n\n"
        "**On your own data.** Upload a CSV or JSONL under *Your data* above and name its text and label "
        f"columns (the task becomes *{UPLOAD}*); or in a terminal: "
        "`prompt-or-tune bench --data file.csv --text-col text --label-col label --quick` "
        "(a free-text answer: `--task-kind generation --target-col reply`).\n\n"
        "**Against your own API model.** Open *Endpoint arms* in the form above and give the endpoint's URL, "
        "its model and its provider (for the prices): the prompting approaches run there on the same test "
        "examples, their dollars measured and stopped at the cap you set; or `prompt-or-tune bench --endpoint "
        "https://api.openai.com/v1 --endpoint-model gpt-4o-mini --provider openai --api-key-env OPENAI_API_KEY "
        "--max-usd 1 --quick`.")


def _past_runs() -> None:
    listed, problems = runs.all_runs()
    ended = [r for r in listed if not r.in_progress]
    live_runs.own_outcomes(ended)
    for problem in problems:
        st.warning(problem)
    if not ended:
        _first_run_guide()
        return
    _runs_list(ended)
    results = {r.run_id: r.result for r in ended if r.comparable}
    if results:
        _compare(results)


def _compare(results: dict[str, BenchmarkResult]) -> None:
    """The chosen runs side by side: their rows, charts, the form that applies each, their examples."""
    chosen = st.multiselect("Runs to compare", list(results), default=list(results)[:2])
    picked = [results[r] for r in chosen]
    if not picked:
        return
    st.dataframe(runs_table(picked), hide_index=True, width="stretch", column_config=_RUNS_COLUMNS)
    short = under_trained(picked)
    if short:
        what = "score" if any(is_text(r) for r in picked) else "accuracy"
        st.caption(f"Under-trained (stopped before its planned steps; its {what} understates the "
                   f"approach): {escape_md(', '.join(short))}")
    older = [r.run_id for r in picked if any(a.latency_basis == "batch" for a in r.approaches)]
    if older:
        st.caption(f"{', '.join(older)}: {LATENCY_BASES['batch']} Newer runs: {LATENCY_BASES['one_request']}")
    left, right = st.columns(2)
    plots.show(charts.accuracy_comparison(picked), left)
    curves = charts.learning_curves(picked)
    if curves.data:
        plots.show(curves, right)
    else:  # an empty plot with bare axes said nothing
        right.caption("No learning curve in the runs chosen: a tuned approach run with learning-curve "
                      "sizes (full mode) draws one.")
    search_view.render(picked)
    cols = st.columns(min(len(picked), 4))
    for i, result in enumerate(picked):
        with cols[i % len(cols)]:
            applied.apply_form(result)
    applied.banner("benchmark")
    own = [r for r in picked if r.run_id in live_runs.mine()]
    run_view.render(picked, follow=max(own, key=lambda r: r.created_at).run_id if own else None)


def render() -> None:
    st.title("Benchmark")
    st.caption("Measure every approach on the same model and test split; the costs then use the "
               "measured scores on the task's metric (and, from a GPU run, throughput and MFU; from a text "
               "task's run, the answers' length).")
    st.subheader("In progress")
    live_runs.in_progress()
    st.subheader("Start a run")
    _start_form()
    st.subheader("Finished runs")
    _past_runs()
