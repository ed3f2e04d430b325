"""Indexes the seller rating recompute reads its sources through (bench/ratings.py measured the need).

They sit on the orders and messaging tables but serve only the rating's window queries ("the seller's
last 50 paid orders or those of the last 30 days", the same for buyer conversations), so they are
declared here, next to the SQL in reviews/services/ratings.py that uses them. Both let PostgreSQL read
one seller's window from the index alone instead of visiting every order of a large seller.
"""

from django.db import migrations

ORDER_INDEX = "rating_order_seller_paid"
CONVERSATION_INDEX = "rating_conversation_seller_asked"


class Migration(migrations.Migration):
    dependencies = [
        ("reviews", "0002_rating_reply_time_and_indexes"),
        ("orders", "0001_initial"),
        ("disputes", "0001_initial"),
    ]

    operations = [
        migrations.RunSQL(
            f"CREATE INDEX IF NOT EXISTS {ORDER_INDEX} ON orders_order (seller_id, paid_at DESC, id DESC) "
            "WHERE paid_at IS NOT NULL",
            f"DROP INDEX IF EXISTS {ORDER_INDEX}",
        ),
        migrations.RunSQL(
            f"CREATE INDEX IF NOT EXISTS {CONVERSATION_INDEX} ON disputes_conversation "
            "(seller_id, first_buyer_message_at DESC, id DESC) INCLUDE (seller_first_reply_seconds) "
            "WHERE first_buyer_message_at IS NOT NULL",
            f"DROP INDEX IF EXISTS {CONVERSATION_INDEX}",
        ),
    ]
