"""The Benchmark page: start a live run, watch it, compare finished runs, apply one to the scenario."""

from __future__ import annotations

import uuid

import streamlit as st
from pydantic import ValidationError

from calculator.measured import apply_benchmark
from calculator.recommend import title
from calculator.scenario_io import describe_validation_error
from dashboard import plots, runs, state
from dashboard.text import escape_md
from prompt_or_tune.files import runs_dir, write_atomic
from reporting import charts

MAX_DATASET_BYTES = 20_000_000  # matches server.maxUploadSize in .streamlit/config.toml
MY_RUNS = "my_runs"
UPLOAD = "Upload CSV/JSONL…"


def _dataset_path(upload) -> str:
    """Store an uploaded dataset under a generated name (the user's file name is never a path)."""
    if upload.size > MAX_DATASET_BYTES:
        raise ValueError(f"the dataset is {upload.size:,} bytes; the limit is {MAX_DATASET_BYTES:,}")
    suffix = ".jsonl" if upload.name.lower().endswith((".jsonl", ".json")) else ".csv"
    path = runs_dir() / "uploads" / f"{uuid.uuid4().hex}{suffix}"
    write_atomic(path, upload.getvalue())
    return str(path)


def _start_form() -> None:
    from benchmarks import jobs
    from benchmarks.config import (
        ALL_APPROACHES,
        BUILTIN_TASKS,
        PACKAGED_MODEL,
        QUICK_APPROACHES,
        BenchConfig,
    )

    with st.form("bench"):
        cols = st.columns([2, 2, 1])
        model = cols[0].text_input("Model", PACKAGED_MODEL,
                                   help="The packaged SmolLM2-135M-Instruct, a local folder, or a "
                                        "Hugging Face id already on disk.")
        task = cols[1].selectbox("Task", [*BUILTIN_TASKS, UPLOAD])
        quick = cols[2].radio("Mode", ["quick", "full"], help="quick: CPU-sized, minutes") == "quick"
        upload = st.file_uploader("Your labeled data (used when the task is 'Upload')",
                                  type=["csv", "jsonl"])
        cols = st.columns(2)
        text_col = cols[0].text_input("Text column", "text")
        label_col = cols[1].text_input("Label column", "label")
        approaches = st.multiselect("Approaches", list(ALL_APPROACHES), default=QUICK_APPROACHES,
                                    format_func=title)
        if not st.form_submit_button("Start run", type="primary"):
            return
    try:
        data = {"model": model, "quick": quick, "approaches": approaches or None,
                "text_col": text_col, "label_col": label_col}
        if task == UPLOAD:
            if upload is None:
                raise ValueError("choose a CSV or JSONL file to upload, or pick a built-in task")
            data["data_file"] = _dataset_path(upload)
        else:
            data["task"] = task
        config = BenchConfig.model_validate(data)
        run_dir = jobs.start_run(config)
    except ValidationError as exc:
        st.error(f"The run was not started: {describe_validation_error(exc)}")
        return
    except (ValueError, OSError) as exc:
        st.error(f"The run was not started: {exc}")
        return
    st.session_state.setdefault(MY_RUNS, []).append(str(run_dir))


@st.fragment(run_every=1.0)
def _watch(run_dir: str) -> None:
    """Progress, live loss and metrics of one run, refreshed every second without a page rerun."""
    from benchmarks import jobs

    status = jobs.run_status(run_dir)
    st.markdown(f"**Run {escape_md(status.run_id)}**: {status.state}")
    st.progress(min(max(status.progress, 0.0), 1.0), text=escape_md(status.message or status.stage or ""))
    losses: dict[str, list[float]] = {}
    for event in status.events:
        if "loss" in event:
            losses.setdefault(event.get("stage", "training"), []).append(event["loss"])
    if losses:
        plots.show(charts.loss_curves(losses))
    metrics = [e["metrics"] for e in status.events if "metrics" in e]
    if metrics:
        st.dataframe(metrics, hide_index=True)
    if status.state in ("queued", "running"):
        if st.button("Cancel", key=f"cancel:{run_dir}"):
            jobs.cancel_run(run_dir)
    elif status.state == "failed":
        st.error(f"The run failed: {status.error}")
    elif status.state == "complete":
        st.success("Finished: it is in the list of runs below.")
    elif status.state == "cancelled":
        st.info("Cancelled: the run was stopped and left no result.")


def _live_runs() -> None:
    try:
        from benchmarks import jobs  # noqa: F401  (the background runner)
    except ImportError:
        st.info("Starting runs from the page needs the background runner (benchmarks/jobs.py); "
                "finished runs below can still be compared and applied.")
        return
    _start_form()
    for run_dir in st.session_state.get(MY_RUNS, []):
        with st.container(border=True):
            _watch(run_dir)


def _apply(result_id: str) -> None:
    results, _ = runs.finished_runs()
    state.set_scenario(apply_benchmark(state.scenario(), results[result_id]))


def _past_runs() -> None:
    results, problems = runs.finished_runs()
    for problem in problems:
        st.warning(problem)
    if not results:
        st.info("No finished runs yet.")
        return
    chosen = st.multiselect("Runs to compare", list(results), default=list(results)[:2])
    picked = [results[r] for r in chosen]
    if not picked:
        return
    st.dataframe(runs.runs_table(picked), hide_index=True, width="stretch", column_config={
        "accuracy": st.column_config.NumberColumn(format="percent")})
    left, right = st.columns(2)
    plots.show(charts.accuracy_comparison(picked), left)
    plots.show(charts.learning_curves(picked), right)
    applied = state.scenario().measured.run_id if state.scenario().measured else None
    cols = st.columns(min(len(picked), 4))
    for i, result in enumerate(picked):
        cols[i % len(cols)].button(f"Use {result.run_id} in the scenario", key=f"apply:{result.run_id}",
                                   on_click=_apply, args=(result.run_id,),
                                   disabled=result.run_id == applied)
    if applied:
        st.success(f"The scenario uses the measured accuracies of run {escape_md(applied)}.")


def render() -> None:
    st.title("Benchmark")
    st.caption("Measure every approach on the same model and test split; the costs then use the "
               "measured accuracy (and, from a GPU run, throughput and MFU).")
    _live_runs()
    st.subheader("Finished runs")
    _past_runs()
