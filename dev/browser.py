"""The Chromium that the browser tests, `make screenshots` and the dashboard benchmark drive.

Debian's chromium (``/usr/bin/chromium`` or ``chromium`` on PATH) when there is one, else
Playwright's own download. ``python -m dev.browser`` (run by ``make test`` before the
suite) gets one where it can: ``apt-get install chromium`` when it runs as root with apt,
else ``playwright install chromium``; where it can do neither it prints one line saying what
to install and exits non-zero, instead of letting every browser test error in its fixture.

Development tooling: no production module imports it (it moves to ``dev/`` with the
simulator and the benchmarks).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

SYSTEM_CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
MISSING = ("make test needs Chromium for the browser tests: install Debian's `chromium` "
           "(sudo apt-get install chromium) or run `.venv/bin/python -m playwright install chromium`")


def playwright_chromium() -> str | None:
    """The executable of Playwright's own Chromium if it has been downloaded, else None."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return None
    try:
        with sync_playwright() as playwright:
            path = playwright.chromium.executable_path
    except Exception:  # noqa: BLE001 - a broken Playwright install means "no browser here"
        return None
    return path if path and os.path.exists(path) else None


def system_chromium(exists: Callable[[str], bool] = os.path.exists,
                    which: Callable[[str], str | None] = shutil.which) -> str | None:
    """Debian's chromium: /usr/bin/chromium, or ``chromium`` on PATH; None when neither."""
    if exists(SYSTEM_CHROMIUM):
        return SYSTEM_CHROMIUM
    return which("chromium")


@dataclass(frozen=True)
class Launch:
    """How to launch Chromium: ``executable_path`` None means Playwright's own browser."""

    executable_path: str | None


def chromium_launch(system: Callable[[], str | None] | None = None,
                    bundled: Callable[[], str | None] | None = None) -> Launch | None:
    """Debian's chromium if present, else Playwright's downloaded one, else None."""
    path = (system or system_chromium)()
    if path:
        return Launch(path)
    if (bundled or playwright_chromium)():
        return Launch(None)
    return None


def launch_kwargs() -> dict[str, Any]:
    """Keyword arguments for ``playwright.chromium.launch``; raises if there is no browser."""
    launch = chromium_launch()
    if launch is None:
        raise RuntimeError(MISSING)
    kwargs: dict[str, Any] = {"args": CHROMIUM_ARGS, "headless": True}
    if launch.executable_path:
        kwargs["executable_path"] = launch.executable_path
    return kwargs


@dataclass(frozen=True)
class Plan:
    """What ``ensure`` will do: "ready", "apt", "playwright" or "missing" (with the one line)."""

    action: str
    message: str = ""


def browser_plan(*, found: bool, is_root: bool, has_apt: bool, has_playwright: bool) -> Plan:
    """The way to a browser on this machine, cheapest first."""
    if found:
        return Plan("ready")
    if is_root and has_apt:
        return Plan("apt")
    if has_playwright:
        return Plan("playwright")
    return Plan("missing", MISSING)


def _run(command: list[str]) -> bool:
    print("+ " + " ".join(command), file=sys.stderr)
    return subprocess.run(command, check=False).returncode == 0  # noqa: S603 - our own fixed commands


def _has_playwright() -> bool:
    try:
        import playwright  # noqa: F401
    except ImportError:
        return False
    return True


def ensure() -> int:
    """Make sure a Chromium is there (installing one where allowed); 0 when one is."""
    plan = browser_plan(found=chromium_launch() is not None,
                        is_root=hasattr(os, "geteuid") and os.geteuid() == 0,
                        has_apt=shutil.which("apt-get") is not None, has_playwright=_has_playwright())
    if plan.action == "apt":
        apt = shutil.which("apt-get") or "/usr/bin/apt-get"
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run([apt, "update", "-qq"], check=False, env=env)  # noqa: S603 - fixed command
        subprocess.run([apt, "install", "-y", "-qq", "chromium"], check=False, env=env)  # noqa: S603
        if system_chromium():
            return 0
        plan = browser_plan(found=False, is_root=False, has_apt=False, has_playwright=_has_playwright())
    if plan.action == "playwright":
        if _run([sys.executable, "-m", "playwright", "install", "chromium"]) and playwright_chromium():
            return 0
        plan = browser_plan(found=False, is_root=False, has_apt=False, has_playwright=False)
    if plan.action == "missing":
        print(plan.message, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(ensure())
