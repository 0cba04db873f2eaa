"""A rep on their phone: in a real browser (Debian's chromium, driven by Selenium through
Debian's chromedriver), they open their page on the server process, mark a visit held,
and `pacflow plan history` shows it with them as actor. Screenshots are kept in
`artifacts/web/`.

Without chromium and chromedriver these tests skip, except with CI=true (`.ci/run` installs
both), where a silent skip would hide a broken setup.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from pacflow.cli import main
from tests.web.conftest import PLAN, Grant, Served

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "artifacts" / "web"


def _tool(name: str) -> str:
    found = shutil.which(name) or (
        f"/usr/bin/{name}" if Path(f"/usr/bin/{name}").exists() else None
    )
    if found is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(
                f"{name} must be installed in CI (CI=true): .ci/run installs it", pytrace=False
            )
        pytest.skip(f"{name} is not installed (apt-get install chromium chromium-driver)")
    return found


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[object]:
    """Headless chromium at a phone's size, reaching nothing but loopback."""
    webdriver = pytest.importorskip("selenium.webdriver")
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = _tool("chromium")
    for argument in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--window-size=412,915",
        f"--user-data-dir={tmp_path / 'profile'}",
    ):
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service(_tool("chromedriver")), options=options)
    driver.implicitly_wait(10)  # an element the page has yet to show is waited for
    try:
        yield driver
    finally:
        driver.quit()


def _follow(driver: object, element: object) -> None:
    """Click `element` and wait until the page it leads to has replaced this one (a click
    does not wait for the navigation it starts: on a slow machine the next lookup would
    still find the old page)."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.ui import WebDriverWait

    page = driver.find_element(By.TAG_NAME, "html")  # type: ignore[attr-defined]
    element.click()  # type: ignore[attr-defined]
    WebDriverWait(driver, 30).until(expected_conditions.staleness_of(page))  # type: ignore[type-var]


def _shot(driver: object, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    driver.save_screenshot(str(ARTIFACTS / f"{name}.png"))  # type: ignore[attr-defined]


def test_a_rep_marks_a_visit_held_from_their_phone(
    browser: object, served: Served, give: Grant, store_url: str
) -> None:
    from selenium.webdriver.common.by import By

    driver: object = browser
    token = give("cd", "report")
    driver.get(f"{served.url}/p/{token}")  # type: ignore[attr-defined]
    _shot(driver, "my-plan")
    assert "Claire Dubois" in driver.title  # type: ignore[attr-defined]
    overdue = driver.find_elements(By.CSS_SELECTOR, "h2 + ul.items li")  # type: ignore[attr-defined]
    assert overdue, "Claire has visits to report on 10 June"
    item = overdue[0]
    key = item.find_element(By.TAG_NAME, "small").text.strip("()")
    _follow(driver, item.find_element(By.XPATH, ".//form[contains(@action, '/held')]//button"))
    notice = driver.find_element(By.CSS_SELECTOR, ".notice.ok")  # type: ignore[attr-defined]
    assert notice.text == "Recorded: the visit was held."
    _shot(driver, "my-plan-after-held")
    assert key not in driver.page_source  # type: ignore[attr-defined]
    logs = driver.get_log("browser")  # type: ignore[attr-defined]
    assert not [entry for entry in logs if entry["level"] == "SEVERE"], logs

    history = CliRunner().invoke(
        main, ["--db", store_url, "plan", "history", PLAN, "--limit", "1", "--json"]
    )
    assert history.exit_code == 0, history.output
    [entry] = json.loads(history.output)
    assert entry["actor"] == "cd"
    assert entry["source"] == "web"
    assert entry["summary"].startswith(f"{key} held on ")


def test_a_manager_reads_the_plan_and_its_dashboard_in_the_browser(
    browser: object, served: Served, give: Grant
) -> None:
    from selenium.webdriver.common.by import By

    driver: object = browser
    token = give("hg", "read")
    driver.get(f"{served.url}/p/{token}")  # type: ignore[attr-defined]
    _follow(driver, driver.find_element(By.LINK_TEXT, "Plan by theme"))  # type: ignore[attr-defined]
    assert driver.find_element(By.TAG_NAME, "h1").text.startswith("Plan d'action")  # type: ignore[attr-defined]
    _shot(driver, "plan-by-theme")
    _follow(driver, driver.find_element(By.LINK_TEXT, "Dashboard"))  # type: ignore[attr-defined]
    assert driver.find_elements(By.CSS_SELECTOR, "section.group")  # type: ignore[attr-defined]
    _shot(driver, "dashboard")
    logs = driver.get_log("browser")  # type: ignore[attr-defined]
    assert not [entry for entry in logs if entry["level"] == "SEVERE"], logs
