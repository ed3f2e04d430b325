import pytest

from catalog import text


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        ("Кроссовки Nike Air", "krossovki-nike-air"),
        ("Щётка для обуви — чёрная!", "shchetka-dlya-obuvi-chernaya"),
        ("   ", "item"),
        ("<script>alert(1)</script>", "script-alert-1-script"),
        ("Юбка «Осень» 100% шерсть", "yubka-osen-100-sherst"),
    ],
)
def test_slug_is_readable_latin(title, slug):
    assert text.slugify_ru(title) == slug


def test_long_slug_is_cut_at_a_word_boundary():
    slug = text.slugify_ru("очень " * 40)

    assert len(slug) <= 80
    assert not slug.endswith("-")


def test_wrong_keyboard_layout_is_read_as_russian():
    assert text.en_layout_to_ru("rhjccjdrb") == "кроссовки"
    assert text.en_layout_to_ru("b;tdcr") == "ижевск"
    assert text.ru_layout_to_en("тшлу") == "nike"


def test_latin_transliteration_is_read_back_as_russian():
    assert text.latin_to_cyrillic("krossovki") == "кроссовки"
    assert text.latin_to_cyrillic("shchetka") == "щетка"
    assert text.latin_to_cyrillic("zhenskaya kurtka") == "женская куртка"


@pytest.mark.parametrize(
    "raw",
    [
        "'; DROP TABLE catalog_listing; --",
        'кроссовки & | ! ( ) :* "nike"',
        "\x00\x07\x1b[31mкрасный\u200b",
        "а" * 10_000,
        None,
        12345,
    ],
)
def test_any_input_becomes_a_short_clean_query(raw):
    cleaned = text.clean_query(raw)

    assert len(cleaned) <= text.MAX_QUERY_LENGTH
    assert all(char.isprintable() for char in cleaned)
    assert all(token.isalnum() for token in text.tokenize(cleaned))


def test_tokens_fold_yo_and_case():
    assert text.tokenize("Ёлочные ИГРУШКИ") == ["елочные", "игрушки"]
