import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from orders.models import CartLine, DeliveryMethod, OrderGroup, OrderStatus

from .factories import address_for, checkout, pay, sellable

pytestmark = pytest.mark.django_db


def test_anonymous_cart_joins_the_account_at_login(client, buyer, seller, password):
    variant = sellable(seller)

    client.post(reverse("orders:cart-add"), {"variant": variant.pk, "quantity": 2})
    client.post(reverse("account_login"), {"login": buyer.email, "password": password})
    client.get(reverse("orders:cart"))

    assert CartLine.objects.get(cart__user=buyer).quantity == 2


def test_cart_page_groups_lines_by_seller_and_shows_price_changes(client, buyer, seller, other_seller):
    from catalog.models import Variant

    first, second = sellable(seller), sellable(other_seller)
    client.force_login(buyer)
    client.post(reverse("orders:cart-add"), {"variant": first.pk})
    client.post(reverse("orders:cart-add"), {"variant": second.pk})
    Variant.objects.filter(pk=first.pk).update(price="1200.00")

    response = client.get(reverse("orders:cart"))

    assert len(response.context["cart"].groups) == 2
    assert response.context["cart"].has_changes


def test_checkout_page_counts_the_pieces_each_seller_sends_not_the_cart_lines(client, buyer, seller):
    first, second = sellable(seller, price="1000.00"), sellable(seller, price="500.00")
    client.force_login(buyer)
    client.post(reverse("orders:cart-add"), {"variant": first.pk, "quantity": 3})
    client.post(reverse("orders:cart-add"), {"variant": second.pk, "quantity": 2})
    address_for(buyer)

    response = client.get(reverse("orders:checkout"), headers={"accept-language": "ru"})

    assert response.status_code == 200
    assert "5 товаров, 4 000 ₽" in response.content.decode().replace("\u00a0", " ").replace("\u202f", " ")


@pytest.mark.parametrize("quantity", ["-1", "0", "1.5", "99999999999", "abc"])
def test_bad_quantity_in_the_cart_form_changes_nothing(client, buyer, seller, quantity):
    variant = sellable(seller)
    client.force_login(buyer)
    client.post(reverse("orders:cart-add"), {"variant": variant.pk})
    line = CartLine.objects.get()

    client.post(reverse("orders:cart-update", args=[line.pk]), {"quantity": quantity})

    line.refresh_from_db()
    assert line.quantity == 1


def test_checkout_post_ignores_tampered_prices_and_redirects_to_the_payment_page(client, buyer, seller):
    variant = sellable(seller, price="1000.00")
    client.force_login(buyer)
    client.post(reverse("orders:cart-add"), {"variant": variant.pk})
    address = address_for(buyer)
    method = DeliveryMethod.objects.get(seller=seller)
    key = uuid.uuid4()
    data = {
        "checkout_key": key,
        "address": address.pk,
        f"delivery_{seller.pk}": method.pk,
        "price": "1.00",
        "total": "1.00",
        "delivery_cost": "0",
    }

    response = client.post(reverse("orders:checkout"), data)
    replay = client.post(reverse("orders:checkout"), data)

    group = OrderGroup.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("orders:pay", args=[group.pk])
    assert replay.url == response.url
    assert group.total.to_integral() == 1300
    pay_page = client.get(response.url)
    assert pay_page.status_code == 302
    assert "/sandbox-pay/" in pay_page.url


def test_payment_return_page_says_processing_until_the_webhook_lands(client, buyer, seller):
    group = checkout(buyer, [(sellable(seller), 1)])
    client.force_login(buyer)

    processing = client.get(reverse("orders:payment-return", args=[group.pk]))
    pay(group)
    paid = client.get(
        reverse("orders:payment-return", args=[group.pk]), headers={"HX-Request": "true", "HX-Target": "payment-status"}
    )

    assert "hx-trigger" in processing.content.decode()
    assert group.orders.get().number in paid.content.decode()
    assert "hx-trigger" not in paid.content.decode()


def test_a_buyer_who_left_the_payment_page_can_go_back_to_it_while_the_items_are_reserved(client, buyer, seller):
    group = checkout(buyer, [(sellable(seller), 1)])
    client.force_login(buyer)

    waiting = client.get(reverse("orders:payment-return", args=[group.pk])).content.decode()
    listed = client.get(reverse("orders:list")).content.decode()
    to_provider = client.get(reverse("orders:pay", args=[group.pk]))

    assert f'href="{reverse("orders:pay", args=[group.pk])}"' in waiting
    assert "Go to payment" in waiting
    assert f'href="{reverse("orders:pay", args=[group.pk])}"' in listed
    assert "Waiting for payment until" in listed
    assert to_provider.status_code == 302
    assert to_provider["Location"] != reverse("orders:payment-return", args=[group.pk])  # off to the provider


def test_a_paid_checkout_offers_no_payment(client, buyer, seller):
    group = pay(checkout(buyer, [(sellable(seller), 1)]))
    client.force_login(buyer)

    page = client.get(reverse("orders:payment-return", args=[group.pk])).content.decode()
    listed = client.get(reverse("orders:list")).content.decode()

    assert "Go to payment" not in page
    assert "Waiting for payment" not in listed


def test_buyer_sees_only_own_orders(client, buyer, other_buyer, seller):
    order = pay(checkout(buyer, [(sellable(seller), 1)])).orders.get()
    client.force_login(other_buyer)

    assert client.get(reverse("orders:detail", args=[order.pk])).status_code == 404
    assert client.post(reverse("orders:cancel", args=[order.pk])).status_code == 404


def test_order_list_query_count_does_not_grow_with_orders(client, buyer, seller):
    variant = sellable(seller, stock=50)
    client.force_login(buyer)
    checkout(buyer, [(variant, 1)])
    url = reverse("orders:list")
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for _ in range(5):
        checkout(buyer, [(variant, 1)])
    with CaptureQueriesContext(connection) as six:
        client.get(url)
    assert len(six) == len(one)


def test_my_orders_shows_each_line_with_its_product_photo_and_quantity(client, buyer, seller):
    variant = sellable(seller, stock=50)
    order = pay(checkout(buyer, [(variant, 2)])).orders.get()
    photo = variant.listing.cover_photo
    client.force_login(buyer)

    page = client.get(reverse("orders:list")).content.decode()

    assert photo is not None
    assert f'<img src="{photo.grid_url}" alt="" width="56" height="56" loading="lazy">' in page
    assert f"{order.lines.get().title} × 2" in page


def test_seller_ships_from_the_cabinet_and_script_in_tracking_is_refused(client, buyer, seller):
    order = pay(checkout(buyer, [(sellable(seller), 1)])).orders.get()
    client.force_login(seller.user)

    client.post(reverse("orders:seller-confirm", args=[order.pk]))
    bad = client.post(
        reverse("orders:seller-ship", args=[order.pk]), {"carrier": "СДЭК", "tracking_number": "<script>x</script>"}
    )
    order.refresh_from_db()
    assert order.status == OrderStatus.CONFIRMED
    assert "<script>x</script>" not in bad.content.decode()
    good = client.post(
        reverse("orders:seller-ship", args=[order.pk]), {"carrier": "СДЭК", "tracking_number": "CDEK-777"}
    )

    order.refresh_from_db()
    assert good.status_code == 302
    assert order.status == OrderStatus.SHIPPED


def test_seller_sees_buyer_contact_only_while_needed(client, buyer, seller):
    order = pay(checkout(buyer, [(sellable(seller), 1)])).orders.get()
    client.force_login(seller.user)

    while_needed = client.get(reverse("orders:seller-detail", args=[order.pk]))
    order.status = OrderStatus.DELIVERED
    order.save(update_fields=["status"])
    after = client.get(reverse("orders:seller-detail", args=[order.pk]))

    assert "+79123456789" in while_needed.content.decode()
    assert "+79123456789" not in after.content.decode()


def test_other_seller_cannot_see_the_order(client, buyer, seller, other_seller):
    order = pay(checkout(buyer, [(sellable(seller), 1)])).orders.get()
    client.force_login(other_seller.user)

    assert client.get(reverse("orders:seller-detail", args=[order.pk])).status_code == 404


def test_seller_confirms_paid_orders_in_bulk_from_the_order_list(client, buyer, seller):
    first = pay(checkout(buyer, [(sellable(seller), 1)])).orders.get()
    second = pay(checkout(buyer, [(sellable(seller, title="Кеды"), 1)])).orders.get()
    client.force_login(seller.user)

    page = client.get(reverse("orders:seller-list")).content.decode()
    response = client.post(reverse("orders:seller-bulk-confirm"), {"order": [first.pk, second.pk]})

    assert f'id="sel-{first.pk}"' in page
    assert reverse("orders:seller-bulk-confirm") in page
    assert response.status_code == 302
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == (OrderStatus.CONFIRMED, OrderStatus.CONFIRMED)


def test_order_list_offers_no_bulk_confirmation_when_no_order_on_it_can_be_confirmed(client, buyer, seller):
    from orders import services

    order = pay(checkout(buyer, [(sellable(seller), 1)])).orders.get()
    services.confirm_order(order=order, actor=seller.user)
    client.force_login(seller.user)

    page = client.get(reverse("orders:seller-list")).content.decode()

    assert order.number in page
    assert reverse("orders:seller-bulk-confirm") not in page
    assert 'type="checkbox" name="order"' not in page


def test_order_list_offers_the_checkbox_only_beside_orders_that_can_still_be_confirmed(client, buyer, seller):
    from orders import services

    paid = pay(checkout(buyer, [(sellable(seller), 1)])).orders.get()
    confirmed = pay(checkout(buyer, [(sellable(seller, title="Кеды"), 1)])).orders.get()
    services.confirm_order(order=confirmed, actor=seller.user)
    client.force_login(seller.user)

    page = client.get(reverse("orders:seller-list")).content.decode()

    assert f'id="sel-{paid.pk}"' in page
    assert f'id="sel-{confirmed.pk}"' not in page


def test_bulk_confirmation_leaves_an_already_confirmed_order_as_it_was(client, buyer, seller):
    from orders import services

    order = pay(checkout(buyer, [(sellable(seller), 1)])).orders.get()
    services.confirm_order(order=order, actor=seller.user)
    events = order.events.count()
    client.force_login(seller.user)

    response = client.post(reverse("orders:seller-bulk-confirm"), {"order": [order.pk]}, follow=True)

    order.refresh_from_db()
    assert order.status == OrderStatus.CONFIRMED
    assert order.events.count() == events
    assert "Orders confirmed: 0" in response.content.decode()


def test_seller_cabinet_pages_render(client, seller):
    client.force_login(seller.user)

    for name in (
        "orders:seller-list",
        "orders:seller-returns",
        "orders:seller-delivery",
        "orders:seller-money",
        "sellers:dashboard",
    ):
        assert client.get(reverse(name)).status_code == 200, name


def test_packing_slip_lists_contents_packaging_requirements_and_return_terms(client, buyer, seller):
    """Spec 59 and 163: the sheet in the box carries a contents checklist per item, the packaging rules managers
    set for the goods' handling flags, the seller's contacts and how to return."""
    from catalog.models import Listing, PackagingRequirement

    variant = sellable(seller, title="Ваза стеклянная")
    Listing.objects.filter(pk=variant.listing_id).update(handling_flags=["fragile"], package_contents="Ваза\nПодставка")
    PackagingRequirement.objects.update_or_create(
        flag="fragile", defaults={"text": "Пузырчатая плёнка\nНаклейка «Хрупкое»"}
    )
    PackagingRequirement.objects.update_or_create(flag="liquid", defaults={"text": "Герметичный пакет"})
    order = pay(checkout(buyer, [(variant, 1)])).orders.get()
    client.force_login(seller.user)

    page = client.get(reverse("orders:seller-slip", args=[order.pk]), HTTP_ACCEPT_LANGUAGE="ru").content.decode()

    assert "☐ Ваза" in page
    assert "☐ Подставка" in page
    assert "Пузырчатая плёнка" in page
    assert "Наклейка «Хрупкое»" in page
    assert "Герметичный пакет" not in page  # no liquid goods in this order
    assert seller.contact_email in page
    assert "можно вернуть в течение 7 дней после доставки" in page
    assert f'aria-label="Штрихкод заказа {order.number}"' in page  # Code 128 of the number, as inline SVG


def test_managers_edit_packaging_requirements_in_admin():
    from marketplace.accounts.roles import MANAGERS, ROLE_PERMISSIONS

    assert {"catalog.change_packagingrequirement", "catalog.add_packagingrequirement"} <= ROLE_PERMISSIONS[MANAGERS]
