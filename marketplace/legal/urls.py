from django.urls import path

from . import views

app_name = "legal"

urlpatterns = [
    path("accept/", views.accept, name="accept"),
    path("<slug:kind>/", views.document, name="document"),
    path("<slug:kind>/v<str:version>/", views.version, name="version"),
]
