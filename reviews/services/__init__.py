"""Every write in the reviews app (split by sub-domain, re-exported here)."""

from . import standards
from .appeals import appeal_incident, strike_incident_on_upheld_appeal
from .moderation import change_review_status, review_checks
from .ratings import (
    decide_rating_flag,
    recompute_all,
    recompute_listings,
    recompute_sellers,
    relay_recomputes,
    request_recompute,
)
from .requests import process_review_request, schedule_review_requests, send_due_review_requests
from .reviews import (
    approve_review,
    contest_review,
    decide_contest,
    decide_report,
    edit_product_review,
    edit_reply,
    reject_review,
    reply_to_review,
    report_review,
    restore_review,
    vote_helpful,
    write_product_review,
    write_seller_review,
)
from .standards import apply_due_standards, change_standards

__all__ = [
    "appeal_incident",
    "apply_due_standards",
    "approve_review",
    "change_review_status",
    "change_standards",
    "contest_review",
    "decide_contest",
    "decide_rating_flag",
    "decide_report",
    "edit_product_review",
    "edit_reply",
    "process_review_request",
    "recompute_all",
    "recompute_listings",
    "recompute_sellers",
    "reject_review",
    "relay_recomputes",
    "reply_to_review",
    "report_review",
    "request_recompute",
    "restore_review",
    "review_checks",
    "schedule_review_requests",
    "send_due_review_requests",
    "standards",
    "strike_incident_on_upheld_appeal",
    "vote_helpful",
    "write_product_review",
    "write_seller_review",
]
