"""`prompt-or-tune bench`: bad arguments exit 2 with one line naming the option and what is allowed."""

from __future__ import annotations

import pytest

from prompt_or_tune.cli import main


@pytest.mark.parametrize(("argv", "option", "hint"), [
    (["--approaches", "zero_shot,magic"], "--approaches", "allowed: zero_shot, few_shot"),
    (["--task", "sst2"], "--task", "allowed: rotten_tomatoes, imdb, bbc_news"),
    (["--data", "/no/such/file.csv"], "--data", "no such file"),
    (["--test-size", "3"], "--test-size", "greater than or equal to 10"),
    (["--search-trials", "0"], "--search-trials", "greater than or equal to 1"),
])
def test_bad_arguments_exit_2_with_one_line(capsys, argv, option, hint):
    assert main(["bench", *argv]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and option in err and hint in err and "Traceback" not in err


def test_bad_user_data_is_a_usage_error(tmp_path, capsys):
    path = tmp_path / "d.csv"
    path.write_text("body,y\nhello,a\nworld,a\n", encoding="utf-8")
    assert main(["bench", "--data", str(path), "--text-col", "body", "--label-col", "category"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "label_col" in err and "'category'" in err and "body, y" in err


def test_task_kind_and_target_col_reach_the_config(tmp_path):
    from prompt_or_tune.cli import build_parser
    from prompt_or_tune.commands.bench import build_config

    path = tmp_path / "pairs.csv"
    path.write_text("input,output\n" + "".join(f"ticket {i},reply {i}\n" for i in range(12)), encoding="utf-8")
    args = build_parser().parse_args(["bench", "--data", str(path), "--text-col", "input",
                                      "--task-kind", "generation", "--target-col", "output"])
    config = build_config(args)
    assert (config.task_kind, config.target_col, config.text_col) == ("generation", "output", "input")
    assert build_config(build_parser().parse_args(["bench"])).task_kind == "classification"
    missing = build_parser().parse_args(["bench", "--data", str(path), "--task-kind", "extraction"])
    assert build_config(missing) == ("--target-col", "target_col: task_kind extraction needs the column holding "
                                                     "each input's JSON object")


def test_free_text_labels_stop_with_one_line_saying_how_to_run_them(tmp_path, capsys):
    path = tmp_path / "pairs.csv"
    path.write_text("input,output\n" + "".join(f"ticket {i},Dear customer: your ticket {i} is solved now\n"
                                                 for i in range(40)), encoding="utf-8")
    assert main(["bench", "--data", str(path), "--text-col", "input", "--label-col", "output", "--quick"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and len(err) < 450 and "--data: label column 'output' looks like free text" in err
    assert err.endswith("--task-kind generation --target-col output")


def test_summary_says_what_ran_where_and_how_fast():
    from prompt_or_tune.commands.bench_view import summary_table
    from tests.fake_result import fake_result

    result = fake_result()
    result.approaches[-1].eval_mfu = 0.123  # as a GPU run would have it
    lines = summary_table(result).splitlines()
    assert lines[0] == "smollm2-135m-instruct in float32 on cpu"
    assert all(column in lines[1] for column in ("p50 ms", "eval tok/s", "eval MFU", "train tok/s", "train MFU"))
    lora = next(line for line in lines if line.startswith("lora")).split()
    zero = next(line for line in lines if line.startswith("zero_shot")).split()
    # accuracy; p50 ms; eval tokens/s 2000; eval MFU; training 12 s at 1666 tokens/s; no training MFU on CPU
    assert lora[1:4] == ["smollm2-135m-instruct", "local", "0.820"] and lora[-6:] == ["40", "2000", "12.3%", "12", "1666", "-"]
    assert zero[-5:] == ["2000", "-", "-", "-", "-"]


@pytest.mark.slow
def test_the_progress_bar_reads_the_typed_events(tmp_path, tiny_config, capsys):
    """`bench` in this process: the bar follows the events' fields to the end and the run is summarised."""
    from benchmarks.jobs import run_status
    from prompt_or_tune.commands.bench_view import run_with_progress

    assert run_with_progress(tiny_config(approaches=["zero_shot"], test_size=10), tmp_path) == 0
    captured = capsys.readouterr()
    assert "zero_shot" in captured.err and "100%" in captured.err  # the bar reached the end
    assert any(line.startswith("zero_shot") for line in captured.out.splitlines())
    run_dir = next(tmp_path.iterdir())
    events = run_status(run_dir).events
    assert events[-1].stage == "done" and events[-1].progress == 1.0
    assert [e.elapsed_s for e in events if e.elapsed_s is not None] == sorted(
        e.elapsed_s for e in events if e.elapsed_s is not None)


def test_search_trials_bound_the_prompt_search():
    from prompt_or_tune.cli import build_parser
    from prompt_or_tune.commands.bench import build_config

    args = build_parser().parse_args(["bench", "--approaches", "zero_shot,prompt_search", "--search-trials", "12"])
    assert build_config(args).settings("prompt_search").trials == 12
    assert build_config(build_parser().parse_args(["bench"])).settings("prompt_search").trials == 8
