"""Template filters: times in Tokyo and how long a thread has waited, in the counselor's words."""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint

from handoff import messages
from handoff.hours import to_tokyo


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


def register(blueprint: Blueprint) -> None:
    blueprint.add_app_template_filter(tokyo_time, "counselor_time")
    blueprint.add_app_template_filter(waited, "counselor_waited")
