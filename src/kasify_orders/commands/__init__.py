"""The ``kasify-orders`` command's parts (:mod:`kasify_orders.cli` puts them together)."""
