"""Demo logins, importable without Django (the launcher prints them)."""

DEMO_PASSWORD = "marketplace-demo"  # noqa: S105 (demo data only, printed on purpose)
DEMO_TOTP_SECRET = "MARKETPLACEDEMOSTAFFTWOFACTOR234"  # noqa: S105 (base32; staff demo accounts)

# (role shown to the newcomer, e-mail). Later apps append their demo sellers here.
DEMO_LOGINS: list[tuple[str, str]] = [
    ("buyer", "buyer@marketplace.demo"),
    ("buyer 2", "buyer2@marketplace.demo"),
    ("moderator", "moderator@marketplace.demo"),
    ("manager", "manager@marketplace.demo"),
    ("admin", "admin@marketplace.demo"),
    ("seller: ИП, active, team owner", "seller@marketplace.demo"),
    ("seller's manager", "seller-manager@marketplace.demo"),
    ("seller's warehouse", "seller-warehouse@marketplace.demo"),
    ("seller: ООО, warned, appeal open", "seller2@marketplace.demo"),
    ("applicant: changes requested", "applicant@marketplace.demo"),
    ("moderator 2 (decides appeals)", "moderator2@marketplace.demo"),
]
