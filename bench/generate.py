"""Fill the benchmark database with a marketplace at scale, set-based in SQL (no ORM row by row).

    python bench/generate.py [--listings 1000000] [--sellers 10000] [--categories 2000]

Needs DATABASE_URL pointing at a database whose name ends with "bench" (`make bench` uses
`marketplace_bench`); it migrates it, then replaces every catalogue row in it. Listings are published,
in Russian, with brands, characteristics from their category's schema, a variant, a photo row, a stored
search vector and realistic skew (a few categories and words are much more common than the rest).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path
from string import Template

BASE_DIR = Path(__file__).resolve().parent.parent
SQL_DIR = Path(__file__).resolve().parent / "sql"
sys.path.insert(0, str(BASE_DIR))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "marketplace.settings")
os.environ.setdefault("DJANGO_DEBUG", "true")

NOUNS = [
    "Кроссовки", "Куртка", "Футболка", "Чайник", "Сковорода", "Смартфон", "Наушники", "Рюкзак", "Платье",
    "Джинсы", "Ботинки", "Свитер", "Шапка", "Перчатки", "Кружка", "Термос", "Лампа", "Подушка", "Одеяло",
    "Игрушка", "Конструктор", "Мяч", "Велосипед", "Самокат", "Палатка", "Часы", "Сумка", "Кошелёк", "Зонт",
    "Пылесос", "Утюг", "Фен", "Блендер", "Мультиварка", "Кофеварка", "Тостер", "Нож", "Кастрюля", "Ковёр",
    "Полотенце", "Шампунь", "Крем", "Духи", "Зарядка", "Кабель", "Клавиатура", "Мышь", "Монитор", "Планшет",
]  # fmt: skip
ADJECTIVES = [
    "мужские", "женские", "детские", "спортивные", "зимние", "летние", "кожаные", "хлопковые", "беспроводные",
    "электрический", "стеклянный", "большой", "компактный", "складной", "водонепроницаемый", "тёплый",
    "лёгкий", "классический", "новый", "премиум", "домашний", "дорожный", "универсальный", "профессиональный",
]  # fmt: skip
BRANDS = [
    "Nike", "adidas", "Demix", "PUMA", "Reebok", "Samsung", "Xiaomi", "Bosch", "Tefal", "Redmond", "Polaris",
    "LEGO", "Stels", "Outventure", "Columbia", "Sony", "JBL", "Philips", "Braun", "Gloria Jeans",
]  # fmt: skip
COLORS = ["Белый", "Чёрный", "Серый", "Синий", "Красный", "Зелёный", "Бежевый", "Розовый"]
MATERIALS = ["Хлопок", "Полиэстер", "Кожа", "Металл", "Пластик", "Стекло", "Дерево", "Керамика"]
ROOT_NAMES = [
    "Электроника", "Одежда", "Обувь", "Дом", "Кухня", "Красота", "Здоровье", "Спорт", "Туризм", "Детям",
    "Игрушки", "Книги", "Канцтовары", "Авто", "Сад", "Дача", "Ремонт", "Зоотовары", "Продукты", "Хобби",
]  # fmt: skip


def say(message: str) -> None:
    print(f"[generate] {message}", flush=True)


def _sql_array(values: list[str]) -> str:
    return "ARRAY[" + ",".join("'" + value.replace("'", "''") + "'" for value in values) + "]"


def generate(*, listings: int, sellers: int, categories: int) -> None:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    name = connection.settings_dict["NAME"]
    if not str(name).endswith("bench"):
        raise SystemExit(f"refusing to fill {name!r}: the database name must end with 'bench'")
    t0 = time.monotonic()
    call_command("migrate", verbosity=0)
    say(f"migrated {name} in {time.monotonic() - t0:.0f}s")

    roots = len(ROOT_NAMES)
    mids_per_root = 9
    leaves_per_mid = max(1, round((categories - roots - roots * mids_per_root) / (roots * mids_per_root)))
    values = {
        "sellers": sellers,
        "listings": listings,
        "mids_per_root": mids_per_root,
        "leaves_per_mid": leaves_per_mid,
        "root_names": _sql_array(ROOT_NAMES),
        "nouns": _sql_array(NOUNS),
        "noun_count": len(NOUNS),
        "adjectives": _sql_array(ADJECTIVES),
        "adjective_count": len(ADJECTIVES),
        "colors": _sql_array(COLORS),
        "materials": _sql_array(MATERIALS),
        "brands": _sql_array(BRANDS),
    }
    with connection.cursor() as cursor:

        def step(label: str, name: str) -> None:
            # Several statements at once, no parameters: every value is an int or one of the fixed word lists.
            started = time.monotonic()
            cursor.execute(Template((SQL_DIR / f"{name}.sql").read_text(encoding="utf-8")).substitute(values))
            say(f"{label}: {time.monotonic() - started:.1f}s")

        step("set-up", "setup")
        step("clear old rows", "clear")
        # sellers: users, approved applications (with the seller offer in force), sellers, storefronts
        step("sellers", "sellers")
        # categories: roots › groups › leaves, paths set from the ids
        step("categories", "categories")
        step("brands", "brands")
        # listings: skewed towards the first categories and words, like a real catalogue
        step("listings", "listings")
        step("variants and prices", "variants")
        step("photos", "photos")
    from catalog.services import dictionary

    started = time.monotonic()
    size = dictionary.rebuild()
    say(f"search dictionary: {size} words in {time.monotonic() - started:.1f}s")
    connection.close()
    from django.db import connection as fresh

    with fresh.cursor() as cursor:
        started = time.monotonic()
        cursor.execute("VACUUM ANALYZE")
        say(f"vacuum analyze: {time.monotonic() - started:.1f}s")
    _write_photos()
    say(f"done in {time.monotonic() - t0:.0f}s")


def _write_photos() -> None:
    """The 50 shared photo files the listing rows point at (so pages reference real files)."""
    import io

    from django.conf import settings
    from PIL import Image, ImageDraw

    from catalog.images import make_thumbnails

    folder = Path(settings.MEDIA_ROOT) / "bench"
    folder.mkdir(parents=True, exist_ok=True)
    for number in range(50):
        image = Image.new("RGB", (900, 900), (240, 240, 238))
        ImageDraw.Draw(image).ellipse((150, 150, 750, 750), fill=((number * 53) % 256, (number * 97) % 256, 160))
        buffer = io.BytesIO()
        image.save(buffer, format="JPEG", quality=85)
        (folder / f"photo-{number}.jpg").write_bytes(buffer.getvalue())
        for name, content in make_thumbnails(buffer.getvalue()).items():
            (folder / f"photo-{number}-{name}.webp").write_bytes(content)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--listings", type=int, default=1_000_000)
    parser.add_argument("--sellers", type=int, default=10_000)
    parser.add_argument("--categories", type=int, default=2_000)
    args = parser.parse_args()
    generate(listings=args.listings, sellers=args.sellers, categories=args.categories)


if __name__ == "__main__":
    main()
