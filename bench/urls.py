"""The site's URLs plus /bench/bare: a Django view that does nothing (the throughput ceiling)."""

from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse
from django.urls import include, path


@login_not_required
def bare(request):
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [path("bench/bare", bare), path("", include("marketplace.urls"))]
