"""System checks: ``manage.py check`` says in plain words what is misconfigured, and how to fix it.

===================== ==========================================================================
``kasify_orders.E001`` ``KASIFY_ORDERS`` is not a dict
``kasify_orders.E002`` ``KASIFY_ORDERS`` has a key kasify does not know (a typo?)
``kasify_orders.E003`` ``KASIFY_ORDERS["DATABASE"]`` is not an alias in ``DATABASES``
``kasify_orders.E004`` that database's engine is not SQLite, PostgreSQL or MySQL/MariaDB
``kasify_orders.E005`` a value of ``KASIFY_ORDERS["SETTINGS"]`` is not valid (one message per value)
``kasify_orders.E006`` ``AUTHORIZE`` or ``ACTOR`` cannot be imported or is not callable
``kasify_orders.E007`` a ``PLUGINS`` entry cannot be imported
``kasify_orders.E008`` ``PAGE_SIZE`` is not a whole number from 1 to 500
``kasify_orders.E009`` the merchant's pages are mounted but an app or middleware they need is missing
``kasify_orders.E010`` ``NAV_LINKS`` or ``BACK_LINK`` is not a list of ("label", "url") pairs / a URL
``kasify_orders.E011`` ``LOCALE`` or ``TIMEZONE`` (or Django's ``TIME_ZONE``) is unknown
``kasify_orders.W001`` the database router does not let ``migrate`` create kasify's tables there
``kasify_orders.W002`` kasify's tables are missing or behind (``check --database default``)
``kasify_orders.W003`` an earlier URL pattern (admin's catch-all) swallows kasify's pages
``kasify_orders.W004`` ``LOGIN_URL``, where signed-out visitors are sent, reaches no view
``kasify_orders.W005`` kasify cannot send emails: no transport (``USE_DJANGO_MAIL`` off, no ``smtp_url``)
``kasify_orders.W006`` kasify's emails have no real from address (``DEFAULT_FROM_EMAIL``)
===================== ==========================================================================
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from urllib.parse import urlsplit

from django.apps import AppConfig, apps
from django.conf import settings
from django.core.checks import CheckMessage, Error, Warning
from django.db import router
from django.shortcuts import resolve_url
from django.urls import NoReverseMatch, Resolver404, get_resolver, reverse

from kasify_orders.adapters.django import conf
from kasify_orders.adapters.django.store import UnsupportedDatabase, dialect_url
from kasify_orders.notifications.plugin import can_send
from kasify_orders.notifications.readiness import EmailProblem, Problem, email_problems

__all__ = ["check_mail", "check_schema", "check_settings", "check_urls", "mail_problems"]

#: The check id of each reason emails cannot be sent.
_MAIL_CHECK_IDS = {Problem.NO_TRANSPORT: "kasify_orders.W005", Problem.NO_FROM_ADDRESS: "kasify_orders.W006"}

#: What the merchant's pages need from the host: (app, middleware, why).
_PAGES_NEED = (
    ("django.contrib.auth", "django.contrib.auth.middleware.AuthenticationMiddleware", "request.user"),
    ("django.contrib.sessions", "django.contrib.sessions.middleware.SessionMiddleware", "the session"),
    ("django.contrib.messages", "django.contrib.messages.middleware.MessageMiddleware", "the messages"),
)


def check_settings(app_configs: Sequence[AppConfig] | None = None, **_kwargs: Any) -> list[CheckMessage]:
    """``KASIFY_ORDERS``, the database engine, and what the pages need."""
    try:
        config = conf.load()
    except conf.SettingError as error:
        # Each bad value on its own line of the report ("SETTINGS" may hold several).
        return [
            Error(message, hint=error.hint, id=error.check_id) for message in error.details or [error.message]
        ]
    problems: list[CheckMessage] = []
    try:
        dialect_url(config.database)
    except UnsupportedDatabase as error:
        problems.append(
            Error(
                str(error),
                hint=f'point {conf.SETTING}["DATABASE"] at a database alias using '
                "django.db.backends.sqlite3, .postgresql or .mysql",
                id="kasify_orders.E004",
            )
        )
    if not router.allow_migrate(config.database, "kasify_orders"):
        problems.append(
            Warning(
                f"the database routers do not allow the kasify_orders app on {config.database!r}, "
                "so manage.py migrate will not create kasify's tables there",
                hint=f"let allow_migrate(db, 'kasify_orders') return True for db={config.database!r}",
                id="kasify_orders.W001",
            )
        )
    problems += _pages_needs()
    return problems


def _pages_needs() -> list[CheckMessage]:
    try:
        reverse("kasify_orders:order_list")
    except NoReverseMatch:
        return []  # the pages are not mounted: nothing more is needed
    problems: list[CheckMessage] = []
    middleware = list(getattr(settings, "MIDDLEWARE", None) or [])
    for app, layer, why in _PAGES_NEED:
        missing = [name for name, present in ((app, apps.is_installed(app)), (layer, layer in middleware))
                   if not present]  # fmt: skip
        if missing:
            problems.append(
                Error(
                    f"kasify's order pages need {why}, but {' and '.join(missing)} "
                    f"{'is' if len(missing) == 1 else 'are'} not installed",
                    hint=f"add {app!r} to INSTALLED_APPS and {layer!r} to MIDDLEWARE",
                    id="kasify_orders.E009",
                )
            )
    return problems


#: One URL of each of kasify's views: (URL name, arguments), reversed then resolved again.
_OUR_URLS = (
    ("order_list", ()),
    ("order_detail", ("o_check",)),
    ("packing_slip", ("o_check",)),
    ("act", ("o_check", "add_note")),
    ("static", ("kasify.css",)),
)


def check_urls(app_configs: Sequence[AppConfig] | None = None, **_kwargs: Any) -> list[CheckMessage]:
    """Each mount of kasify's pages is reachable: its URLs resolve to kasify's views.

    Django takes the first pattern that matches, and ``startproject``'s
    ``path("admin/", admin.site.urls)`` ends in a catch-all that matches every URL under
    ``admin/``; ``urlpatterns += [path("admin/orders/", ...)]`` after it is never reached.
    """
    resolver = get_resolver()
    problems: list[CheckMessage] = []
    for namespace in resolver.app_dict.get("kasify_orders", []):
        lost = []
        for name, args in _OUR_URLS:
            url = reverse(f"{namespace}:{name}", args=args, current_app=namespace)
            try:
                match = resolver.resolve(url)
            except Resolver404:
                lost.append(f"{url} reaches no view")
                continue
            if match.url_name != name or "kasify_orders" not in match.app_names:
                view = f"{match.func.__module__}.{getattr(match.func, '__qualname__', match.func)}"
                lost.append(f"{url} reaches {view}")
        if lost:
            mount = reverse(f"{namespace}:order_list", current_app=namespace)
            ours = f'path("{mount.lstrip("/")}", include("kasify_orders.adapters.django.urls"))'
            problems.append(
                Warning(
                    f"kasify's order pages at {mount} are shadowed by an earlier URL pattern: "
                    + "; ".join(lost),
                    hint=f"Django uses the first pattern that matches: put {ours} before the pattern "
                    'that takes it, such as path("admin/", admin.site.urls), whose catch-all takes '
                    "every URL under admin/",
                    id="kasify_orders.W003",
                )
            )
    if resolver.app_dict.get("kasify_orders"):
        problems += _login_page(resolver)
    return problems


def _login_page(resolver: Any) -> list[CheckMessage]:
    """``LOGIN_URL`` reaches a view (startproject has none at the default ``/accounts/login/``)."""
    login = str(settings.LOGIN_URL)
    try:
        parts = urlsplit(resolve_url(login))
        if not (parts.scheme or parts.netloc):  # another site's sign-in page is not ours to check
            resolver.resolve(parts.path)
        return []
    except (NoReverseMatch, Resolver404):
        pass  # a URL name that does not reverse, or a path no view answers
    return [
        Warning(
            f"signed-out visitors of kasify's order pages are sent to settings.LOGIN_URL = {login!r}, "
            "which reaches no view (they would land on a 404)",
            hint='set LOGIN_URL = "admin:login" to use the admin\'s sign-in page (with django.contrib.admin '
            "in the URLconf), or to the URL name or path of your own login view",
            id="kasify_orders.W004",
        )
    ]


def check_schema(
    app_configs: Sequence[AppConfig] | None = None, databases: Sequence[str] | None = None, **_kwargs: Any
) -> list[CheckMessage]:
    """Kasify's tables are at the newest migration (only with ``manage.py check --database``)."""
    from kasify_orders.adapters.django.orders import store_for  # noqa: PLC0415
    from kasify_orders.storage import migrate  # noqa: PLC0415

    try:
        config = conf.load()
    except conf.SettingError:
        return []  # reported by check_settings
    if not databases or config.database not in databases:
        return []
    try:
        store = store_for(config.database, config)
    except UnsupportedDatabase:
        return []  # reported by check_settings
    try:
        current, head = migrate.current(store), migrate.head()
    finally:
        store.dispose()
    if current == head:
        return []
    return [
        Warning(
            f"kasify's tables in {config.database!r} are "
            + ("missing" if current is None else f"at migration {current}, not the newest ({head})"),
            hint="run: python manage.py migrate",
            id="kasify_orders.W002",
        )
    ]


def mail_problems() -> list[EmailProblem]:
    """What stops the configured ``Orders`` sending emails (nothing when ``KASIFY_ORDERS`` is wrong)."""
    from kasify_orders.adapters.django.orders import plugin_manager  # noqa: PLC0415

    try:
        config = conf.load()
        manager = plugin_manager(config)
    except Exception:  # noqa: BLE001 - a broken KASIFY_ORDERS or plugin is reported by check_settings
        return []
    return email_problems(config.settings, can_send=can_send(config.settings, manager))


def check_mail(app_configs: Sequence[AppConfig] | None = None, **_kwargs: Any) -> list[CheckMessage]:
    """Whether kasify can send its emails: a transport and a real from address."""
    return [
        Warning(problem.message, hint=problem.hint, id=_MAIL_CHECK_IDS[problem.problem])
        for problem in mail_problems()
    ]
