"""Onboarding rules: drafts per step, submission with offline checks and the offer, moderators' decisions."""

import pytest
from django.core.exceptions import PermissionDenied

from marketplace.core.exceptions import InvalidTransition
from marketplace.legal.models import TermsAcceptance
from marketplace.notifications.models import Notification
from sellers import services
from sellers.exceptions import AlreadySelling, ApplicationIncomplete, ReasonRequired, StoreAddressTaken
from sellers.models import (
    ApplicationStatus,
    DocumentKind,
    FieldChangeRequest,
    LegalForm,
    ReviewCheck,
    Seller,
    SellerApplication,
    TeamRole,
)
from sellers.services.applications import STEP_FIELDS

from .factories import ApplicationFactory, application_values, seller_offer, upload

pytestmark = pytest.mark.django_db


def fill_application(user, legal_form=LegalForm.SOLE_TRADER, **overrides):
    """Walk the wizard through the services, as the views do."""
    application = services.start_application(applicant=user)
    values = {**application_values(legal_form), **overrides}
    for step, fields in STEP_FIELDS.items():
        services.save_application_step(
            application=application, actor=user, step=step, values={field: values[field] for field in fields}
        )
    kinds = {
        LegalForm.LLC: [DocumentKind.REGISTRATION_CERTIFICATE],
        LegalForm.SOLE_TRADER: [DocumentKind.REGISTRATION_CERTIFICATE, DocumentKind.PASSPORT],
        LegalForm.SELF_EMPLOYED: [DocumentKind.NPD_CERTIFICATE, DocumentKind.PASSPORT],
    }[legal_form]
    for kind in kinds:
        services.upload_application_document(application=application, actor=user, kind=kind, upload=upload())
    return SellerApplication.objects.get(pk=application.pk)


def submitted_application(user, legal_form=LegalForm.SOLE_TRADER):
    application = fill_application(user, legal_form)
    return services.submit_application(application=application, actor=user, ip_address="203.0.113.5", accept_offer=True)


def in_review_application(user, moderator, legal_form=LegalForm.SOLE_TRADER):
    application = submitted_application(user, legal_form)
    return services.start_review(application=application, actor=moderator)


# Drafts -------------------------------------------------------------------------------------------------


def test_buyer_starting_twice_resumes_the_same_draft(user):
    first = services.start_application(applicant=user)

    second = services.start_application(applicant=user)

    assert first.pk == second.pk
    assert first.status == ApplicationStatus.DRAFT
    assert first.events.get().to_status == ApplicationStatus.DRAFT


def test_seller_cannot_start_another_application(seller):
    with pytest.raises(AlreadySelling):
        services.start_application(applicant=seller.user)

    assert not SellerApplication.objects.filter(applicant=seller.user).open().exists()


def test_applicant_saving_a_step_keeps_normalised_values(user):
    application = services.start_application(applicant=user)

    services.save_application_step(
        application=application,
        actor=user,
        step=1,
        values={
            "legal_form": LegalForm.LLC,
            "legal_name": "ПАО Сбербанк",
            "inn": "77 07 08 38 93",
            "ogrn": "1027700132195",
            "kpp": "773601001",
            "legal_address": "Москва, ул. Вавилова, 19",
        },
    )

    application.refresh_from_db()
    assert application.inn == "7707083893"
    assert application.completed_steps == 1


@pytest.mark.parametrize(
    ("legal_form", "field", "value"),
    [
        (LegalForm.LLC, "inn", "500100732259"),  # a person's INN for an ООО
        (LegalForm.LLC, "inn", "7707083894"),  # checksum
        (LegalForm.LLC, "kpp", ""),  # KPP required for an ООО
        (LegalForm.LLC, "ogrn", "304500116000157"),  # OGRNIP for an ООО
        (LegalForm.SOLE_TRADER, "inn", "7707083893"),  # a company INN for an ИП
        (LegalForm.SOLE_TRADER, "ogrn", "304500116000158"),  # checksum
        (LegalForm.SOLE_TRADER, "ogrn", ""),  # OGRNIP required
        (LegalForm.SOLE_TRADER, "kpp", "773601001"),  # an ИП has no KPP
        (LegalForm.SELF_EMPLOYED, "inn", "500100732258"),
        (LegalForm.SELF_EMPLOYED, "ogrn", "304500116000157"),  # self-employed have no OGRNIP
    ],
)
def test_applicant_cannot_save_invalid_legal_data(user, legal_form, field, value):
    application = services.start_application(applicant=user)
    values = {name: application_values(legal_form, index=0)[name] for name in STEP_FIELDS[1]}
    values[field] = value

    with pytest.raises(ApplicationIncomplete) as excinfo:
        services.save_application_step(application=application, actor=user, step=1, values=values)

    assert field in excinfo.value.errors
    application.refresh_from_db()
    assert application.inn == ""
    assert application.completed_steps == 0


def test_applicant_cannot_save_an_account_that_does_not_match_the_bik(user):
    application = services.start_application(applicant=user)

    with pytest.raises(ApplicationIncomplete) as excinfo:
        services.save_application_step(
            application=application,
            actor=user,
            step=2,
            values={
                "bank_name": "Сбербанк",
                "bik": "044525225",
                "settlement_account": "40702810938000000002",
                "correspondent_account": "30101810400000000225",
            },
        )

    assert list(excinfo.value.errors) == ["settlement_account"]
    application.refresh_from_db()
    assert application.bik == ""


def test_other_user_cannot_edit_someone_elses_draft(user, other_user):
    application = services.start_application(applicant=user)

    with pytest.raises(PermissionDenied):
        services.save_application_step(application=application, actor=other_user, step=3, values=application_values())


# Submission -------------------------------------------------------------------------------------------


def test_applicant_submits_with_offer_ip_and_check_results(user):
    application = fill_application(user, LegalForm.SOLE_TRADER)

    services.submit_application(application=application, actor=user, ip_address="203.0.113.5", accept_offer=True)

    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED
    assert application.offer_terms == seller_offer()
    assert application.offer_accepted_ip == "203.0.113.5"
    assert application.offer_accepted_at is not None
    assert TermsAcceptance.objects.filter(user=user, terms=seller_offer(), ip_address="203.0.113.5").exists()
    levels = {result["code"]: result["level"] for result in application.check_results}
    assert levels["inn"] == levels["ogrn"] == levels["settlement_account"] == levels["documents"] == "passed"
    assert Notification.objects.filter(recipient=user, kind="seller_application_submitted").exists()


def test_applicant_cannot_submit_without_accepting_the_offer(user):
    application = fill_application(user)

    with pytest.raises(ApplicationIncomplete) as excinfo:
        services.submit_application(application=application, actor=user, ip_address=None, accept_offer=False)

    assert "accept_offer" in excinfo.value.errors
    application.refresh_from_db()
    assert application.status == ApplicationStatus.DRAFT
    assert not TermsAcceptance.objects.filter(user=user, terms=seller_offer()).exists()


def test_applicant_cannot_submit_without_required_documents(user):
    application = services.start_application(applicant=user)
    values = application_values(LegalForm.SELF_EMPLOYED)
    for step, fields in STEP_FIELDS.items():
        services.save_application_step(
            application=application, actor=user, step=step, values={field: values[field] for field in fields}
        )
    services.upload_application_document(
        application=application, actor=user, kind=DocumentKind.PASSPORT, upload=upload()
    )

    with pytest.raises(ApplicationIncomplete) as excinfo:
        services.submit_application(application=application, actor=user, ip_address=None, accept_offer=True)

    assert "documents" in excinfo.value.errors
    application.refresh_from_db()
    assert application.status == ApplicationStatus.DRAFT


def test_applicant_cannot_submit_an_incomplete_draft(user):
    application = services.start_application(applicant=user)

    with pytest.raises(ApplicationIncomplete) as excinfo:
        services.submit_application(application=application, actor=user, ip_address=None, accept_offer=True)

    assert "legal_form" in excinfo.value.errors
    assert application.events.count() == 1


def test_applicant_cannot_take_a_store_address_already_in_use(user, seller):
    application = fill_application(user, store_slug=seller.storefront.slug)

    with pytest.raises(ApplicationIncomplete) as excinfo:
        services.submit_application(application=application, actor=user, ip_address=None, accept_offer=True)

    assert "store_slug" in excinfo.value.errors


def test_applicant_cannot_apply_with_the_inn_of_an_active_seller(user, seller):
    application = fill_application(user, inn=seller.inn)

    with pytest.raises(ApplicationIncomplete) as excinfo:
        services.submit_application(application=application, actor=user, ip_address=None, accept_offer=True)

    assert "inn" in excinfo.value.errors


def test_applicant_cannot_change_a_submitted_application(user):
    application = submitted_application(user)

    with pytest.raises(InvalidTransition):
        services.save_application_step(application=application, actor=user, step=3, values=application_values())


def test_region_mismatch_is_shown_to_the_moderator_as_a_warning(user):
    application = fill_application(user, LegalForm.SOLE_TRADER, inn="773400211252", ogrn="304500116000157")

    services.submit_application(application=application, actor=user, ip_address=None, accept_offer=True)

    application.refresh_from_db()
    warnings = [result for result in application.check_results if result["level"] == "warning"]
    assert [warning["code"] for warning in warnings] == ["region_mismatch"]


# Review ---------------------------------------------------------------------------------------------


def test_moderator_approving_creates_seller_storefront_and_owner_seat(user, moderator):
    application = in_review_application(user, moderator, LegalForm.LLC)

    seller = services.approve_application(application=application, actor=moderator, confirmed_checks=ReviewCheck.values)

    application.refresh_from_db()
    assert application.status == ApplicationStatus.APPROVED
    assert seller.user == user
    assert seller.inn == application.inn
    assert seller.storefront.slug == application.store_slug
    assert seller.members.get().role == TeamRole.OWNER
    assert seller.offer_terms == application.offer_terms
    assert seller.events.get().to_status == "active"
    assert Notification.objects.filter(recipient=user, kind="seller_application_approved").exists()


@pytest.mark.parametrize(
    "status",
    [
        ApplicationStatus.DRAFT,
        ApplicationStatus.SUBMITTED,
        ApplicationStatus.CHANGES_REQUESTED,
        ApplicationStatus.REJECTED,
    ],
)
def test_moderator_cannot_approve_an_application_not_in_review(moderator, status):
    application = ApplicationFactory(status=status)

    with pytest.raises(InvalidTransition) as excinfo:
        services.approve_application(application=application, actor=moderator, confirmed_checks=ReviewCheck.values)

    assert "in review" in excinfo.value.message
    application.refresh_from_db()
    assert application.status == status
    assert not Seller.objects.exists()
    assert not application.events.exists()


def test_moderator_cannot_approve_without_confirming_the_registry_check(user, moderator):
    application = in_review_application(user, moderator)

    with pytest.raises(ReasonRequired):
        services.approve_application(
            application=application, actor=moderator, confirmed_checks=[ReviewCheck.IDENTITY, ReviewCheck.BANK]
        )

    application.refresh_from_db()
    assert application.status == ApplicationStatus.IN_REVIEW
    assert not Seller.objects.exists()


def test_moderator_cannot_review_own_application(moderator):
    application = ApplicationFactory(applicant=moderator, status=ApplicationStatus.SUBMITTED)

    with pytest.raises(PermissionDenied):
        services.start_review(application=application, actor=moderator)

    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED


def test_buyer_cannot_approve_applications(user, other_user):
    application = ApplicationFactory(applicant=other_user, status=ApplicationStatus.IN_REVIEW)

    with pytest.raises(PermissionDenied):
        services.approve_application(application=application, actor=user, confirmed_checks=ReviewCheck.values)

    assert not Seller.objects.exists()


def test_moderator_requests_changes_per_field_and_applicant_resubmits(user, moderator):
    application = in_review_application(user, moderator)

    services.request_changes(
        application=application,
        actor=moderator,
        field_messages={"inn": "ИНН не совпадает с выпиской", "documents": "Скан паспорта нечитаем", "kpp": ""},
        comment="Пожалуйста, исправьте",
    )

    application.refresh_from_db()
    assert application.status == ApplicationStatus.CHANGES_REQUESTED
    assert set(application.change_requests.values_list("field", flat=True)) == {"inn", "documents"}
    assert Notification.objects.filter(recipient=user, kind="seller_application_changes_requested").exists()

    services.save_application_step(
        application=application,
        actor=user,
        step=1,
        values={field: getattr(application, field) for field in STEP_FIELDS[1]},
    )
    services.submit_application(application=application, actor=user, ip_address=None, accept_offer=True)

    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED
    assert not FieldChangeRequest.objects.filter(application=application, resolved_at__isnull=True).exists()
    assert list(application.events.values_list("to_status", flat=True)) == [
        "draft",
        "submitted",
        "in_review",
        "changes_requested",
        "submitted",
    ]


def test_moderator_cannot_request_changes_without_a_field_reason(user, moderator):
    application = in_review_application(user, moderator)

    with pytest.raises(ReasonRequired):
        services.request_changes(application=application, actor=moderator, field_messages={"inn": "  "})

    application.refresh_from_db()
    assert application.status == ApplicationStatus.IN_REVIEW
    assert not application.change_requests.exists()


def test_moderator_cannot_reject_without_a_reason(user, moderator):
    application = in_review_application(user, moderator)

    with pytest.raises(ReasonRequired):
        services.reject_application(application=application, actor=moderator, reason=" ")

    application.refresh_from_db()
    assert application.status == ApplicationStatus.IN_REVIEW


def test_rejected_applicant_sees_the_reason_and_may_apply_again(user, moderator):
    application = in_review_application(user, moderator)

    services.reject_application(application=application, actor=moderator, reason="Документы не соответствуют ИНН")

    application.refresh_from_db()
    assert application.status == ApplicationStatus.REJECTED
    assert application.decision_reason == "Документы не соответствуют ИНН"
    assert application.events.last().reason == "Документы не соответствуют ИНН"
    assert services.start_application(applicant=user).pk != application.pk


def test_approval_fails_cleanly_when_the_store_address_was_taken_meanwhile(user, moderator, seller):
    application = in_review_application(user, moderator)
    SellerApplication.objects.filter(pk=application.pk).update(store_slug=seller.storefront.slug)

    with pytest.raises(StoreAddressTaken):
        services.approve_application(application=application, actor=moderator, confirmed_checks=ReviewCheck.values)

    application.refresh_from_db()
    assert application.status == ApplicationStatus.IN_REVIEW
    assert not Seller.objects.filter(user=user).exists()
