"""The wizard, the status page and document downloads over HTTP: errors by field, resumable drafts, 404 for strangers."""

import pytest
from django.urls import reverse

from sellers import services
from sellers.models import ApplicationStatus, DocumentKind, LegalForm, ReviewCheck, SellerApplication

from .factories import application_values, upload
from .test_applications import fill_application, in_review_application

pytestmark = pytest.mark.django_db


def step_url(step):
    return reverse("sellers:apply-step", args=[step])


def test_anonymous_visitor_sees_the_sell_with_us_page(client):
    response = client.get(reverse("sellers:sell"))

    assert response.status_code == 200
    content = response.content.decode()
    assert "ИНН" in content or "INN" in content
    assert reverse("sellers:apply") in content


def test_anonymous_visitor_is_sent_to_sign_in_before_applying(client):
    response = client.get(reverse("sellers:apply"))

    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


def test_buyer_starts_an_application_and_lands_on_step_one(client, user):
    client.force_login(user)

    response = client.post(reverse("sellers:apply"))

    assert response.status_code == 302
    assert response["Location"] == step_url(1)
    assert SellerApplication.objects.get(applicant=user).status == ApplicationStatus.DRAFT


def test_wrong_inn_is_shown_next_to_the_field_and_in_the_summary_and_typed_values_stay(client, user):
    client.force_login(user)
    client.post(reverse("sellers:apply"))
    values = {
        name: application_values(LegalForm.SOLE_TRADER, index=0)[name]
        for name in ("legal_form", "legal_name", "ogrn", "legal_address")
    }

    response = client.post(step_url(1), {**values, "inn": "500100732258", "kpp": ""})

    assert response.status_code == 200
    form = response.context["form"]
    assert "inn" in form.errors
    html = response.content.decode()
    assert 'id="id_inn_error"' in html
    assert 'href="#id_inn"' in html  # the summary links to the field
    assert 'value="500100732258"' in html
    application = SellerApplication.objects.get(applicant=user)
    assert application.inn == ""
    assert application.completed_steps == 0


def test_applicant_cannot_skip_ahead_in_the_wizard(client, user):
    client.force_login(user)
    client.post(reverse("sellers:apply"))

    response = client.get(step_url(4))

    assert response["Location"] == step_url(1)


def test_draft_is_resumed_at_the_first_unfinished_step(client, user):
    application = services.start_application(applicant=user)
    values = application_values(LegalForm.SOLE_TRADER)
    services.save_application_step(application=application, actor=user, step=1, values=values)
    client.force_login(user)

    response = client.get(reverse("sellers:apply"))

    assert response["Location"] == step_url(2)


def test_applicant_walks_the_wizard_over_http_and_submits(client, user):
    client.force_login(user)
    client.post(reverse("sellers:apply"))
    values = application_values(LegalForm.LLC)
    step_fields = {
        1: ("legal_form", "legal_name", "inn", "ogrn", "kpp", "legal_address"),
        2: ("bank_name", "bik", "settlement_account", "correspondent_account"),
        3: (
            "contact_name",
            "contact_phone",
            "contact_email",
            "store_name",
            "store_slug",
            "planned_categories",
            "business_description",
        ),
    }
    for step, fields in step_fields.items():
        response = client.post(step_url(step), {field: values[field] for field in fields})
        assert response.status_code == 302, response.context["form"].errors
    response = client.post(step_url(4), {"kind": DocumentKind.REGISTRATION_CERTIFICATE, "file": upload("egrul.pdf")})
    assert response.status_code == 302
    client.post(step_url(4), {"action": "continue"})

    response = client.post(step_url(5), {"accept_offer": "on"}, REMOTE_ADDR="198.51.100.20")

    assert response["Location"] == reverse("sellers:application-status")
    application = SellerApplication.objects.get(applicant=user)
    assert application.status == ApplicationStatus.SUBMITTED
    assert application.offer_accepted_ip == "198.51.100.20"


def test_submit_page_lists_what_is_missing_with_links_to_the_steps(client, user):
    application = services.start_application(applicant=user)
    SellerApplication.objects.filter(pk=application.pk).update(completed_steps=4, legal_form=LegalForm.SOLE_TRADER)
    client.force_login(user)

    response = client.get(step_url(5))

    assert response.status_code == 200
    fields = {problem["field"] for problem in response.context["problems"]}
    assert {"inn", "ogrn", "settlement_account", "documents"} <= fields
    assert "legal_form" not in fields


def test_submitting_without_the_offer_checkbox_shows_the_error(client, user):
    application = fill_application(user)
    SellerApplication.objects.filter(pk=application.pk).update(completed_steps=4)
    client.force_login(user)

    response = client.post(step_url(5), {})

    assert response.status_code == 200
    assert "accept_offer" in response.context["form"].errors
    assert SellerApplication.objects.get(pk=application.pk).status == ApplicationStatus.DRAFT


def test_rejected_document_upload_shows_the_reason(client, user):
    application = services.start_application(applicant=user)
    SellerApplication.objects.filter(pk=application.pk).update(completed_steps=3, legal_form=LegalForm.SOLE_TRADER)
    client.force_login(user)

    response = client.post(
        step_url(4), {"kind": DocumentKind.PASSPORT, "file": upload("x.pdf", b"MZ\x90\x00" + b"\x00" * 64)}
    )

    assert response.status_code == 200
    assert "file" in response.context["form"].errors
    assert not application.documents.exists()


def test_status_page_shows_the_moderators_reasons(client, user, moderator):
    application = in_review_application(user, moderator)
    services.request_changes(application=application, actor=moderator, field_messages={"inn": "ИНН не совпадает"})
    client.force_login(user)

    response = client.get(reverse("sellers:application-status"))

    assert response.status_code == 200
    assert "ИНН не совпадает" in response.content.decode()


def test_step_page_shows_the_moderators_note_next_to_the_field(client, user, moderator):
    application = in_review_application(user, moderator)
    services.request_changes(application=application, actor=moderator, field_messages={"inn": "ИНН не совпадает"})
    client.force_login(user)

    response = client.get(step_url(1))

    assert "ИНН не совпадает" in str(response.context["form"]["inn"].help_text)


# Documents ------------------------------------------------------------------------------------------------


@pytest.fixture
def document(user):
    application = services.start_application(applicant=user)
    return services.upload_application_document(
        application=application, actor=user, kind=DocumentKind.PASSPORT, upload=upload("паспорт.pdf")
    )


def test_applicant_downloads_own_document_privately(client, user, document):
    client.force_login(user)

    response = client.get(document.get_absolute_url())

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    assert "no-store" in response["Cache-Control"]
    assert b"".join(response.streaming_content).startswith(b"%PDF-")


def test_moderator_opens_an_applicants_document_and_the_view_is_audited(client, moderator, document):
    from marketplace.audit.models import AuditAction, AuditEntry

    client.force_login(moderator)

    assert client.get(document.get_absolute_url()).status_code == 200
    entry = AuditEntry.objects.get(object_id=str(document.pk), action=AuditAction.VIEW)
    assert entry.actor == moderator


def test_applicant_reading_own_document_leaves_no_audit_entry(client, user, document):
    from marketplace.audit.models import AuditEntry

    client.force_login(user)

    assert client.get(document.get_absolute_url()).status_code == 200
    assert not AuditEntry.objects.filter(object_id=str(document.pk)).exists()


@pytest.mark.parametrize("persona", ["other_user", "seller"])
def test_other_people_get_404_for_a_document(client, request, persona, document):
    someone = request.getfixturevalue(persona)
    client.force_login(someone.user if persona == "seller" else someone)

    assert client.get(document.get_absolute_url()).status_code == 404


def test_anonymous_visitor_cannot_download_a_document(client, document):
    response = client.get(document.get_absolute_url())

    assert response.status_code == 302


def test_sellers_team_member_cannot_see_the_owners_application_documents(client, user, moderator):
    application = in_review_application(user, moderator)
    seller = services.approve_application(application=application, actor=moderator, confirmed_checks=ReviewCheck.values)
    from sellers.models import TeamRole

    from .factories import add_member

    manager = add_member(seller, TeamRole.MANAGER)
    client.force_login(manager.user)

    assert client.get(application.documents.first().get_absolute_url()).status_code == 404
    assert client.get(reverse("sellers:application-status")).status_code == 302


def test_other_users_application_is_never_shown(client, user, other_user):
    services.start_application(applicant=user)
    client.force_login(other_user)

    response = client.get(reverse("sellers:application-status"))

    assert response.status_code == 302  # back to "Sell with us": they have no application
    assert response["Location"] == reverse("sellers:sell")
