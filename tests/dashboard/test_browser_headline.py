"""The Decision page's answer read whole in headless Chromium: the chosen approach's full name and its cost
over the horizon, uncut (no "Zero-shot pro…"), on a laptop screen (1,366 px wide) and a narrow window (800 px)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from calculator.analysis import analyze
from calculator.recommend.wording import money
from calculator.scenario_io import load_preset
from dashboard.state import DEFAULT_PRESET
from tests.dashboard.browser_fixtures import NEEDS_CHROMIUM, main_text, settled

pytestmark = [pytest.mark.browser, NEEDS_CHROMIUM]

SHOTS = Path(os.environ.get("HEADLINE_SHOTS", "/tmp/shots"))
HEIGHT = 900
WIDTHS = (1366, 800)
# scrollWidth beyond clientWidth, on the metric value or any box inside it: the text is cut (ellipsis or clip)
CUT = """
const boxes = [arguments[0], ...arguments[0].querySelectorAll('*')];
return boxes.filter(b => b.scrollWidth > b.clientWidth + 1).map(b => b.tagName + ' ' + b.scrollWidth + '>' + b.clientWidth);
"""


def answer(driver) -> dict[str, object]:
    """Each headline metric's label, its value as drawn, and the boxes that cut it."""
    from selenium.webdriver.common.by import By

    found = {}
    for box in driver.find_elements(By.CSS_SELECTOR, '[data-testid="stMain"] [data-testid="stMetric"]'):
        label = box.find_element(By.CSS_SELECTOR, '[data-testid="stMetricLabel"]').text.strip()
        value = box.find_element(By.CSS_SELECTOR, '[data-testid="stMetricValue"]')
        found[label] = (value.text, driver.execute_script(CUT, value))
    return found


def resized(driver, width: int) -> None:
    driver.set_window_size(width, HEIGHT)
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                           {"width": width, "height": HEIGHT, "deviceScaleFactor": 1, "mobile": False})


def expected(preset: str) -> dict[str, str]:
    """The answer as the calculator gives it: the chosen approach's title and its cost over the horizon."""
    scenario = load_preset(preset)
    found = analyze(scenario).recommendation
    chosen = found.approach(found.choice)
    return {"Choose": chosen.title, f"Cost over {scenario.workload.horizon_months} months": money(chosen.tco_usd)}


# the default preset at both widths; internal_helpdesk chooses Zero-shot prompt, the name cut at 1,366 px
VIEWS = [(DEFAULT_PRESET, 1366), (DEFAULT_PRESET, 800), ("internal_helpdesk", 1366)]


def test_the_chosen_approach_and_its_cost_read_whole_at_1366_and_800_px(app_url, browser):
    from selenium.common.exceptions import StaleElementReferenceException
    from selenium.webdriver.support.ui import WebDriverWait

    wait = WebDriverWait(browser, 60, ignored_exceptions=(StaleElementReferenceException,))
    SHOTS.mkdir(parents=True, exist_ok=True)
    for preset, width in VIEWS:
        resized(browser, width)
        browser.get(f"{app_url}/?preset={preset}")
        wait.until(lambda d: "Choose" in answer(d) and "All approaches, ranked" in main_text(d) and settled(d))
        shown = answer(browser)
        browser.execute_script("window.scrollTo(0, 0)")
        name = "headline" if preset == DEFAULT_PRESET else preset
        browser.save_screenshot(str(SHOTS / f"{name}_{width}.png"))
        for label, value in expected(preset).items():
            text, cut = shown[label]
            assert text == value and "…" not in text, (preset, width, label, text)
            assert not cut, (preset, width, label, text, cut)


def sidebar_answer(driver) -> tuple[str, list[str]]:
    from selenium.webdriver.common.by import By

    value = driver.find_element(By.CSS_SELECTOR, '[data-testid="stSidebar"] h4')
    return value.text, driver.execute_script(CUT, value)


def test_the_sidebar_answer_reads_whole_at_1366_px(app_url, browser):
    from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException
    from selenium.webdriver.support.ui import WebDriverWait

    wait = WebDriverWait(browser, 60, ignored_exceptions=(StaleElementReferenceException, NoSuchElementException))
    resized(browser, 1366)
    browser.get(f"{app_url}/?preset=internal_helpdesk")
    wait.until(lambda d: sidebar_answer(d)[0] and settled(d))
    text, cut = sidebar_answer(browser)
    assert text == expected("internal_helpdesk")["Choose"] and not cut, (text, cut)
