from django.conf import settings
from django.http import HttpRequest


def site(request: HttpRequest) -> dict:
    return {
        "SUPPORT_EMAIL": settings.MARKETPLACE_SUPPORT_EMAIL,
        "SUPPORT_PHONE": settings.MARKETPLACE_SUPPORT_PHONE,
        "DEBUG": settings.DEBUG,
    }
