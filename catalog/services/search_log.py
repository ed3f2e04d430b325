"""Anonymous search-query statistics for sellers' insights (spec 33).

Each search (the first page of results, not a filter change) counts its normalised query in Redis, one script
call, whether the page was rendered or served from the shared page cache; a rendered page also
notes the query's main category and whether it found nothing. Nothing about the visitor is kept. Every hour the
day's counters are written to PostgreSQL (`SearchQueryStat`), as totals, so a repeated or overlapping run writes
the same rows; Redis keeps each day's counters for three days.
"""

from __future__ import annotations

import datetime
import functools
import logging

import redis
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from catalog.models import Category, SearchQueryStat

logger = logging.getLogger(__name__)

MAX_LENGTH = 100
KEEP_SECONDS = 3 * 86400
# A query is kept out of the counters when it looks like something personal was typed (a phone, an e-mail).
PERSONAL_DIGITS = 7


# One round trip and one command per search: count the query, note where it leads when the page knows, and keep
# the day's keys three days. KEYS: counts, categories, zeros; ARGV: query, category ("" unknown), zero, seconds.
_RECORD = """
redis.call('HINCRBY', KEYS[1], ARGV[1], 1)
if ARGV[2] ~= '' then
  redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
  redis.call('HSET', KEYS[3], ARGV[1], ARGV[3])
end
for i = 1, 3 do redis.call('EXPIRE', KEYS[i], ARGV[4]) end
"""


@functools.cache
def _client() -> redis.Redis:
    return redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=0.5, socket_timeout=0.5)


@functools.cache
def _record_script():
    return _client().register_script(_RECORD)


def normalise(query: str) -> str:
    """Lower case, single spaces, at most 100 characters; "" for what is not worth counting."""
    text = " ".join(str(query or "").lower().split())[:MAX_LENGTH]
    if not text or "@" in text or sum(char.isdigit() for char in text) >= PERSONAL_DIGITS:
        return ""
    return text


def _keys(day: datetime.date) -> tuple[str, str, str]:
    prefix = f"{settings.MARKETPLACE_SEARCH_LOG_PREFIX}:{day:%Y%m%d}"
    return f"{prefix}:n", f"{prefix}:cat", f"{prefix}:zero"


def record(query: str, *, category_id: int | None = None, zero: bool | None = None) -> None:
    """Count one search; with what a rendered page learnt, note where the query leads. Never fails a page."""
    text = normalise(query)
    if not text:
        return
    known = "" if zero is None else str(category_id or 0)
    try:
        _record_script()(keys=_keys(timezone.localdate()), args=[text, known, int(bool(zero)), KEEP_SECONDS])
    except redis.RedisError:
        logger.warning("search statistics unavailable", exc_info=True)


def flush(*, days: int = 2) -> int:
    """Write the last `days` days' counters to PostgreSQL (totals, so running it again changes nothing)."""
    written = 0
    today = timezone.localdate()
    for back in range(days):
        written += _flush_day(today - datetime.timedelta(days=back))
    return written


@transaction.atomic
def _flush_day(day: datetime.date) -> int:
    counts_key, categories_key, zeros_key = _keys(day)
    client = _client()
    counts = client.hgetall(counts_key)
    if not counts:
        return 0
    categories = client.hgetall(categories_key)
    zeros = client.hgetall(zeros_key)
    known = set(Category.objects.values_list("pk", flat=True))
    rows = []
    for raw, searches in counts.items():
        category_id = int(categories.get(raw, 0) or 0)
        rows.append(
            SearchQueryStat(
                day=day,
                query=raw.decode()[:MAX_LENGTH],
                searches=int(searches),
                category_id=category_id if category_id in known else None,
                zero_results=zeros.get(raw) == b"1",
            )
        )
    SearchQueryStat.objects.bulk_create(
        rows,
        batch_size=1000,
        update_conflicts=True,
        unique_fields=["day", "query"],
        update_fields=["searches", "category", "zero_results"],
    )
    return len(rows)
