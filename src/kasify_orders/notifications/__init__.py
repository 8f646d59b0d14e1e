"""Emails: the SMTP transport, and (with ``Orders``) the customer and merchant notifications."""
