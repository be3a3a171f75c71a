"""The Decision page's "Who labels the training data": support_intents with no labels on hand, each tuned
approach on people's labels and on gpt-4o's, against the calculator; its button trains them on the teacher's."""

from __future__ import annotations

import pytest

from calculator.costs import evaluate
from calculator.recommend.wording import money
from calculator.scenario_io import apply_overrides, load_preset
from tests.dashboard.apptest import open_app
from tests.dashboard.browser_fixtures import NEEDS_CHROMIUM, main_text, screenshot, settled

QUERY = {"preset": "support_intents", "labeling.labels_on_hand": "0", "teacher.agreement": "0.95"}


def table(at):
    frame = next(t.value for t in at.table if "labels from" in t.value.columns)
    return frame.map(lambda cell: str(cell).replace("\\", ""))


def test_people_and_teacher_labels_side_by_side_and_the_switch():
    at = open_app("decision", QUERY)
    rows = table(at)
    base = apply_overrides(load_preset("support_intents"), ["labeling.labels_on_hand=0", "teacher.agreement=0.95"])
    taught = evaluate(apply_overrides(base, ["teacher.approaches=[prompt_tuning, lora, full_finetune]"]))
    lora = rows[rows["approach"] == "LoRA fine-tune"].set_index("labels from")
    assert lora.loc["people", "TCO 24 months"] == money(evaluate(base).approaches["lora"].tco_usd)
    assert lora.loc["people", "training labels"] == "$2,000" and lora.loc["people", "scenario"] == "current"
    assert lora.loc["gpt-4o (zero-shot prompt), 10% reviewed", "TCO 24 months"] == money(taught.approaches["lora"].tco_usd)
    next(b for b in at.button if b.label.startswith("Train ") and "gpt-4o's labels" in b.label).click().run()
    assert not at.exception
    headline = " ".join(m.value for m in [*at.success, *at.warning]).replace("\\", "")
    assert "LoRA fine-tune on own L4 24GB GPUs, trained on gpt-4o's labels" in headline
    assert money(taught.approaches["lora"].tco_usd) in headline
    assert table(at).set_index(["approach", "labels from"]).loc[
        ("LoRA fine-tune", "gpt-4o (zero-shot prompt), 10% reviewed"), "scenario"] == "current"


@pytest.mark.browser
@NEEDS_CHROMIUM
def test_the_teacher_switch_in_the_browser(app_url, browser, tmp_path):
    from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    wait = WebDriverWait(browser, 60, ignored_exceptions=(StaleElementReferenceException, StopIteration,
                                                          NoSuchElementException))
    browser.get(f"{app_url}/?" + "&".join(f"{k}={v}" for k, v in QUERY.items()))
    wait.until(lambda d: "Who labels the training data" in main_text(d) and settled(d))
    heading = next(h for h in browser.find_elements(By.CSS_SELECTOR, "h3") if h.text == "Who labels the training data")
    browser.execute_script("arguments[0].scrollIntoView()", heading)
    screenshot(browser, tmp_path / "labels_people_and_teacher.png", "LABELS_SCREENSHOT")
    wait.until(lambda d: next(b for b in d.find_elements(By.CSS_SELECTOR, "button")
                              if b.text.startswith("Train ") and "gpt-4o's labels" in b.text)).click()
    wait.until(lambda d: "trained on gpt-4o's labels" in main_text(d) and settled(d))
    assert "teacher.approaches" in browser.current_url
    browser.execute_script("window.scrollTo(0, 0)")
    screenshot(browser, tmp_path / "decision_teacher_labels.png", "LABELS_SCREENSHOT")


def test_the_ranking_says_who_makes_each_tuned_rows_labels():
    at = open_app("decision", {**QUERY, "teacher.approaches": '["lora"]'})
    ranked = next(t.value for t in at.table if "standing" in t.value.columns).map(lambda c: str(c).replace("\\", ""))
    bought = dict(zip(ranked["approach"], ranked["training labels to buy"], strict=True))
    assert bought["LoRA fine-tune"] == "5,000 by gpt-4o" and bought["Full fine-tune"] == "5,000 by people"
    assert bought["Zero-shot prompt"] == "0"
