"""Beat entry points (thin: the services do the work and are idempotent)."""

from celery import shared_task

from disputes import services


@shared_task(acks_late=True)
def process_due_disputes() -> int:
    """Every few minutes: a silent seller's dispute escalates, a silent buyer's closes, returns are refunded."""
    return services.process_due_disputes()


@shared_task(acks_late=True)
def notify_unread_messages() -> int:
    """Every few minutes: e-mail about messages still unread after the configured delay."""
    return services.notify_unread_messages()


@shared_task(acks_late=True)
def compute_risk_signals() -> int:
    """Every hour: recompute the risk signals moderators review (nothing acts on them automatically)."""
    return services.compute_risk_signals()
