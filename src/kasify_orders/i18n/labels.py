"""Words built from enum values at run time (``Status.ON_HOLD.label`` -> ``"On hold"``).

Marked here so the catalog extractor finds them; ``web.formatting.status_label`` translates them.
"""

from __future__ import annotations

from kasify_orders.i18n import N_

__all__ = ["STATUS_LABELS"]

#: Every order, payment and refund status label as :mod:`kasify_orders.lifecycle` writes it.
STATUS_LABELS = (
    N_("Pending"),
    N_("Processing"),
    N_("On hold"),
    N_("Shipped"),
    N_("Delivered"),
    N_("Cancelled"),
    N_("Refunded"),
    N_("Paid"),
    N_("Partially refunded"),
    N_("Settled"),
    N_("Failed"),
    # A return's (kasify_orders.return_model.ReturnStatus); "Refunded" is above.
    N_("Open"),
    N_("Received"),
    N_("Closed"),
)
