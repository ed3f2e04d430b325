from django.urls import path

from buyers import views

app_name = "buyers"

urlpatterns = [
    path("favourites/", views.favourites, name="favourites"),
    path("favourites/<int:listing_id>/", views.favourite_toggle, name="favourite-toggle"),
    path("following/", views.following, name="following"),
    path("following/<slug:kind>/<int:pk>/", views.follow, name="follow"),
    path("recent/", views.recent, name="recent"),
    path("recent/clear/", views.recent_clear, name="recent-clear"),
    path("stock-alerts/", views.stock_alerts, name="stock-alerts"),
    path("stock-alerts/variant/<int:variant_id>/", views.stock_alert_subscribe, name="stock-alert-subscribe"),
    path("stock-alerts/<int:pk>/cancel/", views.stock_alert_cancel, name="stock-alert-cancel"),
    path("addresses/", views.addresses, name="addresses"),
    path("addresses/<int:pk>/", views.address_edit, name="address-edit"),
    path("addresses/<int:pk>/default/", views.address_default, name="address-default"),
    path("addresses/<int:pk>/delete/", views.address_delete, name="address-delete"),
]
