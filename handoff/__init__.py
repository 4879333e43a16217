"""Escalation to a human counselor, the thread store, the counselor dashboard and privacy."""

from handoff.accounts import Account, AccountError, AccountLocked, CounselorAccounts
from handoff.dashboard import DashboardServices, create_dashboard, init_dashboard
from handoff.escalation import Escalation, EscalationPolicy
from handoff.hours import ReceptionHours
from handoff.identity import (
    ResidentIdentity,
    SealError,
    SecretKeyError,
    generate_secret_key,
    require_secret_key,
)
from handoff.messages import (
    DECLINE_POSTBACK,
    DELETE_CANCEL_POSTBACK,
    DELETE_CONFIRM_POSTBACK,
    REQUEST_POSTBACK,
)
from handoff.replies import (
    acknowledgement,
    delete_cancelled,
    delete_confirmation,
    delete_done,
    privacy_notice,
    thread_opened,
    thread_resolved,
)
from handoff.store import AuditEntry, Message, Note, Thread, ThreadNotFound, ThreadStateError, ThreadStore

__all__ = [
    "DECLINE_POSTBACK",
    "DELETE_CANCEL_POSTBACK",
    "DELETE_CONFIRM_POSTBACK",
    "REQUEST_POSTBACK",
    "Account",
    "AccountError",
    "AccountLocked",
    "AuditEntry",
    "CounselorAccounts",
    "DashboardServices",
    "Escalation",
    "EscalationPolicy",
    "Message",
    "Note",
    "ReceptionHours",
    "ResidentIdentity",
    "SealError",
    "SecretKeyError",
    "Thread",
    "ThreadNotFound",
    "ThreadStateError",
    "ThreadStore",
    "acknowledgement",
    "create_dashboard",
    "delete_cancelled",
    "delete_confirmation",
    "delete_done",
    "generate_secret_key",
    "init_dashboard",
    "privacy_notice",
    "require_secret_key",
    "thread_opened",
    "thread_resolved",
]
