"""What the demo shop sells: plain data, so any host's demo can seed orders from it (no Flask)."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

import attrs

__all__ = ["CATALOGUE", "Product"]


@attrs.frozen
class Product:
    """Something the demo shop sells."""

    sku: str
    name: str
    variant: str
    price: Decimal
    blurb: str


CATALOGUE: Mapping[str, Product] = {
    product.sku: product
    for product in [
        Product("TEE-RED-M", "Organic T-shirt", "Red / M", Decimal("25.00"), "Soft, heavy cotton."),
        Product("TEE-BLU-L", "Organic T-shirt", "Blue / L", Decimal("25.00"), "The same tee, in blue."),
        Product("MUG-ENAMEL", "Enamel mug", "Cream", Decimal("14.50"), "Camp coffee, anywhere."),
        Product("TOTE-CANVAS", "Canvas tote", "Natural", Decimal("18.00"), "Carries a week of groceries."),
        Product("CAP-WOOL", "Wool cap", "Charcoal", Decimal("32.00"), "Warm ears since 1950."),
        Product("NOTE-A5", "Dot-grid notebook", "A5", Decimal("9.75"), "120 pages, lies flat."),
    ]
}
