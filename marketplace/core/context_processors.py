from collections import defaultdict

from django.conf import settings
from django.http import HttpRequest


def site(request: HttpRequest) -> dict:
    return {
        "SUPPORT_EMAIL": settings.MARKETPLACE_SUPPORT_EMAIL,
        "SUPPORT_PHONE": settings.MARKETPLACE_SUPPORT_PHONE,
        "DEBUG": settings.DEBUG,
        # each query parameter as asked (its last value, "" when absent): `{{ asked.q }}` is a plain lookup, where
        # `request.GET.q` on a page without it cost a failed one (a KeyError, an attribute lookup and a dir() of
        # the QueryDict: 13 µs each; a catalogue page had 8-10)
        "asked": defaultdict(str, request.GET.items()),
    }
