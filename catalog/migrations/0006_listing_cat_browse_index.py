# A covering index for a category page's single pass over its rows (catalog.selectors.listings._facet_scan):
# built beside the index it replaces and without locking writes, so a live catalogue keeps taking orders.

from django.contrib.postgres.operations import AddIndexConcurrently, RemoveIndexConcurrently
from django.db import migrations, models


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("catalog", "0005_photo_missing_thumbnails_index"),
        ("sellers", "0006_seller_hides_listings_index"),
    ]

    operations = [
        AddIndexConcurrently(
            model_name="listing",
            index=models.Index(
                condition=models.Q(("status", "published")),
                fields=["category", "price"],
                include=(
                    "in_stock",
                    "seller",
                    "brand",
                    "orders_30d",
                    "rating_avg",
                    "rating_count",
                    "discount_percent",
                    "published_at",
                    "id",
                    "attributes",
                ),
                name="listing_cat_browse",
            ),
        ),
        RemoveIndexConcurrently(model_name="listing", name="listing_cat_price"),
    ]
