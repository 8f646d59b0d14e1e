"""The shop end to end on Django's test database: ``manage.py test shop``."""

from django.contrib.auth import get_user_model
from django.core import mail
from django.test import TransactionTestCase

from kasify_orders.adapters.django import get_orders
from shop.models import Receipt

CHECKOUT = {
    "sku": "TEE-RED-M", "quantity": "2", "name": "Ada Lovelace", "email": "ada@example.com",
    "line1": "12 St James's Sq", "city": "London", "postal_code": "SW1Y 4JH", "country": "GB",
}  # fmt: skip


class CheckoutTests(TransactionTestCase):
    """A checkout places a kasify order and the shop's receipt together, and the merchant sees it."""

    def test_checkout_places_the_order_emails_after_commit_and_staff_see_it(self) -> None:
        get_orders().inventory.set_stock("TEE-RED-M", 5)
        response = self.client.post("/buy/", CHECKOUT)
        self.assertEqual(response.status_code, 302)
        receipt = Receipt.objects.get()
        order = get_orders().get(receipt.order_id)
        self.assertEqual(order.number, receipt.number)
        self.assertEqual(get_orders().inventory.stock("TEE-RED-M"), 3)
        self.assertEqual(sorted(m.to[0] for m in mail.outbox), ["Ada Lovelace <ada@example.com>", "owner@shop.example"])

        self.assertEqual(self.client.get("/admin/orders/").status_code, 302)  # to the login page
        staff = get_user_model().objects.create_user("staff", password="pw", is_staff=True)
        self.client.force_login(staff)
        self.assertContains(self.client.get(f"/admin/orders/{order.id}/"), f"Order #{order.number}")

    def test_a_failed_checkout_leaves_no_order_and_no_receipt(self) -> None:
        get_orders().inventory.set_stock("TEE-RED-M", 1)
        placed_before = get_orders().count()
        response = self.client.post("/buy/", CHECKOUT, follow=True)
        self.assertContains(response, "out of stock")
        self.assertEqual(Receipt.objects.count(), 0)
        self.assertEqual(get_orders().count(), placed_before)
        self.assertEqual(get_orders().inventory.stock("TEE-RED-M"), 1)
        self.assertEqual(mail.outbox, [])
