from django.urls import path

from . import views

app_name = "notifications"

urlpatterns = [
    path("", views.notification_list, name="list"),
    path("read-all/", views.mark_all_read, name="mark-all-read"),
    path("<int:pk>/read/", views.mark_read, name="mark-read"),
    path("<int:pk>/open/", views.open_notification, name="open"),
    path("bell/", views.bell, name="bell"),
    path("settings/", views.preferences, name="preferences"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
