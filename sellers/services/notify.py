"""What sellers' services tell people, through the notifications outbox (rows written in the caller's transaction).

Kinds and their templates are registered in sellers/notification_kinds.py.
"""

from __future__ import annotations

from django.utils import timezone

from marketplace.notifications import services as notifications


def _send(recipients, kind: str, context: dict, dedupe_key: str = "") -> None:
    seen = set()
    for recipient in recipients:
        if recipient is None or recipient.pk in seen:
            continue
        seen.add(recipient.pk)
        notifications.notify(
            recipient=recipient,
            kind=kind,
            context=context,
            dedupe_key=f"{dedupe_key}:{recipient.pk}" if dedupe_key else "",
        )


def _application_context(application) -> dict:
    return {
        "application_id": application.pk,
        "store_name": application.store_name,
        "legal_name": application.legal_name,
        "reason": application.decision_reason,
    }


def application_submitted(application) -> None:
    _send([application.applicant], "seller_application_submitted", _application_context(application))


def application_changes_requested(application) -> None:
    context = _application_context(application)
    context["fields"] = [
        {"field": request.get_field_display(), "message": request.message}
        for request in application.change_requests.filter(resolved_at__isnull=True).order_by("pk")
    ]
    _send([application.applicant], "seller_application_changes_requested", context)


def application_approved(application, seller) -> None:
    context = {**_application_context(application), "storefront_slug": seller.storefront.slug}
    _send([application.applicant], "seller_application_approved", context)


def application_rejected(application) -> None:
    _send([application.applicant], "seller_application_rejected", _application_context(application))


def sanction_applied(sanction) -> None:
    context = {
        "sanction_id": sanction.pk,
        "level": sanction.get_level_display(),
        "rule": sanction.rule,
        "reason": sanction.reason,
        "expires_at": timezone.localtime(sanction.expires_at).isoformat() if sanction.expires_at else "",
    }
    _send([sanction.seller.user], "seller_sanction_applied", context, dedupe_key=f"sanction:{sanction.pk}:applied")


def sanction_lifted(sanction) -> None:
    context = {"sanction_id": sanction.pk, "level": sanction.get_level_display(), "reason": sanction.lift_reason}
    _send([sanction.seller.user], "seller_sanction_lifted", context, dedupe_key=f"sanction:{sanction.pk}:lifted")


def offer_paused(seller, offer) -> None:
    context = {"version": offer.version, "title": offer.title_ru}
    _send([seller.user], "seller_offer_paused", context, dedupe_key=f"offer:{offer.pk}:paused:{seller.pk}")


def bank_change_decided(change) -> None:
    context = {
        "change_id": change.pk,
        "status": change.status,
        "status_label": change.get_status_display(),
        "reason": change.decision_reason,
        "account_tail": change.settlement_account[-4:],
    }
    _send([change.seller.user, change.requested_by], "seller_bank_change_decided", context)


def team_invitation(invitation) -> None:
    """E-mail the invited address. The inviter is the notification's recipient; the address is overridden."""
    context = {
        "store_name": invitation.seller.storefront.name,
        "role": invitation.get_role_display(),
        "inviter": invitation.invited_by.display_name,
        "token": invitation.token,
        "expires_at": timezone.localtime(invitation.expires_at).isoformat(),
    }
    notifications.notify(
        recipient=invitation.invited_by,
        kind="seller_team_invitation",
        context=context,
        email=invitation.email,
        dedupe_key=f"invitation:{invitation.pk}",
    )


def _case_recipients(case):
    return [case.seller.user, case.opened_by]


def case_answered(case) -> None:
    context = {"case_id": case.pk, "subject": case.subject}
    _send(_case_recipients(case), "seller_case_answered", context)


def case_decided(case) -> None:
    context = {
        "case_id": case.pk,
        "subject": case.subject,
        "status": case.status,
        "status_label": case.get_status_display(),
        "decision": case.decision,
    }
    _send(_case_recipients(case), "seller_case_decided", context, dedupe_key=f"case:{case.pk}:decided")


def announcement(announcement, seller) -> None:
    context = {
        "announcement_id": announcement.pk,
        "title": announcement.title,
        "requires_acknowledgement": announcement.requires_acknowledgement,
    }
    _send([seller.user], "seller_announcement", context, dedupe_key=f"announcement:{announcement.pk}")
