from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReviewsConfig(AppConfig):
    name = "reviews"
    verbose_name = _("Reviews")

    def ready(self) -> None:
        from sellers import services as seller_services
        from sellers.models import CaseTopic

        from . import parts  # noqa: F401  (personal parts of shared pages)
        from .services import appeals

        # An upheld appeal of a rating incident strikes it (sellers calls this; it never imports reviews).
        seller_services.register_case_reversal(CaseTopic.RATING, appeals.strike_incident_on_upheld_appeal)
