from allauth.account.decorators import secure_admin_login
from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django.views.static import serve

from catalog.views import buyer as catalog_views
from marketplace.accounts import views as account_views
from marketplace.core import views as core_views

admin.autodiscover()
admin.site.login = secure_admin_login(admin.site.login)  # admin login goes through allauth (rate limits, MFA)
admin.site.site_header = _("Marketplace")  # translated: the moderators work in Russian
admin.site.site_title = _("Marketplace")

urlpatterns = [
    path("", catalog_views.home, name="home"),  # category tiles and shelves inside ui's home.html
    path("healthz", core_views.healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("accounts/", include("marketplace.accounts.urls")),
    path("i18n/setlang/", account_views.set_language, name="set_language"),
    path("legal/", include("marketplace.legal.urls")),
    path("notifications/", include("marketplace.notifications.urls")),
    path("", include("catalog.urls")),  # /c/<slug>/, /search/, /p/<id>-<slug>/, /seller/listings/, sitemaps
    path("", include("buyers.urls")),  # /favourites/, /following/, /recent/, /stock-alerts/
    path("", include("orders.urls")),  # /cart/, /checkout/, /orders/, /returns/, /seller/orders/, /seller/money/
    path("", include("sellers.urls")),  # /sell/, /s/<slug>/, /seller/
    path("", include("reviews.urls")),  # /p/<id>/reviews/, /s/<slug>/reviews/, /reviews/, /seller/reviews/, /rating/
    path("payments/", include("marketplace.ledger.urls")),
    path("", include("disputes.urls")),  # /disputes/, /orders/<id>/dispute/, /messages/, /seller/quick-replies/
]

if settings.MARKETPLACE_PAYMENT_SANDBOX_ENABLED:
    # The sandbox acquirer's hosted payment page (it stands in for a provider's own site).
    urlpatterns += [path("sandbox-pay/", include("marketplace.ledger.payments.sandbox.urls"))]

if settings.DEBUG:
    urlpatterns += [path("dev/", include("marketplace.devtools.urls"))]
    # Listing photos in development (public, like the product pages that show them).
    urlpatterns += static(settings.MEDIA_URL, login_not_required(serve), document_root=settings.MEDIA_ROOT)

handler400 = "marketplace.core.views.bad_request"
handler403 = "marketplace.core.views.permission_denied"
handler404 = "marketplace.core.views.page_not_found"
handler500 = "marketplace.core.views.server_error"
