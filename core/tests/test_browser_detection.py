"""dev/browser.py: `make test` finds or gets a Chromium, or says in one line what to install."""

from dev import browser


def test_debian_chromium_is_used_when_present():
    assert browser.system_chromium(exists=lambda path: path == "/usr/bin/chromium", which=lambda name: None) \
        == "/usr/bin/chromium"
    assert browser.system_chromium(exists=lambda path: False, which=lambda name: "/opt/bin/chromium") \
        == "/opt/bin/chromium"
    launch = browser.chromium_launch(system=lambda: "/usr/bin/chromium", bundled=lambda: None)
    assert launch == browser.Launch("/usr/bin/chromium")


def test_playwrights_own_chromium_is_launched_without_an_executable_path():
    launch = browser.chromium_launch(system=lambda: None, bundled=lambda: "/root/.cache/ms-playwright/chrome")
    assert launch == browser.Launch(None)


def test_no_browser_anywhere_is_none():
    assert browser.chromium_launch(system=lambda: None, bundled=lambda: None) is None


def test_the_way_to_a_browser_is_apt_as_root_else_playwright():
    assert browser.browser_plan(found=True, is_root=False, has_apt=False, has_playwright=False).action == "ready"
    assert browser.browser_plan(found=False, is_root=True, has_apt=True, has_playwright=True).action == "apt"
    assert browser.browser_plan(found=False, is_root=False, has_apt=True, has_playwright=True).action == "playwright"


def test_neither_path_says_in_one_line_what_to_install():
    plan = browser.browser_plan(found=False, is_root=False, has_apt=False, has_playwright=False)
    assert plan.action == "missing"
    assert "\n" not in plan.message
    assert "apt-get install chromium" in plan.message and "playwright install chromium" in plan.message


def test_ensure_stops_with_the_one_line_and_a_failure_code(monkeypatch, capsys):
    monkeypatch.setattr(browser, "chromium_launch", lambda: None)
    monkeypatch.setattr(browser, "_has_playwright", lambda: False)
    monkeypatch.setattr(browser.os, "geteuid", lambda: 1000)
    assert browser.ensure() == 1
    assert capsys.readouterr().err.strip() == browser.MISSING
