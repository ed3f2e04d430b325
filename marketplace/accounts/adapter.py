"""allauth hooks: store the language of the signup, welcome new users, send security alerts through the outbox."""

from __future__ import annotations

import contextlib

from allauth.account.adapter import DefaultAccountAdapter
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils import translation


class AccountAdapter(DefaultAccountAdapter):
    def save_user(self, request: HttpRequest, user, form, commit: bool = True):
        user = super().save_user(request, user, form, commit=False)
        user.language = (translation.get_language() or "ru")[:2]
        if commit:
            user.save()
        return user

    def confirm_email(self, request: HttpRequest, email_address) -> bool:
        """After the first confirmed address, welcome the new user (once: the dedupe key)."""
        confirmed = super().confirm_email(request, email_address)
        if confirmed:
            from marketplace.notifications import services as notifications

            notifications.notify(recipient=email_address.user, kind="welcome", dedupe_key="welcome")
        return confirmed

    def send_notification_mail(self, template_prefix: str, user, context: dict | None = None, email=None) -> None:
        """allauth's security alerts (password or e-mail changed, 2FA on or off) go through the notification
        outbox: in the user's language, retried while mail is down, and shown in the notification centre.
        Verification and password-reset mails (send_mail) stay synchronous."""
        from allauth.account import app_settings as account_settings

        from marketplace.notifications import services as notifications

        if not account_settings.EMAIL_NOTIFICATIONS:
            return
        request = getattr(self, "request", None)
        alert = {"event": template_prefix.rsplit("/", 1)[-1], "ip": "", "user_agent": ""}
        if request is not None:
            with contextlib.suppress(PermissionDenied):  # no client address (a management command, a test)
                alert["ip"] = self.get_client_ip(request)
            alert["user_agent"] = self.get_http_user_agent(request)[:200]
        for key in ("from_email", "to_email", "deleted_email"):
            if context and context.get(key):
                alert[key] = str(context[key])
        notifications.notify(recipient=user, kind="account_security", context=alert, email=email)
