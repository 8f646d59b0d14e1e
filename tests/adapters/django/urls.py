"""The test host's URLs: kasify's pages under /admin/orders/, a stand-in login page."""

from django.http import HttpRequest, HttpResponse
from django.urls import include, path


def login(request: HttpRequest) -> HttpResponse:
    return HttpResponse("the host's login page")


urlpatterns = [
    path("admin/orders/", include("kasify_orders.adapters.django.urls")),
    path("login/", login, name="login"),
]
