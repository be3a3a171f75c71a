"""End to end in headless Chromium: the running app answers a volume change, and looks right."""

from __future__ import annotations

import time

import pytest

from tests.dashboard.browser_fixtures import (
    NEEDS_CHROMIUM,
    form_field,
    go_to,
    main_text,
    number_box,
    screenshot,
)

pytestmark = [
    pytest.mark.browser,
    NEEDS_CHROMIUM,
]


def metric_values(driver) -> dict[str, str]:
    from selenium.webdriver.common.by import By

    values = {}
    for box in driver.find_elements(By.CSS_SELECTOR, '[data-testid="stMetric"]'):
        label = box.find_element(By.CSS_SELECTOR, '[data-testid="stMetricLabel"]').text.strip()
        values.setdefault(label, box.find_element(By.CSS_SELECTOR, '[data-testid="stMetricValue"]').text)
    return values


def decision_cost(driver) -> str | None:
    """The headline cost on the Decision page (the answer is what the picture shows first)."""
    return next((v for k, v in metric_values(driver).items() if k.startswith("Cost over")), None)


def test_volume_change_in_the_browser_changes_the_decision(app_url, browser, tmp_path):
    from selenium.common.exceptions import StaleElementReferenceException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import WebDriverWait

    # A rerun replaces the metrics while they are read: read again rather than fail.
    wait = WebDriverWait(browser, 60, ignored_exceptions=(StaleElementReferenceException,))
    browser.get(app_url)
    wait.until(lambda d: decision_cost(d) and "Choose" in metric_values(d))
    nav = [link.text.splitlines()[-1] for link in browser.find_elements(By.CSS_SELECTOR, '[data-testid="stSidebarNavLink"]')]
    assert nav == ["Decision", "Costs", "Scenario", "Tokens", "Benchmark"]
    before = decision_cost(browser)
    box = browser.find_element(By.CSS_SELECTOR, '[data-testid="stSidebar"] input[type="number"]')
    box.send_keys(Keys.CONTROL, "a")
    # a volume that needs more replicas: the sized fleet serves 200k and 3M a month on one GPU alike
    box.send_keys("3000000000", Keys.ENTER)
    wait.until(lambda d: decision_cost(d) not in (None, before))
    wait.until(lambda d: "requests_per_month=3000000000" in d.current_url)
    assert not browser.find_elements(By.CSS_SELECTOR, '[data-testid="stException"]')
    browser.execute_script("document.activeElement.blur()")  # no focus ring or tooltip in the picture
    browser.execute_script("window.scrollTo(0, 0)")
    screenshot(browser, tmp_path / "dashboard.png", "DASHBOARD_SCREENSHOT")


def test_preset_then_edit_then_page_switch_keeps_what_the_numbers_are_computed_from(app_url, browser, tmp_path):
    """Issue 17: after a preset the inputs showed the old preset's numbers, and a page switch
    later brought them back into the scenario."""
    from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import WebDriverWait

    wait = WebDriverWait(browser, 60, ignored_exceptions=(StaleElementReferenceException, StopIteration,
                                                          NoSuchElementException))
    browser.get(app_url)
    wait.until(lambda d: decision_cost(d))
    browser.find_element(By.CSS_SELECTOR, '[data-testid="stSidebar"] [data-testid="stSelectbox"]').click()
    wait.until(lambda d: next(o for o in d.find_elements(By.CSS_SELECTOR, '[role="option"]')
                              if o.text == "internal_helpdesk")).click()
    wait.until(lambda d: "preset=internal_helpdesk" in d.current_url)
    wait.until(lambda d: number_box(d, "side", "Requests per month").get_attribute("value") == "2000")
    wait.until(lambda d: decision_cost(d) and metric_values(d).get("Cost over 12 months"))
    go_to(browser, "Scenario")
    main = wait.until(lambda d: number_box(d, "main", "Requests per month"))
    assert main.get_attribute("value") == "2000"
    main.send_keys(Keys.CONTROL, "a")
    main.send_keys("5000", Keys.ENTER)
    wait.until(lambda d: "requests_per_month=5000" in d.current_url)
    wait.until(lambda d: number_box(d, "side", "Requests per month").get_attribute("value") == "5000")
    for page in ("Decision", "Costs", "Scenario"):
        go_to(browser, page)
        wait.until(lambda d, p=page: d.find_element(By.CSS_SELECTOR, "h1").text.startswith(p))
        time.sleep(1.5)  # any stale value the browser still held would come back now
        assert number_box(browser, "side", "Requests per month").get_attribute("value") == "5000"
        assert "preset=internal_helpdesk" in browser.current_url
        assert "requests_per_month=5000" in browser.current_url
    assert number_box(browser, "main", "Requests per month").get_attribute("value") == "5000"
    go_to(browser, "Decision")
    wait.until(lambda d: metric_values(d).get("Cost over 12 months"))
    assert not browser.find_elements(By.CSS_SELECTOR, '[data-testid="stException"]')
    screenshot(browser, tmp_path / "preset_edit_switch.png", "DASHBOARD_SCREENSHOT_PRESET")


@pytest.fixture
def grid_run():
    from tests.dashboard.grid_run import grid_runs

    yield from grid_runs()


def test_the_results_grid_of_a_finished_run_with_its_filters(app_url, browser, grid_run, tmp_path):
    """Issue 17: no one could see which examples an approach got wrong."""
    from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    wait = WebDriverWait(browser, 60, ignored_exceptions=(StaleElementReferenceException, StopIteration,
                                                          NoSuchElementException))
    browser.get(app_url)
    wait.until(lambda d: decision_cost(d))
    go_to(browser, "Benchmark")
    heading = wait.until(lambda d: d.find_element(By.XPATH, "//p[strong[text()='Examples of one run']]"))
    wait.until(lambda d: "6 of 6 test examples" in main_text(d))
    wait.until(lambda d: d.find_element(By.XPATH, "//label[.//p[text()='Wrong only']]")).click()
    wait.until(lambda d: "4 of 6 test examples" in main_text(d))
    main = main_text(browser)
    assert "Zero-shot prompt: 2 of 6 right" in main and "LoRA fine-tune: 4 of 6 right" in main
    assert not browser.find_elements(By.CSS_SELECTOR, '[data-testid="stException"]')
    browser.execute_script("arguments[0].scrollIntoView({block: 'start'})", heading)
    browser.execute_script("document.activeElement.blur()")
    screenshot(browser, tmp_path / "results_grid.png", "DASHBOARD_SCREENSHOT_RESULTS_GRID")
    matrices = browser.find_element(By.XPATH, "//p[strong[text()='Confusion matrix per approach']]")
    browser.execute_script("arguments[0].scrollIntoView({block: 'start'})", matrices)
    screenshot(browser, tmp_path / "confusion.png", "DASHBOARD_SCREENSHOT_CONFUSION")


@pytest.fixture
def live_run():
    from tests.dashboard.running_run import running_run

    yield from running_run()


def test_a_run_in_progress_shows_elapsed_time_left_its_file_and_notes(app_url, browser, live_run, tmp_path):
    """Issue 17: no elapsed or remaining time, the uploaded task named by a hash, notes only in the PDF."""
    from selenium.common.exceptions import StaleElementReferenceException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    wait = WebDriverWait(browser, 60, ignored_exceptions=(StaleElementReferenceException,))
    browser.get(app_url)
    wait.until(lambda d: decision_cost(d))
    go_to(browser, "Benchmark")
    wait.until(lambda d: "left (this approach at its own pace" in main_text(d))
    text = main_text(browser)
    assert f"Run {live_run[0].name} · running · smollm2-135m-instruct on uploaded file my_reviews.csv" in text
    assert "Note: 73 duplicated texts were removed" in text and "Note: test split is 75 (asked 240)" in text
    assert not browser.find_elements(By.CSS_SELECTOR, '[data-testid="stException"]')
    browser.execute_script("window.scrollTo(0, 0)")
    screenshot(browser, tmp_path / "run_in_progress.png", "DASHBOARD_SCREENSHOT_LIVE_RUN")


def test_a_prompt_search_budget_typed_in_the_form_reaches_the_estimate(app_url, browser, tmp_path):
    """The Benchmark form as a person fills it: the searched prompt added to the approaches, 3 search
    trials typed, an endpoint named; the estimate shown is the CLI's for that very budget."""
    from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import WebDriverWait

    from benchmarks.config import BenchConfig
    from benchmarks.endpoint.arm import cost_estimate
    from benchmarks.tasks import load_task
    from tests.server_fixtures import free_port

    wait = WebDriverWait(browser, 60, ignored_exceptions=(StaleElementReferenceException, StopIteration,
                                                          NoSuchElementException))
    url, model = f"http://127.0.0.1:{free_port()}/v1", "HuggingFaceTB/SmolLM2-135M-Instruct"
    browser.get(app_url)
    wait.until(lambda d: decision_cost(d))
    go_to(browser, "Benchmark")
    wait.until(lambda d: "Start a run" in main_text(d))
    for other in ("Few-shot prompt", "LoRA fine-tune"):
        wait.until(lambda d, o=other: d.find_element(By.CSS_SELECTOR, f'button[aria-label="Remove {o}"]')).click()
    choose = browser.find_element(By.CSS_SELECTOR, '[data-testid="stMultiSelect"] input')
    choose.send_keys("Searched prompt", Keys.ENTER)
    tags = browser.find_element(By.CSS_SELECTOR, '[data-testid="stMultiSelect"] [aria-label="Selected values"]')
    wait.until(lambda d: tags.text.splitlines() == ["Zero-shot prompt", "Searched prompt"])
    form_field(browser, "Search trials").send_keys("3")
    browser.find_element(By.XPATH, "//details[.//p[starts-with(text(),'Endpoint arms')]]/summary").click()
    wait.until(lambda d: form_field(d, "Endpoint URL").is_displayed())
    form_field(browser, "Endpoint URL").send_keys(url)
    form_field(browser, "Endpoint model").send_keys(model)
    form_field(browser, "Your input $ per 1M tokens").send_keys("0.1")
    form_field(browser, "Your output $ per 1M tokens").send_keys("0.4")
    browser.find_element(By.XPATH, "//button[.//p[text()='Estimate the endpoint cost']]").click()
    shown = wait.until(lambda d: next(a.text for a in d.find_elements(By.CSS_SELECTOR, '[data-testid="stAlert"]')
                                      if "endpoint cost" in a.text))
    config = BenchConfig(quick=True, approaches=["zero_shot", "prompt_search"], endpoint_url=url, endpoint_model=model,
                         input_usd_per_mtok=0.1, output_usd_per_mtok=0.4,
                         hyperparameters={"prompt_search": {"trials": 3}})
    assert shown == cost_estimate(config, load_task(config))
    screenshot(browser, tmp_path / "search_estimate.png", "DASHBOARD_SCREENSHOT_SEARCH_ESTIMATE")
