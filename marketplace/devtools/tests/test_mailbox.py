"""The DEBUG-only mailbox: a newcomer opens the e-mails `make run` wrote and clicks the links in them."""

from __future__ import annotations

import pytest
from django.core.mail import EmailMultiAlternatives
from django.urls import include, path

from marketplace.urls import urlpatterns as site_urlpatterns

pytestmark = pytest.mark.django_db

# The site's URLs as DEBUG builds them (tests run with DEBUG off, like production).
urlpatterns = [*site_urlpatterns, path("dev/", include("marketplace.devtools.urls"))]

LINK = "http://127.0.0.1:8000/accounts/confirm-email/MQ:1abc:xyz/"


@pytest.fixture
def mailbox_dir(settings, tmp_path):
    settings.EMAIL_BACKEND = "marketplace.notifications.mailbox.EmlFileBackend"
    settings.EMAIL_FILE_PATH = str(tmp_path)
    return tmp_path


def _send(subject: str = "Подтвердите адрес") -> None:
    body = f"Откройте ссылку, чтобы подтвердить адрес: {LINK}\n<script>alert(1)</script>"
    message = EmailMultiAlternatives(subject, body, to=["new@example.com"])
    message.attach_alternative("<p>html</p>", "text/html")
    message.send()


@pytest.mark.urls(__name__)
def test_mailbox_lists_sent_mail_newest_first(client, settings, mailbox_dir):
    settings.DEBUG = True
    _send("Первое письмо")
    _send("Второе письмо")

    response = client.get("/dev/mail/")

    assert response.status_code == 200
    html = response.content.decode()
    assert html.index("Второе письмо") < html.index("Первое письмо")
    assert "new@example.com" in html


@pytest.mark.urls(__name__)
def test_mailbox_message_has_clickable_links_and_escaped_text(client, settings, mailbox_dir):
    settings.DEBUG = True
    _send()
    [name] = [path.name for path in mailbox_dir.iterdir()]

    response = client.get(f"/dev/mail/{name}/")

    assert response.status_code == 200
    html = response.content.decode()
    assert f'<a href="{LINK}"' in html
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;" in html
    assert client.get(f"/dev/mail/{name}/raw/")["Content-Type"].startswith("text/plain")


@pytest.mark.urls(__name__)
def test_mailbox_opens_only_its_own_files(client, settings, mailbox_dir):
    settings.DEBUG = True
    (mailbox_dir / "notes.txt").write_text("secret")

    assert client.get("/dev/mail/notes.txt/").status_code == 404
    assert client.get("/dev/mail/missing.eml/").status_code == 404


@pytest.mark.urls(__name__)
def test_mailbox_is_404_without_debug_even_if_routed(client, settings, mailbox_dir):
    settings.DEBUG = False
    _send()

    assert client.get("/dev/mail/").status_code == 404


def test_mailbox_is_not_routed_without_debug(client, mailbox_dir):
    _send()

    assert client.get("/dev/mail/").status_code == 404
