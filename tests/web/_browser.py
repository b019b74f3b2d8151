"""A page of a running ``skyshield serve`` in Debian's headless Chromium (Playwright), offline.

Every request the page makes is recorded, and any to another host is refused: the page must
work with no network. Screenshots go to ``tests/artifacts/`` (not in git).
"""

from __future__ import annotations

import os
import random
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlparse

if TYPE_CHECKING:
    from playwright.sync_api import Page

CHROMIUM = Path(shutil.which("chromium") or "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"


@dataclass
class Browsed:
    """The page, the URLs it requested, those refused (another host), its console errors."""

    page: Page
    requested: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    console: list[str] = field(default_factory=list)

    def assert_offline(self, server: str, *, errors: tuple[str, ...] = ()) -> None:
        """No request left the server's host, none was refused, no console error but ``errors``."""
        assert self.refused == []
        assert self.console == list(errors)
        assert self.requested
        assert all(urlparse(u).netloc == urlparse(server).netloc for u in self.requested)


@contextmanager
def browse(server: str, *, downloads: bool = False) -> Iterator[Browsed]:
    """Open the server's page once it is ready (``body[data-ready=true]``)."""
    from playwright.sync_api import Route, sync_playwright

    own = urlparse(server).netloc
    random_state = random.getstate()  # Playwright draws its ids from the global `random`
    with sync_playwright() as p:
        root = hasattr(os, "geteuid") and os.geteuid() == 0
        browser = p.chromium.launch(
            executable_path=str(CHROMIUM), args=["--no-sandbox"] if root else []
        )
        page = browser.new_page(viewport={"width": 1280, "height": 900}, accept_downloads=downloads)
        seen = Browsed(page)

        def guard(route: Route) -> None:
            url = urlparse(route.request.url)
            if url.netloc == own or url.scheme in ("data", "about"):
                route.continue_()
            else:
                seen.refused.append(route.request.url)
                route.abort()

        page.route("**/*", guard)
        page.on("request", lambda r: seen.requested.append(r.url))
        page.on("console", lambda m: seen.console.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: seen.console.append(str(e)))
        page.goto(server + "/", wait_until="load")
        page.wait_for_selector("body[data-ready=true]", timeout=30_000)
        try:
            yield seen
        finally:
            browser.close()
    random.setstate(random_state)
