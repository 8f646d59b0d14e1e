"""Settings → Notifications on every host: the form, saving with errors beside the fields, the
audit trail, the lock, "Send a test email", and CSRF and ``authorize`` refusing.

A host's test module subclasses :class:`SettingsPagesContract` with its ``site`` fixture (the
staff's :class:`~tests.adapters.contract.MerchantSite`) and its ``orders``.
"""

from __future__ import annotations

import re

import kasify_orders as ko
from tests.adapters.contract import MerchantSite
from tests.helpers import new_order

FORM = {
    "emails_shown": "1",
    "store_name": "Contract Shop",
    "new_order_alert_emails": "owner@contract.example\nops@contract.example",
    "from_email": "Contract Shop <orders@contract.example>",
    "reply_to": "",
    "email_order_confirmation": "on",
    "email_shipping_notification": "on",
    "email_tracking_corrected": "on",
    "email_refund_confirmation": "on",
    "email_order_updated": "on",
    "email_return_received": "on",
    "email_new_order_alert": "on",
}  # order_cancelled unticked: turned off


class SettingsPagesContract:
    """The settings pages' behaviour, whatever the host."""

    def test_the_sidebar_leads_to_settings_and_the_form_shows_the_values_in_use(
        self, site: MerchantSite, orders: ko.Orders
    ) -> None:
        index = site.get(site.page_url("settings"))
        assert index.status == 200 and "Notifications" in index.text
        sidebar = index.raw[index.raw.index('<nav class="sidebar"') : index.raw.index("</nav>")]
        assert re.search(r'<a href="[^"]+" aria-current="page">Settings', sidebar)
        page = site.get(site.page_url("settings/notifications"))
        assert page.status == 200
        code = orders.settings
        assert f'value="{code.store_name}"' in page.raw
        assert "The shop's default." in page.text

    def test_saving_changes_the_settings_in_use_and_audits_who_when_old_and_new(
        self, site: MerchantSite, orders: ko.Orders
    ) -> None:
        before = orders.merchant_settings.effective()
        saved = site.post(site.page_url("settings/notifications"), FORM)
        assert saved.status in {302, 303} and saved.location is not None
        shown = site.get(saved.location)
        assert "Saved: " in shown.text and "Store name" in shown.text
        effective = orders.merchant_settings.effective()
        assert effective.new_order_alert_emails == ("owner@contract.example", "ops@contract.example")
        assert effective.disabled_emails == {"order_cancelled"}
        assert effective.reply_to is None
        history = site.get(site.page_url("settings/notifications/history"))
        assert history.status == 200
        assert "owner@contract.example, ops@contract.example" in history.text
        assert before.store_name in history.text and "Contract Shop" in history.text
        (_id, latest), *_ = orders.merchant_settings.history()
        assert latest.actor is not None  # who saved, from the host's actor
        again = site.post(site.page_url("settings/notifications"), FORM)
        assert "Nothing changed." in site.get(again.location or "").text

    def test_bad_values_are_explained_beside_their_fields_and_nothing_is_saved(
        self, site: MerchantSite, orders: ko.Orders
    ) -> None:
        bad = {**FORM, "from_email": "not an address", "new_order_alert_emails": "ok@shop.example, nope@"}
        answer = site.post(site.page_url("settings/notifications"), bad)
        assert answer.status == 400
        assert re.search(r'id="from_email-error">[^<]*not an address', answer.raw)
        assert re.search(r'id="new_order_alert_emails-error">[^<]*nope@', answer.raw)
        assert "nope@" in answer.raw  # what was typed is kept
        assert orders.merchant_settings.history() == []
        assert orders.store.saved_settings() == {}

    def test_the_test_email_shows_what_the_mail_path_answered(
        self, site: MerchantSite, orders: ko.Orders
    ) -> None:
        answer = site.post(site.page_url("settings/notifications/test-email"), {"to": "me@contract.example"})
        assert 'data-field="test-result"' in answer.raw
        assert ("Delivered to me@contract.example" in answer.text) or (
            "Not delivered to me@contract.example" in answer.text
        )
        bad = site.post(site.page_url("settings/notifications/test-email"), {"to": "nope"})
        assert bad.status == 400 and 'id="test-to-error"' in bad.raw

    def test_a_post_without_the_csrf_token_changes_nothing(
        self, site: MerchantSite, orders: ko.Orders
    ) -> None:
        for path in ("settings/notifications", "settings/notifications/test-email"):
            answer = site.post(site.page_url(path), {**FORM, "to": "me@contract.example"}, csrf=False)
            assert answer.status in {400, 403}, path
        assert orders.store.saved_settings() == {}

    def test_someone_the_host_refuses_sees_and_changes_nothing(
        self, site: MerchantSite, orders: ko.Orders
    ) -> None:
        nobody = site.refusing()
        for path in ("settings", "settings/notifications", "settings/notifications/history"):
            assert nobody.get(site.page_url(path)).status in {302, 403}, path
        assert nobody.post(site.page_url("settings/notifications"), FORM).status in {302, 403}
        assert nobody.post(
            site.page_url("settings/notifications/test-email"), {"to": "a@b.example"}
        ).status in {
            302,
            403,
        }
        assert orders.store.saved_settings() == {}
        orders.place(new_order())  # the shop still works as the code says
