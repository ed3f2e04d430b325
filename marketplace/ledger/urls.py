from django.urls import path

from . import views

app_name = "ledger"

urlpatterns = [
    path("webhook/<slug:provider>/", views.payment_webhook, name="webhook"),
]
