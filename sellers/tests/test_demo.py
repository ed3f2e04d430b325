"""The demo seeder fills every state once and is safe to run again."""

import pytest

from marketplace.devtools.demo import seed_accounts
from sellers.demo import seed_sellers
from sellers.models import (
    AnnouncementReceipt,
    ApplicationDocument,
    ApplicationStatus,
    CaseStatus,
    Sanction,
    SanctionRequest,
    SanctionRequestStatus,
    SellerApplication,
    SellerCase,
    SellerStatus,
    TeamMember,
    TeamRole,
)

pytestmark = pytest.mark.django_db


def test_demo_has_sellers_and_applications_in_every_state_and_runs_twice():
    lines = []
    seed_accounts(lines.append)
    seed_sellers(lines.append)

    seed_sellers(lines.append)

    from sellers.models import Seller

    assert set(Seller.objects.values_list("status", flat=True)) == set(SellerStatus.values)
    assert set(SellerApplication.objects.values_list("status", flat=True)) == set(ApplicationStatus.values)
    assert ApplicationDocument.objects.exists()
    assert set(
        TeamMember.objects.filter(seller__user__email="seller@marketplace.demo").values_list("role", flat=True)
    ) == set(TeamRole.values)
    assert AnnouncementReceipt.objects.exists()
    assert SellerCase.objects.filter(status=CaseStatus.OPEN).count() == 1
    # Four eyes: the suspended and terminated sellers' sanctions were approved by a second moderator, and one
    # suspension, proposed by the second moderator, waits for the demo moderator's approval.
    pending = SanctionRequest.objects.get(status=SanctionRequestStatus.PENDING)
    assert (pending.level, pending.requested_by.email) == (SellerStatus.SUSPENDED, "moderator2@marketplace.demo")
    assert set(
        Sanction.objects.filter(approved_by__email="moderator2@marketplace.demo").values_list("level", flat=True)
    ) == {SellerStatus.SUSPENDED, SellerStatus.TERMINATED}
    assert lines[-1] == "sellers: already seeded"
