"""The ``KASIFY_ORDERS`` settings dict: its keys, their typed defaults, and reading it.

::

    KASIFY_ORDERS = {
        "DATABASE": "default",  # the Django database alias kasify's tables live in
        "SETTINGS": {"store_name": "My shop", "new_order_alert_emails": ["owner@shop.example"]},
        "AUTHORIZE": "myshop.permissions.may_manage_orders",  # (request, action, order) -> bool
    }

Every key is optional; :data:`DEFAULTS` lists them. Mistakes are reported by ``manage.py
check`` (``kasify_orders.E001``…, see :mod:`.checks`) and raised as ``ImproperlyConfigured``
with the same words when kasify is used anyway.
"""

from __future__ import annotations

import functools
import types
import warnings
from collections.abc import Callable, Iterable, Mapping, Sequence
from importlib import import_module
from typing import Any, TypedDict, TypeVar, Union, get_args, get_origin

import attrs
from django.conf import settings as django_settings
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest
from django.utils import translation
from django.utils.module_loading import import_string

from kasify_orders import i18n
from kasify_orders.errors import ValidationError
from kasify_orders.i18n import formats
from kasify_orders.model import Order
from kasify_orders.notifications.render import check_settings
from kasify_orders.settings import RENAMED, Settings
from kasify_orders.web.navigation import NavLink, back_link, host_links

__all__ = ["DEFAULTS", "SETTING", "Conf", "KasifyOrdersSettings", "load"]

_T = TypeVar("_T")

#: The name of the settings dict.
SETTING = "KASIFY_ORDERS"

#: ``(request, action, order) -> bool``: may this request do *action* (``"view"`` or an action name)?
AuthorizeRequest = Callable[[HttpRequest, str, Order | None], bool]
#: ``(request) -> str``: who is acting, as written on the order's timeline.
ActorOf = Callable[[HttpRequest], str | None]


class KasifyOrdersSettings(TypedDict, total=False):
    """The keys of ``settings.KASIFY_ORDERS`` (annotate yours with it to have them checked)."""

    #: The Django database alias holding kasify's tables (``"default"``).
    DATABASE: str
    #: A ``kasify_orders.Settings`` or a dict of its fields; ``from_email`` defaults to
    #: ``DEFAULT_FROM_EMAIL``.
    SETTINGS: Settings | Mapping[str, Any]
    #: Plugins to register: modules or objects, or dotted paths to them.
    PLUGINS: Sequence[object]
    #: Load plugins published under the ``kasify_orders`` entry point.
    LOAD_ENTRYPOINTS: bool
    #: Dotted path (or the callable itself) of ``(request, action, order) -> bool``;
    #: None: active staff users (``is_staff``) may do everything.
    AUTHORIZE: str | AuthorizeRequest | None
    #: Dotted path (or callable) of ``(request) -> str``; None: ``"staff:<username>"``.
    ACTOR: str | ActorOf | None
    #: The pages' language and money format (``"de"``); None: Django's active language
    #: (``get_language()``, so ``LocaleMiddleware`` is honoured), ``LANGUAGE_CODE`` for emails.
    LOCALE: str | None
    #: The IANA time zone dates are shown in; None: Django's ``TIME_ZONE``.
    TIMEZONE: str | None
    #: Orders per page of the list.
    PAGE_SIZE: int
    #: Send kasify's emails with ``django.core.mail`` (the host's email backend).
    USE_DJANGO_MAIL: bool
    #: The host's own links under kasify's sections in the sidebar: ``[("Label", "/url"), …]``.
    NAV_LINKS: Sequence[tuple[str, str]]
    #: A "back to my admin" link at the sidebar's foot: a URL, or ``("Label", "/url")``.
    BACK_LINK: str | tuple[str, str] | None


#: Every key, with its default.
DEFAULTS: KasifyOrdersSettings = {
    "DATABASE": "default",
    "SETTINGS": {},
    "PLUGINS": [],
    "LOAD_ENTRYPOINTS": True,
    "AUTHORIZE": None,
    "ACTOR": None,
    "LOCALE": None,
    "TIMEZONE": None,
    "PAGE_SIZE": 50,
    "USE_DJANGO_MAIL": True,
    "NAV_LINKS": [],
    "BACK_LINK": None,
}


class SettingError(ImproperlyConfigured):
    """One mistake in ``KASIFY_ORDERS``, with a check id and a hint saying how to fix it.

    *details*: each bad value of the mistake on its own (``manage.py check`` reports each).
    """

    def __init__(self, check_id: str, message: str, hint: str, details: Iterable[str] = ()) -> None:
        super().__init__(f"{message} ({hint})")
        self.check_id = check_id
        self.message = message
        self.hint = hint
        self.details = tuple(details)


@attrs.frozen
class Conf:
    """``KASIFY_ORDERS`` read, checked and resolved."""

    database: str
    settings: Settings
    plugins: tuple[object, ...]
    load_entrypoints: bool
    authorize: AuthorizeRequest
    actor: ActorOf
    locale: str | None
    page_size: int
    use_django_mail: bool
    nav_links: tuple[NavLink, ...] = ()
    back_link: NavLink | None = None
    #: The resolved time zone (``TIMEZONE``, else ``TIME_ZONE``, else UTC).
    timezone: str = "UTC"

    def page_locale(self) -> str:
        """``LOCALE``, else the language Django has active for this request (``LANGUAGE_CODE``)."""
        if self.locale is not None:
            return self.locale
        return _django_locale(translation.get_language())


def staff_only(request: HttpRequest, action: str, order: Order | None) -> bool:
    """The default rule: active staff users may see and do everything."""
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_active and user.is_staff)


def staff_actor(request: HttpRequest) -> str:
    """The default actor: ``"staff:<username>"``."""
    user = getattr(request, "user", None)
    return f"staff:{user.get_username()}" if user is not None else "staff"


def raw() -> dict[str, Any]:
    """``settings.KASIFY_ORDERS`` merged over :data:`DEFAULTS`; raises :class:`SettingError`."""
    given = getattr(django_settings, SETTING, {})
    if not isinstance(given, Mapping):
        raise SettingError(
            "kasify_orders.E001",
            f"settings.{SETTING} must be a dict, not {type(given).__name__}",
            f'write {SETTING} = {{"DATABASE": "default", ...}} or leave it out for the defaults',
        )
    unknown = sorted(set(given) - set(DEFAULTS))
    if unknown:
        raise SettingError(
            "kasify_orders.E002",
            f"settings.{SETTING} has unknown keys: {', '.join(map(repr, unknown))}",
            f"the keys are {', '.join(DEFAULTS)}",
        )
    return {**DEFAULTS, **given}


def merchant_settings(value: object) -> Settings:
    """``SETTINGS`` as a checked :class:`~kasify_orders.Settings` (``from_email``: ``DEFAULT_FROM_EMAIL``).

    Every bad key and value is found here, not at the first email or page that needs it.
    """
    if isinstance(value, Settings):
        return _checked(value)
    if not isinstance(value, Mapping):
        raise SettingError(
            "kasify_orders.E005",
            f'{SETTING}["SETTINGS"] must be a kasify_orders.Settings or a dict, not {type(value).__name__}',
            'for example {"store_name": "My shop", "new_order_alert_emails": ["me@shop.example"]}',
        )
    fields = {"from_email": django_settings.DEFAULT_FROM_EMAIL, **value}
    for old, new in RENAMED.items():  # a renamed setting still works, with a DeprecationWarning
        if old in fields:
            warnings.warn(f"{_key(old)} is deprecated: use {_key(new)}", DeprecationWarning, stacklevel=4)
            fields[new] = fields.pop(old)
    kinds = _field_kinds()
    problems = [
        f"{_key(name)} is not a field of kasify_orders.Settings" for name in sorted(set(fields) - set(kinds))
    ]
    problems += [problem for name, given in fields.items() if name in kinds
                 for problem in _wrong_kind(name, given, kinds[name])]  # fmt: skip
    if problems:
        raise _invalid(problems)
    try:
        settings = Settings(**fields)
    except (TypeError, ValueError) as error:
        raise _invalid([str(error)]) from None
    return _checked(settings)


def _checked(settings: Settings) -> Settings:
    """*settings*, once kasify's own check of their values passes."""
    try:
        check_settings(settings)
    except ValidationError as error:
        raise _invalid(
            [f"{_key(problem.path.removeprefix('settings.'))} {problem.message}" for problem in error.errors]
        ) from None
    return settings


def _invalid(problems: list[str]) -> SettingError:
    known = ", ".join(field.name for field in attrs.fields(Settings))
    return SettingError(
        "kasify_orders.E005",
        f'{SETTING}["SETTINGS"] is not valid: {"; ".join(problems)}',
        f"its keys are the fields of kasify_orders.Settings: {known}",
        details=problems,
    )


def _key(path: str) -> str:
    """``brand_color`` as ``KASIFY_ORDERS["SETTINGS"]["brand_color"]`` (``emails[0]`` keeps its index)."""
    name, bracket, rest = path.partition("[")
    return f'{SETTING}["SETTINGS"]["{name}"]{bracket}{rest}'


#: What a plain value of each type is called in a message.
_SCALARS: dict[type, str] = {str: "a string", bool: "True or False", int: "a whole number", float: "a number"}
_CONTAINERS: dict[type, str] = {tuple: "a list", frozenset: "a list or set", Mapping: "a dict"}


@functools.cache
def _field_kinds() -> dict[str, tuple[Any, ...]]:
    """Each field of ``Settings`` with the types its annotation allows."""
    resolved = attrs.resolve_types(Settings)
    kinds = {}
    for field in attrs.fields(resolved):
        union = get_origin(field.type) in {Union, types.UnionType}
        kinds[field.name] = tuple(get_args(field.type)) if union else (field.type,)
    return kinds


def _wrong_kind(name: str, given: object, kinds: tuple[Any, ...]) -> list[str]:
    """The type mistake in one settings value, which the settings themselves would only trip on later."""
    if given is None and type(None) in kinds:
        return []
    allowed = [_SCALARS[kind] for kind in kinds if kind in _SCALARS]
    origins: list[Any] = [get_origin(kind) for kind in kinds]
    allowed += [_CONTAINERS[origin] for origin in origins if origin in _CONTAINERS]
    if not allowed:
        return []
    fits = any(_fits(given, kind) for kind in kinds if kind is not type(None))
    if fits:
        return []
    if type(None) in kinds:
        allowed.append("None")
    return [f"{_key(name)} must be {' or '.join(allowed)}, got {given!r}"]


def _fits(given: object, kind: Any) -> bool:
    origin = get_origin(kind)
    if origin is Mapping:
        return isinstance(given, Mapping)
    if origin in {tuple, frozenset}:
        return isinstance(given, Iterable) and not isinstance(given, str | bytes | Mapping)
    if kind is float:
        return isinstance(given, int | float) and not isinstance(given, bool)
    if kind is int:
        return isinstance(given, int) and not isinstance(given, bool)
    return isinstance(kind, type) and isinstance(given, kind)


def _callable(key: str, value: object, default: Callable[..., Any]) -> Any:
    if value is None:
        return default
    if isinstance(value, str):
        try:
            value = import_string(value)
        except ImportError as error:
            raise SettingError(
                "kasify_orders.E006",
                f"{SETTING}[{key!r}] = {value!r} cannot be imported: {error}",
                'give the dotted path of a function, such as "myshop.permissions.may_manage_orders"',
            ) from None
    if not callable(value):
        raise SettingError(
            "kasify_orders.E006",
            f"{SETTING}[{key!r}] is not callable",
            "give a function (or its dotted path)",
        )
    return value


def _plugins(value: object) -> tuple[object, ...]:
    if isinstance(value, str | bytes) or not isinstance(value, Sequence):
        raise SettingError(
            "kasify_orders.E007",
            f'{SETTING}["PLUGINS"] must be a list',
            'for example ["myshop.kasify_plugins"]',
        )
    plugins = []
    for entry in value:
        if isinstance(entry, str):
            try:
                entry = import_module(entry)  # noqa: PLW2901 - the resolved entry
            except ImportError:
                try:
                    entry = import_string(entry)  # noqa: PLW2901
                except ImportError as error:
                    raise SettingError(
                        "kasify_orders.E007",
                        f'{SETTING}["PLUGINS"] entry {entry!r} cannot be imported: {error}',
                        "give a module or the dotted path of an object with @kasify_orders.hookimpl methods",
                    ) from None
        plugins.append(entry)
    return tuple(plugins)


def load() -> Conf:
    """Read and check ``settings.KASIFY_ORDERS``; raises :class:`SettingError` on a mistake."""
    values = raw()
    database = values["DATABASE"]
    if database not in django_settings.DATABASES:
        raise SettingError(
            "kasify_orders.E003",
            f'{SETTING}["DATABASE"] is {database!r}, which is not in settings.DATABASES',
            f"use one of {', '.join(map(repr, django_settings.DATABASES))}",
        )
    page_size = values["PAGE_SIZE"]
    if not isinstance(page_size, int) or isinstance(page_size, bool) or not 1 <= page_size <= 500:
        raise SettingError(
            "kasify_orders.E008",
            f'{SETTING}["PAGE_SIZE"] must be a whole number from 1 to 500, not {page_size!r}',
            "50 is the default",
        )
    locale, timezone = _language(values)
    settings = merchant_settings(values["SETTINGS"])
    defaults = {"locale": "en", "timezone": "UTC"}
    chosen: dict[str, Any] = {
        "locale": locale or _django_locale(django_settings.LANGUAGE_CODE),
        "timezone": timezone,
    }
    chosen = {name: value for name, value in chosen.items() if getattr(settings, name) == defaults[name]}
    return Conf(
        database=database,
        settings=attrs.evolve(settings, **chosen) if chosen else settings,
        plugins=_plugins(values["PLUGINS"]),
        load_entrypoints=bool(values["LOAD_ENTRYPOINTS"]),
        authorize=_callable("AUTHORIZE", values["AUTHORIZE"], staff_only),
        actor=_callable("ACTOR", values["ACTOR"], staff_actor),
        locale=locale,
        timezone=timezone,
        page_size=page_size,
        use_django_mail=bool(values["USE_DJANGO_MAIL"]),
        nav_links=_sidebar_setting(host_links, "NAV_LINKS", values["NAV_LINKS"]),
        back_link=_sidebar_setting(back_link, "BACK_LINK", values["BACK_LINK"]),
    )


def _django_locale(code: str | None) -> str:
    """Django's ``"de-at"`` as Babel's ``"de_AT"``; English for a language Babel does not know."""
    try:
        return i18n.check_locale(code or "en")
    except ValueError:
        return "en"


def _language(values: Mapping[str, Any]) -> tuple[str | None, str]:
    """``LOCALE`` checked (None stays None) and ``TIMEZONE`` resolved; E011 names a bad one."""
    locale, timezone = values["LOCALE"], values["TIMEZONE"]
    try:
        checked = None if locale is None else i18n.check_locale(str(locale))
    except ValueError as error:
        raise SettingError(
            "kasify_orders.E011", f'{SETTING}["LOCALE"]: {error}', "None follows Django's active language"
        ) from None
    zone = timezone if timezone is not None else (getattr(django_settings, "TIME_ZONE", None) or "UTC")
    try:
        return checked, formats.check_timezone(str(zone))
    except ValueError as error:
        key = "TIMEZONE" if timezone is not None else "TIME_ZONE (Django's)"
        raise SettingError(
            "kasify_orders.E011", f'{SETTING}["{key}"]: {error}', "None follows Django's TIME_ZONE"
        ) from None


def _sidebar_setting(read: Callable[[object, str], _T], key: str, value: object) -> _T:
    try:
        return read(value, f'{SETTING}["{key}"]')
    except ValueError as error:
        raise SettingError("kasify_orders.E010", str(error), "see the sidebar in docs/django.md") from None
