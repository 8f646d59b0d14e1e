"""The merchant's pages: ``path("admin/orders/", include("kasify_orders.adapters.django.urls"))``.

Put it before ``path("admin/", admin.site.urls)``, whose catch-all takes every URL under
``admin/`` (``manage.py check`` warns: ``kasify_orders.W003``).
"""

from __future__ import annotations

from django.urls import path

from kasify_orders.adapters.django import views
from kasify_orders.web.routes import ALL_ROUTES

app_name = "kasify_orders"

urlpatterns = [
    path("", views.order_list, name="order_list"),
    path("static/<str:filename>", views.static, name="static"),
    # The back office's pages (coupons, inventory, settings…), before the order patterns they would match.
    *(path(route.django_path(), views.route_view(route), name=route.name) for route in ALL_ROUTES),
    path("<str:order_id>/", views.order_detail, name="order_detail"),
    path("<str:order_id>/packing-slip/", views.packing_slip, name="packing_slip"),
    path("<str:order_id>/<str:action>/", views.act, name="act"),
]
