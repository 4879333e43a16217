"""The application factory (Flask tutorial style): settings in, a wired Flask app out.

`create_app` builds the one set of long-lived parts the process needs (`bot.services`), keeps them in
`app.extensions["yorisoi"]`, registers the blueprints and, in "thread" worker mode, starts the in-process
worker, which first re-queues every event acknowledged but not yet answered (in "process" mode the
`yorisoi worker` processes answer).
"""

from __future__ import annotations

import logging
from datetime import timedelta

from flask import Flask

from bot import webhook
from bot.config import Settings
from bot.content import Desk
from bot.services import ConversationFactory, build_conversation, build_services
from handoff import DashboardServices, init_dashboard, load_canned_replies
from handoff.dashboard.notices import NoticeAdmin
from handoff.notices import NoticeTopics

log = logging.getLogger(__name__)

# LINE sends a few kilobytes per webhook; anything far larger is refused before it is read.
MAX_REQUEST_BYTES = 2 * 1024 * 1024


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
    services = build_services(settings, conversation_factory)
    app.extensions["yorisoi"] = services
    app.register_blueprint(webhook.bp)
    if settings.local_mode:
        from bot.emulator import create_emulator_blueprint

        app.register_blueprint(create_emulator_blueprint(settings))
    stores = services.stores
    init_dashboard(
        app,
        DashboardServices(
            stores.threads,
            stores.accounts,
            services.replies,
            stores.audit,
            hours=services.hours,
            canned_replies=load_canned_replies(),
            questions=stores.questions,
            notices=NoticeAdmin(
                NoticeTopics.load(), stores.subscriptions, stores.notice_runs, services.gateway.quota
            ),
            content=Desk(stores.content),
            return_window=timedelta(days=settings.return_window_days),
        ),
    )
    recovering = services.worker.start() if services.worker is not None else 0
    services.notices.start()
    log.info(
        "yorisoi ready (role %s, %s, local mode: %s, recovering %d events)",
        services.role,
        services.stores.db.backend,
        settings.local_mode,
        recovering,
    )
    return app
