"""The demo's seeding, kept under its first name: see :mod:`kasify_orders.demo.seeds`."""

from __future__ import annotations

from kasify_orders.demo.seeds import seed

__all__ = ["seed"]
