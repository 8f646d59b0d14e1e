"""Optional integrations, one package each with a README (``kasify_orders.contrib.celery``, ...)."""
