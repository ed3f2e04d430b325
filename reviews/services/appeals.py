"""Rating incidents the seller sees and appeals: the appeal is a sellers case; upholding it strikes the incident."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from marketplace.core.exceptions import DomainError
from orders.models import Incident
from reviews.models import IncidentAppeal
from sellers import services as seller_services
from sellers.models import CaseTopic, SellerCase, TeamMember

from . import ratings


class AppealExists(DomainError):
    default_message = _("This incident is already under appeal.")


@transaction.atomic
def appeal_incident(*, incident: Incident, member: TeamMember, body: str) -> IncidentAppeal:
    """Open a case about one incident; the platform answers within the case deadline."""
    incident = Incident.objects.select_for_update(of=("self",)).select_related("order").get(pk=incident.pk)
    if incident.seller_id != member.seller_id:
        raise PermissionDenied
    if IncidentAppeal.objects.filter(incident=incident).exists():
        raise AppealExists()
    subject = _("Appeal of the incident «%(kind)s», order %(number)s") % {
        "kind": incident.get_kind_display(),
        "number": incident.order.number,
    }
    case = seller_services.open_case(member=member, topic=CaseTopic.RATING, subject=subject[:200], body=body)
    return IncidentAppeal.objects.create(incident=incident, case=case)


def strike_incident_on_upheld_appeal(case: SellerCase, actor) -> None:
    """Registered with sellers: a case decided in the seller's favour strikes its incident and recomputes."""
    appeal = IncidentAppeal.objects.select_for_update().filter(case=case, struck_at__isnull=True).first()
    if appeal is None:
        return
    IncidentAppeal.objects.filter(pk=appeal.pk).update(struck_at=timezone.now(), struck_by=actor)
    ratings.request_recompute(seller_id=case.seller_id)
