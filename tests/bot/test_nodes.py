"""Two web nodes on one store (SQLite file or PostgreSQL): a counselor logged in through one keeps working
through the other, failed logins spread over both count together toward the lockout, and a crisis alert is
claimed once however many nodes raise it."""

from __future__ import annotations

import re

from fake_line import ScriptedConversation
from flask.testing import FlaskClient
from postgres import BOTH_BACKENDS

from handoff import AlertSettings, CrisisAlerts

pytestmark = BOTH_BACKENDS
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def token(client: FlaskClient, path: str = "/counselor/login") -> str:
    return TOKEN.search(client.get(path).get_data(as_text=True)).group(1)


def attempt(client: FlaskClient, password: str) -> int:
    data = {"csrf_token": token(client), "name": "suzuki", "password": password}
    return client.post("/counselor/login", data=data).status_code


def test_a_session_and_failed_logins_carry_across_web_nodes(make_app):
    node_a, node_b = (make_app(ScriptedConversation, worker_mode="process") for _ in range(2))
    node_a.extensions["yorisoi"].stores.accounts.add("suzuki", "suzuki-password")
    on_a, on_b = node_a.test_client(), node_b.test_client()
    assert attempt(on_a, "suzuki-password") == 302
    on_b.set_cookie("session", on_a.get_cookie("session").value)
    assert on_b.get("/counselor/").status_code == 200  # logged in through A, working through B

    strangers = [node_a.test_client(), node_b.test_client()]
    assert [attempt(strangers[n % 2], "wrong-password") for n in range(4)] == [401] * 4
    assert attempt(strangers[0], "wrong-password") == 429  # the fifth failure, counted over both nodes
    assert attempt(strangers[1], "suzuki-password") == 429


def test_a_crisis_alert_is_claimed_once_across_nodes(make_app):
    nodes = [make_app(ScriptedConversation, worker_mode="process") for _ in range(2)]
    settings = AlertSettings(smtp="", mail_from="", mail_to="", webhook="http://127.0.0.1:9/none")
    alerts = [CrisisAlerts(node.extensions["yorisoi"].stores.db, settings) for node in nodes]
    sent = [alert.notify(7, "user-key", ["suicide"]) for alert in alerts + alerts]
    assert sent == [True, False, False, False]
    for alert in alerts:
        alert.wait(30)
