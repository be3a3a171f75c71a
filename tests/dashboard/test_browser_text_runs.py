"""Issue 26 as a user meets it, in headless Chromium: a CSV of (support ticket, one-line reply) pairs and
one of (invoice text, JSON object) pairs uploaded through the real upload widget, each checked and
previewed, each run (zero-shot and LoRA, 10 test examples, quick mode) from the page on the packaged
model; when a run finishes, its runs table names its metric (chrF, field F1) and its results grid shows
each test input with its reference and every approach's answer and score, as predictions.csv has them.

Screenshots go where DASHBOARD_SCREENSHOT_TEXT_GENERATION and DASHBOARD_SCREENSHOT_TEXT_EXTRACTION
name (a file or a folder), if set."""

from __future__ import annotations

import csv
import time

import pytest

from core.result import load_result
from tests.dashboard.browser_fixtures import NEEDS_CHROMIUM, go_to, main_text, screenshot, settled
from tests.dashboard.text_run import INVOICES, REPLIES

pytestmark = [
    pytest.mark.slow,
    pytest.mark.runs,  # two real background benchmark processes: `make test-runs`
    pytest.mark.browser,
    NEEDS_CHROMIUM,
]
# A run of 10 test examples (zero-shot: the template choice, the answers, 2 paraphrases; LoRA: 3 steps, the answers;
# each: 8 requests timed alone): minutes on an idle CPU, over 30 at load 9 on 2 shared cores (measured 2026-12-05).
RUN_WAIT_S = 3600
CASES = [  # file, what the answer is (as the page offers it), text column, target column, metric
    (REPLIES, "generation: free text", "ticket", "reply", "chrF"),
    (INVOICES, "extraction: a JSON object", "invoice", "fields", "field F1"),
]


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    return tmp_path_factory.mktemp("runs")


@pytest.fixture(scope="module")
def app_env(runs):
    return {"PROMPT_OR_TUNE_RUNS": str(runs)}



def _input(driver, label: str):
    from selenium.webdriver.common.by import By

    return driver.find_element(By.CSS_SELECTOR, f'[data-testid="stMain"] input[aria-label="{label}"]')



def _type(driver, wait, label: str, value: str) -> None:
    """Type into a text input outside the form, commit it (Enter reruns the page) and wait for the rerun."""
    from selenium.webdriver.common.keys import Keys

    wait.until(settled)
    box = _input(driver, label)
    box.send_keys(Keys.CONTROL, "a")
    box.send_keys(value, Keys.ENTER)
    time.sleep(1)
    wait.until(settled)


def _choose(driver, wait, label: str, option: str) -> None:
    from selenium.webdriver.common.by import By

    driver.find_element(By.XPATH, f'//div[@data-testid="stSelectbox"][.//p[text()="{label}"]]').click()
    wait.until(lambda d: next(o for o in d.find_elements(By.CSS_SELECTOR, '[role="option"]') if o.text == option)).click()


def _table(driver, header: str) -> tuple[object, list[str], list[list[str]]]:
    """The dataframe with a column `header`: its element, the columns and the rows its accessible table
    gives (the grid itself is a canvas; the table holds the cells drawn)."""
    from selenium.webdriver.common.by import By

    for frame in driver.find_elements(By.CSS_SELECTOR, '[data-testid="stDataFrame"]'):
        heads = [h.get_attribute("textContent") for h in frame.find_elements(By.CSS_SELECTOR, "table thead th")]
        if header in heads:
            rows = [[c.get_attribute("textContent") for c in row.find_elements(By.CSS_SELECTOR, "td")]
                    for row in frame.find_elements(By.CSS_SELECTOR, "table tbody tr")]
            return frame, heads, rows
    raise LookupError(f"no table with a column {header!r}")


def _predictions(run_dir) -> dict[tuple[str, int], dict[str, str]]:
    with (run_dir / "predictions.csv").open(encoding="utf-8", newline="") as handle:
        return {(row["approach"], int(row["index"])): row for row in csv.DictReader(handle)}


def _scrolled(driver, frame, left: int) -> None:
    """Scroll the grid sideways (its columns to the right are drawn, and listed, only when in view)."""
    from selenium.webdriver.common.by import By

    scroller = frame.find_element(By.CSS_SELECTOR, ".dvn-scroller")
    driver.execute_script("arguments[0].scrollLeft = arguments[1]", scroller, left)
    time.sleep(1)


def _upload_and_run(driver, wait, path, kind: str, text_col: str, target_col: str, shots) -> None:
    from selenium.common.exceptions import TimeoutException
    from selenium.webdriver.common.by import By

    wait.until(settled)
    _choose(driver, wait, "What the answer is", kind)
    wait.until(lambda d: _input(d, "Target column").is_enabled() and settled(d))
    _type(driver, wait, "Text column", text_col)
    _type(driver, wait, "Target column", target_col)
    driver.find_element(By.CSS_SELECTOR, '[data-testid="stFileUploader"] input[type="file"]').send_keys(str(path))
    ready = f"{path.name} is ready as a{'n' if kind.startswith('e') else ''} {kind.split(':')[0]} task"
    try:
        wait.until(lambda d: ready in main_text(d))
    except TimeoutException:
        driver.save_screenshot(str(shots / f"not_ready_{path.stem}.png"))
        raise AssertionError(f"not {ready!r} after the upload; the page says: {main_text(driver)[:3000]}") from None
    main = main_text(driver)
    assert f"40 rows; columns {', '.join(sorted((text_col, target_col)))}" in main
    assert f"40 inputs with their {'JSON objects' if kind.startswith('e') else 'reference texts'}" in main
    _, heads, preview = _table(driver, f"reference ({target_col})")
    assert heads[-2:] == [f"input ({text_col})", f"reference ({target_col})"] and preview
    # the form: zero-shot and LoRA, the fewest test examples it takes, quick mode (its default)
    wait.until(lambda d: _input(d, "Task").get_attribute("value") == "Upload CSV/JSONL…")
    if driver.find_elements(By.CSS_SELECTOR, 'button[aria-label="Remove Few-shot prompt"]'):
        driver.find_element(By.CSS_SELECTOR, 'button[aria-label="Remove Few-shot prompt"]').click()
    tags = driver.find_element(By.CSS_SELECTOR, '[data-testid="stMultiSelect"] [aria-label="Selected values"]')
    wait.until(lambda d: tags.text.splitlines() == ["Zero-shot prompt", "LoRA fine-tune"])
    size = driver.find_element(By.CSS_SELECTOR, '[data-testid="stForm"] input[aria-label="Test examples"]')
    if size.get_attribute("value") != "10":
        size.send_keys("10")
    driver.find_element(By.XPATH, "//button[.//p[text()='Start run']]").click()


def test_text_runs_from_uploaded_files_show_inputs_references_answers_and_scores(app_url, browser, runs, tmp_path):
    from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    flaky = (StaleElementReferenceException, StopIteration, NoSuchElementException, LookupError)
    wait = WebDriverWait(browser, 180, ignored_exceptions=flaky)  # a rerun of the page beside a run: seconds at load 9
    done: list[str] = []
    for path, kind, text_col, target_col, metric in CASES:
        browser.get(app_url)  # a session of its own for each file, as a reader who comes back later
        wait.until(lambda d: "Cost over" in main_text(d))
        go_to(browser, "Benchmark")
        wait.until(lambda d: "Start a run" in main_text(d))
        _upload_and_run(browser, wait, path, kind, text_col, target_col, tmp_path)
        run_dir = wait.until(lambda d: next(f for f in runs.iterdir() if (f / "config.json").is_file()
                                            and f.name not in done))
        done.append(run_dir.name)
        WebDriverWait(browser, RUN_WAIT_S, poll_frequency=3, ignored_exceptions=flaky).until(
            lambda d, r=run_dir.name: f"Your run {r} finished" in main_text(d) and _table(d, "metric"))
        result = load_result(run_dir)
        assert result.status == "complete" and result.task.kind == kind.split(":")[0]
        assert [a.approach for a in result.approaches] == ["zero_shot", "lora"]

        # the runs table: the row's metric, named; never accuracy
        _, heads, rows = _table(browser, "metric")
        assert "accuracy" not in heads and {"metric", "score", "95% CI"} <= set(heads)
        shown = [dict(zip(heads, row, strict=False)) for row in rows]
        assert {(r["run"], r["metric"]) for r in shown if r["run"] == result.run_id} == {(result.run_id, metric)}
        assert "the scenario decides a classification task: its scores say nothing about this one" in main_text(browser)

        # the results grid of this run (the newest, so the one shown): input, reference, each answer and score
        wait.until(lambda d, r=result: f"from {r.run_id}/predictions.csv" in main_text(d))
        frame, heads, rows = _table(browser, "reference")
        assert heads[:5] == ["#", "input", "reference", "Zero-shot prompt", metric]
        predictions = _predictions(run_dir)
        assert rows and len(rows) <= result.approaches[0].n_test == 10
        for row in rows:
            cells = dict(zip(heads, row, strict=False))
            example = predictions["zero_shot", int(cells["#"])]
            assert (cells["input"], cells["reference"]) == (example["text"], example["reference"])
            assert cells["Zero-shot prompt"] == (example["prediction"] or "(no answer)")
            assert float(cells[metric]) == pytest.approx(float(example["score"]), abs=5e-4)
        heading = browser.find_element(By.XPATH, "//p[strong[text()='Examples of one run']]")
        browser.execute_script("document.activeElement.blur()")
        browser.execute_script("arguments[0].scrollIntoView({block: 'start'})", heading)
        screenshot(browser, tmp_path / f"text_{kind.split(':')[0]}.png",
                   f"DASHBOARD_SCREENSHOT_TEXT_{kind.split(':')[0].upper()}")
        _scrolled(browser, frame, 10_000)  # LoRA's answer and score, to the right
        frame, heads, rows = _table(browser, "reference")
        assert heads[-2:] == ["LoRA fine-tune", metric]
        for row in rows:
            cells = dict(zip(heads[-2:], row[-2:], strict=True))
            example = predictions["lora", int(row[0])]
            assert cells["LoRA fine-tune"] == (example["prediction"] or "(no answer)")
            assert float(cells[metric]) == pytest.approx(float(example["score"]), abs=5e-4)
        assert not browser.find_elements(By.CSS_SELECTOR, '[data-testid="stException"]')
