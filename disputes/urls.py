from django.urls import path

from . import views

app_name = "disputes"

urlpatterns = [
    path("disputes/", views.dispute_list, name="list"),
    path("orders/<int:order_id>/dispute/", views.open_dispute, name="open"),
    path("disputes/<int:dispute_id>/", views.dispute_detail, name="detail"),
    path("disputes/<int:dispute_id>/respond/", views.seller_respond, name="respond"),
    path("disputes/<int:dispute_id>/answer/", views.buyer_answer, name="answer"),
    path("disputes/<int:dispute_id>/evidence/", views.add_evidence, name="evidence-add"),
    path("disputes/<int:dispute_id>/return/", views.return_step, name="return-step"),
    path("disputes/<int:dispute_id>/rate/", views.rate, name="rate"),
    path("disputes/evidence/<int:evidence_id>/photo/", views.evidence_file, name="evidence-file"),
    path("messages/", views.conversation_list, name="conversations"),
    path("messages/unread/", views.unread_badge, name="unread-badge"),
    path("messages/<int:conversation_id>/", views.conversation_detail, name="conversation"),
    path("messages/<int:conversation_id>/poll/", views.conversation_poll, name="conversation-poll"),
    path("messages/photo/<int:message_id>/", views.message_image, name="message-image"),
    path("orders/<int:order_id>/messages/", views.order_conversation, name="order-conversation"),
    path("p/<int:listing_id>/ask-seller/", views.listing_conversation, name="listing-conversation"),
    path("seller/quick-replies/", views.quick_replies, name="quick-replies"),
]
