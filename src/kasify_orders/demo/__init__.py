"""The demo shop: a small Flask shop with kasify-orders' merchant pages, for ``kasify-orders demo``.

It lives in the package (not only in ``contrib/``) because the installed command must be able
to import it; ``contrib/flask_shop/`` is the runnable example built on it.
"""

from kasify_orders._extras import missing

try:
    import aiosmtpd  # noqa: F401 - the import guard
    import flask  # noqa: F401
    import flask_wtf  # noqa: F401
    import werkzeug  # noqa: F401
except ImportError as error:  # pragma: no cover - depends on the installation
    missing("demo", "the demo shop", error)

from kasify_orders.demo.mailsink import MailSink
from kasify_orders.demo.seed import seed
from kasify_orders.demo.shop import CATALOGUE, Product, create_app

__all__ = ["CATALOGUE", "MailSink", "Product", "create_app", "seed"]
