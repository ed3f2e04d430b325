"""Developer pages, included by marketplace/urls.py only when DEBUG is on."""

from django.urls import path

from . import views

app_name = "devtools"

urlpatterns = [
    path("mail/", views.mail_list, name="mail-list"),
    path("mail/<str:name>/", views.mail_detail, name="mail-detail"),
    path("mail/<str:name>/raw/", views.mail_raw, name="mail-raw"),
]
