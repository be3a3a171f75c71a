"""A share link that cannot be used (no price for its model, a value out of range, a misspelt field)
falls back whole to its preset before anything is drawn: one message names the field and the
problem, every page shows the preset's numbers, and the server logs no traceback."""

from __future__ import annotations

import pytest

from calculator.analysis import analyze
from calculator.scenario_io import load_preset
from tests.dashboard.apptest import open_app
from tests.dashboard.browser_fixtures import NEEDS_CHROMIUM, main_text, screenshot, settled

UNPRICED = {"api.model": "gpt-9-ultra"}
FALLBACK = "This link's scenario could not be used, so the {} preset is shown instead. "


def chosen_title(preset: str) -> str:
    decision = analyze(load_preset(preset)).recommendation
    return decision.approach(decision.choice).title


def link_message(at) -> str:
    (message,) = [w.value for w in at.warning if "link" in w.value]
    return message


@pytest.mark.parametrize("page", ["decision", "costs"])
def test_a_link_to_a_model_without_a_price_shows_the_preset_whole(page):
    at = open_app(page, query=UNPRICED)
    assert link_message(at) == FALLBACK.format("support_intents") + (
        "API: model — genai-prices has no price for 'gpt-9-ultra' at provider 'openai' (Unable to find model "
        "with model_ref='gpt-9-ultra' in openai); pick another model, or type its input and output prices per "
        "1M tokens (in scenario files: api.input_usd_per_mtok and api.output_usd_per_mtok).")
    assert not at.error  # no "could not be shown" box: the pages price the preset
    assert at.selectbox(key="preset_choice").value == "support_intents"
    assert at.query_params["preset"] == "support_intents" and "api.model" not in at.query_params


def test_the_decision_page_answers_for_the_preset_a_bad_link_fell_back_to():
    at = open_app("decision", query={"preset": "contract_review", **UNPRICED})
    assert link_message(at).startswith(FALLBACK.format("contract_review") + "API: model — ")
    assert [m.value for m in at.metric if m.label == "Choose"] == [chosen_title("contract_review")]


@pytest.mark.parametrize(("query", "problem"), [
    ({"workload.requests_per_month": "-5"},
     "Requests per month must be between 0 and 10,000,000,000 requests/month; you entered -5."),
    ({"workload.requets_per_month": "5"},
     "The link's 'workload.requets_per_month' is not a scenario field (check the spelling; "
     "did you mean 'workload.requests_per_month'?)."),
    ({"range.workload.requets_per_month": "1~2"},
     "The link's 'range.workload.requets_per_month' is not a scenario field (check the spelling; "
     "did you mean 'range.workload.requests_per_month'?)."),
    ({"hosting.gpu": "X9000"},
     "GPU — unknown GPU 'X9000'; known: H100 80GB, H200 141GB, A100 80GB, L40S 48GB, L4 24GB, B200 180GB."),
])
def test_a_bad_link_value_is_named_by_its_field_title(query, problem):
    at = open_app("decision", query={"preset": "support_intents", **query})
    assert link_message(at) == FALLBACK.format("support_intents") + problem
    assert not at.error


def test_keys_the_scenario_reads_under_older_or_entry_names_still_open():
    at = open_app("decision", query={"preset": "support_intents", "quality.accuracy_target": "0.8",
                                     "team.hours.lora": "50", "quality.scores.lora": "0.95"})
    assert not [w for w in at.warning if "link" in w.value] and not at.error


@pytest.fixture(scope="module")
def server_log(tmp_path_factory):
    """The app server's stderr: a sitecustomize on its PYTHONPATH points file descriptor 2 at a file
    (the shared `app_url` fixture discards the server's output)."""
    folder = tmp_path_factory.mktemp("server-stderr")
    log = folder / "stderr.log"
    (folder / "sitecustomize.py").write_text(
        f"import os\nos.dup2(os.open({str(log)!r}, os.O_WRONLY | os.O_CREAT | os.O_APPEND), 2)\n")
    return log


@pytest.fixture(scope="module")
def app_env(server_log):
    return {"PYTHONPATH": str(server_log.parent)}


@pytest.mark.browser
@NEEDS_CHROMIUM
def test_in_the_browser_an_unpriced_link_shows_the_preset_and_logs_no_traceback(app_url, browser, server_log,
                                                                               tmp_path):
    from selenium.common.exceptions import StaleElementReferenceException
    from selenium.webdriver.support.ui import WebDriverWait

    wait = WebDriverWait(browser, 60, ignored_exceptions=(StaleElementReferenceException,))
    browser.get(f"{app_url}/?api.model=gpt-9-ultra")
    wait.until(lambda d: "Choose" in main_text(d) and "All approaches, ranked" in main_text(d) and settled(d))
    text = main_text(browser)
    assert FALLBACK.format("support_intents") + "API: model — genai-prices has no price for 'gpt-9-ultra'" in text
    assert "could not be shown" not in text
    assert chosen_title("support_intents") in text
    wait.until(lambda d: "preset=support_intents" in d.current_url)
    assert "gpt-9-ultra" not in browser.current_url
    screenshot(browser, tmp_path / "bad_link.png", "BAD_LINK_SCREENSHOT")
    assert server_log.exists() and "Traceback" not in server_log.read_text()
