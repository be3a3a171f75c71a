"""`prompt-or-tune bench`: run the live benchmark."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Literal, get_args, get_origin

from benchmarks.config import ALL_APPROACHES, BUILTIN_TASKS, PRECISIONS, BenchConfig
from benchmarks.launch import Launch, refused_under_fsdp
from core.approaches import TASK_KINDS


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "bench", help="measure prompting vs tuning approaches on a model and a task",
        description="Run approaches on one model and one task; writes result.json, predictions.csv and run.log.",
    )
    p.add_argument("--model", default=BenchConfig.model_fields["model"].default,
                   help="packaged default, a local directory, or a Hugging Face id already on disk")
    p.add_argument("--task", default="rotten_tomatoes", help=f"built-in task: {', '.join(BUILTIN_TASKS)}")
    p.add_argument("--data", type=Path, help="your own CSV or JSONL (overrides --task)")
    p.add_argument("--text-col", default="text", help="text column of --data")
    p.add_argument("--label-col", default="label", help="label column of --data")
    p.add_argument("--task-kind", choices=TASK_KINDS, default=None,
                   help="classification: a label from --label-col; generation: free text scored against the "
                        "reference in --target-col; extraction: a JSON object in --target-col, scored field by "
                        "field (the last two read --data)")
    p.add_argument("--target-col", help="column of --data holding each input's reference answer (text for "
                                        "--task-kind generation, a JSON object for extraction)")
    p.add_argument("--approaches", help=f"comma-separated, from: {', '.join(ALL_APPROACHES)}")
    p.add_argument("--quick", action="store_true", help="CPU-sized run (minutes): zero_shot, few_shot, lora")
    p.add_argument("--out", type=Path, help="runs folder (default: PROMPT_OR_TUNE_RUNS, else runs/ in the data folder)")
    p.add_argument("--device", choices=["auto", "cpu", "cuda"], default="auto", help="default: cuda when present")
    p.add_argument("--dtype", choices=PRECISIONS, default="auto",
                   help="auto: bfloat16 on CUDA and on CPUs whose bf16 matmul measures >= 1.5x float32 (AMX, "
                        "AVX512_BF16), else float32")
    p.add_argument("--seed", type=int, default=0, help="seed for split, examples and training")
    p.add_argument("--test-size", type=int, help="held-out test examples")
    p.add_argument("--search-trials", type=int, help="prompt_search's budget: candidate prompts scored on the "
                   "validation split (default 8)")
    _endpoint_options(p)
    _judge_options(p)
    _teacher_options(p)
    _launch_options(p)
    p.set_defaults(handler=handle)


# option -> BenchConfig field of the endpoint arms (help texts come from the field descriptions)
ENDPOINT_OPTIONS = {"--endpoint": "endpoint_url", "--endpoint-model": "endpoint_model",
                    "--endpoint-approaches": "endpoint_approaches", "--provider": "provider",
                    "--api-key-env": "api_key_env", "--max-usd": "max_usd", "--concurrency": "concurrency",
                    "--input-usd-per-mtok": "input_usd_per_mtok", "--output-usd-per-mtok": "output_usd_per_mtok"}
_FLOAT_FIELDS = {"max_usd", "input_usd_per_mtok", "output_usd_per_mtok"}


def _endpoint_options(p: argparse.ArgumentParser) -> None:
    group = p.add_argument_group("endpoint arms", "the prompting approaches on an OpenAI-compatible server")
    for option, name in ENDPOINT_OPTIONS.items():
        kind = float if name in _FLOAT_FIELDS else int if name == "concurrency" else str
        group.add_argument(option, dest=name, type=kind, help=BenchConfig.model_fields[name].description)


# option -> BenchConfig field of the judge (benchmarks/judge.py; help texts from the field descriptions)
JUDGE_OPTIONS = {"--judge-endpoint": "judge_endpoint_url", "--judge-model": "judge_model",
                 "--judge-provider": "judge_provider", "--judge-api-key-env": "judge_api_key_env",
                 "--judge-input-usd-per-mtok": "judge_input_usd_per_mtok",
                 "--judge-output-usd-per-mtok": "judge_output_usd_per_mtok"}


def _judge_options(p: argparse.ArgumentParser) -> None:
    group = p.add_argument_group("judge", "a model that compares each generation answer with its reference")
    for option, name in JUDGE_OPTIONS.items():
        group.add_argument(option, dest=name, type=float if name.endswith("_usd_per_mtok") else str,
                           help=BenchConfig.model_fields[name].description)


# option -> BenchConfig field of the teacher (benchmarks/teacher.py; help texts from the field descriptions)
TEACHER_OPTIONS = {"--teacher": "teacher", "--teacher-endpoint": "teacher_endpoint_url", "--teacher-model": "teacher_model",
                   "--teacher-provider": "teacher_provider", "--teacher-api-key-env": "teacher_api_key_env",
                   "--teacher-input-usd-per-mtok": "teacher_input_usd_per_mtok",
                   "--teacher-output-usd-per-mtok": "teacher_output_usd_per_mtok"}


def _teacher_options(p: argparse.ArgumentParser) -> None:
    group = p.add_argument_group("teacher", "a model labels the training inputs the tuned approaches train on "
                                            "(distillation)")
    for option, name in TEACHER_OPTIONS.items():
        group.add_argument(option, dest=name, type=float if name.endswith("_usd_per_mtok") else str,
                           choices=("local", "endpoint") if name == "teacher" else None,
                           help=BenchConfig.model_fields[name].description)


# option -> Launch field of a data-parallel run (help texts come from the field descriptions)
LAUNCH_OPTIONS = {"--processes": "processes", "--launcher": "launcher", "--accelerate-config": "accelerate_config",
                  "--threads-per-process": "threads_per_process", "--shard": "shard"}


def _launch_options(p: argparse.ArgumentParser) -> None:
    group = p.add_argument_group("data-parallel", "one run over several processes (docs/BENCHMARKS.md)")
    kinds = {"processes": int, "threads_per_process": int, "accelerate_config": Path}
    for option, name in LAUNCH_OPTIONS.items():
        field = Launch.model_fields[name]
        choices = get_args(field.annotation) if get_origin(field.annotation) is Literal else None  # the field's own
        group.add_argument(option, dest=name, type=kinds.get(name, str), help=field.description, choices=choices)


def _fail(option: str, message: str) -> int:
    print(f"prompt-or-tune bench: error: {option}: {message}", file=sys.stderr)
    return 2


def build_config(args: argparse.Namespace) -> BenchConfig | tuple[str, str]:
    """The validated config, or (option, message) naming what is wrong."""
    from pydantic import ValidationError

    approaches = None
    if args.approaches:
        approaches = [a.strip() for a in args.approaches.split(",") if a.strip()]
        bad = [a for a in approaches if a not in ALL_APPROACHES]
        if bad or not approaches:
            return "--approaches", f"unknown {', '.join(bad) or '(empty)'}; allowed: {', '.join(ALL_APPROACHES)}"
    if args.task not in BUILTIN_TASKS:
        return "--task", f"unknown {args.task!r}; allowed: {', '.join(BUILTIN_TASKS)} (or --data FILE)"
    if args.data is not None and not args.data.is_file():
        return "--data", f"no such file: {args.data}"
    fields = {"model": args.model, "task": args.task, "data_file": args.data, "text_col": args.text_col,
              "label_col": args.label_col, "task_kind": args.task_kind, "target_col": args.target_col,
              "approaches": approaches, "quick": args.quick,
              "device": args.device, "dtype": args.dtype, "seed": args.seed, "test_size": args.test_size}
    fields |= {name: getattr(args, name, None) for name in ENDPOINT_OPTIONS.values()}
    fields |= {name: getattr(args, name, None) for name in (JUDGE_OPTIONS | TEACHER_OPTIONS).values()}
    if args.search_trials is not None:
        fields["hyperparameters"] = {"prompt_search": {"trials": args.search_trials}}
    if fields["endpoint_approaches"] is not None:
        fields["endpoint_approaches"] = [a.strip() for a in fields["endpoint_approaches"].split(",") if a.strip()]
    try:
        return BenchConfig(**{k: v for k, v in fields.items() if v is not None})
    except ValidationError as exc:
        err = exc.errors()[0]
        message = err["msg"].removeprefix("Value error, ")
        lead = message.split(":")[0]  # a whole-config check names its field first ("endpoint_model: ...")
        name = str(err["loc"][0]) if err["loc"] else lead if lead in BenchConfig.model_fields else "config"
        options = {field: opt for opt, field in (ENDPOINT_OPTIONS | JUDGE_OPTIONS | TEACHER_OPTIONS).items()} | {
            "data_file": "--data", "hyperparameters": "--search-trials"}
        option = options.get(name, "--" + name.replace("_", "-"))
        return option, message


def build_launch(args: argparse.Namespace) -> Launch | tuple[str, str]:
    """The validated Launch of the data-parallel options, or (option, message) naming what is wrong."""
    from pydantic import ValidationError

    given = {name: getattr(args, name, None) for name in LAUNCH_OPTIONS.values()}
    try:
        return Launch(**{k: v for k, v in given.items() if v is not None})
    except ValidationError as exc:
        err = exc.errors()[0]
        message = err["msg"].removeprefix("Value error, ")
        name = str(err["loc"][0]) if err["loc"] else message.split(":")[0]
        option = {field: opt for opt, field in LAUNCH_OPTIONS.items()}.get(name, "--processes")
        bounds = {type(m).__name__: getattr(m, type(m).__name__.lower(), None)
                  for m in getattr(Launch.model_fields.get(name), "metadata", [])}
        allowed = f" (allowed: {bounds['Ge']} to {bounds['Le']})" if {"Ge", "Le"} <= bounds.keys() else ""
        return option, message.removeprefix(f"{name}: ") + allowed


def handle(args: argparse.Namespace) -> int:
    config, launch = build_config(args), build_launch(args)
    if isinstance(config, tuple) or isinstance(launch, tuple):
        return _fail(*(config if isinstance(config, tuple) else launch))
    if launch.shard == "fsdp" and (refused := refused_under_fsdp(config)):
        return _fail("--shard", refused)
    if config.teacher == "endpoint" and launch.processes > 1:
        from benchmarks.teacher import ONE_PROCESS

        return _fail("--teacher-endpoint", ONE_PROCESS)
    if config.data_file:  # read the user's file now, so bad data is a usage error, not a failed run
        from benchmarks.tasks import TaskDataError, load_task

        try:
            load_task(config)
        except TaskDataError as exc:
            return _fail("--data", str(exc))
    if config.endpoint_url and (failed := _endpoint_preflight(config)) is not None:
        return failed
    if config.judge_endpoint_url and (failed := _judge_preflight(config)) is not None:
        return failed
    if config.teacher and (failed := _teacher_preflight(config)) is not None:
        return failed
    from prompt_or_tune.commands.bench_view import run_with_progress

    return run_with_progress(config, args.out, launch)


def _endpoint_preflight(config: BenchConfig) -> int | None:
    """Prices, key, URL and model checked with one small request, and the most the endpoint arms
    can cost printed, before the run starts; a usage error (exit 2) when something is wrong."""
    from benchmarks.endpoint.arm import cost_estimate, open_session
    from benchmarks.endpoint.client import EndpointError
    from benchmarks.tasks import load_task
    from calculator.prices import PriceNotFound

    try:
        task = load_task(config)
        session = open_session(config, task.verbalizers)
    except (EndpointError, PriceNotFound) as exc:
        return _fail("--endpoint", str(exc))
    answers = "constrained to the labels" if session.constrained else "parsed from the reply"
    print(f"endpoint {session.settings.host}, model {config.endpoint_model}: answers {answers}")
    print(cost_estimate(config, task, session.pricing, session.counter))
    return None


def _judge_preflight(config: BenchConfig) -> int | None:
    """The judge's prices, key, URL and model checked with one small request, and the most it can
    cost printed, before the run starts; a usage error (exit 2) when something is wrong."""
    from benchmarks.endpoint.client import EndpointError
    from benchmarks.judge import judge_cost_estimate, open_judge
    from benchmarks.tasks import load_task
    from calculator.prices import PriceNotFound

    try:
        task = load_task(config)
        judge = open_judge(config)
    except (EndpointError, PriceNotFound) as exc:
        return _fail("--judge-endpoint", str(exc))
    verdicts = "constrained to A, B, T" if judge.session.constrained else "read from the reply"
    print(f"judge {judge.session.settings.host}, model {config.judge_model}: verdicts {verdicts}")
    print(judge_cost_estimate(config, task, judge.session))
    return None


def _teacher_preflight(config: BenchConfig) -> int | None:
    """Who labels the training inputs, printed before the run; an endpoint teacher's prices, key, URL and model
    checked with one small request, and its likely and most cost printed; a usage error (exit 2) when wrong."""
    from benchmarks.endpoint.arm import Budget
    from benchmarks.endpoint.client import EndpointError
    from benchmarks.tasks import load_task
    from benchmarks.teacher import open_teacher, teacher_cost_estimate
    from calculator.prices import PriceNotFound
    from core.approaches import TUNED

    tuned = ", ".join(a for a in config.approaches if a in TUNED)
    if config.teacher == "local":
        print(f"teacher: {config.model} on this machine labels the training inputs zero-shot for {tuned}")
        return None
    try:
        task = load_task(config)
        session = open_teacher(config, task.verbalizers, Budget(config.max_usd), None).session
    except (EndpointError, PriceNotFound) as exc:
        return _fail("--teacher-endpoint", str(exc))
    answers = "parsed from the reply" if not session.constrained else "constrained to the labels"
    print(f"teacher {session.settings.host}, model {config.teacher_model}: labels the training inputs zero-shot "
          f"for {tuned}, answers {answers if task.kind == 'classification' else 'read by the task kind'}")
    print(teacher_cost_estimate(config, task, session))
    return None
