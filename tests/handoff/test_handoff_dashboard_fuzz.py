"""Hostile input on every dashboard form: no 500, nothing stored for refused input, everything escaped."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from handoff import ThreadStore

TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
NASTY = st.one_of(
    st.text(max_size=300),
    st.sampled_from(
        [
            "",
            "\x00\x01\x1b[31m",
            "\u202e\u200fمرحبا\u202c",
            "👩‍👧‍👦🆘",
            "'; DROP TABLE handoff_threads; --",
            "<script>alert(1)</script>",
            '"><svg onload=alert(1)>',
            "{{ 7*7 }}{% raw %}",
            "あ" * 5000,
        ]
    ),
)


@pytest.fixture
def logged_in(dashboard_app: Flask, open_thread, store: ThreadStore) -> tuple[FlaskClient, str, int]:
    client = dashboard_app.test_client()
    token = TOKEN.search(client.get("/counselor/login").get_data(as_text=True)).group(1)
    client.post("/counselor/login", data={"csrf_token": token, "name": "admin", "password": "admin-password"})
    token = TOKEN.search(client.get("/counselor/").get_data(as_text=True)).group(1)
    thread = open_thread()
    store.claim(thread.id, "admin")
    return client, token, thread.id


FORMS = [
    ("/counselor/threads/{id}/reply", ("text", "retry_key")),
    ("/counselor/threads/{id}/notes", ("text",)),
    ("/counselor/threads/{id}/claim", ("take_over",)),
    ("/counselor/threads/{id}/messages/1/retry", ()),
    ("/counselor/admin/accounts", ("action", "name", "password", "role")),
    ("/counselor/password", ("current", "new", "again")),
    ("/counselor/login", ("name", "password", "next")),
]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(form=st.sampled_from(FORMS), values=st.lists(NASTY, min_size=7, max_size=7))
def test_every_form_survives_hostile_values(logged_in, store: ThreadStore, form, values) -> None:
    client, token, thread_id = logged_in
    path, fields = form
    data = {"csrf_token": token, **dict(zip(fields, values, strict=False))}
    response = client.post(path.format(id=thread_id), data=data)
    assert response.status_code < 500
    page = client.get(f"/counselor/threads/{thread_id}").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page and "<svg onload" not in page


def test_invalid_utf8_and_huge_bodies_are_refused_cleanly(logged_in, store: ThreadStore) -> None:
    client, token, thread_id = logged_in
    for body, content_type in (
        (b"csrf_token=" + token.encode() + b"&text=\xff\xfe\xc3(", "application/x-www-form-urlencoded"),
        (
            b'--b\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n'
            + token.encode()
            + b'\r\n--b\r\nContent-Disposition: form-data; name="text"\r\n\r\n\xff\xfe\xc3(\r\n--b--\r\n',
            "multipart/form-data; boundary=b",
        ),
    ):
        response = client.post(f"/counselor/threads/{thread_id}/notes", data=body, content_type=content_type)
        assert response.status_code in (302, 400, 422)
    assert store.notes(thread_id) == []  # bytes that are not UTF-8 are never stored (not even as U+FFFD)
    huge = {"csrf_token": token, "text": "x" * 1_000_000}
    assert client.post(f"/counselor/threads/{thread_id}/notes", data=huge).status_code == 422
    assert all(len(note.text) < 1_000_000 for note in store.notes(thread_id))
    wrong_type = client.post(
        f"/counselor/threads/{thread_id}/reply", json={"csrf_token": token, "text": ["a"], "retry_key": 1}
    )
    assert wrong_type.status_code == 400


@pytest.mark.parametrize("path", ["/counselor/threads/{id}/resolve", "/counselor/logout"])
def test_the_field_free_forms_refuse_a_hostile_token_and_ignore_extra_fields(logged_in, store, path) -> None:
    """Resolve and log out carry only the CSRF token: a forged one is refused, junk beside it ignored."""
    client, token, thread_id = logged_in
    junk = {"text": "<script>alert(1)</script>", "status": "'; DROP TABLE handoff_threads; --"}
    forged = client.post(path.format(id=thread_id), data={"csrf_token": "\x00<svg onload=alert(1)>", **junk})
    assert forged.status_code == 400
    assert store.get(thread_id).status == "claimed"
    accepted = client.post(path.format(id=thread_id), data={"csrf_token": token, "confirmed": "1", **junk})
    assert accepted.status_code == 302
    if "resolve" in path:
        assert store.get(thread_id).status == "resolved"
    assert "<script>alert(1)</script>" not in client.get("/counselor/login").get_data(as_text=True)
