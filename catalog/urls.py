from django.urls import path

from catalog import api
from catalog.views import buyer, seller, seo

app_name = "catalog"

urlpatterns = [
    path("c/<slug:slug>/", buyer.category, name="category"),
    path("api/v1/offers/", api.offers, name="api-offers"),
    path("search/", buyer.search, name="search"),
    path("search/suggest/", buyer.autocomplete, name="autocomplete"),
    path("search/ranking/", buyer.ranking, name="ranking"),
    path("p/<int:pk>/", buyer.listing_short, name="listing-short"),
    path("p/<int:pk>-<slug:slug>/", buyer.listing_detail, name="listing-detail"),
    path("p/<int:pk>/questions/", buyer.ask_question, name="question-ask"),
    path("p/<int:pk>/report/", buyer.report_listing, name="listing-report"),
    path("sitemap.xml", seo.sitemap_index, name="sitemap"),
    path("sitemap-categories.xml", seo.sitemap_categories, name="sitemap-categories"),
    path("sitemap-listings-<int:page>.xml", seo.sitemap_listings, name="sitemap-listings"),
    path("robots.txt", seo.robots_txt, name="robots"),
    # seller cabinet
    path("seller/listings/", seller.listing_list, name="seller-listing-list"),
    path("seller/listings/new/", seller.listing_create, name="seller-listing-create"),
    path("seller/listings/attributes/", seller.attributes_fields, name="seller-listing-attributes"),
    path("seller/listings/<int:pk>/", seller.listing_edit, name="seller-listing-edit"),
    path("seller/listings/<int:pk>/photos/", seller.photos_upload, name="seller-photos-upload"),
    path("seller/listings/<int:pk>/photos/arrange/", seller.photos_arrange, name="seller-photos-arrange"),
    path("seller/listings/<int:pk>/photos/<int:photo_id>/delete/", seller.photo_delete, name="seller-photo-delete"),
    path("seller/listings/<int:pk>/competitors/", seller.listing_competitors, name="seller-listing-competitors"),
    path("seller/listings/<int:pk>/<slug:action>/", seller.listing_action, name="seller-listing-action"),
    path("seller/prices-and-stock/", seller.offers, name="seller-offers"),
    path("seller/prices-and-stock/yml/", seller.offers_yml, name="seller-offers-yml"),
    path("seller/search-insights/", seller.search_insights, name="seller-search-insights"),
    path("seller/prices-and-stock/<int:pk>/", seller.variant_price, name="seller-variant-price"),
    path("seller/questions/", seller.questions, name="seller-questions"),
    path("seller/questions/<int:pk>/answer/", seller.answer_question, name="seller-question-answer"),
    path("seller/import/", seller.import_start, name="seller-import"),
    path("seller/import/<int:pk>/", seller.import_job, name="seller-import-job"),
    path("seller/import/template/", seller.import_template, name="seller-import-template"),
    path("seller/export/", seller.export, name="seller-export"),
]
