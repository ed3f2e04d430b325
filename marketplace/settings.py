"""The only settings module. Every deploy-specific value comes from the environment (see .env.example)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import environ
from celery.schedules import crontab
from csp.constants import NONCE, NONE, SELF
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env")  # optional local file; real environment variables win

# CORE ---------------------------------------------------------------------------------------------
DEBUG = env.bool("DJANGO_DEBUG", default=False)
if DEBUG:
    SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="insecure-dev-only-key-do-not-use-in-production")
else:
    SECRET_KEY = env.str("DJANGO_SECRET_KEY")  # required: fail at start-up, not at the first request
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])
SITE_ID = 1
SITE_URL = env.str("MARKETPLACE_SITE_URL", default="http://127.0.0.1:8000")
ROOT_URLCONF = "marketplace.urls"
WSGI_APPLICATION = "marketplace.wsgi.application"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# APPS ---------------------------------------------------------------------------------------------
INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.sites",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "django_filters",
    "django_htmx",
    "template_partials",
    "csp",
    # platform
    "marketplace.core",
    "marketplace.accounts",
    "marketplace.legal",
    "marketplace.notifications",
    "marketplace.ledger",
    "marketplace.audit",
    "marketplace.devtools",
    # domain
    "sellers",
    "buyers",
    "catalog",
    "orders",
    "reviews",
    "disputes",
]

# MIDDLEWARE ---------------------------------------------------------------------------------------
MIDDLEWARE = [
    "marketplace.core.middleware.RequestLogMiddleware",
    "marketplace.core.middleware.DatabaseOutageMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "marketplace.accounts.middleware.StaffMFARequiredMiddleware",
    "marketplace.legal.middleware.TermsAcceptanceMiddleware",
    "orders.middleware.CartMergeMiddleware",  # an anonymous cart joins the account after login
]

TEMPLATES = [
    {
        "BACKEND": "marketplace.core.template_engine.DjangoTemplates",  # Django's, keeping constant tags' output
        "NAME": "django",  # the alias Django's own backend has (template_partials wraps this engine's loaders)
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "csp.context_processors.nonce",
                "marketplace.core.context_processors.site",
                "orders.context_processors.cart",
                "marketplace.core.pagecache.context_processor",  # last: replaces the CSRF token while caching
            ],
            "builtins": ["django.templatetags.i18n"],
        },
    },
]

# DATABASE -----------------------------------------------------------------------------------------
DATABASES = {"default": env.db_url("DATABASE_URL")}  # `make run` / `make test` export it
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DB_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DATABASES["default"].setdefault("OPTIONS", {})
DATABASES["default"]["OPTIONS"].setdefault("connect_timeout", env.int("DB_CONNECT_TIMEOUT", default=5))
# The hottest reads by key run as server-side prepared statements (marketplace/core/db.py); turn off behind a
# transaction-pooling PgBouncer without max_prepared_statements (older than 1.21).
DB_PREPARED_STATEMENTS = env.bool("DB_PREPARED_STATEMENTS", default=True)

# CACHE / SESSIONS (PostgreSQL, so logins and rate limits survive a Redis outage) -----------------
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "marketplace_cache",
        "OPTIONS": {"MAX_ENTRIES": 50_000},
    },
    # Public pages for anonymous visitors (marketplace/core/pagecache.py), shared by every web process.
    "pages": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": env.str("REDIS_URL"),
        "KEY_PREFIX": "mp",
        # A slow or unreachable Redis must not hold pages up: give up quickly and render without the cache.
        "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
    },
    # Template fragments that are the same for every visitor ({% cache … using="fragments" %}), kept per process.
    "fragments": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "fragments"},
}
# Seconds an anonymous visitor may see a catalogue page that is that old (0 turns the page cache off).
MARKETPLACE_PAGE_CACHE_SECONDS = env.int("MARKETPLACE_PAGE_CACHE_SECONDS", default=30)
SESSION_ENGINE = "marketplace.accounts.sessions"  # Django's database sessions, read by a prepared statement
SESSION_COOKIE_AGE = 60 * 60 * 24 * 14

# AUTH / ALLAUTH -----------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
ACCOUNT_LOGOUT_REDIRECT_URL = "home"
ACCOUNT_ADAPTER = "marketplace.accounts.adapter.AccountAdapter"
ACCOUNT_FORMS = {"signup": "marketplace.accounts.forms.SignupForm"}
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_CHANGE_EMAIL = True
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_PRESERVE_USERNAME_CASING = False
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Marketplace] "
# Security alerts (password or e-mail changed, 2FA on/off) go through the notification outbox: accounts.adapter.
ACCOUNT_EMAIL_NOTIFICATIONS = True
# allauth rate limits; counters live in the default cache (PostgreSQL), so they hold while Redis is down.
# "5/5m/key" = five per five minutes per login key. `login_failed` also limits MFA codes (key: the user) and
# applies to the admin login, which goes through allauth (marketplace/urls.py).
ACCOUNT_RATE_LIMITS = {
    "login_failed": env.str("MARKETPLACE_RATE_LOGIN_FAILED", default="10/m/ip,5/5m/key"),
    "login": "30/m/ip",
    "signup": "20/m/ip",
    "confirm_email": "1/3m/key",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "change_password": "5/m/user",
    "manage_email": "10/m/user",
    "reauthenticate": "10/m/user",
}
# Behind N reverse proxies the client address is the Nth from the right in X-Forwarded-For; with 0 it is
# REMOTE_ADDR. Per-IP limits and the IP kept with a terms acceptance depend on it.
ALLAUTH_TRUSTED_PROXY_COUNT = env.int("MARKETPLACE_TRUSTED_PROXY_COUNT", default=0)
MFA_ADAPTER = "marketplace.accounts.mfa.MFAAdapter"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = env.str("MARKETPLACE_MFA_ISSUER", default="Marketplace")
MFA_RECOVERY_CODE_COUNT = 10
MFA_TOTP_TOLERANCE = 1  # accept the previous/next 30 s code: clocks drift and people type slowly
MARKETPLACE_STAFF_MFA_REQUIRED = env.bool("MARKETPLACE_STAFF_MFA_REQUIRED", default=True)

# I18N ---------------------------------------------------------------------------------------------
LANGUAGE_CODE = "ru"
LANGUAGES = [("ru", _("Russian")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "marketplace" / "locale"]
TIME_ZONE = "Europe/Moscow"
USE_I18N = True
USE_TZ = True
LANGUAGE_COOKIE_NAME = "marketplace_language"
LANGUAGE_COOKIE_AGE = 60 * 60 * 24 * 365
LANGUAGE_COOKIE_SAMESITE = "Lax"

# STATIC / MEDIA -----------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = env.path("DJANGO_STATIC_ROOT", default=BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("DJANGO_MEDIA_ROOT", default=BASE_DIR / ".var" / "media")
PRIVATE_MEDIA_ROOT = env.path("MARKETPLACE_PRIVATE_MEDIA_ROOT", default=BASE_DIR / ".var" / "private")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": env.str(
            "DJANGO_STATICFILES_STORAGE",
            default="django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage",
        )
    },
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 5000

# SECURITY / CSP -----------------------------------------------------------------------------------
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env.bool("DJANGO_BEHIND_PROXY", default=False) else None
)
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=0 if DEBUG else 60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}

# EMAIL --------------------------------------------------------------------------------------------
EMAIL_URL = env.str(
    "EMAIL_URL", default="filemail://" + str(BASE_DIR / ".var" / "mail") if DEBUG else "smtp://localhost:25"
)
_email = env.email_url_config(EMAIL_URL)
if EMAIL_URL.startswith("filemail:"):
    # One .eml file per message, so the DEBUG mailbox page can list and open them.
    _email["EMAIL_BACKEND"] = "marketplace.notifications.mailbox.EmlFileBackend"
    # django-environ drops the leading "/" of filemail:///abs/path; a relative folder is relative to BASE_DIR.
    _email["EMAIL_FILE_PATH"] = str(BASE_DIR / EMAIL_URL.removeprefix("filemail://").split("?", 1)[0])
vars().update(_email)
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)
DEFAULT_FROM_EMAIL = env.str("DJANGO_DEFAULT_FROM_EMAIL", default="Marketplace <noreply@marketplace.local>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
MARKETPLACE_MAIL_DIR = Path(_email.get("EMAIL_FILE_PATH") or BASE_DIR / ".var" / "mail")

# CELERY -------------------------------------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL")
CELERY_BROKER_URL = REDIS_URL
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600, "socket_connect_timeout": 3}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_TIME_LIMIT = 600
CELERY_TASK_SOFT_TIME_LIMIT = 540
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE_FILENAME = env.str(
    "CELERY_BEAT_SCHEDULE_FILENAME", default=str(BASE_DIR / ".var" / "celerybeat-schedule")
)
CELERY_BEAT_SCHEDULE = {
    # every minute: re-enqueue outbox e-mails that are due (lost messages, crashed workers, quiet hours over)
    "notifications-relay": {
        "task": "marketplace.notifications.tasks.relay_pending_deliveries",
        "schedule": 60.0,
    },
    # nightly: delete read in-app notifications older than the retention period
    "notifications-cleanup": {
        "task": "marketplace.notifications.tasks.purge_old_notifications",
        "schedule": crontab(hour=3, minute=30),
    },
    # sellers: hourly, lift sanctions past their expiry and expire old team invitations
    "sellers-lift-expired-sanctions": {"task": "sellers.tasks.lift_expired_sanctions", "schedule": crontab(minute=5)},
    "sellers-expire-invitations": {"task": "sellers.tasks.expire_invitations", "schedule": crontab(minute=15)},
    # sellers: every 15 minutes, pause listings of sellers who did not accept a seller offer now in force
    "sellers-pause-without-offer": {"task": "sellers.tasks.pause_sellers_without_current_offer", "schedule": 900.0},
    # sellers: every 15 minutes, announce a newly published seller offer version to those who must accept it
    "sellers-announce-offer": {"task": "sellers.tasks.announce_new_seller_offer", "schedule": 900.0},
    # sellers: nightly, close decided cases the seller left open
    "sellers-close-stale-cases": {"task": "sellers.tasks.close_stale_cases", "schedule": crontab(hour=4, minute=10)},
    # every minute: send card refunds and payouts whose (re)try is due; re-send overdue sandbox webhooks
    "ledger-relay-refunds": {"task": "marketplace.ledger.tasks.relay_refunds", "schedule": 60.0},
    "ledger-relay-payouts": {"task": "marketplace.ledger.tasks.relay_payouts", "schedule": 60.0},
    "ledger-relay-sandbox-webhooks": {"task": "marketplace.ledger.tasks.relay_sandbox_webhooks", "schedule": 60.0},
    # every 10 minutes: ask the bank about sent payouts, confirm or fail them
    "ledger-poll-payouts": {"task": "marketplace.ledger.tasks.poll_sent_payouts", "schedule": 600.0},
    # orders: every minute, expire unpaid checkouts (stock back) and act on order/return deadlines that are due
    "orders-expire-unpaid": {"task": "orders.tasks.expire_unpaid_groups", "schedule": 60.0},
    "orders-process-deadlines": {"task": "orders.tasks.process_due_deadlines", "schedule": 60.0},
    # orders: hourly, each listing's orders in the last 30 days (the "popular" sort and shelf, search's window)
    "orders-refresh-popularity": {"task": "orders.tasks.refresh_listing_popularity", "schedule": crontab(minute=20)},
    # orders: weekly (Monday 06:00), pay sellers their available balance to the verified bank account
    "orders-weekly-payouts": {
        "task": "orders.tasks.weekly_payouts",
        "schedule": crontab(hour=6, minute=0, day_of_week=1),
    },
    # catalog: every 10 minutes, WebP renditions for photos whose own task was lost (e.g. with the broker)
    "catalog-missing-thumbnails": {"task": "catalog.tasks.make_missing_thumbnails", "schedule": 600.0},
    # catalog: every 10 minutes, imports whose message was lost (or whose worker died) are sent again
    "catalog-stalled-imports": {"task": "catalog.tasks.requeue_stalled_imports", "schedule": 600.0},
    "catalog-stalled-offer-syncs": {"task": "catalog.tasks.requeue_stalled_offer_syncs", "schedule": 600.0},
    # catalog: nightly, recount the search dictionary that typo/layout/transliteration corrections use
    "catalog-search-dictionary": {
        "task": "catalog.tasks.rebuild_search_dictionary",
        "schedule": crontab(hour=3, minute=10),
    },
    # catalog: hourly, stop showing old prices that no longer meet the honest-discount rule
    "catalog-honest-old-prices": {
        "task": "catalog.tasks.refresh_honest_old_prices",
        "schedule": crontab(minute=5),
    },
    # catalog: hourly, the anonymous search-query counters from Redis into PostgreSQL (sellers' insights)
    "catalog-search-log": {"task": "catalog.tasks.flush_search_log", "schedule": crontab(minute=25)},
    # catalog: every morning, where each listing a seller follows stands in the search for its query
    "catalog-search-positions": {
        "task": "catalog.tasks.record_search_positions",
        "schedule": crontab(hour=6, minute=30),
    },
    # catalog: every minute, start the promo prices whose time has come and end those that are over
    "catalog-apply-promos": {"task": "catalog.tasks.apply_due_promos", "schedule": 60.0},
    # catalog: every morning, ask sellers to check stale listings, and lower the score of checks left undone
    "catalog-listing-checks": {"task": "catalog.tasks.request_listing_checks", "schedule": crontab(hour=7, minute=40)},
    # catalog: every morning, the digest of new arrivals for buyers following sellers and categories
    "catalog-follow-digests": {"task": "catalog.tasks.send_follow_digests", "schedule": crontab(hour=10, minute=0)},
    # reviews: every minute, deliver the rating recompute outbox (lost nudges) and pick up new order incidents
    "reviews-relay-recomputes": {"task": "reviews.tasks.relay_rating_recomputes", "schedule": 60.0},
    "reviews-new-incidents": {"task": "reviews.tasks.request_recompute_for_new_incidents", "schedule": 900.0},
    # reviews: seller standards announced for a later date take effect (every seller's rating recomputed)
    "reviews-due-standards": {"task": "reviews.tasks.apply_due_standards", "schedule": 300.0},
    # reviews: nightly, every listing aggregate and seller rating from the source (and the daily history row)
    "reviews-recompute-all": {"task": "reviews.tasks.recompute_all_ratings", "schedule": crontab(hour=2, minute=30)},
    # reviews: hourly, review requests N days after delivery and the single reminder
    "reviews-requests": {"task": "reviews.tasks.send_review_requests", "schedule": crontab(minute=25)},
    # disputes: every 5 minutes, escalate disputes the seller left unanswered, close those the buyer abandoned,
    # refund returns whose receipt is assumed, assign escalated disputes round-robin
    "disputes-process-deadlines": {"task": "disputes.tasks.process_due_disputes", "schedule": 300.0},
    # messaging: every 5 minutes, e-mail recipients of messages still unread after the configured delay
    "messaging-unread-emails": {"task": "disputes.tasks.notify_unread_messages", "schedule": 300.0},
    # risk signals: every hour, recompute the patterns moderators review (spec 158; nothing acts automatically)
    "disputes-risk-signals": {"task": "disputes.tasks.compute_risk_signals", "schedule": 3600.0},
}

# LOGGING ------------------------------------------------------------------------------------------
LOG_LEVEL = env.str("DJANGO_LOG_LEVEL", default="INFO")
LOG_FORMAT = env.str("DJANGO_LOG_FORMAT", default="text" if DEBUG else "json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "marketplace.core.logging.RequestIdFilter"}},
    "formatters": {
        "json": {"()": "marketplace.core.logging.JsonFormatter"},
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT, "filters": ["request_id"]},
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.server": {"level": "WARNING"},  # the request log below replaces runserver's access lines
        "django.db.backends": {"level": "INFO"},
        "marketplace.requests": {"level": "INFO"},
    },
}

# MARKETPLACE --------------------------------------------------------------------------------------
MARKETPLACE_SUPPORT_EMAIL = env.str("MARKETPLACE_SUPPORT_EMAIL", default="support@marketplace.local")
MARKETPLACE_SUPPORT_PHONE = env.str("MARKETPLACE_SUPPORT_PHONE", default="+7 (800) 555-35-35")
MARKETPLACE_HEALTH_TIMEOUT = env.float("MARKETPLACE_HEALTH_TIMEOUT", default=2.0)
MARKETPLACE_NOTIFICATION_MAX_ATTEMPTS = env.int("MARKETPLACE_NOTIFICATION_MAX_ATTEMPTS", default=8)
MARKETPLACE_NOTIFICATION_RETENTION_DAYS = env.int("MARKETPLACE_NOTIFICATION_RETENTION_DAYS", default=180)
MARKETPLACE_QUIET_HOURS_DEFAULT = (22, 9)  # 22:00-09:00 in the recipient's time zone, when enabled
MARKETPLACE_MARKETING_WEEKLY_CAP = env.int("MARKETPLACE_MARKETING_WEEKLY_CAP", default=3)  # news/offers per user

# Catalogue: listings, photos, search and moderation
MARKETPLACE_CATALOG_DEFAULT_COMMISSION_PERCENT = env.str("MARKETPLACE_CATALOG_DEFAULT_COMMISSION_PERCENT", default="10")
MARKETPLACE_CATALOG_DEFAULT_RETURN_CLASS = env.str("MARKETPLACE_CATALOG_DEFAULT_RETURN_CLASS", default="days_7")
MARKETPLACE_CATALOG_PAGE_SIZE = 24
MARKETPLACE_CATALOG_COUNT_LIMIT = 10_000  # larger result sets are shown as "more than 10 000"
MARKETPLACE_CATALOG_MAX_PHOTOS = env.int("MARKETPLACE_CATALOG_MAX_PHOTOS", default=15)
MARKETPLACE_CATALOG_PHOTO_MIN_SIDE = env.int("MARKETPLACE_CATALOG_PHOTO_MIN_SIDE", default=900)  # px, short side
MARKETPLACE_CATALOG_PHOTO_MAX_BYTES = env.int("MARKETPLACE_CATALOG_PHOTO_MAX_BYTES", default=10 * 1024 * 1024)
MARKETPLACE_CATALOG_PHOTO_MAX_PIXELS = env.int("MARKETPLACE_CATALOG_PHOTO_MAX_PIXELS", default=40_000_000)
MARKETPLACE_CATALOG_HONEST_DISCOUNT_DAYS = env.int("MARKETPLACE_CATALOG_HONEST_DISCOUNT_DAYS", default=30)
# ...of which the price must have been charged for at least this many days to be shown struck through (spec 120).
MARKETPLACE_CATALOG_HONEST_DISCOUNT_MIN_DAYS = env.int("MARKETPLACE_CATALOG_HONEST_DISCOUNT_MIN_DAYS", default=14)
# Stale-listing reminders (spec 30): a published listing whose data the seller has not confirmed for CONFIRM_DAYS,
# or that COMPLAINTS buyers returned as "not as described" since, is to be checked; left unchecked for GRACE_DAYS,
# its quality score drops by PENALTY points until the seller confirms or edits it.
MARKETPLACE_CATALOG_CONFIRM_DAYS = env.int("MARKETPLACE_CATALOG_CONFIRM_DAYS", default=180)
MARKETPLACE_CATALOG_CHECK_COMPLAINTS = env.int("MARKETPLACE_CATALOG_CHECK_COMPLAINTS", default=3)
MARKETPLACE_CATALOG_CHECK_GRACE_DAYS = env.int("MARKETPLACE_CATALOG_CHECK_GRACE_DAYS", default=30)
MARKETPLACE_CATALOG_CHECK_PENALTY = env.int("MARKETPLACE_CATALOG_CHECK_PENALTY", default=20)
# The sellers' price and stock sync API (docs/api.md): requests a minute per key, and rows per request.
MARKETPLACE_API_REQUESTS_PER_MINUTE = env.int("MARKETPLACE_API_REQUESTS_PER_MINUTE", default=60)
MARKETPLACE_API_MAX_ROWS = env.int("MARKETPLACE_API_MAX_ROWS", default=1000)
# A YML file in the cabinet may hold this many offers; past MARKETPLACE_API_MAX_ROWS a worker applies it in parts.
MARKETPLACE_YML_MAX_OFFERS = env.int("MARKETPLACE_YML_MAX_OFFERS", default=50_000)
MARKETPLACE_SEARCH_LOG_PREFIX = "mp:sq"  # Redis keys of the day's search counters (catalog/services/search_log.py)
MARKETPLACE_CATALOG_AUTO_APPROVE = env.bool("MARKETPLACE_CATALOG_AUTO_APPROVE", default=False)
MARKETPLACE_CATALOG_PRICE_OUTLIER_PERCENT = env.int("MARKETPLACE_CATALOG_PRICE_OUTLIER_PERCENT", default=30)
MARKETPLACE_CATALOG_REPORTS_TO_HOLD = env.int("MARKETPLACE_CATALOG_REPORTS_TO_HOLD", default=3)
MARKETPLACE_CATALOG_LOW_STOCK_DEFAULT = 3
MARKETPLACE_CATALOG_IMPORT_MAX_ROWS = env.int("MARKETPLACE_CATALOG_IMPORT_MAX_ROWS", default=20_000)
MARKETPLACE_CATALOG_IMPORT_MAX_BYTES = env.int("MARKETPLACE_CATALOG_IMPORT_MAX_BYTES", default=20 * 1024 * 1024)
MARKETPLACE_CATALOG_IMPORT_REQUEUE_MINUTES = 10  # an import still waiting or running after this is sent again
MARKETPLACE_CATALOG_SEARCH_MIN_RESULTS = 3  # fewer full-text hits than this and the query is corrected
MARKETPLACE_CATALOG_SEARCH_PLAN_SECONDS = 60  # how a query is read (as typed, corrected…) is kept per process
# Sellers' standing in search relevance (sanctions, rating bands) is read again by each process after this long.
MARKETPLACE_CATALOG_SELLER_WEIGHTS_SECONDS = 60
MARKETPLACE_CATALOG_RECENTLY_VIEWED = 20
MARKETPLACE_CATALOG_HOME_CACHE_SECONDS = 60  # shelves (front page, a listing's similar ones) kept per process
# How often each process asks whether the category tree changed (0: on every request). A change made in the same
# process is seen at once, one made elsewhere (another worker, the admin on another server) within this time.
MARKETPLACE_CATALOG_TREE_CHECK_SECONDS = env.int("MARKETPLACE_CATALOG_TREE_CHECK_SECONDS", default=2)
# How long each process keeps which versions of the terms and privacy policy are in force (never past the moment a
# scheduled version takes effect; a version saved in the same process is seen at once, elsewhere within this time).
MARKETPLACE_TERMS_CHECK_SECONDS = env.int("MARKETPLACE_TERMS_CHECK_SECONDS", default=5)

# Sellers: onboarding, verification queue, cases (policy knobs; change here, reviewed like code)
MARKETPLACE_SELLER_REVIEW_SLA_HOURS = 48  # the verification queue flags applications waiting longer
MARKETPLACE_SELLER_DOCUMENT_MAX_BYTES = 10 * 1024 * 1024  # per uploaded document or case attachment
MARKETPLACE_SELLER_IMAGE_MAX_PIXELS = 40_000_000  # scans and logos; bigger images are refused as possible bombs
MARKETPLACE_SELLER_CASE_ANSWER_BUSINESS_DAYS = 5  # the platform answers a seller's case within this many working days
MARKETPLACE_SELLER_CASE_AUTOCLOSE_DAYS = 14  # a decided case the seller does not close is closed after this
MARKETPLACE_SELLER_INVITATION_TTL_DAYS = 7  # team invitation links expire after this
# Non-working days besides weekends for case deadlines (ISO dates; the production calendar of the year).
MARKETPLACE_SELLER_HOLIDAYS = [
    "2026-01-01", "2026-01-02", "2026-01-05", "2026-01-06", "2026-01-07", "2026-01-08", "2026-01-09",
    "2026-02-23", "2026-03-09", "2026-05-01", "2026-05-11", "2026-06-12", "2026-11-04", "2026-12-31",
]  # fmt: skip

# Ledger and payments (marketplace.ledger; docs/payments.md)
MARKETPLACE_PAYMENT_PROVIDER = env.str("MARKETPLACE_PAYMENT_PROVIDER", default="sandbox")  # for new payments
# The built-in sandbox acquirer (hosted test-card page under /sandbox-pay/). Turn it off once a real one is set up.
MARKETPLACE_PAYMENT_SANDBOX_ENABLED = env.bool("MARKETPLACE_PAYMENT_SANDBOX_ENABLED", default=True)
MARKETPLACE_PAYMENT_PROVIDERS: dict[str, str] = {}  # name (in webhook URLs, Payment.provider) → class; code, not env
if MARKETPLACE_PAYMENT_SANDBOX_ENABLED:
    MARKETPLACE_PAYMENT_PROVIDERS["sandbox"] = "marketplace.ledger.payments.sandbox.provider.SandboxProvider"
# Empty: derived from DJANGO_SECRET_KEY. Empty URL: MARKETPLACE_SITE_URL + /payments/webhook/sandbox/.
MARKETPLACE_PAYMENT_SANDBOX_WEBHOOK_SECRET = env.str("MARKETPLACE_PAYMENT_SANDBOX_WEBHOOK_SECRET", default="")
MARKETPLACE_PAYMENT_SANDBOX_WEBHOOK_URL = env.str("MARKETPLACE_PAYMENT_SANDBOX_WEBHOOK_URL", default="")
MARKETPLACE_PAYMENT_WEBHOOK_TOLERANCE = env.int("MARKETPLACE_PAYMENT_WEBHOOK_TOLERANCE", default=300)  # seconds
MARKETPLACE_PAYMENT_WEBHOOK_MAX_ATTEMPTS = env.int("MARKETPLACE_PAYMENT_WEBHOOK_MAX_ATTEMPTS", default=10)
MARKETPLACE_PAYMENT_REFUND_MAX_ATTEMPTS = env.int("MARKETPLACE_PAYMENT_REFUND_MAX_ATTEMPTS", default=8)
MARKETPLACE_LEDGER_PAYOUT_MINIMUM = env.str("MARKETPLACE_LEDGER_PAYOUT_MINIMUM", default="500.00")  # RUB
MARKETPLACE_LEDGER_PAYOUT_MAX_ATTEMPTS = env.int("MARKETPLACE_LEDGER_PAYOUT_MAX_ATTEMPTS", default=8)
MARKETPLACE_LEDGER_PAYOUT_GATEWAY = env.str(
    "MARKETPLACE_LEDGER_PAYOUT_GATEWAY", default="marketplace.ledger.payments.sandbox.payouts.SandboxPayoutGateway"
)

# Orders: checkout, deadlines, returns (issue 5; times in the units the names say)
MARKETPLACE_ORDER_PAYMENT_MINUTES = env.int("MARKETPLACE_ORDER_PAYMENT_MINUTES", default=15)  # unpaid → expired
MARKETPLACE_ORDER_CONFIRM_HOURS = env.int("MARKETPLACE_ORDER_CONFIRM_HOURS", default=24)  # else cancelled, refunded
MARKETPLACE_ORDER_AUTO_DELIVER_DAYS = env.int("MARKETPLACE_ORDER_AUTO_DELIVER_DAYS", default=14)  # after shipping
MARKETPLACE_ORDER_RETURN_DECISION_HOURS = env.int("MARKETPLACE_ORDER_RETURN_DECISION_HOURS", default=48)
MARKETPLACE_ORDER_RETURN_RECEIPT_DAYS = env.int("MARKETPLACE_ORDER_RETURN_RECEIPT_DAYS", default=14)
MARKETPLACE_ORDER_MAX_QUANTITY = 99  # per cart line
MARKETPLACE_ORDER_MIN_RETURN_DAYS = 7  # ЗоЗПП art. 26.1: at least 7 days for goods bought at a distance
MARKETPLACE_ORDER_NO_NOTICE_RETURN_DAYS = 90  # without the written return notice: 3 months
MARKETPLACE_ORDER_DEFECT_RETURN_DAYS = 730  # defects: 2 years when no warranty is set

# Reviews and ratings (issue 6; the rating formula's own constants live in reviews/services/ratings.py)
# true: every review waits for a moderator; false: reviews passing the automatic checks publish at once.
MARKETPLACE_REVIEW_PREMODERATION = env.bool("MARKETPLACE_REVIEW_PREMODERATION", default=False)
MARKETPLACE_REVIEW_REQUEST_DAYS = env.int("MARKETPLACE_REVIEW_REQUEST_DAYS", default=3)  # after delivery
MARKETPLACE_REVIEW_REMINDER_DAYS = env.int("MARKETPLACE_REVIEW_REMINDER_DAYS", default=7)  # after the request
MARKETPLACE_REVIEW_PHOTO_MIN_SIDE = env.int("MARKETPLACE_REVIEW_PHOTO_MIN_SIDE", default=300)  # px, short side
MARKETPLACE_REVIEW_WINDOW_DAYS = 365  # a purchase can be reviewed this long after delivery
MARKETPLACE_REVIEW_EDIT_DAYS = 30  # the author may edit this long after writing
MARKETPLACE_REVIEW_MAX_PHOTOS = 5
MARKETPLACE_REVIEW_NEW_ACCOUNT_DAYS = 7  # "new account" for the burst check
MARKETPLACE_REVIEW_BURST_THRESHOLD = 3  # reviews of one seller from new accounts within 24 h that hold them

# Disputes (spec 85-92) and messaging (spec 106-112)
MARKETPLACE_DISPUTE_WINDOW_DAYS = env.int("MARKETPLACE_DISPUTE_WINDOW_DAYS", default=30)  # after delivery/refusal
MARKETPLACE_DISPUTE_SELLER_RESPONSE_DAYS = env.int("MARKETPLACE_DISPUTE_SELLER_RESPONSE_DAYS", default=3)
MARKETPLACE_DISPUTE_BUYER_RESPONSE_DAYS = env.int("MARKETPLACE_DISPUTE_BUYER_RESPONSE_DAYS", default=7)
MARKETPLACE_DISPUTE_DECISION_DAYS = env.int("MARKETPLACE_DISPUTE_DECISION_DAYS", default=5)  # moderators' target
MARKETPLACE_DISPUTE_RETURN_DAYS = env.int("MARKETPLACE_DISPUTE_RETURN_DAYS", default=14)  # send back / receipt
# Refunds above this (RUB) wait for a second moderator's approval (four eyes).
MARKETPLACE_FOUR_EYES_AMOUNT = Decimal(env.str("MARKETPLACE_FOUR_EYES_AMOUNT", default="50000.00"))
MARKETPLACE_MESSAGING_RATE_LIMIT = env.int("MARKETPLACE_MESSAGING_RATE_LIMIT", default=10)  # messages per window
MARKETPLACE_MESSAGING_RATE_WINDOW_SECONDS = env.int("MARKETPLACE_MESSAGING_RATE_WINDOW_SECONDS", default=60)
MARKETPLACE_MESSAGING_UNREAD_EMAIL_MINUTES = env.int("MARKETPLACE_MESSAGING_UNREAD_EMAIL_MINUTES", default=60)
