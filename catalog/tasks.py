"""Celery entry points for the catalogue: ids in, one service call each."""

from __future__ import annotations

from celery import shared_task

from catalog.services import checks, dictionary, digest, imports, photos, pricing, rank_watch, search_log, sync


@shared_task(acks_late=True)
def make_photo_thumbnails(photo_id: int) -> None:
    """WebP renditions of one photo; a second run finds them made and does nothing."""
    photos.make_thumbnails(photo_id=photo_id)


@shared_task(acks_late=True)
def make_missing_thumbnails() -> int:
    """Every few minutes: renditions for photos whose own task was lost or failed."""
    return photos.make_missing_thumbnails()


@shared_task(acks_late=True)
def rebuild_search_dictionary() -> int:
    """Nightly: recount the words typo/layout/transliteration corrections choose from."""
    return dictionary.rebuild()


@shared_task(acks_late=True)
def refresh_honest_old_prices() -> int:
    """Hourly: old prices that no longer meet the honest-discount rule stop being shown."""
    return pricing.refresh_honest_old_prices()


@shared_task(acks_late=True)
def apply_due_promos() -> int:
    """Every minute: promo prices start and end on time."""
    return pricing.apply_due_promos()


@shared_task(acks_late=True)
def flush_search_log() -> int:
    """Hourly: the day's search counters from Redis into PostgreSQL (totals: safe to repeat)."""
    return search_log.flush()


@shared_task(acks_late=True)
def record_search_positions() -> int:
    """Every morning: where each followed listing stands for its query (safe to repeat the same day)."""
    return rank_watch.record_positions()


@shared_task(acks_late=True)
def request_listing_checks() -> dict[str, int]:
    """Every morning: ask sellers to check stale listings; lower the score of checks left undone (idempotent)."""
    asked, overdue = checks.request_listing_checks()
    return {"asked": asked, "overdue": overdue}


@shared_task(acks_late=True)
def run_import(job_id: int) -> None:
    """Check (and write) one uploaded import file; a finished job is left alone."""
    imports.run_import(job_id=job_id)


@shared_task(acks_late=True)
def requeue_stalled_imports() -> int:
    """Every 10 minutes: imports still waiting or running after a while get their message again."""
    return imports.requeue_stalled_imports()


@shared_task(acks_late=True)
def run_offer_sync(sync_id: int) -> None:
    """Apply one kept YML file's offers part by part; a finished sync is left alone, a stopped one resumes."""
    sync.run_file_sync(sync_id=sync_id)


@shared_task(acks_late=True)
def requeue_stalled_offer_syncs() -> int:
    """Every 10 minutes: file syncs still waiting or running after a while get their message again."""
    return sync.requeue_stalled_syncs()


@shared_task(acks_late=True)
def send_follow_digests() -> int:
    """Daily: new arrivals from the sellers and categories each buyer follows."""
    return digest.send_follow_digests()
