"""Benchmark runs on this machine as every session sees them: the ones in progress (polled),
and how the ones this session started ended.

A run lives in its folder, not in a browser tab: any session, and a reloaded page, lists the
queued and running ones from `benchmarks.jobs.list_runs`. Runs started in this session are
marked "yours".
"""

from __future__ import annotations

import time
from pathlib import Path
from urllib.parse import urlsplit

import streamlit as st

from benchmarks import jobs
from benchmarks.config import BenchConfig
from benchmarks.runner import progress_edges
from core.metrics import metric_name
from dashboard import plots
from dashboard.progress import duration, live_progress, loss_curves, measured, run_notes, run_timing
from dashboard.runs import Run
from dashboard.text import escape_md
from reporting import charts

MY_RUNS = "my_runs"  # run folders started in this session
SHOWN = "live_runs_shown"  # run ids the last poll listed as in progress
# Watching must not slow the run it watches: a poll each second cost the Streamlit server 21% of a core
# (tools/dashboard_cpu.py), every 3 s 5.5% (load 10.9); the runner's bar moves every few seconds
# anyway, and a quick run lasts minutes.
POLL_SECONDS = 4.0
# Building the loss figure is most of a poll's cost (~0.45 s of plotly on the busy 2-core machine):
# it is rebuilt at most this often, the bars every poll.
LOSS_CHART_SECONDS = 15.0


def remember(run_dir: Path) -> None:
    st.session_state.setdefault(MY_RUNS, []).append(str(run_dir))


def mine() -> set[str]:
    """The ids of the runs started in this session."""
    return {Path(d).name for d in st.session_state.get(MY_RUNS, [])}


def _config(status: jobs.RunStatus) -> BenchConfig | None:
    try:
        return BenchConfig.model_validate_json((Path(status.run_dir) / "config.json").read_text("utf-8"))
    except (OSError, ValueError):
        return None


def _loss_figure(status: jobs.RunStatus):
    """The run's loss chart, kept from an earlier poll of this session while under LOSS_CHART_SECONDS old."""
    key = f"loss_chart:{status.run_id}"
    built_at, figure = st.session_state.get(key, (None, None))
    if built_at is None or time.monotonic() - built_at >= LOSS_CHART_SECONDS:
        losses = loss_curves(status.events)
        figure = charts.loss_curves(losses) if losses else None
        st.session_state[key] = (time.monotonic(), figure)
    return figure


def _models(config: BenchConfig) -> str:
    """The model(s) the run measures: the local one, the endpoint's, or both."""
    backends = {backend for _, backend in config.arms}
    local = f"{config.model} (local)" if "local" in backends else ""
    served = f"{config.endpoint_model} at {urlsplit(config.endpoint_url).netloc}" if "endpoint" in backends else ""
    return " and ".join(m for m in (local, served) if m) if len(backends) > 1 else (served or config.model)


def _task(config: BenchConfig) -> str:
    """The task as the reader named it: a built-in task's name, or the uploaded file's name."""
    return f"uploaded file {Path(config.data_file).name}" if config.data_file else config.task


def _timing(status: jobs.RunStatus, config: BenchConfig | None) -> None:
    """Elapsed and time left, with how the estimate was made."""
    timing = run_timing(status.events, progress_edges(config), time.time()) if config else None
    if timing is None:
        return
    if timing.remaining_s is None:
        left = f"time left {timing.basis}"
    elif timing.remaining_s < 1:
        left = "finishing: the approach's last steps (scoring, timing) are not counted by the bar"
    else:
        estimate = timing.remaining_s if timing.remaining_s < 60 else round(timing.remaining_s, -1)  # no false precision
        left = f"about {duration(estimate)} left ({timing.basis})"
    st.caption(f"Elapsed {duration(timing.elapsed_s)} · {left}")


def _card(status: jobs.RunStatus, yours: bool) -> None:
    config = _config(status)
    approaches = list(config.approaches or []) if config else []
    progress = live_progress(status.progress, status.message, status.events, approaches)
    what = f" · {escape_md(_models(config))} on {escape_md(_task(config))}" if config else ""
    st.markdown(f"**Run {escape_md(status.run_id)}**{' (yours)' if yours else ''} · {status.state}{what}")
    st.progress(progress.fraction, text=f"Whole run {progress.fraction:.0%}"
                + (f" · {progress.approach}" if progress.approach else ""))
    _timing(status, config)
    if progress.step_fraction is not None:
        st.progress(progress.step_fraction, text=escape_md(progress.step))
    else:
        st.caption(escape_md(progress.step))
    for note in run_notes(status.events):
        st.caption(f"Note: {escape_md(note)}")
    if figure := _loss_figure(status):
        plots.show(figure)
    if metrics := measured(status.events):
        _measured_table(metrics)
    st.button("Cancel", key=f"cancel:{status.run_dir}", on_click=jobs.cancel_run, args=(status.run_dir,))


def _measured_table(rows: list[dict[str, float | str]]) -> None:
    """The approaches finished so far with their figures, each column named by its metric: accuracy
    and macro-F1 for a classification run; chrF, ROUGE-L, ... or field F1, ... for a text run."""
    names = list(dict.fromkeys(key for row in rows for key in row if key != "approach"))
    config = {name: st.column_config.NumberColumn(metric_name(name), format="%.3f") for name in names}
    if "accuracy" in config:
        config["accuracy"] = st.column_config.NumberColumn("accuracy", format="percent")
    st.dataframe(rows, hide_index=True, column_order=["approach", *names], column_config=config)


@st.fragment(run_every=POLL_SECONDS)
def in_progress() -> None:
    """Every queued or running run, refreshed every POLL_SECONDS; the page reruns when one ends."""
    active = [s for s in jobs.list_runs() if s.state in jobs.ACTIVE]
    ids = {s.run_id for s in active}
    ended = st.session_state.get(SHOWN, set()) - ids
    st.session_state[SHOWN] = ids
    if ended:  # show it among the finished runs below
        st.rerun()
    if not active:
        st.caption("No run in progress. Runs started here or in any other session show up here.")
    own = mine()
    for status in active:
        with st.container(border=True):
            _card(status, status.run_id in own)


def own_outcomes(ended: list[Run]) -> None:
    """How the runs started in this session ended: result, failure with its error, or stop."""
    own = mine()
    for run in (r for r in ended if r.run_id in own):
        name = escape_md(run.run_id)
        if run.state in ("failed", "killed"):
            st.error(f"Your run {name} {'failed' if run.state == 'failed' else 'was killed'}: {escape_md(run.why)}")
        elif run.state == "cancelled":
            st.info(f"Cancelled: your run {name} was stopped"
                    + (": its finished approaches are in the list of runs below." if run.comparable else
                       " and left no result."))
        else:
            short = ", partial (not every approach was measured)" if run.state == "partial" else ""
            st.success(f"Your run {name} finished{short}: it is in the list of runs below.")
