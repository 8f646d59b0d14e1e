"""Host adapters: thin layers mapping a web framework onto :mod:`kasify_orders.web`.

Import the one for your framework (``kasify_orders.adapters.flask``); each needs its extra
(``pip install 'kasify-orders[flask]'``).
"""
