"""Typed scores belong to the model they were typed for. support_intents types 79/86/87% for its prompts on
gpt-4o; with gpt-4o-mini chosen they are not used, and the pages say so: the Scenario page beside each box,
the Decision page's headline (the cheaper approach whose accuracy is now unknown, with its saving and how
to measure it), the ranked table and what would change the answer."""

from __future__ import annotations

import time

import pytest

from calculator.analysis import analyze
from calculator.recommend.wording import money
from calculator.scenario_io import apply_overrides, load_preset
from tests.dashboard.apptest import open_app, widget
from tests.dashboard.browser_fixtures import NEEDS_CHROMIUM, go_to, main_text, screenshot, settled

MINI = "gpt-4o-mini"
NOT_USED = f"Typed for gpt-4o, not used with {MINI}"


def expected() -> tuple[str, str]:
    """The saving sentence and the what-would-change sentence, from the calculator itself."""
    found = analyze(apply_overrides(load_preset("support_intents"), [f"api.model={MINI}"]), draws=2_000)
    rec = found.recommendation
    chosen = rec.approach(rec.choice)
    cheapest_open = min((r for r in rec.ranked if r.standing == "open"), key=lambda r: r.tco_usd)
    assert cheapest_open.name == "zero_shot" and cheapest_open.typed_for == "gpt-4o"
    saving = (f"Not settled: Zero-shot prompt would cost {money(chosen.tco_usd - cheapest_open.tco_usd)} less "
              f"({money(cheapest_open.tco_usd)}), but its accuracy is unknown on {MINI} (the typed score was "
              f"for gpt-4o); measure it: Benchmark page, API endpoint form")
    change = f"If Zero-shot prompt is shown to reach the 90% target on {MINI}, it would be chosen"
    return saving, change


def page_text(at) -> str:
    """The headline (a success or warning box) and every markdown block, unescaped."""
    return " ".join(m.value for m in [*at.success, *at.warning, *at.markdown]).replace("\\", "")


def test_a_new_api_model_leaves_the_typed_scores_out_and_says_so():
    at = open_app("scenario")
    widget(at, "selectbox", "main:api.model").set_value(MINI).run()
    captions = [c.value.replace("\\", "") for c in at.caption if "Typed for" in c.value]
    assert len(captions) == 3 and all(NOT_USED in c for c in captions)  # zero-shot, few-shot, chain-of-thought
    at.switch_page("dashboard/pages/decision.py").run()
    assert not at.exception
    saving, change = expected()
    text = page_text(at)
    assert saving in text and change in text
    ranked = next(t.value for t in at.table if "standing" in t.value.columns).map(lambda c: c.replace("\\", ""))
    standing = dict(zip(ranked["approach"], ranked["standing"], strict=True))
    assert standing["Zero-shot prompt"] == f"open: accuracy unknown on {MINI} (the typed score was for gpt-4o)"


def test_a_score_typed_again_is_for_the_new_model():
    at = open_app("scenario")
    widget(at, "selectbox", "main:api.model").set_value(MINI).run()
    widget(at, "number_input", "main:quality.scores.zero_shot").set_value(91.0).run()
    captions = [c.value.replace("\\", "") for c in at.caption if "Typed for" in c.value]
    assert len(captions) == 2  # few-shot and chain-of-thought still gpt-4o's
    at.switch_page("dashboard/pages/decision.py").run()
    typed = analyze(apply_overrides(load_preset("support_intents"), [f"api.model={MINI}",
                                                                     "quality.scores.zero_shot=0.91"]), draws=2_000)
    assert typed.recommendation.choice == "zero_shot"  # 91% typed for gpt-4o-mini: the cheapest that meets 90%
    assert f"hoose Zero-shot prompt: {money(typed.costs.approaches['zero_shot'].tco_usd)} over 24 months" in page_text(at)


def tab(driver, wait, name: str) -> None:
    from selenium.webdriver.common.by import By

    wait.until(lambda d: next(t for t in d.find_elements(By.CSS_SELECTOR, '[data-testid="stTab"]') if t.text == name)).click()


@pytest.mark.slow
@pytest.mark.browser
@NEEDS_CHROMIUM
def test_choosing_gpt_4o_mini_in_the_browser(app_url, browser, tmp_path):
    from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import WebDriverWait

    wait = WebDriverWait(browser, 60, ignored_exceptions=(StaleElementReferenceException, StopIteration,
                                                          NoSuchElementException))
    browser.get(f"{app_url}/?preset=support_intents")
    wait.until(lambda d: "Choose" in main_text(d) and settled(d))
    go_to(browser, "Scenario")
    wait.until(lambda d: d.find_element(By.CSS_SELECTOR, "h1").text.startswith("Scenario") and settled(d))
    tab(browser, wait, "Prompting")
    wait.until(lambda d: "API model" in main_text(d))
    box = browser.find_element(By.XPATH, '//div[@data-testid="stSelectbox"][.//p[text()="API model"]]')
    box.click()
    box.find_element(By.CSS_SELECTOR, "input").send_keys(MINI)
    wait.until(lambda d: next(o for o in d.find_elements(By.CSS_SELECTOR, '[role="option"]') if o.text == MINI)).click()
    wait.until(lambda d: f"api.model={MINI}" in d.current_url)
    time.sleep(1)
    wait.until(settled)
    tab(browser, wait, "Quality target")
    wait.until(lambda d: main_text(d).count(NOT_USED) == 3)
    browser.find_element(By.TAG_NAME, "body").send_keys(Keys.ESCAPE)
    screenshot(browser, tmp_path / "scores_typed_for_gpt_4o.png", "TYPED_FOR_SCREENSHOT")

    go_to(browser, "Decision")
    saving, change = expected()
    wait.until(lambda d: "Choose" in main_text(d) and settled(d) and "Not settled" in main_text(d))
    text = main_text(browser)
    assert saving in text
    assert change in text
    assert not browser.find_elements(By.CSS_SELECTOR, '[data-testid="stException"]')
    browser.execute_script("window.scrollTo(0, 0)")
    screenshot(browser, tmp_path / "decision_gpt_4o_mini.png", "TYPED_FOR_SCREENSHOT")
