"""Headless Chromium against the running app, shared by the browser tests (a plugin tests/conftest.py
names; its helpers imported). A test module overrides `app_env` to give the app its own environment."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.server_fixtures import free_port

REPO = Path(__file__).resolve().parents[2]
CHROMIUM, CHROMEDRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"
WIDTH, HEIGHT = 1366, 768
NEEDS_CHROMIUM = pytest.mark.skipif(  # every browser test's marker: without Debian's browser, skipped with how to get it
    not (os.path.exists(CHROMIUM) and os.path.exists(CHROMEDRIVER)),
    reason="needs Debian's chromium and chromium-driver (apt-get install -y chromium chromium-driver; "
           "`make test` installs them as root)")


@pytest.fixture(scope="module")
def app_env() -> dict[str, str]:
    """What the app's environment adds to this process's (none here)."""
    return {}


@pytest.fixture(scope="module")
def app_url(app_env):
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "streamlit_app.py", "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true",
         "--browser.gatherUsageStats", "false"],
        cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=os.environ | app_env)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):
            try:
                if urllib.request.urlopen(f"{url}/_stcore/health", timeout=1).status == 200:
                    break
            except OSError:
                time.sleep(0.5)
        else:
            pytest.fail("streamlit did not start within 60 s")
        yield url
    finally:
        server.terminate()
        server.wait(timeout=20)


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--no-first-run", f"--window-size={WIDTH},{HEIGHT}",
                 f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}",
                 # a laptop with a mouse: plotly then shows its toolbar only while hovered
                 "--blink-settings=primaryHoverType=2,availableHoverTypes=2,"
                 "primaryPointerType=4,availablePointerTypes=4"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",  # the page itself is 1366×768
                           {"width": WIDTH, "height": HEIGHT, "deviceScaleFactor": 1, "mobile": False})
    yield driver
    driver.quit()


def screenshot(driver, shot, copy_to_env: str) -> None:
    """A settled picture of the page (not blank), copied where `copy_to_env` names, if it does."""
    time.sleep(1.5)
    driver.save_screenshot(str(shot))
    assert shot.stat().st_size > 20_000
    if target := os.environ.get(copy_to_env):
        shutil.copy(shot, target)


def number_box(driver, area: str, label_start: str):
    """The number input in the sidebar or the main area whose label starts with `label_start`."""
    from selenium.webdriver.common.by import By

    testid = "stSidebar" if area == "side" else "stMain"
    return next(box for box in driver.find_elements(By.CSS_SELECTOR, f'[data-testid="{testid}"] [data-testid="stNumberInput"]')
                if box.text.startswith(label_start)).find_element(By.CSS_SELECTOR, "input")


def form_field(driver, label: str):
    """The input of the form whose aria-label is `label`."""
    from selenium.webdriver.common.by import By

    return driver.find_element(By.CSS_SELECTOR, f'[data-testid="stForm"] input[aria-label="{label}"]')


def go_to(driver, page: str) -> None:
    from selenium.webdriver.common.by import By

    next(link for link in driver.find_elements(By.CSS_SELECTOR, '[data-testid="stSidebarNavLink"]')
         if link.text.splitlines()[-1] == page).click()


def main_text(driver) -> str:
    """The text of the page's main area (the sidebar aside)."""
    from selenium.webdriver.common.by import By

    return driver.find_element(By.CSS_SELECTOR, '[data-testid="stMain"]').text


def settled(driver) -> bool:
    """The page has finished its rerun (Streamlit's running indicator is gone)."""
    from selenium.webdriver.common.by import By

    return not driver.find_elements(By.CSS_SELECTOR, '[data-testid="stStatusWidget"]')
