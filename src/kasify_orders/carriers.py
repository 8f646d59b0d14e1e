"""The carrier registry: names, tracking-page URL templates and tracking-number checks.

Known carriers are matched case-insensitively by code or name (``"UPS"``, ``"royal mail"``).
Any other non-blank name is a custom carrier; it gets a tracking link when the merchant's
settings give a URL template for it (``Settings(tracking_urls={"Evri": "https://…{number}"})``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from urllib.parse import quote

import attrs

from kasify_orders.i18n import N_

__all__ = ["CARRIERS", "Carrier", "normalise_carrier", "tracking_number_problem", "tracking_url"]


@attrs.frozen
class Carrier:
    """A parcel carrier with a public tracking page."""

    code: str
    name: str
    #: ``{number}`` is replaced by the URL-encoded tracking number.
    url_template: str


CARRIERS: Mapping[str, Carrier] = {
    carrier.code: carrier
    for carrier in [
        Carrier("ups", "UPS", "https://www.ups.com/track?tracknum={number}"),
        Carrier("fedex", "FedEx", "https://www.fedex.com/fedextrack/?trknbr={number}"),
        Carrier(
            "dhl",
            "DHL",
            "https://www.dhl.com/global-en/home/tracking/tracking-express.html?submit=1&tracking-id={number}",
        ),
        Carrier("usps", "USPS", "https://tools.usps.com/go/TrackConfirmAction?tLabels={number}"),
        Carrier(
            "royal_mail",
            "Royal Mail",
            "https://www.royalmail.com/track-your-item#/tracking-results/{number}",
        ),
        Carrier(
            "canada_post",
            "Canada Post",
            "https://www.canadapost-postescanada.ca/track-reperage/en#/search?searchFor={number}",
        ),
        Carrier(
            "australia_post",
            "Australia Post",
            "https://auspost.com.au/mypost/track/details/{number}",
        ),
    ]
}

_KEY = re.compile(r"[\s_-]+")
_BY_KEY = {_KEY.sub("", key).lower(): c for c in CARRIERS.values() for key in (c.code, c.name)}
_TRACKING_NUMBER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 -]{2,62}[A-Za-z0-9]$")


def normalise_carrier(name: str) -> str:
    """Return the registry code for a known carrier, or the stripped name of a custom one."""
    stripped = name.strip()
    known = _BY_KEY.get(_KEY.sub("", stripped).lower())
    return known.code if known else stripped


def display_name(carrier: str) -> str:
    """The carrier's name as a customer reads it (``"ups"`` -> ``"UPS"``)."""
    known = CARRIERS.get(carrier)
    return known.name if known else carrier


def tracking_number_problem(number: str) -> str | None:
    """Say what is wrong with a (stripped) tracking number, or None when it looks right.

    The answer is a catalog string, so a page can say it in the merchant's language.
    """
    if not number:
        return N_("must not be blank")
    if not _TRACKING_NUMBER.match(number):
        return N_("must be 4-64 letters, digits, spaces or dashes")
    return None


def tracking_url(carrier: str, number: str, custom: Mapping[str, str] | None = None) -> str | None:
    """The carrier's tracking-page link for *number*, or None when none is known."""
    templates = {code: c.url_template for code, c in CARRIERS.items()}
    templates.update({normalise_carrier(name): url for name, url in (custom or {}).items()})
    template = templates.get(carrier)
    return template.format(number=quote(number, safe="")) if template else None
