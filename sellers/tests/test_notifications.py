"""Every sellers notification kind renders its subject, text and HTML e-mail and its in-app text."""

import pytest
from django.core import mail

from marketplace.notifications import services as notification_services
from marketplace.notifications.models import Channel, Delivery, InboxItem
from sellers.notification_kinds import KINDS

pytestmark = pytest.mark.django_db

CONTEXT = {
    "application_id": 1,
    "store_name": "Лавка «Алисы»",
    "legal_name": "ИП Иванова А. С.",
    "reason": "Адрес <не> совпадает",
    "fields": [{"field": "ИНН", "message": "Не совпадает с ЕГРИП"}],
    "storefront_slug": "lavka",
    "sanction_id": 1,
    "level": "Предупреждение",
    "rule": "Сроки отгрузки",
    "expires_at": "",
    "version": "2.0",
    "title": "Новые правила",
    "change_id": 1,
    "status": "approved",
    "status_label": "Одобрено",
    "account_tail": "0001",
    "role": "Склад",
    "inviter": "Сергей Смирнов",
    "token": "abc",
    "case_id": 7,
    "subject": "Выплата",
    "decision": "Выплата отправлена",
    "announcement_id": 3,
    "requires_acknowledgement": True,
}


@pytest.mark.parametrize("kind", [kind.key for kind in KINDS])
def test_sellers_notification_kind_renders_as_email_and_in_app(user, kind):
    mail.outbox.clear()

    notification = notification_services.notify(recipient=user, kind=kind, context=CONTEXT, email="to@example.com")
    delivery = Delivery.objects.get(notification=notification, channel=Channel.EMAIL)
    notification_services.deliver(delivery_id=delivery.pk)

    message = mail.outbox[-1]
    html = message.alternatives[0][0]
    assert message.subject.strip()
    assert "{{" not in message.subject + message.body + html
    assert "{%" not in message.body + html
    assert "&lt;не&gt;" in html or "<не>" not in html  # user text is escaped in HTML
    if kind != "seller_team_invitation":
        assert InboxItem.objects.get(notification=notification).body.strip()
