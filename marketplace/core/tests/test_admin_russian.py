"""Django admin in Russian reads grammatically whatever model name it puts into a phrase.

Upstream Russian turns "Select %s to change" into «Выберите заявка продавца для изменения»; our catalogue
rephrases every such message so the model name stands in the nominative (marketplace/core/admin_strings.py).
"""

from __future__ import annotations

import gettext as gnu_gettext
import importlib
import re
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from catalog.models import RejectionReason
from marketplace.core import admin_strings
from sellers.tests.factories import ApplicationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser(db, password):
    """An administrator with TOTP set up and the current terms accepted (staff pages need both)."""
    from allauth.account.models import EmailAddress
    from allauth.mfa.totp.internal.auth import TOTP

    from conftest import TEST_TOTP_SECRET
    from marketplace.accounts.models import User
    from marketplace.legal import selectors, services

    user = User.objects.create_superuser(email="root@example.com", password=password)
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    TOTP.activate(user, TEST_TOTP_SECRET)
    services.accept_documents(
        user=user, documents=selectors.documents_requiring_acceptance(), ip_address=None, source="test"
    )
    return user


@pytest.fixture
def ru_admin(superuser) -> Client:
    client = Client(headers={"accept-language": "ru"})
    client.force_login(superuser)
    return client


def page_text(response) -> str:
    """The page as a reader sees it: tags dropped, whitespace collapsed."""
    html = response.content.decode()
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).replace(" »", "»").replace("« ", "«")


def test_superuser_sees_the_seller_applications_list_titled_in_grammatical_russian(ru_admin):
    ApplicationFactory()

    response = ru_admin.get(reverse("admin:sellers_sellerapplication_changelist"))

    assert response.status_code == 200
    text = page_text(response)
    assert "Выберите объект для просмотра: заявка продавца" in text  # read-only for everyone
    assert "Выберите заявка продавца" not in text


def test_superuser_sees_the_changelist_add_button_and_bulk_delete_in_grammatical_russian(ru_admin):
    RejectionReason.objects.create(title="Нет фото", text="Добавьте фотографии товара.")

    response = ru_admin.get(reverse("admin:catalog_rejectionreason_changelist"))

    text = page_text(response)
    assert "Выберите объект для изменения: причина отклонения" in text
    assert "Добавить: причина отклонения" in text
    assert "Удалить выбранные объекты (причины отклонения)" in text
    assert "Выбрано 0 из 1" in text
    assert "Причины отклонения: 1" in text  # the count under the list (templates/admin/pagination.html)
    assert "Выберите причина отклонения" not in text
    assert "Добавить причина отклонения" not in text
    assert "Удалить выбранные причины" not in text


def test_superuser_adding_and_changing_gets_titles_and_messages_that_agree_in_russian(ru_admin):
    add_url = reverse("admin:catalog_rejectionreason_add")
    assert "Добавить: причина отклонения" in page_text(ru_admin.get(add_url))

    response = ru_admin.post(add_url, {"title": "Нет фото", "text": "Добавьте фото.", "position": 0}, follow=True)

    text = page_text(response)
    assert "Объект «Нет фото» (причина отклонения) добавлен." in text
    assert "был успешно добавлен" not in text
    reason = RejectionReason.objects.get()
    change_url = reverse("admin:catalog_rejectionreason_change", args=[reason.pk])
    assert "Изменить: причина отклонения" in page_text(ru_admin.get(change_url))

    response = ru_admin.post(
        change_url, {"title": "Мало фото", "text": "Добавьте фото.", "position": 0, "_continue": "1"}, follow=True
    )

    text = page_text(response)
    assert "Объект «Мало фото» (причина отклонения) изменён. Ниже его можно изменить снова." in text
    assert "был изменен" not in text


def test_superuser_deleting_one_object_is_asked_and_told_in_grammatical_russian(ru_admin):
    reason = RejectionReason.objects.create(title="Нет фото", text="Добавьте фотографии товара.")
    delete_url = reverse("admin:catalog_rejectionreason_delete", args=[reason.pk])

    text = page_text(ru_admin.get(delete_url))

    assert "Вы уверены, что хотите удалить объект «Нет фото» (причина отклонения)?" in text
    assert "удалить причина отклонения" not in text

    response = ru_admin.post(delete_url, {"post": "yes"}, follow=True)

    assert "Объект «Нет фото» (причина отклонения) удалён." in page_text(response)
    assert not RejectionReason.objects.exists()


def test_superuser_deleting_selected_objects_is_asked_and_told_in_grammatical_russian(ru_admin):
    reasons = [RejectionReason.objects.create(title=title, text="Текст.") for title in ("Нет фото", "Нет описания")]
    changelist = reverse("admin:catalog_rejectionreason_changelist")
    selected = {"action": "delete_selected", "_selected_action": [reason.pk for reason in reasons]}

    text = page_text(ru_admin.post(changelist, selected))

    assert "Вы уверены, что хотите удалить выбранные объекты (причины отклонения)?" in text

    response = ru_admin.post(changelist, {**selected, "post": "yes"}, follow=True)

    assert "Удалено объектов: 2 (причины отклонения)." in page_text(response)
    assert "Успешно удалены" not in page_text(response)
    assert not RejectionReason.objects.exists()


def upstream_catalogue(package: str) -> dict:
    root = Path(importlib.import_module(package).__file__).parent
    locale = root / ("conf/locale" if package == "django" else "locale")
    with (locale / "ru" / "LC_MESSAGES" / "django.mo").open("rb") as mo:
        return gnu_gettext.GNUTranslations(mo)._catalog


PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sd]|\{\w+\}")


@pytest.mark.parametrize("package", sorted(admin_strings.UPSTREAM))
def test_every_rephrased_message_is_still_used_upstream_and_translated_by_our_catalogue(package):
    """A Django or allauth upgrade that rewords a msgid would silently bring the broken phrasing back."""
    upstream = upstream_catalogue(package)
    for group in admin_strings.UPSTREAM[package]:
        for msgid in group:
            with translation.override("ru"):
                if isinstance(msgid, tuple):
                    key, ours = (msgid[0], 0), translation.ngettext(msgid[0], msgid[1], 5)
                    source = msgid[0]
                else:
                    key, ours, source = msgid, translation.gettext(msgid), msgid
            assert key in upstream, f"{package} no longer uses {msgid!r}"
            assert ours != upstream[key], f"{msgid!r} is still translated by {package}'s catalogue"
            assert sorted(PLACEHOLDER.findall(ours)) == sorted(set(PLACEHOLDER.findall(source))), msgid
