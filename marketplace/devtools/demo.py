"""Demo data for `make run`: idempotent, Russian content. Each app adds its seeder to DEMO_SEEDERS."""

from __future__ import annotations

from collections.abc import Callable

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from django.contrib.auth.models import Group
from django.db import transaction

from catalog.demo import seed_catalog
from disputes.demo import seed_disputes
from marketplace.accounts.models import User
from marketplace.accounts.roles import MANAGERS, MODERATORS
from marketplace.devtools.demo_accounts import DEMO_LOGINS, DEMO_PASSWORD, DEMO_TOTP_SECRET
from marketplace.legal import selectors as legal_selectors
from marketplace.legal import services as legal_services
from orders.demo import seed_orders
from reviews.demo import seed_reviews
from sellers.demo import seed_sellers


def ensure_user(email: str, *, first_name: str = "", last_name: str = "", **flags) -> User:
    """Create the demo user once, with a verified e-mail and the current terms accepted."""
    user, created = User.objects.get_or_create(
        email=email, defaults={"first_name": first_name, "last_name": last_name, **flags}
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save()
    EmailAddress.objects.get_or_create(user=user, email=email, defaults={"verified": True, "primary": True})
    legal_services.accept_documents(
        user=user, documents=legal_selectors.documents_requiring_acceptance(), ip_address=None, source="demo"
    )
    return user


def ensure_staff(email: str, *, group: str | None, first_name: str, last_name: str, superuser: bool = False) -> User:
    user = ensure_user(email, first_name=first_name, last_name=last_name, is_staff=True, is_superuser=superuser)
    if group:
        user.groups.add(Group.objects.get(name=group))
    if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
        TOTP.activate(user, DEMO_TOTP_SECRET)
    return user


def seed_accounts(log: Callable[[str], None]) -> None:
    ensure_user("buyer@marketplace.demo", first_name="Анна", last_name="Смирнова", phone="+79123456789")
    ensure_user("buyer2@marketplace.demo", first_name="Дмитрий", last_name="Кузнецов", phone="+79031234567")
    ensure_staff("moderator@marketplace.demo", group=MODERATORS, first_name="Мария", last_name="Модераторова")
    ensure_staff("manager@marketplace.demo", group=MANAGERS, first_name="Олег", last_name="Менеджеров")
    ensure_staff("admin@marketplace.demo", group=None, first_name="Админ", last_name="Платформы", superuser=True)
    log("accounts: buyers, moderator, manager, admin")


DEMO_SEEDERS: list[Callable[[Callable[[str], None]], None]] = [
    seed_accounts,
    seed_sellers,
    seed_catalog,
    seed_orders,
    seed_reviews,
    seed_disputes,
]


def seed_all(log: Callable[[str], None]) -> None:
    for seeder in DEMO_SEEDERS:
        with transaction.atomic():
            seeder(log)


__all__ = ["DEMO_LOGINS", "DEMO_PASSWORD", "DEMO_TOTP_SECRET", "seed_all"]
