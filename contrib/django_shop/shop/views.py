"""The catalogue and the checkout: one form, one transaction for the shop's receipt and kasify's order."""

from decimal import Decimal

from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

import kasify_orders as ko
from kasify_orders.adapters.django import get_orders
from shop.models import Receipt

PRODUCTS = {
    "TEE-RED-M": ("T-shirt", "Red / M", Decimal("25.00")),
    "TEE-BLUE-L": ("T-shirt", "Blue / L", Decimal("25.00")),
    "MUG-WHITE": ("Mug", "White", Decimal("12.50")),
}


def catalogue(request: HttpRequest) -> HttpResponse:
    """Products, their stock, and the checkout form."""
    orders = get_orders()
    products = [
        {"sku": sku, "name": name, "variant": variant, "price": price, "stock": orders.inventory.stock(sku)}
        for sku, (name, variant, price) in PRODUCTS.items()
    ]
    return render(request, "shop/catalogue.html", {"products": products})


@require_POST
def buy(request: HttpRequest) -> HttpResponse:
    """Place the order and write the shop's receipt in one transaction: both happen, or neither."""
    form = request.POST
    sku = form.get("sku", "")
    if sku not in PRODUCTS:
        messages.error(request, "Choose a product.")
        return redirect("catalogue")
    name, variant, price = PRODUCTS[sku]
    new_order = ko.NewOrder(
        customer=ko.Customer(name=form.get("name", ""), email=form.get("email", "")),
        shipping_address=ko.Address(
            line1=form.get("line1", ""),
            city=form.get("city", ""),
            postal_code=form.get("postal_code", ""),
            country=form.get("country", ""),
        ),
        lines=[ko.NewLine(sku=sku, name=name, variant=variant, quantity=int(form.get("quantity") or 1), unit_price=price)],
        currency="USD",
        shipping_cost=Decimal("5.00"),
        coupon_code=form.get("coupon") or None,
        customer_note=form.get("note", ""),
    )
    try:
        with transaction.atomic():
            order = get_orders().place(new_order, idempotency_key=form.get("checkout_key") or None)
            Receipt.objects.get_or_create(order_id=order.id, defaults={"number": order.number, "email": order.customer.email})
    except ko.ValidationError as error:
        for field_error in error.errors:
            messages.error(request, f"{field_error.path}: {field_error.message}")
        return redirect("catalogue")
    except ko.KasifyError as error:
        messages.error(request, str(error))
        return redirect("catalogue")
    # The confirmation email goes out when the transaction above commits (see the console).
    return redirect("thanks", number=order.number)


def thanks(request: HttpRequest, number: int) -> HttpResponse:
    """The order was placed."""
    return render(request, "shop/thanks.html", {"number": number})
