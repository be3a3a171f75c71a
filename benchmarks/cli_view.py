"""The terminal face of a run: a tqdm progress bar while it runs, a summary table at the end."""

from __future__ import annotations

import sys
from pathlib import Path

from benchmarks.config import BenchConfig
from benchmarks.result import BenchmarkResult


def summary_table(result: BenchmarkResult) -> str:
    """What ran where (model, dtype, device), then one line per approach: accuracy (95% CI), macro-F1,
    tokens, latency of one request, scoring speed, training time and speed; MFU on a GPU."""
    head = (f"{'approach':<17}{'accuracy':>9} {'95% CI':>13} {'F1':>6} {'prompt tok':>10} {'p50 ms':>7} "
            f"{'eval tok/s':>10} {'eval MFU':>8} {'train s':>8} {'train tok/s':>11} {'train MFU':>9}")
    env = result.environment
    lines = [f"{result.model.name} in {result.model.dtype} on {env.gpu_name or env.device}", head, "-" * len(head)]
    for a in result.approaches:
        t = a.training
        lines.append(
            f"{a.approach:<17}{a.accuracy:>9.3f} {f'{a.accuracy_ci[0]:.3f}-{a.accuracy_ci[1]:.3f}':>13} {a.macro_f1:>6.3f} "
            f"{a.prompt_tokens_model:>10.1f} {a.latency_ms_p50:>7.0f} {a.eval_tokens_per_second:>10.0f} "
            f"{_share(a.eval_mfu):>8} {(f'{t.seconds:.0f}' if t else '-'):>8} "
            f"{(f'{t.tokens_per_second:.0f}' if t else '-'):>11} {_share(t.mfu if t else None):>9}"
        )
    return "\n".join(lines)


def _share(mfu: float | None) -> str:
    return "-" if mfu is None else f"{mfu:.1%}"


def run_with_progress(config: BenchConfig, out: Path | None) -> int:
    """Run in this process (queued behind any other run on the machine), showing progress."""
    from tqdm import tqdm

    from benchmarks.jobs import execute, prepare_run
    from benchmarks.result import load_result

    run_dir = prepare_run(config, out)
    print(f"run {run_dir.name}: {run_dir}", file=sys.stderr)
    bar = tqdm(total=1000, unit="‰", bar_format="{l_bar}{bar}| {elapsed} {postfix}", file=sys.stderr)

    def on_event(event: dict) -> None:
        bar.n = int(1000 * event.get("progress", bar.n / 1000))
        bar.set_description(event.get("stage", "")[:28])
        if "loss" in event:
            bar.set_postfix_str(f"loss {event['loss']:.3f}")
        bar.refresh()

    status = execute(run_dir, on_event=on_event)
    bar.close()
    if status.state != "complete":
        print(f"run {status.state}: {status.error or status.message}", file=sys.stderr)
        return 1
    result = load_result(run_dir)
    print(summary_table(result))
    for note in result.notes:
        print(f"note: {note}")
    print(f"result: {run_dir / 'result.json'}")
    return 0
