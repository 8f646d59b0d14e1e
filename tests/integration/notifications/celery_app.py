"""The Celery app the worker processes of ``test_celery.py`` run (configured by environment variables)."""

from __future__ import annotations

import os

from celery import Celery

import kasify_orders as ko
from kasify_orders.contrib.celery import install
from tests.integration.notifications.conftest import shop_settings

app = Celery(
    "kasify_test", broker=os.environ["KASIFY_CELERY_BROKER"], backend=os.environ["KASIFY_CELERY_BROKER"]
)
app.conf.update(task_default_queue=os.environ["KASIFY_CELERY_QUEUE"], broker_connection_retry_on_startup=True)
outbox = install(
    app,
    lambda: ko.Orders.connect(
        os.environ["KASIFY_CELERY_DATABASE_URL"],
        settings=shop_settings(
            os.environ["KASIFY_CELERY_SMTP_URL"],
            deliver_inline=False,
            max_dispatch_attempts=int(os.environ.get("KASIFY_CELERY_MAX_ATTEMPTS", "8")),
        ),
        load_entrypoints=False,
        migrate=False,
    ),
    limit=2,
)
