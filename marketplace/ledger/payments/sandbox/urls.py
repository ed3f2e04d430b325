from django.urls import path

from . import views

app_name = "sandbox"

urlpatterns = [
    path("<uuid:token>/", views.pay, name="pay"),
    path("<uuid:token>/3ds/", views.three_ds, name="three-ds"),
]
