"""Escalation to a human counselor, the thread store, the counselor dashboard, privacy, and what staff
see of residents (masked questions) and send them (opt-in notices)."""

from handoff.accounts import Account, AccountError, AccountLocked, CounselorAccounts
from handoff.alerts import AlertSettings, CrisisAlerts
from handoff.audit import AuditEntry, AuditLog
from handoff.contacts import ContactBook
from handoff.counselor_replies import CounselorReplies
from handoff.crisis import CrisisAssessment, CrisisDetector
from handoff.dashboard import DashboardServices, init_dashboard, load_canned_replies
from handoff.escalation import Escalation, EscalationPolicy
from handoff.hours import ReceptionHours
from handoff.identity import (
    ResidentIdentity,
    SealError,
    SecretKeyError,
    generate_secret_key,
    require_secret_key,
)
from handoff.insights import QuestionLog, Report
from handoff.masking import mask_question
from handoff.messages import (
    DECLINE_POSTBACK,
    DELETE_CANCEL_POSTBACK,
    DELETE_CONFIRM_POSTBACK,
    NOTE_AUTHOR_BOT,
    REQUEST_POSTBACK,
)
from handoff.notices import NoticeRequest, NoticeTopic, NoticeTopics, RenderedNotice, render_notice
from handoff.replies import (
    acknowledgement,
    anonymous_consultation,
    delete_cancelled,
    delete_confirmation,
    delete_done,
    live_crisis_note,
    privacy_notice,
    thread_opened,
    thread_resolved,
    who_answers,
)
from handoff.store import (
    DuplicateRetryKey,
    Message,
    Note,
    Thread,
    ThreadNotFound,
    ThreadStateError,
    ThreadStore,
)

__all__ = [
    "DECLINE_POSTBACK",
    "DELETE_CANCEL_POSTBACK",
    "DELETE_CONFIRM_POSTBACK",
    "NOTE_AUTHOR_BOT",
    "REQUEST_POSTBACK",
    "Account",
    "AccountError",
    "AccountLocked",
    "AlertSettings",
    "AuditEntry",
    "AuditLog",
    "ContactBook",
    "CounselorAccounts",
    "CounselorReplies",
    "CrisisAlerts",
    "CrisisAssessment",
    "CrisisDetector",
    "DashboardServices",
    "DuplicateRetryKey",
    "Escalation",
    "EscalationPolicy",
    "Message",
    "Note",
    "NoticeRequest",
    "NoticeTopic",
    "NoticeTopics",
    "QuestionLog",
    "ReceptionHours",
    "RenderedNotice",
    "Report",
    "ResidentIdentity",
    "SealError",
    "SecretKeyError",
    "Thread",
    "ThreadNotFound",
    "ThreadStateError",
    "ThreadStore",
    "acknowledgement",
    "anonymous_consultation",
    "delete_cancelled",
    "delete_confirmation",
    "delete_done",
    "generate_secret_key",
    "init_dashboard",
    "live_crisis_note",
    "load_canned_replies",
    "mask_question",
    "privacy_notice",
    "render_notice",
    "require_secret_key",
    "thread_opened",
    "thread_resolved",
    "who_answers",
]
