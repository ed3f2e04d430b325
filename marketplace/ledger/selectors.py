"""Reads: balances, per-reference totals, seller statements, and the integrity report behind `ledger_check`."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db import models
from django.db.models import Count, F, Q, QuerySet, Sum
from django.db.models.functions import Coalesce

from .models import (
    NON_NEGATIVE_KINDS,
    AccountKind,
    Currency,
    LedgerAccount,
    LedgerEntry,
    LedgerReference,
    LedgerTransaction,
    Owner,
    Payment,
    PaymentRefund,
    Payout,
    PayoutStatus,
    RefundStatus,
)

ZERO = Decimal("0.00")
_DECIMAL = models.DecimalField(max_digits=14, decimal_places=2)


def _sum(field: str = "amount", **filters) -> Coalesce:
    return Coalesce(Sum(field, filter=Q(**filters) if filters else None), ZERO, output_field=_DECIMAL)


def balance_of(account: LedgerAccount | None) -> Decimal:
    """The account's balance: money held in (or, if negative, owed by / drawn from) it."""
    if account is None or account.pk is None:
        return ZERO
    return LedgerAccount.objects.values_list("balance", flat=True).get(pk=account.pk)


def find_account(*, kind: str, owner: Owner | None = None, currency: str = Currency.RUB) -> LedgerAccount | None:
    owner_type, owner_id = owner if owner else ("", "")
    return LedgerAccount.objects.filter(kind=kind, currency=currency, owner_type=owner_type, owner_id=owner_id).first()


@dataclass(frozen=True)
class SellerBalance:
    held: Decimal  # in escrow: paid by buyers, not yet released
    available: Decimal  # released and not paid out; what a payout may take
    debt: Decimal  # refunds taken after payout; future releases pay it off first
    in_transit: Decimal  # requested or sent payouts not yet confirmed by the bank
    currency: str = Currency.RUB


def seller_balance(*, seller, currency: str = Currency.RUB) -> SellerBalance:
    """The seller's money split as the cabinet shows it. Debt is netted: available is never above zero debt."""
    owner = Owner.of(seller)
    balances = dict(
        LedgerAccount.objects.filter(owner_type=owner.type, owner_id=owner.id, currency=currency).values_list(
            "kind", "balance"
        )
    )
    payable = balances.get(AccountKind.SELLER_PAYABLE, ZERO)
    in_transit = Payout.objects.filter(
        owner_type=owner.type,
        owner_id=owner.id,
        currency=currency,
        status__in=[PayoutStatus.PENDING, PayoutStatus.SENT],
    ).aggregate(total=_sum())["total"]
    return SellerBalance(
        held=balances.get(AccountKind.ESCROW, ZERO),
        available=max(payable, ZERO),
        debt=max(-payable, ZERO),
        in_transit=in_transit,
        currency=currency,
    )


@dataclass(frozen=True)
class ReferenceTotals:
    paid: Decimal  # what the buyer paid for this reference
    held: Decimal  # still in escrow
    refunded: Decimal  # returned to the buyer, from escrow or from the seller
    commission: Decimal  # kept by the platform
    to_seller: Decimal  # net effect on the seller's payable (releases minus refunds taken from it)

    @property
    def refundable(self) -> Decimal:
        return self.paid - self.refunded


def reference_totals(*, reference: LedgerReference) -> ReferenceTotals:
    """Every figure is a sum of the reference's entries, so reversals and retries can never make it drift."""
    totals = LedgerEntry.objects.filter(reference=reference).aggregate(
        buyer=_sum(account__kind=AccountKind.BUYER_PAYMENTS),
        held=_sum(account__kind=AccountKind.ESCROW),
        refunded=_sum(account__kind=AccountKind.REFUNDS),
        commission=_sum(account__kind=AccountKind.PLATFORM_COMMISSION),
        to_seller=_sum(account__kind=AccountKind.SELLER_PAYABLE),
    )
    return ReferenceTotals(
        paid=-totals["buyer"],
        held=totals["held"],
        refunded=totals["refunded"],
        commission=totals["commission"],
        to_seller=totals["to_seller"],
    )


def statement_for(*, seller, currency: str = Currency.RUB) -> QuerySet[LedgerEntry]:
    """Every entry on the seller's accounts, newest first, with its transaction and order reference."""
    owner = Owner.of(seller)
    return (
        LedgerEntry.objects.filter(
            account__owner_type=owner.type, account__owner_id=owner.id, account__currency=currency
        )
        .select_related("transaction", "account", "reference")
        .order_by("-transaction__created_at", "-pk")
    )


def with_commissions(entries: list[LedgerEntry]) -> list[LedgerEntry]:
    """A page of a seller's statement with the platform's commission named beside the money that reached the
    seller. The statement lists the seller's own accounts only, so a release reads "held −1 300, payable +1 170"
    and the 130 in between is the commission. Each payable entry gets `commission` (taken) or
    `commission_returned` (given back with a refund after release), None otherwise; one query for the page."""
    rows = (
        LedgerEntry.objects.filter(
            transaction_id__in={entry.transaction_id for entry in entries},
            account__kind=AccountKind.PLATFORM_COMMISSION,
        )
        .values("transaction_id")
        .annotate(total=Sum("amount"))
    )
    totals = {row["transaction_id"]: row["total"] for row in rows}
    for entry in entries:
        total = totals.get(entry.transaction_id) if entry.account.kind == AccountKind.SELLER_PAYABLE else None
        entry.commission = total if total and total > 0 else None
        entry.commission_returned = -total if total and total < 0 else None
    return entries


def payouts_for(*, seller) -> QuerySet[Payout]:
    owner = Owner.of(seller)
    return Payout.objects.filter(owner_type=owner.type, owner_id=owner.id).order_by("-created_at")


def payout_candidates(*, minimum: Decimal, currency: str = Currency.RUB) -> QuerySet[LedgerAccount]:
    """Seller payable accounts whose available balance reaches the minimum (for scheduled payouts)."""
    return LedgerAccount.objects.filter(
        kind=AccountKind.SELLER_PAYABLE, currency=currency, balance__gte=minimum, balance__gt=0
    ).order_by("pk")


def succeeded_refunds_total(*, payment: Payment) -> Decimal:
    return payment.refunds.filter(status=RefundStatus.SUCCEEDED).aggregate(total=_sum())["total"]


def open_refunds_total(*, payment: Payment) -> Decimal:
    """Refunds sent or about to be sent (not failed): what the card may still get back is the rest."""
    return payment.refunds.exclude(status=RefundStatus.FAILED).aggregate(total=_sum())["total"]


# ---- integrity ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Violation:
    code: str
    message: str

    def __str__(self) -> str:
        return f"[{self.code}] {self.message}"


def ledger_violations() -> list[Violation]:
    """Everything that must never be true of the ledger. Empty means healthy."""
    found: list[Violation] = []

    unbalanced = (
        LedgerEntry.objects.values("transaction_id", "currency")
        .annotate(total=Sum("amount"))
        .exclude(total=0)
        .order_by("transaction_id")
    )
    found += [
        Violation("unbalanced", f"transaction #{row['transaction_id']} sums to {row['total']} {row['currency']}")
        for row in unbalanced
    ]
    too_few = LedgerTransaction.objects.annotate(n=Count("entries")).filter(n__lt=2).order_by("pk")
    found += [Violation("unbalanced", f"transaction #{txn.pk} has {txn.n} entries") for txn in too_few]

    accounts = LedgerAccount.objects.annotate(total=_sum("entries__amount")).order_by("pk")
    for account in accounts:
        if account.balance != account.total:
            found.append(
                Violation(
                    "balance_mismatch",
                    f"account #{account.pk} {account} stores {account.balance}, its entries sum to {account.total}",
                )
            )
        if account.kind in NON_NEGATIVE_KINDS and min(account.balance, account.total) < 0:
            found.append(Violation("negative_held", f"account #{account.pk} {account} is below zero"))

    negative_per_reference = (
        LedgerEntry.objects.filter(account__kind=AccountKind.ESCROW, reference__isnull=False)
        .values("reference_id", "reference__key")
        .annotate(total=Sum("amount"))
        .filter(total__lt=0)
        .order_by("reference_id")
    )
    found += [
        Violation("negative_escrow", f"reference {row['reference__key']} holds {row['total']} in escrow")
        for row in negative_per_reference
    ]

    over_refunded = (
        LedgerReference.objects.annotate(
            paid=-_sum("entries__amount", entries__account__kind=AccountKind.BUYER_PAYMENTS),
            refunded=_sum("entries__amount", entries__account__kind=AccountKind.REFUNDS),
        )
        .filter(refunded__gt=F("paid"))
        .order_by("pk")
    )
    found += [
        Violation("over_refunded", f"reference {ref.key} refunded {ref.refunded} of {ref.paid} paid")
        for ref in over_refunded
    ]

    wrong_currency = LedgerEntry.objects.exclude(currency=F("account__currency")).order_by("pk")
    found += [
        Violation("currency_mismatch", f"entry #{entry.pk} in {entry.currency} on a {entry.account.currency} account")
        for entry in wrong_currency.select_related("account")
    ]

    for currency in Currency.values:
        in_transit = balance_of(find_account(kind=AccountKind.PAYOUTS_IN_TRANSIT, currency=currency))
        open_payouts = Payout.objects.filter(
            currency=currency, status__in=[PayoutStatus.PENDING, PayoutStatus.SENT]
        ).aggregate(total=_sum())["total"]
        if in_transit != open_payouts:
            found.append(
                Violation(
                    "payouts_in_transit",
                    f"payouts in transit hold {in_transit} {currency}, open payouts total {open_payouts}",
                )
            )

    refunded_payments = (
        Payment.objects.annotate(
            refunded=_sum("refunds__amount", refunds__status=RefundStatus.SUCCEEDED),
        )
        .filter(refunded__gt=F("amount"))
        .order_by("pk")
    )
    found += [
        Violation("payment_over_refunded", f"payment #{p.pk} refunded {p.refunded} of {p.amount}")
        for p in refunded_payments
    ]
    return found


def failed_refunds() -> QuerySet[PaymentRefund]:
    """Card refunds the provider refused for good: the buyer is still owed this money (staff must act)."""
    return PaymentRefund.objects.filter(status=RefundStatus.FAILED).select_related("payment")
