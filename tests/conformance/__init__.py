"""The storage conformance suite: every storage behaviour kasify's service relies on, on every store.

Each test takes the ``subject`` fixture (``conftest.py``): a store implementing the storage
port (:class:`kasify_orders.storage.port.Store`), once per kind: ``SqlStore`` on SQLite,
PostgreSQL and MariaDB, and the Django-connection ``DjangoStore`` on each of Django's
backends. The tests talk to the store through the port only (``atomic``/``read`` handing a
``Transaction``, and the store's own reads and outbox calls), or through ``ko.Orders`` built on
it, never through SQL.

What is covered: units of work that commit together or not at all; row locking (concurrent
writers lose no update, placements never oversell); idempotency keys (one key, one order;
``DuplicateIdempotencyKey`` is a ``ConstraintViolation``); keyset pages and cursors; outbox leases
(``claim_due``, lease expiry, tokens on ``complete``/``fail``, ``revive_dead``); search; coupons
redeemed once per customer and within their limit; stock taken, returned, set, adjusted,
tracked and untracked, each change with its stock history row in the same transaction, and
adjustments or recounts racing placements never overselling; pending refunds.

Running it on a new store:

1. Implement :class:`~kasify_orders.storage.port.Store` (a SQL store on someone else's
   connection can reuse ``SqlStore`` with a ``ConnectionSource``, as ``DjangoStore`` does).
2. Add a kind to ``KINDS`` in ``conftest.py`` and build it in ``store_kind`` (a fresh, migrated
   database; ``StoreUnderTest(kind, store, end_thread)``, *end_thread* releasing what a thread
   the test started holds). ``StoreUnderTest.wipe`` must empty it after each test.
3. ``pytest tests/conformance -k <kind>``: every test must pass unchanged.
"""
