"""The project as a user installs it: a wheel, installed non-editable into a fresh virtual
environment, run from an unrelated folder. Proves the wheel carries its price tables, presets,
report template and dashboard, and that nothing is written next to the installed code. Before
any of that (no build): pyproject's list of packages names every package folder.

The fresh environment borrows the dependencies (torch, streamlit, ...) of the running one through a
.pth line naming its site-packages: Python adds that folder to sys.path but does not execute the
.pth files inside it, so the checkout's editable finder stays out.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import sysconfig
import time
import tomllib
import urllib.request
import zipfile
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parent.parent
PRODUCT = ("core", "calculator", "benchmarks", "dashboard", "prompt_or_tune", "reporting")  # installed as named
NOT_SHIPPED = ("tools", "tests", "scripts", "docs")  # in the checkout beside the product, never in the wheel
LEFT_BEHIND = shutil.ignore_patterns("__pycache__", "build", "dist", "runs", "*.egg-info")
PRESET = "prompt_or_tune_data/scenarios/support_intents.yaml"


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """Built from a copy of the checkout (the developer tools, tests and docs beside the product, as
    a user's clone has them), so no stale build/ or egg-info folder of the checkout leaks in."""
    src = tmp_path_factory.mktemp("src")
    for path in REPO.iterdir():
        if (path.name.startswith(".") and path.name != ".streamlit") or LEFT_BEHIND(REPO, [path.name]):
            continue  # the virtual environment, caches, git; build outputs
        if path.is_dir():
            shutil.copytree(path, src / path.name, symlinks=True, ignore=LEFT_BEHIND)
        else:
            shutil.copy2(path, src / path.name)
    out = tmp_path_factory.mktemp("dist")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
                    "--wheel-dir", str(out), str(src)], check=True, capture_output=True)
    return next(out.glob("prompt_or_tune-*.whl"))


@pytest.fixture(scope="module")
def venv(wheel, tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("venv")
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(root)], check=True)
    site = Path(subprocess.run([root / "bin" / "python", "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                               check=True, capture_output=True, text=True).stdout.strip())
    (site / "borrowed_dependencies.pth").write_text(sysconfig.get_path("purelib") + "\n", encoding="utf-8")
    subprocess.run([sys.executable, "-m", "pip", "--python", str(root / "bin" / "python"), "install", "--quiet",
                    "--no-deps", "--no-index", str(wheel)], check=True, capture_output=True)
    return root


def site_packages(venv: Path) -> Path:
    return next((venv / "lib").glob("python3*/site-packages"))


def clean_env(tmp_path: Path) -> dict[str, str]:
    """Nothing of the checkout's environment but the offline tiktoken files; everything else in tmp."""
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path / "user"), "PROMPT_OR_TUNE_HOME": str(tmp_path / "home")}
    if "TIKTOKEN_CACHE_DIR" in os.environ:
        env["TIKTOKEN_CACHE_DIR"] = os.environ["TIKTOKEN_CACHE_DIR"]
    return env


def run_in(venv: Path, tmp_path: Path, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    cwd = tmp_path / "elsewhere"
    cwd.mkdir(exist_ok=True)
    return subprocess.run([str(venv / "bin" / args[0]), *args[1:]], cwd=cwd, env=clean_env(tmp_path),
                          capture_output=True, text=True, timeout=timeout, check=False)


@pytest.mark.slow  # builds the wheel (~7 s)
def test_wheel_ships_the_data_and_the_dashboard(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    assert {"prompt_or_tune_data/gpu_prices.yaml", "prompt_or_tune_data/finetune_prices.yaml",
            "prompt_or_tune_data/report_templates/report.html.j2", PRESET,
            "prompt_or_tune_data/scenarios/internal_helpdesk.yaml",
            "prompt_or_tune_data/scenarios/contract_review.yaml",
            "dashboard/app.py", "dashboard/pages/decision.py", "dashboard/.streamlit/config.toml"} <= names
    assert "maxUploadSize" in zipfile.ZipFile(wheel).read("dashboard/.streamlit/config.toml").decode()
    assert not any(name.startswith(("data/", "tests/")) for name in names)


def test_every_package_folder_is_listed_in_pyproject():
    """`packages` is a list (data/ is installed under another name), so a new subpackage must be
    added there, or the wheel silently lacks it while the editable checkout still imports it."""
    config = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    renamed = config["package-dir"]  # e.g. prompt_or_tune_data -> data, and its subpackages with it

    def folder(package: str) -> str:
        top, _, rest = package.partition(".")
        return "/".join(part for part in (renamed.get(top, top), rest.replace(".", "/")) if part)

    folders = {folder(name) for name in config["packages"]}
    assert all((REPO / folder).is_dir() for folder in folders), sorted(folders)
    on_disk = {str(path.parent.relative_to(REPO)) for top in (*PRODUCT, "data")
               for path in (REPO / top).rglob("*.py") if "__pycache__" not in path.parts}
    assert on_disk - folders == set(), "add these to [tool.setuptools] packages in pyproject.toml"
    # the developer tools and the tests run from the checkout only (tests/test_wheel.py builds the wheel)
    assert not {name for name in config["packages"] if name.split(".")[0] in ("tools", "tests")}


@pytest.mark.slow  # builds the wheel (~7 s)
def test_wheel_holds_every_product_module_and_no_developer_tool(wheel):
    """Every module of the installed packages as it is in the checkout (a subpackage missing from
    pyproject's list would be silently left out), every data file, and nothing a user does not run."""
    names = set(zipfile.ZipFile(wheel).namelist())
    modules = {path.relative_to(REPO).as_posix() for top in PRODUCT for path in (REPO / top).rglob("*.py")
               if "__pycache__" not in path.parts}
    assert {"benchmarks/runner.py", "calculator/recommend/__init__.py", "prompt_or_tune/cli.py"} <= modules
    assert not (missing := sorted(modules - names)), f"the wheel lacks {missing}: list their packages in pyproject"
    data = {"prompt_or_tune_data/" + path.relative_to(REPO / "data").as_posix()
            for path in (REPO / "data").rglob("*") if path.suffix in (".yaml", ".j2")}
    assert data and not (missing := sorted(data - names)), f"the wheel lacks {missing}"
    shipped_tops = {name.split("/")[0] for name in names if not name.split("/")[0].endswith(".dist-info")}
    assert shipped_tops == {*PRODUCT, "prompt_or_tune_data"}, shipped_tops
    assert not [name for name in names if name.startswith(tuple(f"{top}/" for top in NOT_SHIPPED))]
    tools = {path.name for path in (REPO / "tools").glob("*.py") if path.name != "__init__.py"}
    assert tools and not [name for name in names if name.rsplit("/", 1)[-1] in tools], "a developer tool shipped"


@pytest.mark.slow  # builds the wheel (~7 s), then installs it
def test_installed_wheel_prices_and_reports_from_anywhere(wheel, venv, tmp_path):
    site = site_packages(venv)
    where = run_in(venv, tmp_path, "python", "-c", "import calculator, prompt_or_tune_data; "
                   "print(calculator.__file__); print(prompt_or_tune_data.__file__)")
    assert where.returncode == 0, where.stderr
    assert all(Path(line).is_relative_to(site) for line in where.stdout.split()), where.stdout
    before = sorted(site.rglob("*"))

    cost = run_in(venv, tmp_path, "prompt-or-tune", "cost", "support_intents", "--json")
    assert cost.returncode == 0, cost.stderr
    summary = json.loads(cost.stdout)
    preset = yaml.safe_load(zipfile.ZipFile(wheel).read(PRESET))
    assert summary["scenario"] == preset["name"]
    assert set(summary["approaches"]) == set(preset["approaches"])
    assert all(row["tco_usd"] > 0 for row in summary["approaches"].values())

    report = run_in(venv, tmp_path, "prompt-or-tune", "report", "support_intents", "--format", "md")
    assert report.returncode == 0, report.stderr
    [md] = (tmp_path / "elsewhere").glob("*.md")
    text = md.read_text(encoding="utf-8")
    assert preset["name"] in text
    assert re.search(r"^#+ .*Recommendation", text, re.MULTILINE)

    assert sorted(site.rglob("*")) == before  # nothing written next to the installed code
    assert not (tmp_path / "user").exists()  # nor in the user's home: PROMPT_OR_TUNE_HOME said where


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.slow  # builds the wheel (~7 s), then installs it
def test_installed_app_serves_the_dashboard(venv, tmp_path):
    """`prompt-or-tune app` starts streamlit on the packaged entry, with the options it was given."""
    port = free_port()
    cwd = tmp_path / "elsewhere"
    cwd.mkdir()
    app = subprocess.Popen([str(venv / "bin" / "prompt-or-tune"), "app", "--server.port", str(port),
                            "--server.address", "127.0.0.1"], cwd=cwd, env=clean_env(tmp_path),
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as reply:
                    assert reply.read() == b"ok"
                    break
            except OSError:
                assert app.poll() is None, app.stdout.read()
                assert time.monotonic() < deadline, "the dashboard did not come up in 60 s"
                time.sleep(0.5)
    finally:
        app.terminate()  # one process: the signal reaches the server, no orphan keeps the port
        try:
            output = app.communicate(timeout=30)[0]
        except subprocess.TimeoutExpired:
            app.kill()
            raise
    assert f":{port}" in output, output


@pytest.mark.slow  # builds the wheel (~7 s), then installs it
def test_installed_dashboard_renders_its_pages(venv, tmp_path):
    """The packaged entry script and pages, run from site-packages: the Decision page on the preset."""
    script = (
        "import sys; from streamlit.testing.v1 import AppTest\n"
        "at = AppTest.from_file(sys.argv[1], default_timeout=60).run()\n"
        "assert not at.exception, [e.value for e in at.exception]\n"
        "at.switch_page('pages/costs.py').run()\n"
        "assert not at.exception, [e.value for e in at.exception]\n"
        "print(len(at.metric), len(at.dataframe) + len(at.table))\n"
    )
    entry = site_packages(venv) / "dashboard" / "app.py"
    done = run_in(venv, tmp_path, "python", "-c", script, str(entry))
    assert done.returncode == 0, done.stderr[-3000:]
    metrics, tables = map(int, done.stdout.split())
    assert metrics > 0 and tables > 0
