"""Whether an ``Orders`` can send its emails and, when it cannot, saying so once, loudly.

Two things stop kasify's emails:

- no transport: no ``Settings.smtp_url``, no host mail set-up (Flask-Mailman, Django's
  email backend) and no ``kasify_send_email`` plugin; then no email is even queued;
- no usable from address: ``Settings.from_email`` left at a placeholder on ``localhost``
  (kasify's ``orders@localhost``, Django's ``webmaster@localhost``), which customers' mail
  servers refuse or bin.

Each is logged as a warning on the ``kasify_orders.emails`` logger once per ``Orders`` at
start-up (``Orders.connect``, the Flask extension, the Django app), and reported by
``kasify-orders check`` and Django's system check (``kasify_orders.W005`` / ``W006``).
"""

from __future__ import annotations

import enum
import logging
import threading
import weakref
from email.utils import parseaddr
from typing import TYPE_CHECKING

import attrs

from kasify_orders.hookspecs import hookimpl
from kasify_orders.notifications.plugin import PLUGIN_NAME, Notifier

if TYPE_CHECKING:
    from kasify_orders.service import Orders
    from kasify_orders.service.compose import PluginContext
    from kasify_orders.settings import Settings

__all__ = ["EmailProblem", "Problem", "email_problems", "email_problems_of", "kasify_started", "warn_once"]

log = logging.getLogger("kasify_orders.emails")

#: Domains that only exist on the sender's own machine.
_PLACEHOLDER_DOMAINS = frozenset({"localhost", "localhost.localdomain", "localdomain"})


class Problem(enum.StrEnum):
    """What stops the emails."""

    #: Nothing can send mail.
    NO_TRANSPORT = "no_transport"
    #: ``Settings.from_email`` is not an address mail servers accept.
    NO_FROM_ADDRESS = "no_from_address"


@attrs.frozen
class EmailProblem:
    """One reason emails cannot be sent, in words a developer can act on."""

    problem: Problem
    #: What is wrong and what happens because of it.
    message: str
    #: How to fix it, naming the settings of each host.
    hint: str

    def __str__(self) -> str:
        return f"{self.message}; {self.hint}"


def email_problems(settings: Settings, *, can_send: bool) -> list[EmailProblem]:
    """What stops emails with *settings*; *can_send* says whether a transport is set up."""
    problems = []
    if not can_send:
        problems.append(
            EmailProblem(
                Problem.NO_TRANSPORT,
                "kasify-orders sends no emails: there is no mail transport, so no order"
                " confirmation, shipping, refund or new-order email is sent",
                "set Settings.smtp_url, or use the host's mail (Flask: Flask-Mailman's Mail(app);"
                " Django: KASIFY_ORDERS['USE_DJANGO_MAIL'] = True), or register a kasify_send_email"
                " plugin with Orders.connect(plugins=[...])",
            )
        )
    address = parseaddr(settings.from_email)[1]
    domain = address.rpartition("@")[2].lower().rstrip(".")
    if not domain or domain in _PLACEHOLDER_DOMAINS or domain.endswith(".localhost"):
        problems.append(
            EmailProblem(
                Problem.NO_FROM_ADDRESS,
                f"kasify-orders emails have no real from address ({settings.from_email!r}):"
                " customers' mail servers refuse or bin mail from it",
                "set Settings.from_email (Flask: MAIL_DEFAULT_SENDER or"
                " KASIFY_ORDERS_SETTINGS['from_email']; Django: DEFAULT_FROM_EMAIL)",
            )
        )
    return problems


@hookimpl
def kasify_started(context: PluginContext) -> None:
    """Warn once, at ``Orders.connect``, when the emails cannot be sent."""
    can_send = isinstance(context.plugins.get_plugin(PLUGIN_NAME), Notifier)
    warn_once(context.plugins, email_problems(context.settings, can_send=can_send))


def email_problems_of(orders: Orders) -> list[EmailProblem]:
    """What stops *orders* sending its emails (empty when nothing does)."""
    can_send = isinstance(orders.plugins.get_plugin(PLUGIN_NAME), Notifier)
    return email_problems(orders.settings, can_send=can_send)


_warned: weakref.WeakKeyDictionary[object, set[Problem]] = weakref.WeakKeyDictionary()
_lock = threading.Lock()


def warn_once(owner: object, problems: list[EmailProblem]) -> None:
    """Log each of *problems* as a warning, unless it was logged for *owner* (an ``Orders``) before.

    An ``Orders`` is known by its plugin manager, which its start-up hook is given too.
    """
    owner = getattr(owner, "plugins", owner)
    with _lock:
        seen = _warned.setdefault(owner, set())
        new = [problem for problem in problems if problem.problem not in seen]
        seen.update(problem.problem for problem in new)
    for problem in new:
        log.warning("%s", problem)
