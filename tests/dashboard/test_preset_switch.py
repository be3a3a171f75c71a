"""Switching presets over unsaved edits asks first: keep editing (the edits stay, the select goes
back) or switch and discard (the preset loads). Without edits a preset loads at once."""

from __future__ import annotations

import time

import pytest

from calculator.scenario_io import load_preset
from tests.dashboard.apptest import open_app, widget
from tests.dashboard.browser_fixtures import (
    NEEDS_CHROMIUM,
    main_text,
    number_box,
    screenshot,
    settled,
)

VOLUME = "workload.requests_per_month"
SUPPORT = load_preset("support_intents")
QUESTION = (f"You have 2 unsaved changes to {SUPPORT.name}: Requests per month, Horizon. Switching to "
            "internal_helpdesk discards them; this page's link keeps them, so copy it first to come back.")


def questions(at) -> list[str]:
    return [w.value.replace("\\", "") for w in at.sidebar.warning if w.value.startswith("You have")]


def volume(at) -> float:
    return widget(at, "number_input", f"side:{VOLUME}").value


def edited_then_switched():
    """Volume and horizon edited in the sidebar (the volume's range moves with it), then another preset."""
    at = open_app("decision")
    widget(at, "number_input", f"side:{VOLUME}").set_value(3000).run()
    widget(at, "slider", "side:workload.horizon_months").set_value(9).run()
    at.sidebar.selectbox[0].select("internal_helpdesk").run()
    return at


def test_a_preset_over_unsaved_edits_asks_and_keep_editing_keeps_them():
    at = edited_then_switched()
    assert questions(at) == [QUESTION]
    assert at.session_state["scenario"].workload.requests_per_month == 3000  # nothing switched yet
    at.sidebar.button(key="preset_keep").click().run()
    assert not questions(at)
    assert at.sidebar.selectbox[0].value == "support_intents"
    assert volume(at) == 3000 and at.session_state["scenario"].workload.horizon_months == 9
    assert at.query_params["preset"] == "support_intents" and at.query_params[VOLUME] == "3000.0"


def test_switch_and_discard_loads_the_preset():
    at = edited_then_switched()
    at.sidebar.button(key="preset_switch").click().run()
    assert not questions(at) and not at.exception
    assert at.sidebar.selectbox[0].value == "internal_helpdesk"
    assert at.session_state["scenario"] == load_preset("internal_helpdesk")
    assert volume(at) == 2000
    at.sidebar.selectbox[0].select("contract_review").run()  # no edits since: no question
    assert not questions(at) and at.session_state["scenario"] == load_preset("contract_review")


def test_choosing_the_loaded_preset_again_withdraws_the_question():
    at = edited_then_switched()
    at.sidebar.selectbox[0].select("support_intents").run()
    assert not questions(at) and volume(at) == 3000


def test_edits_undone_while_asked_withdraw_the_question():
    at = open_app("decision")
    widget(at, "number_input", f"side:{VOLUME}").set_value(3000).run()
    at.sidebar.selectbox[0].select("internal_helpdesk").run()
    assert questions(at)
    widget(at, "number_input", f"side:{VOLUME}").set_value(SUPPORT.workload.requests_per_month).run()
    assert not questions(at) and not at.exception
    assert at.sidebar.selectbox[0].value == "support_intents" and at.session_state["scenario"] == SUPPORT


def test_edits_count_from_the_opened_link_and_a_range_moved_with_its_value_is_part_of_that_edit():
    at = open_app("decision", query={"preset": "support_intents", f"range.{VOLUME}": "1000000~5000000"})
    at.sidebar.selectbox[0].select("contract_review").run()  # the link's scenario, unedited: no question
    assert not questions(at) and at.session_state["scenario"] == load_preset("contract_review")
    at = open_app("decision", query={"preset": "support_intents", f"range.{VOLUME}": "1000000~5000000"})
    widget(at, "number_input", f"side:{VOLUME}").set_value(6_000_000).run()
    assert at.session_state["scenario"].uncertainty[VOLUME].low == 2_000_000  # moved with the value
    at.sidebar.selectbox[0].select("contract_review").run()
    (question,) = questions(at)
    assert question.startswith(f"You have 1 unsaved change to {SUPPORT.name}: Requests per month. "
                               "Switching to contract_review discards it;")


@pytest.mark.browser
@NEEDS_CHROMIUM
def test_in_the_browser_the_question_keeps_or_discards_the_edit(app_url, browser, tmp_path):
    from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import WebDriverWait

    wait = WebDriverWait(browser, 60, ignored_exceptions=(StaleElementReferenceException, StopIteration,
                                                          NoSuchElementException))

    def sidebar_text() -> str:
        return browser.find_element(By.CSS_SELECTOR, '[data-testid="stSidebar"]').text

    def choose_preset(name: str) -> None:
        wait.until(settled)
        browser.find_element(By.CSS_SELECTOR, '[data-testid="stSidebar"] [data-testid="stSelectbox"]').click()
        wait.until(lambda d: next(o for o in d.find_elements(By.CSS_SELECTOR, '[role="option"]')
                                  if o.text == name)).click()

    def preset_shown() -> str:
        return browser.find_element(By.CSS_SELECTOR, '[data-testid="stSidebar"] input[aria-label="Preset"]') \
            .get_attribute("value")

    def click(label: str) -> None:
        next(b for b in browser.find_elements(By.CSS_SELECTOR, '[data-testid="stSidebar"] button')
             if b.text == label).click()

    browser.get(app_url)
    wait.until(lambda d: "Choose" in main_text(d) and settled(d))
    box = number_box(browser, "side", "Requests per month")
    box.send_keys(Keys.CONTROL, "a")
    box.send_keys("3000", Keys.ENTER)
    wait.until(lambda d: f"{VOLUME}=3000" in d.current_url)
    choose_preset("internal_helpdesk")
    wait.until(lambda d: "You have 1 unsaved change" in sidebar_text())
    assert "Switching to internal_helpdesk discards it" in sidebar_text()
    assert preset_shown() == "internal_helpdesk"
    browser.execute_script("document.activeElement.blur()")
    screenshot(browser, tmp_path / "preset_question.png", "PRESET_QUESTION_SCREENSHOT")

    click("Keep editing")
    wait.until(lambda d: "You have" not in sidebar_text() and settled(d))
    time.sleep(1.5)  # a select the browser still held at the new preset would show it now
    assert preset_shown() == "support_intents"
    assert number_box(browser, "side", "Requests per month").get_attribute("value") == "3000"
    assert f"{VOLUME}=3000" in browser.current_url and "preset=support_intents" in browser.current_url

    choose_preset("internal_helpdesk")
    wait.until(lambda d: "You have 1 unsaved change" in sidebar_text())
    click("Switch and discard")
    wait.until(lambda d: "preset=internal_helpdesk" in d.current_url)
    wait.until(lambda d: number_box(d, "side", "Requests per month").get_attribute("value") == "2000")
    assert "You have" not in sidebar_text() and preset_shown() == "internal_helpdesk"
    assert not browser.find_elements(By.CSS_SELECTOR, '[data-testid="stException"]')
