"""The teaching page in a real headless browser: Debian's Chromium driven by selenium through
Debian's chromedriver. Skips cleanly where either (or selenium) is not installed; never
downloads a browser or a driver.

Checks what a user sees: both panes laid out side by side, every command-line link landing
on an element of the page, a click scrolling the XML pane to the source line and
highlighting it (with and without JavaScript), no console errors (a Content-Security-Policy
violation would show up there) and no network request to anything but the page itself.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any, Iterator

import pytest

import capsdb
import translator
from translator.html import render_html

CHROMIUM = os.environ.get("XML2ARGV_CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("XML2ARGV_CHROMEDRIVER", "/usr/bin/chromedriver")
EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage")
LOCAL_SCHEMES = ("file:", "data:", "about:", "blob:", "chrome:", "chrome-error:")

webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed")
if not (os.access(CHROMIUM, os.X_OK) and os.access(CHROMEDRIVER, os.X_OK)):
    pytest.skip(f"needs {CHROMIUM} and {CHROMEDRIVER} (apt-get install chromium chromium-driver)",
                allow_module_level=True)

from selenium.common.exceptions import WebDriverException  # noqa: E402
from selenium.webdriver.common.action_chains import ActionChains  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402


def start_browser(javascript: bool = True, width: int = 1280, height: int = 560) -> Any:
    """A headless Chromium with a throw-away profile, logging console and network events."""
    profile = tempfile.mkdtemp(prefix="xml2argv-chromium-")
    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for flag in (*FLAGS, f"--user-data-dir={profile}", f"--window-size={width},{height}"):
        opts.add_argument(flag)
    if not javascript:
        opts.add_experimental_option(
            "prefs", {"profile.managed_default_content_settings.javascript": 2})
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    service = webdriver.ChromeService(executable_path=CHROMEDRIVER)
    try:
        driver = webdriver.Chrome(options=opts, service=service)
    except WebDriverException as exc:  # e.g. a browser/driver version mismatch
        shutil.rmtree(profile, ignore_errors=True)
        pytest.skip(f"headless chromium did not start: {exc.msg}")
    driver.set_page_load_timeout(30)
    driver.xml2argv_profile = profile
    return driver


def stop_browser(driver: Any) -> None:
    driver.quit()
    shutil.rmtree(driver.xml2argv_profile, ignore_errors=True)


@pytest.fixture(scope="module")
def page_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The qmp-over-tcp example (a qemu:arg near the end of a longer-than-the-pane XML),
    with a warning, as a file:// URL."""
    inv = translator.translate((EXAMPLES / "qmp-over-tcp.xml").read_bytes(),
                               capsdb.get("10.0"), profile="system")
    path = tmp_path_factory.mktemp("page") / "page.html"
    path.write_text(render_html(inv, ["an example warning"]), encoding="utf-8")
    return path.as_uri()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    driver = start_browser()
    yield driver
    stop_browser(driver)


def open_page(driver: Any, url: str) -> None:
    driver.get(url)
    driver.execute_script("document.getElementById('xml-pane').scrollTop = 0;")


def in_view(driver: Any, line_id: str) -> bool:
    """Whether the XML line is inside the visible part of the XML pane."""
    return driver.execute_script("""
        var el = document.getElementById(arguments[0]);
        var pane = document.getElementById('xml-pane').getBoundingClientRect();
        var r = el.getBoundingClientRect();
        return r.top >= pane.top && r.bottom <= pane.bottom && r.bottom <= innerHeight;
    """, line_id)


def qemu_row_link(driver: Any) -> Any:
    """The link of the last command-line item from the qemu: namespace."""
    return driver.find_elements(By.CSS_SELECTOR, ".row.k-qemu[data-from] .cmd-link")[-1]


def test_both_panes_are_visible_side_by_side(browser: Any, page_url: str):
    open_page(browser, page_url)
    xml = browser.find_element(By.ID, "xml-pane")
    cmd = browser.find_element(By.ID, "cmd-pane")
    assert xml.is_displayed() and cmd.is_displayed()
    assert xml.size["width"] > 300 and cmd.size["width"] > 300
    assert xml.location["x"] + xml.size["width"] <= cmd.location["x"] + 1
    assert browser.find_element(By.ID, "xml-L1").is_displayed()
    assert "an example warning" in browser.find_element(By.ID, "warnings").text


def test_every_item_link_target_exists(browser: Any, page_url: str):
    open_page(browser, page_url)
    missing = browser.execute_script("""
        var bad = [], links = document.querySelectorAll('a[href]');
        links.forEach(function (a) {
            var h = a.getAttribute('href');
            if (h[0] !== '#' || !document.getElementById(h.slice(1))) bad.push(h);
        });
        return [links.length, document.querySelectorAll('.row').length,
                document.querySelectorAll('.row .cmd-link').length, bad];
    """)
    n_links, n_rows, n_cmd_links, bad = missing
    assert n_rows > 20 and n_cmd_links == n_rows and n_links > n_rows
    assert bad == []


def test_clicking_an_item_scrolls_to_and_highlights_its_xml_line(browser: Any, page_url: str):
    open_page(browser, page_url)
    link = qemu_row_link(browser)
    target = link.get_attribute("href").rsplit("#", 1)[1]
    assert not in_view(browser, target)  # the window is short: the line starts hidden
    link.click()
    line = browser.find_element(By.ID, target)
    assert browser.execute_script("return location.hash") == "#" + target
    assert browser.execute_script("return arguments[0].matches(':target')", line)
    assert "pin" in line.get_attribute("class").split()  # the script highlights it too
    assert in_view(browser, target)
    assert "qemu:arg" in line.text


def test_hovering_an_item_highlights_its_element(browser: Any, page_url: str):
    open_page(browser, page_url)
    row = browser.find_elements(By.CSS_SELECTOR, ".row[data-from]")[-3]
    first, last = int(row.get_attribute("data-from")), int(row.get_attribute("data-to"))
    ActionChains(browser).move_to_element(row).perform()
    lit = browser.execute_script(
        "return Array.from(document.querySelectorAll('.xl.hl')).map(e => +e.id.slice(5))")
    assert lit == list(range(first, last + 1))


def test_no_console_errors_and_no_network(browser: Any, page_url: str):
    open_page(browser, page_url)
    qemu_row_link(browser).click()
    urls = []
    for entry in browser.get_log("performance"):
        msg = json.loads(entry["message"])["message"]
        if msg["method"] == "Network.requestWillBeSent":
            urls.append(msg["params"]["request"]["url"])
    assert urls and all(u.startswith(LOCAL_SCHEMES) for u in urls), urls
    resources = browser.execute_script(
        "return performance.getEntriesByType('resource').map(e => e.name)")
    assert resources == []
    # a blocked load (Content-Security-Policy) or a script error would be logged here
    errors = [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    assert errors == []


def test_links_work_without_javascript(page_url: str):
    driver = start_browser(javascript=False)
    try:
        driver.get(page_url)
        link = qemu_row_link(driver)
        target = link.get_attribute("href").rsplit("#", 1)[1]
        link.click()
        line = driver.find_element(By.ID, target)
        assert driver.execute_script("return arguments[0].matches(':target')", line)
        assert "pin" not in line.get_attribute("class").split()  # no script ran
        assert in_view(driver, target)
        colour = line.value_of_css_property("background-color")
        assert colour not in ("rgba(0, 0, 0, 0)", "transparent")
    finally:
        stop_browser(driver)
