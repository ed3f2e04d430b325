"""`manage.py ledger_check`: report every ledger invariant that does not hold; exit 1 when any."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from marketplace.ledger import selectors


class Command(BaseCommand):
    help = (
        "Check the ledger: every transaction sums to zero, no escrow below zero, stored balances equal "
        "the sum of entries, no reference refunded above what was paid. Exits 1 when anything is wrong."
    )

    def handle(self, *args, **options) -> None:
        violations = selectors.ledger_violations()
        for violation in violations:
            self.stderr.write(str(violation))
        if violations:
            raise CommandError(f"{len(violations)} ledger violation(s) found", returncode=1)
        self.stdout.write(self.style.SUCCESS("Ledger OK: no violations."))
