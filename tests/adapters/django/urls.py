"""The test host's URLs: kasify's pages at /admin/orders/ (before the admin), a stand-in login page."""

from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.urls import include, path


def login(request: HttpRequest) -> HttpResponse:
    return HttpResponse("the host's login page")


urlpatterns = [
    path("admin/orders/", include("kasify_orders.adapters.django.urls")),
    path("admin/", admin.site.urls),
    path("login/", login, name="login"),
]
