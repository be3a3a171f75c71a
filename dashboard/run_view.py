"""One finished run, example by example: every test example with every approach's answer, right
or wrong, filters for the examples that matter, and a confusion matrix per approach; for a run of a
text task (generation, extraction), every input with its reference and each approach's answer and
score side by side.

The tables are built by pure functions over the run's predictions.csv (written by
`benchmarks.runner`, one row per approach and test example); the page only shows them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import streamlit as st

from core.approaches import title
from core.files import runs_dir
from core.metrics import metric_name
from core.result import BenchmarkResult
from dashboard.text import escape_md

NO_ANSWER = "(no answer)"  # chain-of-thought output the parser found no label in
NOT_RUN = "(not run)"  # an arm that stopped before this example (a spending cap)
ANY = "any approach"
RIGHT, WRONG = "background-color: #d9f2e3", "background-color: #f9dcdc"
MAX_SHOWN = 2_000  # rows of the grid sent to the browser (a styled cell costs the server; filters narrow it)


@dataclass(frozen=True)
class ResultsGrid:
    table: pd.DataFrame  # one row per test example: example, text, true label, one answer column per arm
    correct: pd.DataFrame  # the same rows, one bool column per arm (NaN where the arm did not answer it)
    arms: list[str]  # the answer columns, in run order


def read_predictions(path: Path) -> pd.DataFrame | None:
    """The run's predictions.csv, or None when the run has none (runs from before it was written).

    Files written before the backend column read as local; an empty prediction is "no answer". A
    classification run's file has label and correct, a text run's reference and score (in [0, 1]).
    """
    if not path.is_file():
        return None
    frame = pd.read_csv(path, dtype={"label": str, "prediction": str, "text": str, "reference": str, "output": str},
                        keep_default_na=False)
    if "backend" not in frame:
        frame["backend"] = "local"
    if "score" in frame:
        frame["score"] = pd.to_numeric(frame["score"], errors="coerce")
    else:
        frame["correct"] = frame["correct"].astype(str).str.lower() == "true"
    frame["prediction"] = frame["prediction"].replace("", NO_ANSWER)
    return frame


def is_text(predictions: pd.DataFrame) -> bool:
    """A text task's answers (generation, extraction): scored in [0, 1] against a reference."""
    return "score" in predictions


def arm_name(approach: str, backend: str) -> str:
    """An arm's column title: the approach's title, and where it ran when not on the local model."""
    return title(approach) if backend == "local" else f"{title(approach)} ({backend})"


def _arms(predictions: pd.DataFrame) -> pd.Series:
    return pd.Series([arm_name(a, b) for a, b in zip(predictions["approach"], predictions["backend"], strict=True)],
                     index=predictions.index)


def results_grid(predictions: pd.DataFrame) -> ResultsGrid:
    """Every test example (its number, text and true label) with every arm's answer and whether it was right."""
    frame = predictions.assign(arm=_arms(predictions)).drop_duplicates(["arm", "index"], keep="last")
    arms = list(dict.fromkeys(frame["arm"]))
    examples = (frame.sort_values("index").drop_duplicates("index")[["index", "text", "label"]]
                .set_index("index"))
    answers = frame.pivot(index="index", columns="arm", values="prediction").reindex(examples.index)[arms]
    correct = frame.pivot(index="index", columns="arm", values="correct").reindex(examples.index)[arms]
    table = pd.concat([examples.rename(columns={"label": "true label"}), answers.fillna(NOT_RUN)], axis=1)
    table = table.reset_index(names="example")
    correct = correct.reset_index(drop=True)
    correct.columns.name = None
    table.columns.name = None
    return ResultsGrid(table=table, correct=correct, arms=arms)


@dataclass(frozen=True)
class TextGrid:
    table: pd.DataFrame  # one row per test example: example, input, reference, then each arm's answer and score
    scores: pd.DataFrame  # the same rows, one float column per arm (NaN where the arm did not answer it)
    arms: list[str]  # the answer columns, in run order
    score_columns: list[str]  # each arm's score column, the same order


def score_column(arm: str, metric: str) -> str:
    """"LoRA fine-tune · chrF": an arm's score column, named by the metric it is on."""
    return f"{arm} · {metric_name(metric)}"


def text_grid(predictions: pd.DataFrame, metric: str, raw: bool = False) -> TextGrid:
    """Every test example (its number, input and reference) with each arm's answer (the parsed one;
    with `raw`, the text as generated) and its score on `metric`, side by side."""
    frame = predictions.assign(arm=_arms(predictions)).drop_duplicates(["arm", "index"], keep="last")
    arms = list(dict.fromkeys(frame["arm"]))
    examples = (frame.sort_values("index").drop_duplicates("index")[["index", "text", "reference"]]
                .set_index("index").rename(columns={"text": "input"}))
    answers = frame.pivot(index="index", columns="arm", values="output" if raw else "prediction")
    scores = frame.pivot(index="index", columns="arm", values="score").reindex(examples.index)[arms].astype(float)
    columns = [score_column(arm, metric) for arm in arms]
    table = examples.copy()
    for arm, column in zip(arms, columns, strict=True):
        table[arm] = answers[arm].reindex(examples.index).fillna(NOT_RUN)
        table[column] = scores[arm]
    table = table.reset_index(names="example")
    scores = scores.reset_index(drop=True)
    table.columns.name = scores.columns.name = None
    return TextGrid(table=table, scores=scores, arms=arms, score_columns=columns)


def sort_text_grid(grid: TextGrid, lowest_of: str | None = None) -> TextGrid:
    """The examples in test order, or the ones `lowest_of` (an arm) scored worst first (not run: last)."""
    if lowest_of is None:
        return grid
    order = grid.scores[lowest_of].sort_values(kind="stable", na_position="last").index
    return TextGrid(table=grid.table.loc[order].reset_index(drop=True), scores=grid.scores.loc[order].reset_index(drop=True),
                    arms=grid.arms, score_columns=grid.score_columns)


DISAGREE_BY = 0.25  # a text example the approaches disagree on: their scores at least this far apart


def disagreeing(grid: TextGrid, by: float = DISAGREE_BY) -> TextGrid:
    """The examples whose best and worst answers (of the arms that ran) score at least `by` apart."""
    keep = (grid.scores.max(axis=1) - grid.scores.min(axis=1)).ge(by - 1e-9)
    return TextGrid(table=grid.table[keep].reset_index(drop=True), scores=grid.scores[keep].reset_index(drop=True),
                    arms=grid.arms, score_columns=grid.score_columns)


def filter_grid(grid: ResultsGrid, wrong_by: str | None = None, disagree: bool = False) -> ResultsGrid:
    """The examples `wrong_by` got wrong (an arm's column, or ANY for any arm; None: no filter),
    and, with `disagree`, only those where the arms' answers differ."""
    keep = pd.Series(True, index=grid.table.index)
    if wrong_by == ANY:
        keep &= grid.correct.eq(False).any(axis=1)
    elif wrong_by is not None:
        keep &= grid.correct[wrong_by].eq(False)
    if disagree:
        keep &= grid.table[grid.arms].replace(NOT_RUN, pd.NA).nunique(axis=1) > 1
    return ResultsGrid(table=grid.table[keep].reset_index(drop=True),
                       correct=grid.correct[keep].reset_index(drop=True), arms=grid.arms)


def confusion(predictions: pd.DataFrame, arm: str, labels: list[str]) -> pd.DataFrame:
    """Counts of each true label (rows) against each answer (columns) of one arm, every label listed
    in the task's order; a "(no answer)" column only when the arm had unparsed answers."""
    rows = predictions[_arms(predictions) == arm]
    answers = labels + sorted(set(rows["prediction"]) - set(labels))
    counts = pd.crosstab(rows["label"], rows["prediction"]).reindex(index=labels, columns=answers, fill_value=0)
    counts.index.name, counts.columns.name = "true label", "answered"
    return counts.astype(int)


def _colour(grid: ResultsGrid):
    """The answers on a green (right) or red (wrong) ground; symbols too, so colour is not the only cue."""
    def cells(table: pd.DataFrame) -> pd.DataFrame:
        styles = pd.DataFrame("", index=table.index, columns=table.columns)
        for arm in grid.arms:
            styles[arm] = grid.correct[arm].map({True: RIGHT, False: WRONG}).fillna("")
        return styles

    shown = grid.table.copy()
    for arm in grid.arms:
        marks = grid.correct[arm].map({True: "✓ ", False: "✗ "}).fillna("")
        shown[arm] = marks + shown[arm]
    return shown.style.apply(cells, axis=None)


def _diagonal(counts: pd.DataFrame) -> pd.DataFrame:
    styles = pd.DataFrame("", index=counts.index, columns=counts.columns)
    for label in counts.index:
        for answer in counts.columns:
            if counts.loc[label, answer]:
                styles.loc[label, answer] = RIGHT if label == answer else WRONG
    return styles


@st.cache_data(max_entries=8, show_spinner=False)
def _predictions(path: str, mtime: float) -> pd.DataFrame | None:
    return read_predictions(Path(path))


def _height(rows: int, most: int) -> int:
    """Pixels for a table of `rows` rows (header and rows 35 px each, as Streamlit draws them), at most `most` rows."""
    return 35 * (min(max(rows, 1), most) + 1) + 3


def _grid(grid: ResultsGrid, run_id: str) -> None:
    cols = st.columns([1, 1, 2])
    wrong = cols[0].toggle("Wrong only", key=f"wrong_only:{run_id}",
                           help="Only the examples an approach answered wrongly")
    disagree, wrong_by = False, ANY
    if len(grid.arms) > 1:
        disagree = cols[1].toggle("Approaches disagree", key=f"disagree:{run_id}",
                                  help="Only the examples the approaches answered differently")
        wrong_by = cols[2].selectbox("Wrong by", [ANY, *grid.arms], key=f"wrong_by:{run_id}", disabled=not wrong)
    shown = filter_grid(grid, wrong_by if wrong else None, disagree)
    first = "" if len(shown.table) <= MAX_SHOWN else f" (the first {MAX_SHOWN:,} shown)"
    st.caption(f"{len(shown.table):,} of {len(grid.table):,} test examples{first} · ✓ right, ✗ wrong · "
               f"from {escape_md(run_id)}/predictions.csv")
    if len(shown.table) > MAX_SHOWN:
        shown = ResultsGrid(shown.table.head(MAX_SHOWN), shown.correct.head(MAX_SHOWN), shown.arms)
    st.dataframe(_colour(shown), hide_index=True, width="stretch", height=_height(len(shown.table), 10),
                 column_config={"example": st.column_config.NumberColumn("#", width="small"),
                                "text": st.column_config.TextColumn("text", width="medium")})


TEST_ORDER = "test order"
TEXT_ROW_HEIGHT, TEXT_ROWS_SHOWN = 78, 6  # px a row (four lines of wrapped text), rows before the grid scrolls


def _text_grid(predictions: pd.DataFrame, result: BenchmarkResult) -> None:
    """The inputs, references and each approach's answer and score; sorted by an approach's worst first."""
    metric = result.approaches[0].quality.metric if result.approaches else "score"
    cols = st.columns([1, 1, 2])
    raw = cols[0].toggle("Raw output", key=f"raw_output:{result.run_id}",
                         help="The text each approach generated, as it came; off: the answer read from it "
                              "(the one scored: its first line, or the JSON object in it)")
    apart = cols[1].toggle("Approaches disagree", key=f"text_disagree:{result.run_id}",
                           help=f"Only the examples where the approaches' {metric_name(metric)} differ by "
                                f"{DISAGREE_BY:g} or more: where one did much better than another")
    grid = text_grid(predictions, metric, raw)
    worst = cols[2].selectbox("Sort", [TEST_ORDER, *grid.arms], key=f"sort_by:{result.run_id}",
                              format_func=lambda o: o if o == TEST_ORDER else f"{o}: lowest {metric_name(metric)} first",
                              help="The examples an approach did worst on first")
    shown = sort_text_grid(disagreeing(grid) if apart else grid, None if worst == TEST_ORDER else worst)
    first = "" if len(shown.table) <= MAX_SHOWN else f" (the first {MAX_SHOWN:,} shown)"
    means = " · ".join(f"{arm} {grid.scores[arm].mean():.3f}" for arm in grid.arms)
    count = f"{len(shown.table):,} of {len(grid.table):,}" if apart else f"{len(grid.table):,}"
    st.caption(f"{count} test examples{first} · each answer's {metric_name(metric)}, from 0 to 1 "
               f"(mean: {escape_md(means)}) · from {escape_md(result.run_id)}/predictions.csv")
    table = shown.table.head(MAX_SHOWN)
    config = {"example": st.column_config.NumberColumn("#", width="small", pinned=True),  # kept when scrolled
              "input": st.column_config.TextColumn("input", width="medium"),
              "reference": st.column_config.TextColumn("reference", width="medium")}
    for arm, column in zip(grid.arms, grid.score_columns, strict=True):
        config[arm] = st.column_config.TextColumn(arm, width="medium")
        config[column] = st.column_config.ProgressColumn(metric_name(metric), format="%.3f", min_value=0.0,
                                                         max_value=1.0, width="small",
                                                         help=f"{arm}: {metric_name(metric)} of this answer")
    rows = min(max(len(table), 1), TEXT_ROWS_SHOWN)  # rows tall enough for a few wrapped lines of each text
    st.dataframe(table, hide_index=True, width="stretch", height=35 + TEXT_ROW_HEIGHT * rows + 3,
                 row_height=TEXT_ROW_HEIGHT, column_config=config)


def _confusions(predictions: pd.DataFrame, result: BenchmarkResult, arms: list[str]) -> None:
    st.markdown("**Confusion matrix per approach** (rows: true label, columns: the approach's answer)")
    matrices = {arm: confusion(predictions, arm, result.task.labels) for arm in arms}
    widest = max(len(counts.columns) for counts in matrices.values())  # answers, "(no answer)" included
    cols = st.columns(min(len(arms), 3 if widest <= 3 else 2 if widest <= 6 else 1))
    for i, (arm, counts) in enumerate(matrices.items()):
        with cols[i % len(cols)]:
            st.caption(f"{escape_md(arm)}: {int(sum(counts.at[lab, lab] for lab in counts.index))} of "
                       f"{int(counts.to_numpy().sum())} right")
            st.dataframe(counts.style.apply(_diagonal, axis=None), width="stretch",
                         height=_height(len(counts), 20))


RUN, FOLLOWED = "run_view_run", "run_view_followed"  # the run shown; the newest own run shown once on its own


def render(results: list[BenchmarkResult], follow: str | None = None) -> None:
    """The examples of one of `results` (the runs being compared), chosen by the reader; `follow`, the
    newest run this session started, is shown once when it first appears (the reader waited for it)."""
    if not results:
        return
    st.markdown("**Examples of one run**")
    by_id = {r.run_id: r for r in results}
    if follow in by_id and st.session_state.get(FOLLOWED) != follow:
        st.session_state[FOLLOWED] = st.session_state[RUN] = follow
    result = by_id[st.selectbox("Run", list(by_id), key=RUN, help="Each test example with every approach's answer")]
    task = result.task
    what = (f"labels: {escape_md(', '.join(task.labels))}" if task.kind == "classification" else
            f"{task.kind} task: each answer scored on {metric_name(result.approaches[0].quality.metric)} against "
            "its reference" if result.approaches else f"{task.kind} task")
    st.caption(f"{escape_md(result.model.name)} on {escape_md(task.name)} ({escape_md(task.source)}) · {what}")
    for note in result.notes:
        st.caption(f"Note: {escape_md(note)}")
    path = runs_dir() / result.run_id / "predictions.csv"
    predictions = _predictions(str(path), path.stat().st_mtime) if path.is_file() else None
    if predictions is None or predictions.empty:
        st.info(f"Run {escape_md(result.run_id)} has no per-example answers (it ran before they were "
                "saved, or no approach finished), so there is no grid to show for it.")
        return
    if is_text(predictions):
        _text_grid(predictions, result)
        return
    grid = results_grid(predictions)
    _grid(grid, result.run_id)
    _confusions(predictions, result, grid.arms)
