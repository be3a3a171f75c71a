"""The terminal face of a run: a tqdm progress bar while it runs, a summary table at the end."""

from __future__ import annotations

import sys
from pathlib import Path

from benchmarks.config import BenchConfig
from core.result import BenchmarkResult


def summary_table(result: BenchmarkResult) -> str:
    """What ran where (model, dtype, device), then one line per approach (its id, as --approaches takes
    it) with the terminal's columns of the shared benchmark rows (reporting/run_rows.py); a text run's
    quality under its own metric (chrF, field F1), never as accuracy."""
    from reporting.run_rows import COLUMNS, device_text, is_text, run_rows

    names = [c.name for c in COLUMNS if c.short]
    if is_text(result):  # the kind's metric in accuracy's place, and how fast answers were written
        at = names.index("accuracy")
        names[at:at + 3] = ["metric", "score", "score 95% CI"]
        names.insert(names.index("eval MFU"), "output tokens/s")
    rows = run_rows([result]).pick(names)
    texts = rows.texts()
    ids = [a.approach for a in result.approaches]
    id_width = max([len("approach"), *map(len, ids)]) + 1
    heads = [c.short or c.name for c in rows.columns]
    widths = [max([len(h), *(len(row[i]) for row in texts)]) for i, h in enumerate(heads)]
    head = f"{'approach':<{id_width}}" + " ".join(f"{h:>{w}}" for h, w in zip(heads, widths, strict=True))
    lines = [f"{result.model.name} in {result.model.dtype} on {device_text(result.environment)}", head,
             "-" * len(head)]
    lines += [f"{name:<{id_width}}" + " ".join(f"{cell:>{w}}" for cell, w in zip(row, widths, strict=True))
              for name, row in zip(ids, texts, strict=True)]
    return "\n".join(lines)


def teacher_line(result: BenchmarkResult) -> str | None:
    """Who labelled the tuned rows' training inputs (one teacher a run), how well its labels agree with gold
    and what they cost; None without a teacher."""
    taught = [row for row in result.approaches if row.teacher]
    if not taught:
        return None
    t = taught[0].teacher
    where = f"endpoint {t.endpoint_host}" if t.backend == "endpoint" else "local"
    low, high = t.agreement.interval
    dropped = f", {t.unparseable:,} unreadable dropped" if t.unparseable else ""
    stopped = f" (stopped by {t.stopped})" if t.stopped else ""
    cost = "no dollars" if t.usd_total is None else (
        f"${t.usd_total:.4f}, ${t.usd_per_label:.6f} a label; paid in this run ${t.usd_sent:.4f}: {t.sent:,} sent, "
        f"{t.cached:,} from the cache")
    return (f"teacher {t.model} ({where}) labelled {t.answered:,} training inputs{stopped} for "
            f"{', '.join(row.approach for row in taught)}: {t.kept:,} kept{dropped}; agreement with gold "
            f"{t.agreement.metric} {t.agreement.value:.3f} [{low:.3f}, {high:.3f}]; {t.prompt_tokens:.1f} prompt + "
            f"{t.completion_tokens:.1f} completion tokens a label; cost {cost}")


def search_lines(result: BenchmarkResult) -> list[str]:
    """A searched prompt's row: what it chose and why (each trial's validation score), what the search cost,
    and the chosen prompt itself, indented."""
    lines = []
    for row in (r for r in result.approaches if r.search):
        s = row.search
        chosen = s.trials[s.chosen]
        lines.append(f"{row.approach}: chose '{chosen.candidate}' of {len(s.trials)} trials (budget {s.budget}) by "
                     f"validation {s.metric} {chosen.validation_score:.3f} on {s.validation_examples} examples, the "
                     f"zero-shot instruction's {s.baseline_validation_score:.3f}; test {row.quality.metric} "
                     f"{row.quality.value:.3f}; search {s.calls:,} calls, {s.seconds:.1f} s, {s.prompt_tokens:,} "
                     "prompt tokens" + ("" if s.usd is None else f", ${s.usd:.4f}"))
        lines += [f"  trial {i}: {t.candidate}: {t.validation_score:.3f}" + (" (chosen)" if i - 1 == s.chosen else "")
                  for i, t in enumerate(s.trials, start=1)]
        lines += ["  chosen prompt:", *(f"    | {line}" for line in s.prompt.splitlines())]
    return lines


def run_with_progress(config: BenchConfig, out: Path | None, launch=None) -> int:
    """Run in this process (queued behind any other run on the machine; a `benchmarks.launch.Launch`
    starts its ranks from here), showing progress."""
    from tqdm import tqdm

    from benchmarks.events import ProgressEvent
    from benchmarks.jobs import execute, prepare_run
    from core.result import load_result

    run_dir = prepare_run(config, out, launch)
    print(f"run {run_dir.name}: {run_dir}", file=sys.stderr)
    bar = tqdm(total=1000, unit="‰", bar_format="{l_bar}{bar}| {elapsed} {postfix}", file=sys.stderr)

    def on_event(event: ProgressEvent) -> None:
        if event.progress is not None:
            bar.n = int(1000 * event.progress)
        bar.set_description(" ".join(w for w in (event.approach or event.stage, event.substage) if w)[:28])
        if event.loss is not None:
            bar.set_postfix_str(f"loss {event.loss:.3f}")
        bar.refresh()

    status = execute(run_dir, on_event=on_event)
    bar.close()
    if status.state != "complete":
        print(f"run {status.state}: {status.error or status.message}", file=sys.stderr)
        return 1
    result = load_result(run_dir)
    print(summary_table(result))
    if line := teacher_line(result):
        print(line)
    for line in search_lines(result):
        print(line)
    for note in result.notes:
        print(f"note: {note}")
    print(f"result: {run_dir / 'result.json'}")
    return 0
