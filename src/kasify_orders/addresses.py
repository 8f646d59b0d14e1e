"""How kasify writes a postal address: the order page's lines, and the same lines joined on one.

One function for every place that shows an address to the merchant (the order page's address
block, an edit's timeline entry old -> new), so the timeline says the address as the page does:
``"London, Greater London SW1Y 4JH"`` (city, region, postal code), whatever the language.
"""

from __future__ import annotations

from kasify_orders.model import Address

__all__ = ["address_lines", "address_text"]


def address_lines(address: Address) -> tuple[str, ...]:
    """The address's lines as the order page shows them: street lines, place, country.

    The place is ``city, region postal code`` (the region and its comma only where there is one).
    """
    place = address.city + (f", {address.region}" if address.region else "")
    place = " ".join(part for part in (place, address.postal_code) if part)
    return tuple(part for part in (address.line1, address.line2, place, address.country) if part)


def address_text(address: Address) -> str:
    """The address on one line, its page lines joined by commas.

    ``"12 St James's Sq, London SW1Y 4JH, GB"``: what an edit's timeline entry says, old -> new.
    """
    return ", ".join(address_lines(address))
