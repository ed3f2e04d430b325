import pytest
from django.utils import timezone

from buyers import services as buyer_services
from catalog.models import SearchTerm
from catalog.services import digest
from catalog.tasks import rebuild_search_dictionary, refresh_honest_old_prices, send_follow_digests
from marketplace.notifications.models import Notification

from .factories import CategoryFactory, make_listing, make_seller

pytestmark = pytest.mark.django_db


def test_follow_digest_tells_a_follower_about_new_arrivals_once_a_day(user):
    category = CategoryFactory(name="Чайники")
    buyer_services.follow_category(user=user, category_id=category.pk)
    make_listing(make_seller(), category=category, title="Чайник новый")

    assert send_follow_digests() == 1
    assert digest.send_follow_digests(now=timezone.now()) == 0  # nothing new since

    notification = Notification.objects.get(recipient=user, kind="new_arrivals")
    assert notification.context["items"][0]["title"] == "Чайник новый"


def test_followed_seller_without_news_sends_nothing(user):
    seller = make_seller()
    buyer_services.follow_seller(user=user, seller_id=seller.pk)

    assert send_follow_digests() == 0
    assert not Notification.objects.filter(kind="new_arrivals").exists()


def test_dictionary_task_rebuilds_the_words(category):
    make_listing(make_seller(), category=category, title="Термокружка стальная")
    SearchTerm.objects.all().delete()

    assert rebuild_search_dictionary() > 0
    assert SearchTerm.objects.filter(word="термокружка").exists()


def test_honest_price_task_runs_with_nothing_to_do(category):
    make_listing(make_seller(), category=category)

    assert refresh_honest_old_prices() == 0
