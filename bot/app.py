"""The application factory (Flask tutorial style): settings in, a wired Flask app out.

`create_app` builds the one set of long-lived parts the process needs (database connector, identity, event
store, outbox, LINE gateway, conversation, worker pool), keeps them in `app.extensions["yorisoi"]`, registers
the blueprints and starts the worker, which first re-queues every event acknowledged but not yet answered.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask
from linebot.v3 import SignatureValidator
from linebot.v3.messaging import TextMessage

from bot import webhook
from bot.config import Settings
from bot.conversation import Conversation, build_conversation
from bot.delivery import Delivery, LineGateway, Outbox
from bot.events import EventStore
from bot.storage import Connect, database_connector
from bot.worker import EventWorker
from handoff import ReceptionHours, ResidentIdentity, create_dashboard, require_secret_key

log = logging.getLogger(__name__)

ConversationFactory = Callable[[Settings, Connect, ResidentIdentity], Conversation]

# LINE sends a few kilobytes per webhook; anything far larger is refused before it is read.
MAX_REQUEST_BYTES = 2 * 1024 * 1024
# A counselor waits on the page while their reply is pushed: a few quick tries, then the failure is shown with
# a retry button (same retry key, so never a duplicate), instead of a minute of backoff on a LINE outage.
COUNSELOR_PUSH_ATTEMPTS = 3


@dataclass
class BotCore:
    """The long-lived parts of one serving process."""

    settings: Settings
    connect: Connect
    identity: ResidentIdentity
    signature: SignatureValidator
    events: EventStore
    outbox: Outbox
    gateway: LineGateway
    delivery: Delivery
    conversation: Conversation
    worker: EventWorker

    def deliver_to_resident(self, user_ref: str, text: str, retry_key: str) -> str:
        """The dashboard's `deliver`: push a counselor's text, idempotent per retry key."""
        messages = [TextMessage(text=text)]
        batch = self.outbox.by_retry_key(retry_key)
        if batch is None:
            batch = self.outbox.create(None, user_ref, messages, kind="counselor", retry_key=retry_key)
        elif batch.status == "delivered":
            return "delivered"
        elif batch.status == "failed":
            batch = self.outbox.reopen(retry_key, messages)
        return self.delivery.send(batch, attempts=COUNSELOR_PUSH_ATTEMPTS)

    def close(self) -> None:
        self.worker.stop()
        self.gateway.close()


def build_core(settings: Settings, conversation_factory: ConversationFactory = build_conversation) -> BotCore:
    connect = database_connector(settings.data_dir, timeout=settings.db_timeout)
    identity = require_secret_key(
        settings.secret_key, local_mode=settings.local_mode, data_dir=settings.data_dir
    )
    events = EventStore(connect, identity)
    outbox = Outbox(connect, identity, events)
    gateway = LineGateway(settings)
    delivery = Delivery(gateway, outbox, settings)
    if conversation_factory is build_conversation:
        conversation = build_conversation(settings, connect, identity, forgetters=[events.forget])
    else:
        conversation = conversation_factory(settings, connect, identity)
    worker = EventWorker(
        events,
        outbox,
        delivery,
        gateway,
        conversation,
        identity,
        settings.worker_threads,
        backoff=lambda attempt: min(settings.backoff_cap, settings.backoff_base * 2**attempt),
    )
    return BotCore(
        settings=settings,
        connect=connect,
        identity=identity,
        signature=SignatureValidator(settings.channel_secret),
        events=events,
        outbox=outbox,
        gateway=gateway,
        delivery=delivery,
        conversation=conversation,
        worker=worker,
    )


def create_app(
    settings: Settings | None = None, conversation_factory: ConversationFactory = build_conversation
) -> Flask:
    """Build the app; plumbing tests may pass their own `conversation_factory` (default: the real router)."""
    settings = (settings or Settings.from_env()).resolved()
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=settings.flask_secret_key,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.secure_cookies,
        MAX_CONTENT_LENGTH=MAX_REQUEST_BYTES,
        TESTING=settings.testing,
    )
    core = build_core(settings, conversation_factory)
    app.extensions["yorisoi"] = core
    app.register_blueprint(webhook.bp)
    if settings.local_mode:
        from bot.emulator import create_emulator_blueprint

        app.register_blueprint(create_emulator_blueprint(settings))
    dashboard = create_dashboard(
        core.conversation.threads,
        core.conversation.accounts,
        core.deliver_to_resident,
        hours=ReceptionHours.parse(settings.reception_hours),
    )
    app.register_blueprint(dashboard)
    recovering = core.worker.start()
    log.info("yorisoi ready (local mode: %s, recovering %d events)", settings.local_mode, recovering)
    return app
