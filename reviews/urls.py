from django.urls import path

from . import views

app_name = "reviews"
urlpatterns = [
    path("rating/formula/", views.formula, name="formula"),
    path("p/<int:listing_id>/reviews/", views.listing_reviews, name="listing"),
    path("s/<slug:slug>/reviews/", views.storefront_reviews, name="storefront"),
    path("reviews/mine/", views.my_reviews, name="mine"),
    path("reviews/line/<int:line_id>/", views.write_review, name="write"),
    path("reviews/order/<int:order_id>/seller/", views.write_seller_review, name="write-seller"),
    path("reviews/<int:review_id>/helpful/", views.vote, name="vote"),
    path("reviews/<int:review_id>/report/", views.report, name="report"),
    path("seller/reviews/", views.seller_reviews, name="seller-list"),
    path("seller/reviews/<int:review_id>/reply/", views.seller_reply, name="seller-reply"),
    path("seller/reviews/<int:review_id>/contest/", views.seller_contest, name="seller-contest"),
    path("seller/rating/", views.seller_rating, name="seller-rating"),
    path("seller/rating/incidents/<int:incident_id>/appeal/", views.seller_appeal, name="seller-appeal"),
]
