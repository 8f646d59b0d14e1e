"""Management commands of the kasify_orders app."""
