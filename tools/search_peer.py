"""Prompt search against its anchor (issue 30): this project's search and DSPy's
`BootstrapFewShotWithRandomSearch` on the same endpoint model, splits and budget, side by side.

Both talk to one OpenAI-compatible server (by default `transformers serve` of the packaged model on
127.0.0.1, started here: tools/served.py) and both start cold: this project's run in a home of its own
(an empty response cache), DSPy with its caches off, so every call counted was sent.

- This project: a benchmark run with zero-shot, few-shot and prompt_search on the endpoint arm, quick
  mode (`--search-trials` candidates, each scored on the validation split's first `--validation`
  examples; the chosen one alone meets the test split).
- DSPy: a `Predict` program whose signature is the task's (its input field, a `label` output typed as
  the verbalizers), its instruction the zero-shot prompt's, compiled by BootstrapFewShotWithRandomSearch
  with up to k demos (the run's k) bootstrapped from the training split's first `--dspy-train` examples
  (its teacher answers them in turn until k pass, per candidate: the whole split could cost thousands of
  calls; this project's search makes none on training examples), the same validation examples as valset and
  `--search-trials` candidate programs in all (its zero-shot, labeled-only and unshuffled programs count
  among them, so num_candidate_programs = trials - 3); the best is then evaluated on the same test split,
  and so is the uncompiled program (DSPy's own zero-shot, in its adapter's format). DSPy's calls, tokens
  and seconds are counted by a proxy both sides send through (tools/served.py: CountingProxy), which also
  checks that no request of DSPy's search held a test example's text.

Classification tasks only (DSPy's metric here is the label's exact match). Needs the `peers` extra.

    python -m tools.search_peer [--endpoint URL --model NAME] [--task rotten_tomatoes] [--search-trials 8]
                                [--validation 60] [--test-size 240] [--out tools/results]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from benchmarks.config import BenchConfig
from benchmarks.prompt_ids import PromptBuilder
from benchmarks.tasks import Example, TaskData, load_task
from tools.served import CountingProxy, counting_proxy

RESULTS_DIR = Path(__file__).resolve().parent / "results"
FIXED_DSPY_CANDIDATES = 3  # zero-shot, labeled-only and unshuffled bootstrap: BootstrapFewShotWithRandomSearch's seeds -3..-1
DSPY_MAX_TOKENS = 32  # its ChatAdapter's reply ("[[ ## label ## ]]\n<label>\n\n[[ ## completed ## ]]") with room
LOCAL_KEY_ENV = "SEARCH_PEER_LOCAL_KEY"  # what the local server is sent (it checks no key)
APPROACHES = ["zero_shot", "few_shot", "prompt_search"]


@contextlib.contextmanager
def fresh_home() -> Iterator[Path]:
    """PROMPT_OR_TUNE_HOME set to an empty folder (an empty response cache) that still finds the converted
    packaged model; the variable restored on exit."""
    from benchmarks.models import packaged_model_dir

    models = packaged_model_dir().parent
    before = os.environ.get("PROMPT_OR_TUNE_HOME")
    with tempfile.TemporaryDirectory(prefix="search-peer-home-") as tmp:
        (Path(tmp) / "models").symlink_to(models, target_is_directory=True)
        os.environ["PROMPT_OR_TUNE_HOME"] = tmp
        try:
            yield Path(tmp)
        finally:
            if before is None:
                os.environ.pop("PROMPT_OR_TUNE_HOME", None)
            else:
                os.environ["PROMPT_OR_TUNE_HOME"] = before


def config_for(args: argparse.Namespace, url: str, model: str) -> BenchConfig:
    return BenchConfig(
        quick=True, api_key_env=args.api_key_env, task=args.task, approaches=APPROACHES, endpoint_url=url, endpoint_model=model,
        test_size=args.test_size, concurrency=args.concurrency, endpoint_timeout_s=args.timeout_s,
        hyperparameters={"prompt_search": {"trials": args.search_trials, "validation_examples": args.validation}})


@contextlib.contextmanager
def counted(proxy: CountingProxy) -> Iterator[dict]:
    """The requests the proxy answered inside the block: calls, prompt and completion tokens, seconds, and
    each request's messages (`asked`, for the test-split check; dropped before the JSON is written)."""
    box: dict = {}
    start, started = len(proxy.exchanges), time.perf_counter()
    yield box
    end = len(proxy.exchanges)
    box.update(proxy.sent(start, end), seconds=time.perf_counter() - started,
               asked=[" ".join(str(m.get("content")) for m in body.get("messages", [])) for body, _ in proxy.exchanges[start:end]])


def test_texts_in(asked: list[str], task: TaskData) -> int:
    """Requests whose messages hold a test example's text: 0 when a search never saw the test split."""
    return sum(any(e.text in message for e in task.test) for message in asked)


def ours(config: BenchConfig, proxy: CountingProxy) -> dict:
    """This project's run on the endpoint arm: each row's test score, the search's trials, and every call the
    proxy answered (the search's, the three test splits' and the preflight)."""
    from benchmarks.jobs import new_run_dir
    from benchmarks.runner import run_benchmark

    with fresh_home() as home, counted(proxy) as sent:
        result = run_benchmark(config, new_run_dir(home / "runs"))
    if result.status != "complete":
        raise SystemExit(f"this project's run did not complete: {result.status}: {result.notes}")
    rows = {name: result.approach(name, "endpoint") for name in APPROACHES}
    search = rows["prompt_search"].search
    return {
        "run_id": result.run_id, "sent": {k: v for k, v in sent.items() if k != "asked"},
        "test": {name: {"accuracy": row.quality.value, "interval": list(row.quality.interval),
                        "sent": row.endpoint.sent, "input_tokens_mean": row.endpoint.input_tokens}
                 for name, row in rows.items()},
        "search": {"calls": search.calls, "seconds": search.seconds, "prompt_tokens": search.prompt_tokens,
                   "trials": [{"candidate": t.candidate, "validation_score": t.validation_score} for t in search.trials],
                   "chosen": search.trials[search.chosen].candidate, "prompt": search.prompt},
    }


def _signature(task: TaskData):
    """The task's DSPy signature: its input field, a `label` output limited to the verbalizers, and the
    zero-shot prompt's instruction (the text before the input)."""
    import dspy

    instruction = PromptBuilder(task, tokenizer=None, use_chat=True, kind="zero_shot").template.chat_body
    instruction = instruction.split(f"\n\n{task.input_name}: ", 1)[0]
    return dspy.make_signature(
        {"text": (str, dspy.InputField(desc=task.input_name)),
         "label": (Literal[tuple(task.verbalizers)], dspy.OutputField())},
        instructions=instruction)


def _dspy_examples(task: TaskData, examples: list[Example]) -> list:
    import dspy

    return [dspy.Example(text=e.text, label=task.verbalizers[e.label]).with_inputs("text") for e in examples]


def _exact_label(example, prediction, trace=None) -> bool:
    return getattr(prediction, "label", None) == example.label


def dspy_side(config: BenchConfig, task: TaskData, proxy: CountingProxy, validation: int, trials: int,
              train: int) -> dict:
    """DSPy's BootstrapFewShotWithRandomSearch on the same splits and budget, then the test split; its calls
    counted by the proxy (DSPy's own usage tracker misses those made in Evaluate's threads)."""
    import dspy
    from dspy.teleprompt import BootstrapFewShotWithRandomSearch

    dspy.configure_cache(enable_disk_cache=False, enable_memory_cache=False)
    lm = dspy.LM(f"openai/{config.endpoint_model}", api_base=proxy.url, api_key=os.environ[config.api_key_env],
                 temperature=0.0, max_tokens=DSPY_MAX_TOKENS, cache=False, num_retries=config.endpoint_retries)
    dspy.configure(lm=lm)
    train, val = _dspy_examples(task, task.train[:train]), _dspy_examples(task, task.validation[:validation])
    test = _dspy_examples(task, task.test)
    program = dspy.Predict(_signature(task))
    budget = dict(num_threads=config.concurrency, max_errors=10 * (len(val) + len(test)))
    optimizer = BootstrapFewShotWithRandomSearch(
        metric=_exact_label, max_bootstrapped_demos=config.k, max_labeled_demos=config.k,
        num_candidate_programs=max(trials - FIXED_DSPY_CANDIDATES, 0), **budget)
    with counted(proxy) as search:
        compiled = optimizer.compile(program, trainset=train, valset=val)
    search["test_texts_seen"] = test_texts_in(search.pop("asked"), task)

    def tested(candidate) -> dict:
        evaluate = dspy.Evaluate(devset=test, metric=_exact_label, display_progress=False, **budget)
        with counted(proxy) as sent:
            score = evaluate(candidate).score / 100
        sent.pop("asked")
        return {"accuracy": score, **sent}

    return {
        "version": dspy.__version__, "max_tokens": DSPY_MAX_TOKENS,
        "search": search | {"candidates": [{"seed": c["seed"], "validation_score": c["score"] / 100,
                                            "demos": len(c["program"].demos)} for c in compiled.candidate_programs]},
        "chosen_demos": [{"text": d.text, "label": d.label} for d in compiled.demos],
        "test": {"compiled": tested(compiled), "uncompiled": tested(program)},
    }


def run(args: argparse.Namespace, url: str, model: str) -> dict:
    """Both searches through one counting proxy in front of the endpoint at `url`."""
    with counting_proxy(url) as proxy:
        return _compared(args, proxy, model)


def _compared(args: argparse.Namespace, proxy: CountingProxy, model: str) -> dict:
    config = config_for(args, proxy.url, model)
    task = load_task(config)
    report = {
        "what": "prompt search: this project's vs DSPy BootstrapFewShotWithRandomSearch, same endpoint, splits, budget",
        "when": datetime.now(UTC).isoformat(timespec="seconds"), "endpoint_model": Path(model).name,
        "task": task.name, "budget": {"trials": args.search_trials, "validation_examples": args.validation, "k": config.k,
                                      "dspy_train_examples": min(args.dspy_train, len(task.train))},
        "splits": {"train": len(task.train), "validation": min(args.validation, len(task.validation)),
                   "test": len(task.test)},
        "concurrency": config.concurrency, "load_average_start": os.getloadavg(),
    }
    report["ours"] = ours(config, proxy)
    report["dspy"] = dspy_side(config, task, proxy, args.validation, args.search_trials, args.dspy_train)
    report["load_average_end"] = os.getloadavg()
    return report


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--endpoint", help="base URL of an OpenAI-compatible server (default: serve the packaged model here)")
    parser.add_argument("--model", help="the model name it serves (with --endpoint)")
    parser.add_argument("--task", default="rotten_tomatoes")
    parser.add_argument("--search-trials", type=int, default=8)
    parser.add_argument("--validation", type=int, default=60, help="validation examples each candidate is scored on")
    parser.add_argument("--test-size", type=int, default=None, help="test examples (default: quick mode's)")
    parser.add_argument("--dspy-train", type=int, default=32,
                        help="training examples DSPy bootstraps demos from: its teacher answers them in turn until "
                             "k pass, per candidate program, so the whole split could cost thousands of calls")
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--timeout-s", type=float, default=120.0)
    parser.add_argument("--api-key-env", default="OPENAI_API_KEY", help="the variable holding --endpoint's key")
    parser.add_argument("--out", type=Path, default=RESULTS_DIR)
    args = parser.parse_args(argv)
    if bool(args.endpoint) != bool(args.model):
        parser.error("--endpoint and --model go together")
    if args.endpoint:
        report = run(args, args.endpoint, args.model)
    else:
        from tools.served import packaged_server

        args.api_key_env = LOCAL_KEY_ENV
        os.environ.setdefault(LOCAL_KEY_ENV, "no-key: a local transformers serve")
        with packaged_server() as served:
            report = run(args, served["url"], served["model"])
    args.out.mkdir(parents=True, exist_ok=True)
    path = args.out / f"search_peer-{report['when'].replace(':', '')[:17]}.json"
    path.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(summary(report), file=sys.stderr)
    print(path)
    return report


def summary(report: dict) -> str:
    o, d = report["ours"], report["dspy"]
    lines = [f"{report['task']} on {report['endpoint_model']}: {report['budget']['trials']} trials x "
             f"{report['splits']['validation']} validation examples, test {report['splits']['test']}"]
    for name, row in o["test"].items():
        lines.append(f"  this project {name:<14} test accuracy {row['accuracy']:.3f}")
    lines.append(f"  this project's search: {o['search']['calls']} calls, {o['search']['seconds']:.1f} s, "
                 f"chose {o['search']['chosen']}; the whole run sent {o['sent']['calls']} calls")
    for name, row in d["test"].items():
        lines.append(f"  DSPy {name:<22} test accuracy {row['accuracy']:.3f}")
    lines.append(f"  DSPy's search: {d['search']['calls']} calls, {d['search']['seconds']:.1f} s, "
                 f"{d['search']['prompt_tokens']:,} prompt tokens; requests holding a test text: "
                 f"{d['search']['test_texts_seen']}")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
