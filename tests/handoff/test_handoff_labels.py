"""Every label a counselor reads is Japanese: crisis kinds, the audit log's actors, actions and details,
error pages; a code this version does not know is said plainly rather than shown."""

from __future__ import annotations

import re
from pathlib import Path

from flask import Flask

from handoff import messages
from handoff.crisis import KINDS
from handoff.dashboard.filters import audit_actor, audit_detail, category_label
from handoff.replies import kind_labels

ROOT = Path(messages.__file__).resolve().parent.parent
# Action codes as the code records them: record(actor, "action", …) and _audit("action", …).
RECORDED = re.compile(r"""(?:\.record\(\s*[^,()]+,\s*|_audit\(\s*|_record\(\s*[^,()]+,\s*)f?"([a-z_{}]+)\"""")


def test_every_crisis_kind_has_a_label_and_an_unknown_one_is_not_shown_as_a_code() -> None:
    assert set(KINDS) <= set(messages.CATEGORY_LABELS)
    assert category_label("stalking_new") == messages.CATEGORY_UNKNOWN
    assert "stalking_new" not in kind_labels(["dv", "stalking_new"])


def test_every_recorded_audit_action_has_a_japanese_label() -> None:
    found = set()
    for path in [*ROOT.joinpath("handoff").rglob("*.py"), *ROOT.joinpath("bot").rglob("*.py")]:
        found |= set(RECORDED.findall(path.read_text(encoding="utf-8")))
    actions = {a for a in found if "{" not in a}
    actions |= {f"account_{a}" for a in ("enable", "disable")}  # f"account_{action}"
    actions |= {f"notice_{s}" for s in ("done", "stopped")}  # f"notice_{status}" when a run finishes
    assert {"open", "claim", "resolve", "forget", "purge"} <= actions  # the pattern finds them
    assert actions <= set(messages.AUDIT_ACTION_LABELS), actions - set(messages.AUDIT_ACTION_LABELS)


def test_the_audit_log_names_the_systems_own_actors_and_shows_times_as_times() -> None:
    assert [audit_actor(a) for a in ("bot", "resident", "retention", "cli")] == [
        "ボット（自動）",
        "相談者",
        "保存期間による自動削除",
        "管理コマンド",
    ]
    assert audit_actor("suzuki") == "suzuki"  # a counselor's own name as it is
    detail = audit_detail("run=3 topic=genkyo at=2026-08-01T00:30:00+00:00")
    assert "08/01 09:30" in detail and "T00:30" not in detail
    assert "2026年4月1日" in audit_detail("since=2026-04-01")
    assert audit_detail("from=yamada") == "前の担当：yamada"


def test_error_pages_never_show_werkzeugs_english(dashboard_app: Flask) -> None:
    from test_handoff_dashboard import login

    client = dashboard_app.test_client()
    csrf = login(client, "admin", "admin-password")
    page = client.post("/counselor/admin/accounts", data={"csrf_token": csrf, "action": "bogus", "name": "x"})
    text = page.get_data(as_text=True)
    assert page.status_code == 400 and "could not understand" not in text
    assert messages.HTTP_ERRORS[400] in text
