"""The shop at /, kasify's merchant pages at /admin/orders/, Django's admin (and its login) at /admin/."""

from django.contrib import admin
from django.urls import include, path

from shop import views

urlpatterns = [
    path("", views.catalogue, name="catalogue"),
    path("buy/", views.buy, name="buy"),
    path("thanks/<int:number>/", views.thanks, name="thanks"),
    path("admin/orders/", include("kasify_orders.adapters.django.urls")),
    path("admin/", admin.site.urls),
]
