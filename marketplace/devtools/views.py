"""DEBUG-only developer pages: the mailbox of e-mails `make run` wrote to .var/mail/ (no real mail is sent).

A newcomer signs up, opens the mailbox and clicks the verification link. The URLs are included only when
DEBUG is on, and every view answers 404 otherwise as a second lock.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from marketplace.notifications import mailbox


def debug_only(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not settings.DEBUG:
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


@require_GET
@login_not_required
@never_cache
@debug_only
def mail_list(request: HttpRequest) -> HttpResponse:
    return TemplateResponse(
        request, "devtools/mail_list.html", {"messages_": mailbox.list_mail(), "directory": mailbox.mail_dir()}
    )


@require_GET
@login_not_required
@never_cache
@debug_only
def mail_detail(request: HttpRequest, name: str) -> HttpResponse:
    mail = mailbox.read_mail(name)
    if mail is None:
        raise Http404
    return TemplateResponse(request, "devtools/mail_detail.html", {"mail": mail})


@require_GET
@login_not_required
@never_cache
@debug_only
def mail_raw(request: HttpRequest, name: str) -> HttpResponse:
    data = mailbox.raw_mail(name)
    if data is None:
        raise Http404
    # Plain text, never rendered: the raw message (headers, both parts) exactly as it would be sent.
    return HttpResponse(data, content_type="text/plain; charset=utf-8")
