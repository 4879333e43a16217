"""What the headless-Chromium tests share: logging in to the dashboard as a given account."""

from __future__ import annotations

from typing import Any

LOGIN_PATH = "/counselor/login"


def log_in(page: Any, base_url: str, name: str, password: str, start: str = LOGIN_PATH) -> None:
    """Log in through the login form and wait for the queue. `start` is the page opened first: any other
    than the login page must send a logged-out visitor there."""
    page.goto(f"{base_url}{start}")
    assert LOGIN_PATH in page.url
    page.fill("input[name=name]", name)
    page.fill("input[name=password]", password)
    page.click("button[type=submit].primary")
    page.wait_for_url(f"{base_url}/counselor/")
