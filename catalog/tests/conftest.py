import pytest

from .factories import CategoryFactory


@pytest.fixture
def category(db):
    return CategoryFactory(name="Кроссовки")
