"""The address book (issue 5, item 2): addresses with a recipient and phone, one default, managed by the buyer."""

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from buyers import services
from buyers.models import Address

pytestmark = pytest.mark.django_db

VALID = {
    "recipient_name": "Анна Смирнова",
    "phone": "+79123456789",
    "region": "Москва",
    "city": "Москва",
    "street": "Тверская",
    "house": "1",
    "flat": "12",
    "postcode": "125009",
}


def _address(user, **fields) -> Address:
    return services.save_address(actor=user, address=Address(**{**VALID, **fields}))


def _snapshot(user) -> list[tuple]:
    return list(Address.objects.filter(user=user).order_by("pk").values_list("pk", "phone", "city", "is_default"))


# Services -----------------------------------------------------------------------------------------------


def test_buyers_first_address_becomes_the_default(user):
    address = _address(user, is_default=False)

    assert address.is_default


def test_buyer_marking_a_new_address_default_moves_the_default(user):
    first = _address(user)

    second = _address(user, city="Казань", is_default=True)

    first.refresh_from_db()
    assert (first.is_default, second.is_default) == (False, True)


def test_buyer_adding_a_non_default_address_keeps_the_default(user):
    first = _address(user)

    _address(user, city="Казань", is_default=False)

    first.refresh_from_db()
    assert first.is_default
    assert Address.objects.filter(user=user, is_default=True).count() == 1


def test_buyer_cannot_leave_the_book_without_a_default_by_unticking_it(user):
    only = _address(user)

    only.is_default = False
    services.save_address(actor=user, address=only)

    only.refresh_from_db()
    assert only.is_default


def test_buyer_sets_another_address_as_default(user):
    first, second = _address(user), _address(user, city="Казань")

    services.set_default_address(actor=user, address=second)

    assert list(Address.objects.filter(user=user, is_default=True).values_list("pk", flat=True)) == [second.pk]
    first.refresh_from_db()
    assert not first.is_default


def test_deleting_the_default_address_makes_the_newest_other_one_default(user):
    default = _address(user)
    _address(user, city="Казань")
    newest = _address(user, city="Сочи")

    services.delete_address(actor=user, address=default)

    assert not Address.objects.filter(pk=default.pk).exists()
    assert list(Address.objects.filter(user=user, is_default=True).values_list("pk", flat=True)) == [newest.pk]


def test_other_buyer_cannot_edit_set_default_or_delete_someones_address(user, other_user):
    first, second = _address(user), _address(user, city="Казань")
    before = _snapshot(user)
    stolen = Address.objects.get(pk=second.pk)
    stolen.city = "Самара"

    with pytest.raises(PermissionDenied):
        services.save_address(actor=other_user, address=stolen)
    with pytest.raises(PermissionDenied):
        services.set_default_address(actor=other_user, address=second)
    with pytest.raises(PermissionDenied):
        services.delete_address(actor=other_user, address=first)

    assert _snapshot(user) == before
    assert not Address.objects.filter(user=other_user).exists()


def test_buyer_cannot_take_over_someones_address_by_changing_the_owner_on_the_instance(user, other_user):
    address = _address(user)
    before = _snapshot(user)
    forged = Address.objects.get(pk=address.pk)
    forged.user = other_user

    with pytest.raises(PermissionDenied):
        services.save_address(actor=other_user, address=forged)

    assert _snapshot(user) == before


# Pages --------------------------------------------------------------------------------------------------


def test_buyer_sees_the_address_book_with_the_default_first(client, user):
    _address(user, city="Казань")
    _address(user, city="Сочи", is_default=True)
    client.force_login(user)

    response = client.get(reverse("buyers:addresses"))

    content = response.content.decode()
    assert response.status_code == 200
    assert content.index("Сочи") < content.index("Казань")
    assert "+7\N{NO-BREAK SPACE}(912) 345-67-89" in content
    assert "Анна Смирнова" in content


def test_buyer_with_no_addresses_sees_what_to_do(client, user):
    client.force_login(user)

    content = client.get(reverse("buyers:addresses")).content.decode()

    assert "No addresses yet" in content
    assert 'name="recipient_name"' in content


def test_account_menu_links_to_the_address_book(client, user):
    client.force_login(user)

    content = client.get(reverse("buyers:addresses")).content.decode()

    assert f'href="{reverse("buyers:addresses")}"' in content


def test_buyer_adds_an_address_without_javascript(client, user):
    client.force_login(user)

    response = client.post(reverse("buyers:addresses"), {**VALID, "phone": "8 (912) 345-67-89"})

    assert response.status_code == 302
    address = Address.objects.get(user=user)
    assert (address.phone, address.is_default, address.flat) == ("+79123456789", True, "12")


def test_buyer_adds_an_address_with_htmx_and_gets_the_book_back(client, user):
    client.force_login(user)

    response = client.post(
        reverse("buyers:addresses"), VALID, headers={"HX-Request": "true", "HX-Target": "address-book"}
    )

    assert response.status_code == 200
    content = response.content.decode()
    assert content.lstrip().startswith('<div id="address-book">')
    assert "Тверская" in content
    assert "HX-Request" in response["Vary"]
    assert Address.objects.filter(user=user).count() == 1


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("phone", "12345", "Enter the phone as +7 and ten digits"),
        ("phone", "+7912345678", "Enter the phone as +7 and ten digits"),
        ("phone", "+1 (912) 345-67-89", "Enter the phone as +7 and ten digits"),
        ("phone", "<script>alert(1)</script>", "Enter the phone as +7 and ten digits"),
        ("postcode", "12345", "six digits"),
        ("postcode", "1250090", "at most 6 characters"),
        ("postcode", "абвгде", "six digits"),
        ("recipient_name", "", "This field is required"),
        ("house", "", "This field is required"),
        ("city", "x" * 101, "at most 100 characters"),
    ],
)
def test_buyer_sees_a_clear_error_for_a_bad_address_and_nothing_is_saved(client, user, field, value, message):
    existing = _address(user)
    before = _snapshot(user)
    client.force_login(user)

    response = client.post(reverse("buyers:addresses"), {**VALID, field: value})

    assert response.status_code == 200
    content = response.content.decode()
    assert message in content
    assert "<script>alert(1)</script>" not in content
    assert _snapshot(user) == before
    assert existing.pk == before[0][0]


def test_buyer_edits_an_address(client, user):
    address = _address(user)
    client.force_login(user)
    url = reverse("buyers:address-edit", args=[address.pk])

    page = client.get(url)
    response = client.post(url, {**VALID, "city": "Химки", "phone": "+7 912 000-11-22", "is_default": "on"})

    assert page.status_code == 200
    assert 'value="Тверская"' in page.content.decode()
    assert response.status_code == 302
    address.refresh_from_db()
    assert (address.city, address.phone, address.is_default) == ("Химки", "+79120001122", True)


def test_buyer_editing_with_a_bad_phone_keeps_what_was_typed_and_changes_nothing(client, user):
    address = _address(user)
    before = _snapshot(user)
    client.force_login(user)

    response = client.post(reverse("buyers:address-edit", args=[address.pk]), {**VALID, "phone": "9123"})

    assert response.status_code == 200
    assert 'value="9123"' in response.content.decode()
    assert _snapshot(user) == before


def test_buyer_makes_an_address_default_with_and_without_htmx(client, user):
    first, second = _address(user), _address(user, city="Казань")
    client.force_login(user)
    url = reverse("buyers:address-default", args=[second.pk])

    plain = client.post(url)
    client.post(
        reverse("buyers:address-default", args=[first.pk]), headers={"HX-Request": "true", "HX-Target": "address-book"}
    )

    assert plain.status_code == 302
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.is_default, second.is_default) == (True, False)


def test_buyer_deletes_an_address_after_confirming(client, user):
    default, other = _address(user), _address(user, city="Казань")
    client.force_login(user)
    url = reverse("buyers:address-delete", args=[default.pk])

    confirm = client.get(url)
    response = client.post(url)

    assert confirm.status_code == 200
    assert "Delete the address?" in confirm.content.decode()
    assert "newest of the others becomes the default" in confirm.content.decode()
    assert response.status_code == 302
    assert list(Address.objects.filter(user=user).values_list("pk", "is_default")) == [(other.pk, True)]


@pytest.mark.parametrize(
    ("method", "name"),
    [
        ("get", "buyers:address-edit"),
        ("post", "buyers:address-edit"),
        ("post", "buyers:address-default"),
        ("get", "buyers:address-delete"),
        ("post", "buyers:address-delete"),
    ],
)
def test_buyer_touching_someone_elses_address_gets_404_and_nothing_changes(client, user, other_user, method, name):
    theirs = _address(other_user)
    _address(other_user, city="Казань")
    before = _snapshot(other_user)
    client.force_login(user)

    response = getattr(client, method)(reverse(name, args=[theirs.pk]), {**VALID, "city": "Самара"})

    assert response.status_code == 404
    assert _snapshot(other_user) == before


def test_anonymous_visitor_is_sent_to_log_in(client):
    response = client.get(reverse("buyers:addresses"))

    assert response.status_code == 302
    assert "login" in response["Location"]


def test_address_book_query_count_does_not_grow_with_addresses(client, user):
    client.force_login(user)
    url = reverse("buyers:addresses")
    _address(user)
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for index in range(8):
        _address(user, city=f"Город {index}")
    with CaptureQueriesContext(connection) as nine:
        client.get(url)

    assert len(nine) == len(one)


def test_checkout_offers_the_address_book_default_first(client, user):
    _address(user, city="Казань")
    chosen = _address(user, city="Сочи")
    services.set_default_address(actor=user, address=chosen)

    from orders.forms import CheckoutForm

    form = CheckoutForm(buyer=user, groups=[])
    assert form.initial["address"] == chosen.pk
