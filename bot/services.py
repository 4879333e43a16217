"""Wiring: every long-lived part of one process, built once, in one typed container.

`build_stores` opens (and migrates) the database and builds each store that owns tables; `build_services`
adds LINE, the conversation and the worker. The conversation comes from a factory the container always
calls: the real one (`build_conversation`) loads the knowledge index, the embedder and the rules; plumbing
tests pass a scripted router instead. Nothing else in the code base constructs these parts for the app.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from linebot.v3 import SignatureValidator

import handoff
from bot.amounts import DatedAmounts
from bot.config import Settings
from bot.content import CityContent, open_content
from bot.conversation import Conversation, ConversationState, Forgetter
from bot.database import Database, open_database
from bot.delivery import CounselorPush, Delivery, LineGateway, Outbox
from bot.embedding import SharedQueryEmbedder
from bot.events import EventStore
from bot.notices import NoticeLoop, NoticeSender, outbox_forgetter
from bot.webhook import CrisisCheck
from bot.worker import EventWorker, LeasedWorker, LoadingResponder, Responder
from handoff import (
    AlertSettings,
    AuditLog,
    CounselorAccounts,
    CounselorReplies,
    CrisisAlerts,
    CrisisDetector,
    QuestionLog,
    ReceptionHours,
    ResidentIdentity,
    ThreadStore,
    require_secret_key,
)
from handoff.notices import NoticeDesk, NoticeTopics
from handoff.subscriptions import NoticeRuns, Subscriptions
from intents import Catalogue, FactsDialogue, IntentDetector, recommend
from knowledge import KnowledgeBase, load_embedder
from knowledge.live import LiveKnowledge
from knowledge.places import LivePlaces
from knowledge.retrieval import clean_query

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Stores:
    """The database and every store that owns tables in it (see README, "Where things live")."""

    db: Database
    identity: ResidentIdentity
    events: EventStore
    outbox: Outbox
    conversations: ConversationState
    dialogue: FactsDialogue
    threads: ThreadStore
    audit: AuditLog
    accounts: CounselorAccounts
    alerts: CrisisAlerts
    questions: QuestionLog
    subscriptions: Subscriptions
    notice_runs: NoticeRuns
    places: LivePlaces  # places.yaml with the city's windows, re-read when the content changes
    catalogue: Catalogue
    amounts: DatedAmounts
    content: CityContent  # city data, not a resident's: no forget, no purge

    def forgetters(self) -> list[Forgetter]:
        """Each store's `forget`, in order; the thread store last, as it scrubs the file afterwards."""
        return [
            self.outbox.forget,
            self.events.forget,
            self.dialogue.forget,
            self.conversations.forget,
            self.alerts.forget,
            self.questions.forget,
            self.subscriptions.forget,
            outbox_forgetter(self.db, self.notice_runs),
            self.notice_runs.forget,
            self.threads.forget,
        ]


ConversationFactory = Callable[[Settings, Stores], Responder]


def alert_settings(settings: Settings) -> AlertSettings:
    return AlertSettings(
        smtp=settings.alert_smtp,
        mail_from=settings.alert_from,
        mail_to=settings.alert_to,
        webhook=settings.alert_webhook,
        dashboard_url=settings.public_url,
    )


def build_stores(settings: Settings) -> Stores:
    db = open_database(settings.data_dir, timeout=settings.db_timeout, url=settings.database_url)
    identity = require_secret_key(
        settings.secret_key, local_mode=settings.local_mode, data_dir=settings.data_dir
    )
    events = EventStore(db, identity)
    audit = AuditLog(db)
    content = open_content(db, settings.data_dir)
    places = content.live_places()
    catalogue = Catalogue.load(places)
    amounts = DatedAmounts(content.amounts, catalogue)
    return Stores(
        db=db,
        identity=identity,
        events=events,
        outbox=Outbox(db, identity, events),
        conversations=ConversationState(db),
        dialogue=FactsDialogue(db, catalogue, sealer=identity, amounts=amounts),
        threads=ThreadStore(
            db, identity, audit, live_window=timedelta(minutes=settings.counselor_live_minutes)
        ),
        audit=audit,
        accounts=CounselorAccounts(db),
        alerts=CrisisAlerts(db, alert_settings(settings)),
        questions=QuestionLog(db, identity),
        subscriptions=Subscriptions(db),
        notice_runs=NoticeRuns(db, audit),
        places=places,
        catalogue=catalogue,
        amounts=amounts,
        content=content,
    )


def build_conversation(
    settings: Settings, stores: Stores, clock: Callable[[], datetime] | None = None
) -> Conversation:
    """The real router: index, embedder, intent exemplars and escalation rules, loaded once per process.
    The knowledge base is reloaded whenever the city's content changes (`LiveKnowledge`)."""
    embedder = load_embedder(settings.embedder)
    knowledge = LiveKnowledge(
        lambda: KnowledgeBase.open(
            settings.data_dir,
            embedder,
            places=stores.places,
            home_municipality=settings.home_municipality or None,
            content=stores.content,
        ),
        stores.content.version,
    )
    stores.content.on_change(knowledge.refresh_quietly)
    catalogue = stores.catalogue
    shared = SharedQueryEmbedder(knowledge.embedder, clean_query)
    crisis = CrisisDetector.load(embedder=shared)
    crisis.warm()  # its classifier is trained now, not on the first resident's message
    knowledge.current.warm()  # the documents' words' vectors too (once per process)
    return Conversation(
        identity=stores.identity,
        knowledge=knowledge,
        detector=IntentDetector(shared),
        dialogue=stores.dialogue,
        suggest=lambda facts: recommend(facts, catalogue, amounts=stores.amounts),
        policy=handoff.EscalationPolicy.load(),
        crisis=crisis,
        alerts=stores.alerts,
        vectors=shared,
        questions=stores.questions,
        notices=NoticeDesk(NoticeTopics.load(), stores.subscriptions, stores.notice_runs),
        threads=stores.threads,
        hours=ReceptionHours.parse(settings.reception_hours),
        handoff=handoff,
        state=stores.conversations,
        retention_days=settings.retention_days,
        forgetters=stores.forgetters(),
        clock=clock,
    )


# A counselor waits on the page while their reply is pushed: a few quick tries, then the failure is shown with
# a retry button (same retry key, so never a duplicate), instead of a minute of backoff on a LINE outage.
COUNSELOR_PUSH_ATTEMPTS = 3


@dataclass
class Services:
    """The long-lived parts of one serving process (`app.extensions["yorisoi"]`)."""

    settings: Settings
    stores: Stores
    signature: SignatureValidator
    gateway: LineGateway
    delivery: Delivery
    replies: CounselorReplies
    hours: ReceptionHours
    conversation: Responder | None  # None on a web node whose answers come from worker processes
    crisis: CrisisCheck  # the crisis rules the webhook flags events with at acceptance
    worker: EventWorker | None  # the in-process queue ("thread" mode), else None
    notices: NoticeLoop  # sends due notice runs (started by bot.app beside the worker)

    @property
    def role(self) -> str:
        """What /healthz reports: "web+worker" (answers in this process) or "web"."""
        return "web+worker" if self.worker is not None else "web"

    def close(self) -> None:
        self.notices.stop()
        if self.worker is not None:
            self.worker.stop()
        self.stores.content.close()
        self.gateway.close()
        if self.stores.db.backend == "postgresql":
            self.stores.db.close()


def _event_worker(
    settings: Settings, stores: Stores, delivery: Delivery, gateway: LineGateway, conversation: Responder
) -> EventWorker:
    return EventWorker(
        stores.events,
        stores.outbox,
        delivery,
        gateway,
        conversation,
        stores.identity,
        settings.worker_threads,
        backoff=lambda attempt: min(settings.backoff_cap, settings.backoff_base * 2**attempt),
    )


def build_services(
    settings: Settings, conversation_factory: ConversationFactory = build_conversation
) -> Services:
    """A web process's parts; with `worker_mode="process"` no conversation is loaded (no index, no embedder):
    the webhook only stores, the worker processes answer."""
    stores = build_stores(settings)
    gateway = LineGateway(settings)
    delivery = Delivery(gateway, stores.outbox, settings)
    conversation = worker = None
    if settings.worker_mode == "thread":
        conversation = conversation_factory(settings, stores)
        worker = _event_worker(settings, stores, delivery, gateway, conversation)
    # Acceptance flags crises with the crisis authority's rules alone (no embedding on the webhook's path);
    # the conversation's detector, with its classifier, decides again when the event is answered.
    crisis = CrisisDetector.load()
    push = CounselorPush(stores.outbox, delivery, attempts=COUNSELOR_PUSH_ATTEMPTS)
    sender = NoticeSender(
        stores.db,
        stores.notice_runs,
        stores.outbox,
        delivery,
        rate=settings.notice_rate,
        lease=timedelta(seconds=settings.notice_lease),
        attempts=settings.delivery_attempts,
    )
    stores.content.watch(settings.content_poll_seconds)
    return Services(
        settings=settings,
        stores=stores,
        signature=SignatureValidator(settings.channel_secret),
        gateway=gateway,
        delivery=delivery,
        replies=CounselorReplies(stores.threads, stores.audit, push),
        hours=ReceptionHours.parse(settings.reception_hours),
        conversation=conversation,
        crisis=crisis,
        worker=worker,
        notices=NoticeLoop(sender, settings.notice_poll),
    )


@dataclass
class WorkerServices:
    """The parts of one `yorisoi worker` process: the stores, LINE, the conversation, the claims."""

    settings: Settings
    stores: Stores
    gateway: LineGateway
    conversation: LoadingResponder
    leased: LeasedWorker

    def close(self) -> None:
        self.leased.stop()
        self.stores.content.close()
        self.gateway.close()
        if self.stores.db.backend == "postgresql":
            self.stores.db.close()


def build_worker(
    settings: Settings,
    conversation_factory: ConversationFactory = build_conversation,
    threads: int = 0,
    prepare: Callable[[], None] = lambda: None,
) -> WorkerServices:
    """An answer worker on the shared store (`threads`, default the configured worker threads); the
    conversation loads in the background after `prepare` (the index refresh), see `LoadingResponder`."""
    stores = build_stores(settings)
    gateway = LineGateway(settings)
    delivery = Delivery(gateway, stores.outbox, settings)

    def load() -> Responder:
        prepare()
        return conversation_factory(settings, stores)

    conversation = LoadingResponder(load)
    stores.content.watch(settings.content_poll_seconds)
    worker = _event_worker(settings, stores, delivery, gateway, conversation)
    leased = LeasedWorker(
        worker,
        stores.events,
        threads or settings.worker_threads,
        settings.worker_lease,
        ready=lambda: conversation.ready,
    )
    return WorkerServices(settings, stores, gateway, conversation, leased)
