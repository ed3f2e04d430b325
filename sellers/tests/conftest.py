import pytest

from sellers.models import TeamRole

from .factories import add_member, make_seller


@pytest.fixture
def owner_member(seller):
    return seller.user.seller_membership


@pytest.fixture
def manager_member(seller):
    return add_member(seller, TeamRole.MANAGER)


@pytest.fixture
def warehouse_member(seller):
    return add_member(seller, TeamRole.WAREHOUSE)


@pytest.fixture
def make_seller_factory(db):
    return make_seller
