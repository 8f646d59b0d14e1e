"""Saleor's own customer emails: found at install, so the merchant can switch them off.

A stock Saleor sends its customers order emails itself (its *User emails* plugin): beside
kasify's, every customer gets two confirmations, two refund notices, two cancellation
notices. Saleor has no per-app switch for that, so at install the app reads the plugins'
state (``plugin(id:)``, which needs the ``MANAGE_PLUGINS`` permission) and keeps what the
merchant must do on the installation; the app's page and ``kasify-orders check`` say it.
"""

from __future__ import annotations

from typing import Any

from kasify_orders.adapters.saleor.graphql import (
    CUSTOMER_EMAIL_PLUGIN_STATE,
    CUSTOMER_EMAIL_PLUGINS,
    SaleorClient,
    SaleorError,
)

__all__ = ["HOW_TO_SWITCH_OFF", "customer_email_warning"]

#: What the merchant does in the Saleor dashboard (also in docs/saleor.md).
HOW_TO_SWITCH_OFF = (
    "in the Saleor dashboard open Configuration → Plugins → {name}, and in each channel untick "
    "“Set plugin as active” and save"
)

_FIELDS = {
    "userEmail": "mirumee.notifications.user_email",
    "sendgrid": "mirumee.notifications.sendgrid_email",
}


def customer_email_warning(client: SaleorClient) -> str | None:
    """What the merchant must fix so customers get kasify's emails only; None when nothing.

    Never raises: when Saleor cannot say (the app lacks ``MANAGE_PLUGINS``, Saleor is down),
    the warning says to check by hand.
    """
    try:
        data = client.execute(CUSTOMER_EMAIL_PLUGIN_STATE)
    except SaleorError as error:
        how = HOW_TO_SWITCH_OFF.format(name="User emails")
        return (
            f"kasify could not read whether Saleor emails customers itself ({error}). "
            f"Check it: {how}; while it is active customers get Saleor's order emails besides kasify's"
        )
    found = []
    for field, plugin_id in _FIELDS.items():
        plugin: Any = data.get(field)
        if not isinstance(plugin, dict):
            continue
        name = str(plugin.get("name") or CUSTOMER_EMAIL_PLUGINS[plugin_id])
        channels = [
            str(((config.get("channel") or {}).get("slug")) or "?")
            for config in plugin.get("channelConfigurations") or []
            if isinstance(config, dict) and config.get("active")
        ]
        if (plugin.get("globalConfiguration") or {}).get("active"):
            found.append((name, "in every channel"))
        elif channels:
            found.append((name, f"in channel {', '.join(channels)}"))
    if not found:
        return None
    names = " and ".join(f"{name} plugin ({where})" for name, where in found)
    how = "; ".join(HOW_TO_SWITCH_OFF.format(name=name) for name, _ in found)
    return (
        f"Saleor's {names} is active: customers get Saleor's order confirmation, shipping, refund "
        f"and cancellation emails besides kasify's. Switch it off: {how}"
    )
