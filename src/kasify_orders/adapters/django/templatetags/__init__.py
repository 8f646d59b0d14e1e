"""Template tags for a host's own pages: ``{% load kasify_orders %}``."""
