"""``kasify_deliver`` and ``kasify_export_orders``."""
