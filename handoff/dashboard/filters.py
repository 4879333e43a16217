"""Template filters: times in Tokyo and how long a thread has waited, in the counselor's words."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

from flask import Blueprint

from handoff import messages
from handoff.hours import to_tokyo

_HTTP_STATUS = re.compile(r"(?<!\d)[1-5]\d\d(?!\d)")


def tokyo_time(moment: datetime | None) -> str:
    return to_tokyo(moment).strftime("%m/%d %H:%M") if moment else ""


def waited(moment: datetime | None) -> str:
    if moment is None:
        return ""
    minutes = max(0, int((datetime.now(moment.tzinfo) - moment).total_seconds() // 60))
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        return messages.WAITED["days"].format(days=days, hours=hours)
    return messages.WAITED["hours" if hours else "minutes"].format(hours=hours, minutes=minutes)


def _child(child: Any) -> str:
    """A child as the resident described them: the stage (中学生) with the age when known, else the age."""
    if isinstance(child, dict):
        stage, age = child.get("stage"), child.get("age")
        if stage and age is not None:
            return messages.CHILD_STAGE_AND_AGE.format(stage=stage, age=age)
        return str(stage) if stage else messages.CHILD_AGE.format(age=age) if age is not None else ""
    return messages.CHILD_AGE.format(age=child)


def _fact_value(key: str, value: Any) -> str:
    if key in ("children", "children_ages"):
        items = value if isinstance(value, list) else [value]
        return messages.FACT_SEPARATOR.join(_child(c) for c in items)
    codes = messages.FACT_VALUE_LABELS.get(key)
    items = value if isinstance(value, list) else [value]
    if codes is not None:
        items = [codes.get(str(item), messages.UNKNOWN_VALUE) for item in items]
    return messages.FACT_SEPARATOR.join(str(item) for item in items)


def fact_rows(facts: dict[str, Any]) -> list[tuple[str, str]]:
    """(label, value) in Japanese for every known fact; codes never reach the page."""
    return [
        (messages.FACT_LABELS.get(key, messages.UNKNOWN_VALUE), _fact_value(key, value))
        for key, value in facts.items()
        if value not in (None, "", [], {})
    ]


def delivery_label(status: str | None) -> str:
    """A delivery status in the counselor's words: the label, and for a failure only LINE's HTTP status
    (「送れませんでした（500）」); the error text itself is the operator's English and stays in the log."""
    if not status:
        return ""
    kind, _, detail = status.partition(":")
    label = messages.DELIVERY_LABELS.get(kind.strip(), messages.DELIVERY_LABELS["failed"])
    code = _HTTP_STATUS.search(detail)
    return messages.DELIVERY_FAILED_DETAIL.format(label=label, detail=code.group(0)) if code else label


def week_label(week: str) -> str:
    """An ISO week ("2026-W49") as the Monday it begins (「11月30日（月）からの週」)."""
    year, sep, number = week.partition("-W")
    if not (sep and year.isdigit() and number.isdigit()):
        return week
    monday = date.fromisocalendar(int(year), int(number), 1)
    return messages.WEEK_FROM.format(month=monday.month, day=monday.day)


def stamp_time(stamp: str) -> str:
    """An ISO time as recorded ("2026-12-02T01:22+09:00") in the console's Tokyo format."""
    try:
        return tokyo_time(datetime.fromisoformat(stamp))
    except (TypeError, ValueError):
        return stamp


def audit_label(action: str) -> str:
    return messages.AUDIT_ACTION_LABELS.get(action, action)


def audit_actor(actor: str) -> str:
    """Who acted: a counselor's account name as it is, the system's own actors (bot…) in Japanese."""
    return messages.AUDIT_ACTOR_LABELS.get(actor, actor)


def category_label(kind: str) -> str:
    """A crisis kind as staff read it; one this version does not know is said plainly, not as a code."""
    return messages.CATEGORY_LABELS.get(kind, messages.CATEGORY_UNKNOWN)


def _topic_label(topic: str) -> str:
    from handoff.dashboard import get_services

    try:
        notices = get_services().notices
    except RuntimeError:  # outside a request (a unit test of the filter)
        notices = None
    labels = {t.key: t.label for t in notices.topics.topics} if notices is not None else {}
    return labels.get(topic, topic)


def _audit_time(value: str) -> str:
    """A recorded time or date (at=…, since=…, today=…) in the console's format."""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return value
    if len(value) == 10:  # a date
        return japanese_date(moment.date())
    return tokyo_time(moment) if moment.tzinfo else value


def audit_detail(detail: str) -> str:
    """An audit entry's `key=value` details in Japanese (「理由：危機の訴え、緊急：はい」): the codes of
    reasons, roles and delivery states as labels, other values (names, numbers, dates) as recorded."""
    items = []
    for part in detail.split():
        key, sep, value = part.partition("=")
        if not sep:
            items.append(part)
            continue
        if key == "reason":
            value = messages.REASON_LABELS.get(value) or messages.AUDIT_DETAIL_VALUES.get(value, value)
        elif key == "urgent":
            value = messages.AUDIT_YES_NO.get(value, value)
        elif key == "role":
            value = messages.ROLE_LABELS.get(value, value)
        elif key == "delivery":
            value = delivery_label(value)
        elif key == "topic":
            value = _topic_label(value)
        elif key in ("at", "since", "today") or (key == "from" and value[:1].isdigit()):
            value = _audit_time(value)
        elif value == "-":
            value = messages.AUDIT_NOT_SET
        label = messages.AUDIT_DETAIL_KEYS.get(key, key)
        items.append(messages.AUDIT_DETAIL_ITEM.format(key=label, value=value))
    return messages.AUDIT_DETAIL_SEPARATOR.join(items)


def content_problem(problem: Any) -> str:
    """A `docs check` finding (handoff.content.ContentProblem) in Japanese: its code picks the sentence, its
    values fill it; the operator's English never reaches the page."""
    text = messages.CHECK_PROBLEMS.get(problem.code, messages.CHECK_PROBLEMS["unknown"])
    args = dict(problem.args)
    if "key" in args:
        args["key"] = messages.FRONT_MATTER_LABELS.get(args["key"], args["key"])
    try:
        return text.format(**args)
    except (KeyError, IndexError):  # a finding without the values its sentence names
        return messages.CHECK_PROBLEMS["unknown"]


def stop_reason(reason: str, sent: int) -> str:
    """Why a notice run stopped, in Japanese; a reason this version does not know is said plainly."""
    return messages.NOTICE_STOP_REASONS.get(reason, messages.NOTICE_STOP_UNKNOWN).format(sent=sent)


def japanese_date(day: date | None) -> str:
    """2026-04-01 → 2026年4月1日 (dates on the content pages)."""
    return messages.DATE_FORMAT.format(year=day.year, month=day.month, day=day.day) if day else ""


def register(blueprint: Blueprint) -> None:
    blueprint.add_app_template_filter(japanese_date, "counselor_date")
    blueprint.add_app_template_filter(fact_rows, "counselor_facts")
    blueprint.add_app_template_filter(delivery_label, "counselor_delivery")
    blueprint.add_app_template_filter(audit_label, "counselor_action")
    blueprint.add_app_template_filter(audit_actor, "counselor_actor")
    blueprint.add_app_template_filter(category_label, "counselor_category")
    blueprint.add_app_template_filter(audit_detail, "counselor_audit_detail")
    blueprint.add_app_template_filter(week_label, "counselor_week")
    blueprint.add_app_template_filter(stamp_time, "counselor_stamp")
    blueprint.add_app_template_filter(content_problem, "content_problem")
    blueprint.add_app_template_filter(stop_reason, "stop_reason")
    blueprint.add_app_template_filter(tokyo_time, "counselor_time")
    blueprint.add_app_template_filter(waited, "counselor_waited")
