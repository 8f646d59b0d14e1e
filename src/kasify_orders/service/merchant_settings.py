"""``orders.merchant_settings``: the settings the merchant saves on the Settings page, over the code's.

The host's code gives ``orders.settings`` (the defaults); the merchant's saved values win, field
by field, except the fields the host locks (``Settings.locked_settings``). :meth:`effective`
is what the emails use: it reads the saved rows (one statement) and rebuilds the settings only
when they changed, so a value saved in any process is the one the next email uses, with no
restart. Every save is one transaction that writes the values and one audit row per changed
field (who, when, old -> new).

A page request reads them once: inside :meth:`one_read` (the adapters wrap each merchant page
in it) the rows read first — for the page's clock — serve its header and sidebar too.
"""

from __future__ import annotations

import contextlib
import contextvars
import threading
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any

import attrs

from kasify_orders import editable_settings as editable
from kasify_orders.editable_settings import EDITABLE, SettingChange, SettingField
from kasify_orders.lifecycle import Status
from kasify_orders.model import Order
from kasify_orders.settings import Settings
from kasify_orders.storage.port import Store, Transaction

__all__ = ["FieldState", "MerchantSettings"]

#: Inside :meth:`MerchantSettings.one_read`, before the first read.
_UNREAD: dict[str, Any] = {}


@attrs.frozen
class FieldState:
    """One editable setting as the page shows it."""

    field: SettingField
    #: The effective value (what the emails use now).
    value: Any
    #: The host's code value (the default).
    code_value: Any
    #: Whether the merchant's saved value is the one in use.
    saved: bool
    #: The host locked it in code (``Settings.locked_settings``): read-only on the page.
    locked: bool


class MerchantSettings:
    """The merchant's saved settings of one ``Orders``: read, layered, saved with an audit trail."""

    def __init__(
        self, store: Store, code: Settings, *, clock: Callable[[], datetime], kinds: Collection[str]
    ) -> None:
        self._store = store
        #: The host's code settings.
        self.code = code
        #: Fields the host locked; checked here, so a misspelt name fails at start-up.
        self.locked = editable.check_locks(code.locked_settings)
        self._clock = clock
        #: The email kinds ``disabled_emails`` may name.
        self.kinds = tuple(kinds)
        self._lock = threading.Lock()
        self._cached: tuple[dict[str, Any], Settings] = ({}, code)
        #: The saved rows read inside :meth:`one_read` (``_UNREAD`` until read; None outside).
        self._held: contextvars.ContextVar[dict[str, Any] | None] = contextvars.ContextVar(
            f"kasify_saved_settings_{id(self)}", default=None
        )

    @contextlib.contextmanager
    def one_read(self) -> Iterator[None]:
        """Read the saved settings at most once inside the block: one page request.

        A save inside the block is seen by what reads after it.
        """
        token = self._held.set(_UNREAD)
        try:
            yield
        finally:
            self._held.reset(token)

    def _saved(self) -> dict[str, Any]:
        """The saved rows: read now, or the ones this request read already."""
        held = self._held.get()
        if held is not None and held is not _UNREAD:
            return held
        saved = self._store.saved_settings()
        if held is not None:
            self._held.set(saved)
        return saved

    def effective(self) -> Settings:
        """The settings in use now: the code's, with the merchant's saved values over them.

        One read of the saved rows; the layered settings are rebuilt only when they changed.
        """
        return self._layered(self._saved())

    def page_header(self, paid_before: datetime) -> tuple[Settings, dict[Status, int], int]:
        """:meth:`effective`, the list's tab counts, and the Processing orders paid before *paid_before*.

        One read for what a merchant page's header and sidebar show (the store's name, the
        needs-attention count) and the list its tabs.
        """
        saved, counts, attention = self._store.page_header(paid_before)
        if self._held.get() is not None:
            self._held.set(saved)
        return self._layered(saved), counts, attention

    def order_page(self, order_id: str, paid_before: datetime) -> tuple[Order, Settings, int]:
        """The order, :meth:`effective` and the Processing orders paid before *paid_before*, in one read.

        The order page's reads: the order, its header's store name and its sidebar's count.
        Raises :class:`~kasify_orders.OrderNotFound`.
        """
        order, saved, attention = self._store.order_page(order_id, paid_before)
        if self._held.get() is not None:
            self._held.set(saved)
        return order, self._layered(saved), attention

    def page_timezone(self, host_default: str = "UTC") -> str:
        """The IANA zone the merchant's pages show dates in: the effective ``timezone``.

        That is the merchant's saved zone (unless locked), else the code's; a code zone left at
        its default ``"UTC"`` gives way to *host_default*, the adapter's own setting
        (``KASIFY_ORDERS_TIMEZONE``, Django's ``TIMEZONE``), as it does when the adapter builds
        the settings. One read of the saved rows.
        """
        saved = self._saved()
        settings = self._layered(saved)
        if "timezone" in saved and "timezone" not in self.locked:
            return settings.timezone
        return host_default if self.code.timezone == "UTC" else self.code.timezone

    def _layered(self, saved: dict[str, Any]) -> Settings:
        with self._lock:
            rows, settings = self._cached
            if rows == saved:
                return settings
        decoded = {name: editable.decode(name, value) for name, value in saved.items()}
        settings = editable.layer(self.code, decoded, self.locked)
        with self._lock:
            self._cached = (saved, settings)
        return settings

    def fields(self) -> list[FieldState]:
        """Every editable setting: its value in use, the code's, whether saved or locked."""
        saved = self._saved()
        settings = self._layered(saved)
        return [
            FieldState(
                field,
                getattr(settings, field.name),
                getattr(self.code, field.name),
                field.name in saved and field.name not in self.locked,
                field.name in self.locked,
            )
            for field in EDITABLE
        ]

    def save(self, values: Mapping[str, Any], *, actor: str | None = None) -> list[SettingChange]:
        """Validate and save *values* (field name -> value, any subset); returns what changed.

        Values equal to what is in use change nothing and are not recorded. A locked field is
        refused. Nothing is saved when any value is bad.

        :raises ValidationError: naming every bad field (``from_email``, ``new_order_alert_emails``...).
        """
        clean = editable.validate_values(values, self.kinds)
        refused = sorted(set(clean) & self.locked)
        if refused:
            from kasify_orders.errors import FieldError, ValidationError  # noqa: PLC0415

            raise ValidationError(
                FieldError(name, "is locked by the shop's configuration (Settings.locked_settings)")
                for name in refused
            )
        at = self._clock()

        def save_settings(tx: Transaction) -> list[SettingChange]:
            tx.lock_settings()
            saved = tx.saved_settings()
            decoded = {name: editable.decode(name, value) for name, value in saved.items()}
            before = editable.layer(self.code, decoded, self.locked)
            after = editable.layer(before, clean, ())
            changed = [
                SettingChange(at, actor, name, old, new) for name, old, new in editable.changes(before, after)
            ]
            tx.write_settings({c.field: c.new for c in changed}, at=at, actor=actor)
            tx.record_setting_changes(changed)
            return changed

        changed = self._store.atomic(save_settings)
        if self._held.get() is not None:
            self._held.set(_UNREAD)  # what reads next in this request sees the saved values
        return changed

    def history(self, *, limit: int = 50, before: int | None = None) -> list[tuple[int, SettingChange]]:
        """The audit trail, newest first: ``(id, change)``; pass the last id as *before* for more."""
        return self._store.setting_changes(limit=limit, before=before)

    def values(self, names: Sequence[str] | None = None) -> dict[str, Any]:
        """The values in use, as stored (JSON-ready), of *names* (default: every editable one)."""
        settings = self.effective()
        return {
            name: editable.encode(name, getattr(settings, name))
            for name in (names or [field.name for field in EDITABLE])
        }
