"""The maps stay true: docs/BENCHMARKS.md's module tables list exactly the modules of benchmarks/
and of tools/, every citation of docs/ARCHITECTURE.md names one of its sections, nothing cites
the design document that is not in the repository, tests/ mirrors the packages (docs/ARCHITECTURE.md,
"The house") and every test file a document names exists."""

from __future__ import annotations

import ast
import os
import re
import tomllib
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
DOCS = REPO / "docs"
TESTS = REPO / "tests"
# Test folders that are not a package: a suite across packages, named in ARCHITECTURE.md's paragraph on tests.
SUITES = {"reliability"}  # bad input and faults, whichever package meets them (docs/RELIABILITY.md)
DATA = "data"  # tests/data/: files the tests read (sample CSVs, a version-1 result), no tests
# Test files at the top of tests/: the project as a whole (the import contracts, these maps, the wheel).
WHOLE_PROJECT = {"test_architecture.py", "test_docs.py", "test_wheel.py"}
TEST_FILE = re.compile(r"\btests/[\w/]+\.py")
SKIPPED_DIRS = {"__pycache__", "build", "dist", "runs"}  # and every folder whose name starts with "."
OUTSIDE_DOCUMENT = "DESIGN" + ".md"  # spelt in two so this file does not cite it
CITATION = re.compile(r"ARCHITECTURE\.md, ([A-Za-z0-9][A-Za-z0-9 ]*[A-Za-z0-9])")


def section(markdown: str, heading: str) -> list[str]:
    """The lines after `heading` up to the next heading of its level or above."""
    lines = markdown.splitlines()
    start = lines.index(heading) + 1
    level = heading.split(" ")[0]
    end = next((i for i in range(start, len(lines))
                if lines[i].startswith("#") and len(lines[i].split(" ")[0]) <= len(level)), len(lines))
    return lines[start:end]


def table_modules(heading: str = "## Modules (public API)") -> list[str]:
    """The first cell of each row of a module table of BENCHMARKS.md, e.g. `endpoint/arm.py`."""
    text = (DOCS / "BENCHMARKS.md").read_text(encoding="utf-8")
    return [line.split("`")[1] for line in section(text, heading) if line.startswith("| `")]


def holds_code(path: Path) -> bool:
    """Anything besides a docstring (an `__init__.py` that only names its package holds none)."""
    body = ast.parse(path.read_text(encoding="utf-8")).body
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
        body = body[1:]
    return bool(body)


def modules(package: str = "benchmarks") -> list[str]:
    root = REPO / package
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*.py")
                  if "__pycache__" not in p.parts and (p.name != "__init__.py" or holds_code(p)))


def text_files() -> list[Path]:
    """The repository's .py and .md files (not the virtual environment, caches, runs or builds)."""
    found = []
    for folder, dirs, files in os.walk(REPO):
        dirs[:] = [d for d in dirs if not d.startswith(".") and d not in SKIPPED_DIRS and not d.endswith(".egg-info")]
        found += [Path(folder) / f for f in files if f.endswith((".py", ".md"))]
    return found


@pytest.mark.parametrize(("package", "heading"), [("benchmarks", "## Modules (public API)"),
                                                   ("tools", "## Developer tools")])
def test_module_table_lists_every_module_once(package, heading):
    listed = table_modules(heading)
    assert len(listed) == len(set(listed)), f"listed twice: {sorted({m for m in listed if listed.count(m) > 1})}"
    on_disk = modules(package)
    assert not (missing := sorted(set(on_disk) - set(listed))), (
        f"docs/BENCHMARKS.md's table under {heading!r} lacks {missing}: add a row with the module's job")
    assert not (gone := sorted(set(listed) - set(on_disk))), (
        f"docs/BENCHMARKS.md's table under {heading!r} lists {gone}, which no longer exist under {package}/")


def test_no_file_cites_the_design_document_outside_the_repository():
    citing = [str(p.relative_to(REPO)) for p in text_files() if OUTSIDE_DOCUMENT in p.read_text(encoding="utf-8")]
    assert citing == [], f"{OUTSIDE_DOCUMENT} is not in the repository; cite docs/ARCHITECTURE.md instead: {citing}"


def test_architecture_citations_name_its_sections():
    text = (DOCS / "ARCHITECTURE.md").read_text(encoding="utf-8")
    headings = [line.lstrip("#").strip().lower() for line in text.splitlines() if line.startswith("#")]
    cited = {(str(p.relative_to(REPO)), name) for p in text_files()
             for name in CITATION.findall(p.read_text(encoding="utf-8"))}
    assert cited, "nothing cites docs/ARCHITECTURE.md by section"
    unknown = sorted((where, name) for where, name in cited
                     if not any(re.match(re.escape(name.lower()) + r"\b", h) for h in headings))
    assert unknown == [], f"citations of sections docs/ARCHITECTURE.md does not have: {unknown}"


def test_test_folders_mirror_the_packages():
    """tests/<package>/<subpackage>/... for the code of that (sub)package, or a suite of SUITES."""
    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    packages = set(pyproject["tool"]["importlinter"]["root_packages"])  # core, calculator, ..., tools
    folders = [path.relative_to(TESTS) for path in TESTS.rglob("*") if path.is_dir()
               and not any(part == "__pycache__" or part.startswith(".") for part in path.parts)]
    stray = sorted(str(folder) for folder in folders if folder.parts[0] not in {*SUITES, DATA}
                   and (folder.parts[0] not in packages or not (REPO / folder).is_dir()))
    assert not list((TESTS / DATA).glob("test_*.py")), f"tests/{DATA}/ holds data, not tests"
    assert stray == [], (f"test folders that are neither a package folder nor a suite of {sorted(SUITES)}: "
                         f"{stray}; put each test under tests/<the package it tests>/")
    top = sorted(path.name for path in TESTS.glob("test_*.py") if path.name not in WHOLE_PROJECT)
    assert top == [], f"tests/ holds {top} at its top: put each under tests/<the package it tests>/"
    architecture = (DOCS / "ARCHITECTURE.md").read_text(encoding="utf-8")
    assert all(f"`tests/{suite}/`" in architecture for suite in SUITES), "ARCHITECTURE.md names each suite"


def test_every_test_file_a_document_names_exists():
    cited = {(str(path.relative_to(REPO)), name) for path in [*text_files(), REPO / "pyproject.toml"]
             for name in TEST_FILE.findall(path.read_text(encoding="utf-8"))}
    missing = sorted((where, name) for where, name in cited if not (REPO / name).is_file())
    assert missing == [], f"files naming test files that do not exist (moved?): {missing}"
