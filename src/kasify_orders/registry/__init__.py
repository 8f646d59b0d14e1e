"""The action registry: every merchant action declared once, for every entry point.

:data:`MERCHANT_ACTIONS` holds one :class:`ActionSpec` per action; the pages, the JSON API,
its OpenAPI document, the CLI's ``orders`` commands and the Django permissions are built from
it. See :mod:`kasify_orders.registry.spec` for what a declaration says.
"""

from kasify_orders.registry.merchant import MERCHANT_ACTIONS
from kasify_orders.registry.spec import ActionSpec, Context, Field, Inputs, Money, Registry, Widget

__all__ = ["MERCHANT_ACTIONS", "ActionSpec", "Context", "Field", "Inputs", "Money", "Registry", "Widget"]
