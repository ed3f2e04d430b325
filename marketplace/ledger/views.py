"""Provider webhooks. Signed requests from acquirers, not from browsers: no session, no CSRF token."""

from __future__ import annotations

import logging

from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from . import services
from .exceptions import InvalidWebhook, NoPaymentHook, UnknownProvider, WebhookMismatch

logger = logging.getLogger(__name__)


@csrf_exempt
@login_not_required
@require_POST
def payment_webhook(request: HttpRequest, provider: str) -> JsonResponse:
    """200 when processed or already seen; 400 when rejected (nothing written); 503 to be retried later."""
    try:
        outcome = services.receive_webhook(provider_name=provider, headers=request.headers, raw_body=request.body)
    except UnknownProvider as exc:
        raise Http404 from exc
    except (InvalidWebhook, WebhookMismatch) as exc:
        logger.warning("payment webhook from %s rejected: %s", provider, exc.message)
        return JsonResponse({"status": "rejected", "error": exc.code}, status=400)
    except NoPaymentHook:
        logger.exception("payment webhook from %s has no handler", provider)
        return JsonResponse({"status": "retry"}, status=503)
    return JsonResponse({"status": outcome.value})
