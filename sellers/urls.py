from django.urls import path

from . import views

app_name = "sellers"

urlpatterns = [
    # onboarding
    path("sell/", views.sell_landing, name="sell"),
    path("sell/apply/", views.apply, name="apply"),
    path("sell/apply/step/<int:step>/", views.apply_step, name="apply-step"),
    path("sell/apply/documents/<int:document_id>/delete/", views.delete_document, name="application-document-delete"),
    path("sell/application/", views.application_status, name="application-status"),
    path("sell/documents/<int:document_id>/", views.application_document, name="application-document"),
    # public storefront
    path("s/<slug:slug>/", views.storefront, name="storefront"),
    # seller cabinet
    path("seller/", views.dashboard, name="dashboard"),
    path("seller/store/", views.store_settings, name="store-settings"),
    path("seller/store/vacation/", views.vacation, name="vacation"),
    path("seller/legal/", views.legal, name="legal"),
    path("seller/legal/bank/", views.bank_change_request, name="bank-change"),
    path("seller/legal/bank/<int:change_id>/withdraw/", views.bank_change_withdraw, name="bank-change-withdraw"),
    path("seller/legal/offer/", views.offer_accept, name="offer-accept"),
    path("seller/team/", views.team, name="team"),
    path("seller/api-keys/", views.api_keys, name="api-keys"),
    path("seller/api-keys/<int:token_id>/revoke/", views.api_key_revoke, name="api-key-revoke"),
    path("seller/team/<int:member_id>/role/", views.team_role, name="team-role"),
    path("seller/team/<int:member_id>/remove/", views.team_remove, name="team-remove"),
    path("seller/team/invitations/<int:invitation_id>/revoke/", views.invitation_revoke, name="invitation-revoke"),
    path("seller/invitations/<str:token>/", views.invitation_accept, name="invitation-accept"),
    path("seller/announcements/", views.announcements, name="announcements"),
    path("seller/announcements/<int:announcement_id>/", views.announcement_detail, name="announcement-detail"),
    path(
        "seller/announcements/<int:announcement_id>/acknowledge/",
        views.announcement_acknowledge,
        name="announcement-acknowledge",
    ),
    path("seller/sanctions/", views.sanctions, name="sanctions"),
    path("seller/cases/", views.cases, name="cases"),
    path("seller/cases/new/", views.case_create, name="case-create"),
    path("seller/cases/<int:case_id>/", views.case_detail, name="case-detail"),
    path("seller/cases/<int:case_id>/close/", views.case_close, name="case-close"),
    path("seller/cases/files/<int:attachment_id>/", views.case_attachment, name="case-attachment"),
]
