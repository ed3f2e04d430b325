"""Double-entry ledger: accounts, transactions and their entries.

Sign convention: an entry's amount is money flowing *into* its account (negative: flowing out), and the
entries of one transaction sum to zero per currency. So a balance is "money held in / sent to" an account:
escrow and a seller's payable are positive while they hold money, `buyer_payments` is the source every
payment comes from (its balance is minus everything buyers paid), `refunds` and `bank` are sinks (money
returned to buyers, money paid out to sellers' banks).

PostgreSQL guards the ledger too (migration 0002): transactions and entries are append-only, and at COMMIT
a deferred constraint trigger refuses any transaction whose entries do not sum to zero per currency.
"""

from __future__ import annotations

from typing import NamedTuple

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Currency(models.TextChoices):
    RUB = "RUB", _("Russian rouble")


class AccountKind(models.TextChoices):
    BUYER_PAYMENTS = "buyer_payments", _("Buyer payments (clearing)")
    ESCROW = "escrow", _("Escrow")
    SELLER_PAYABLE = "seller_payable", _("Seller payable")
    PLATFORM_COMMISSION = "platform_commission", _("Platform commission")
    REFUNDS = "refunds", _("Refunds to buyers")
    PAYOUTS_IN_TRANSIT = "payouts_in_transit", _("Payouts in transit")
    BANK = "bank", _("Paid out to banks")


# One account of these kinds per seller; every other kind is one platform-wide account per currency.
SELLER_KINDS = frozenset({AccountKind.ESCROW, AccountKind.SELLER_PAYABLE})
# Money that is held, not owed: these balances can never go below zero (a CHECK constraint says so too).
NON_NEGATIVE_KINDS = frozenset({AccountKind.ESCROW, AccountKind.PAYOUTS_IN_TRANSIT})


class Owner(NamedTuple):
    """Whom a seller account belongs to, without a foreign key: `("sellers.seller", "42")`.

    The ledger sits below every domain app (ARCHITECTURE R2), so it names a seller by model label and
    primary key. Services accept a model instance (any Django model) or an Owner.
    """

    type: str
    id: str

    @classmethod
    def of(cls, seller: models.Model | Owner) -> Owner:
        if isinstance(seller, Owner):
            return seller
        if seller.pk is None:
            raise ValueError("an unsaved object cannot own ledger accounts")
        return cls(seller._meta.label_lower, str(seller.pk))

    def __str__(self) -> str:
        return f"{self.type}:{self.id}"


class LedgerAccount(models.Model):
    kind = models.CharField(_("kind"), max_length=32, choices=AccountKind)
    currency = models.CharField(_("currency"), max_length=3, choices=Currency, default=Currency.RUB)
    owner_type = models.CharField(_("owner type"), max_length=100, blank=True, help_text=_("e.g. sellers.seller"))
    owner_id = models.CharField(_("owner id"), max_length=64, blank=True)
    # Kept equal to the sum of the account's entries by post_transaction; `ledger_check` verifies it.
    balance = models.DecimalField(_("balance"), max_digits=14, decimal_places=2, default=0, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("ledger account")
        verbose_name_plural = _("ledger accounts")
        ordering = ["kind", "owner_type", "owner_id"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "currency", "owner_type", "owner_id"], name="ledgeraccount_unique"),
            models.CheckConstraint(condition=Q(kind__in=AccountKind.values), name="ledgeraccount_kind_valid"),
            models.CheckConstraint(condition=Q(currency__in=Currency.values), name="ledgeraccount_currency_valid"),
            models.CheckConstraint(
                condition=(Q(kind__in=SELLER_KINDS) & ~Q(owner_type="") & ~Q(owner_id=""))
                | (~Q(kind__in=SELLER_KINDS) & Q(owner_type="", owner_id="")),
                name="ledgeraccount_owner_matches_kind",
            ),
            models.CheckConstraint(
                condition=~Q(kind__in=NON_NEGATIVE_KINDS) | Q(balance__gte=0),
                name="ledgeraccount_held_money_not_negative",
            ),
        ]

    def __str__(self) -> str:
        owner = f" {self.owner_type}:{self.owner_id}" if self.owner_type else ""
        return f"{self.get_kind_display()}{owner} ({self.currency})"

    @property
    def owner(self) -> Owner | None:
        return Owner(self.owner_type, self.owner_id) if self.owner_type else None


class LedgerReference(models.Model):
    """What a buyer paid for one seller: the unit that is held in escrow, released and refunded.

    Orders use one per seller order (`key="order:42"`, `label="R1001-2"`). Every entry that moves this
    money carries the reference, so "paid", "held" and "refunded" per reference are sums of entries; the
    row itself is what refunds and releases lock, so two refunds racing for the last roubles serialise.
    """

    key = models.CharField(_("key"), max_length=100, unique=True)
    label = models.CharField(_("label"), max_length=50, blank=True)
    owner_type = models.CharField(_("seller type"), max_length=100)
    owner_id = models.CharField(_("seller id"), max_length=64)
    currency = models.CharField(_("currency"), max_length=3, choices=Currency, default=Currency.RUB)
    payment = models.ForeignKey(
        "ledger.Payment", on_delete=models.PROTECT, related_name="ledger_references", verbose_name=_("payment")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("paid reference")
        verbose_name_plural = _("paid references")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.label or self.key

    @property
    def owner(self) -> Owner:
        return Owner(self.owner_type, self.owner_id)


class TransactionKind(models.TextChoices):
    PAYMENT = "payment", _("Payment into escrow")
    RELEASE = "release", _("Release to seller")
    REFUND = "refund", _("Refund to buyer")
    PAYOUT = "payout", _("Payout requested")
    PAYOUT_CONFIRMED = "payout_confirmed", _("Payout confirmed by the bank")
    PAYOUT_FAILED = "payout_failed", _("Payout failed, returned to the seller")
    REVERSAL = "reversal", _("Reversal")
    ADJUSTMENT = "adjustment", _("Adjustment")


class LedgerTransaction(models.Model):
    """One business event that moves money. Append-only: a mistake is corrected by a reversal."""

    kind = models.CharField(_("kind"), max_length=32, choices=TransactionKind)
    memo = models.TextField(_("memo"), blank=True)
    # A retried posting with the same key returns the first transaction instead of posting twice.
    idempotency_key = models.CharField(_("idempotency key"), max_length=200, unique=True)
    payment = models.ForeignKey(
        "ledger.Payment",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="ledger_transactions",
        verbose_name=_("payment"),
    )
    payout = models.ForeignKey(
        "ledger.Payout",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="ledger_transactions",
        verbose_name=_("payout"),
    )
    external_reference = models.CharField(
        _("external reference"), max_length=100, blank=True, db_index=True, help_text=_("e.g. return:17")
    )
    reverses = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reversal",
        verbose_name=_("reverses"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("ledger transaction")
        verbose_name_plural = _("ledger transactions")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=TransactionKind.values), name="ledgertransaction_kind_valid"),
            models.CheckConstraint(
                condition=Q(reverses__isnull=True) | Q(kind=TransactionKind.REVERSAL),
                name="ledgertransaction_only_reversals_reverse",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.get_kind_display()}"


class LedgerEntry(models.Model):
    transaction = models.ForeignKey(
        LedgerTransaction, on_delete=models.PROTECT, related_name="entries", verbose_name=_("transaction")
    )
    account = models.ForeignKey(
        LedgerAccount, on_delete=models.PROTECT, related_name="entries", verbose_name=_("account")
    )
    reference = models.ForeignKey(
        LedgerReference,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="entries",
        verbose_name=_("paid reference"),
    )
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3, choices=Currency, default=Currency.RUB)

    class Meta:
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")
        ordering = ["transaction_id", "pk"]
        indexes = [models.Index(fields=["account", "reference"], name="ledgerentry_account_reference")]
        constraints = [
            models.CheckConstraint(condition=~Q(amount=0), name="ledgerentry_amount_not_zero"),
            models.CheckConstraint(condition=Q(currency__in=Currency.values), name="ledgerentry_currency_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.account}: {self.amount}"
