"""Listing addresses: the fast path a grid of cards uses gives exactly what the resolver gives."""

import pytest


def test_a_listing_url_is_what_the_resolver_gives_under_any_script_prefix():
    from django.urls import reverse, set_script_prefix

    from catalog.models import listing_url

    try:
        for prefix in ("/", "/shop/"):
            set_script_prefix(prefix)
            for pk, slug in ((1, "a"), (987654321987, "krossovki-nike-42"), (5, "x_y-z")):
                assert listing_url(pk, slug) == reverse("catalog:listing-detail", kwargs={"pk": pk, "slug": slug})
        assert listing_url(7, "krossovki").startswith("/shop/p/7-")
    finally:
        set_script_prefix("/")


def test_a_listing_url_with_a_slug_the_route_refuses_fails_as_reverse_does():
    from django.urls import NoReverseMatch

    from catalog.models import listing_url

    with pytest.raises(NoReverseMatch):
        listing_url(1, "кроссовки")
