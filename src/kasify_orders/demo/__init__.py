"""The demo shop: a small Flask shop with kasify-orders' merchant pages, for ``kasify-orders demo``.

It lives in the package (not only in ``contrib/``) because the installed command must be able
to import it; ``contrib/flask_shop/`` is the runnable example built on it.

``seed`` and ``CATALOGUE`` need only the core: other hosts seed their demos with them
(``contrib/django_shop``'s ``manage.py rundemo``, installed with the django extra alone), so the
Flask shop and the mail sink are imported only when asked for.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from kasify_orders._extras import missing
from kasify_orders.demo.catalogue import CATALOGUE, Product
from kasify_orders.demo.seed import seed

if TYPE_CHECKING:
    from kasify_orders.demo.mailsink import MailSink
    from kasify_orders.demo.shop import create_app

_LAZY = {
    "MailSink": "mailsink",
    "create_app": "shop",
}
__all__ = ["CATALOGUE", "MailSink", "Product", "create_app", "seed"]


def __getattr__(name: str) -> Any:
    """The Flask shop's names (Flask, Flask-WTF, aiosmtpd: the demo extra), imported on first use."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    try:
        return getattr(importlib.import_module(f"{__name__}.{module}"), name)
    except ImportError as error:
        missing("demo", "the demo shop", error)
