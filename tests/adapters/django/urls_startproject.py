"""``startproject``'s urls.py with kasify's pages added after the admin, as a newcomer would write it."""

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
]

urlpatterns += [path("admin/orders/", include("kasify_orders.adapters.django.urls"))]
