"""Demo catalogue for `make run`: about 20 categories with attribute schemas and 400+ listings in Russian.

Everything goes through the real services (drafts, photos, moderation), so the demo shows what a real
catalogue holds: variants, honest discounts, stock-outs, listings waiting for moderation, questions.
Idempotent: a second run finds the catalogue and does nothing.
"""

from __future__ import annotations

import datetime
import io
import random
from collections.abc import Callable
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Count
from django.utils import timezone
from PIL import Image, ImageDraw

from catalog import services
from catalog.models import (
    AttributeType,
    Category,
    ForbiddenWord,
    Listing,
    ListingStatus,
    RejectionReason,
    Variant,
    VariantPrice,
)
from catalog.services import checks, dictionary, pricing
from marketplace.accounts.models import User
from marketplace.core.exceptions import DomainError
from sellers.models import Seller, SellerStatus

T = AttributeType

# root → [(leaf, schema, title words, brands, price range, sizes for variants)]
TREE: dict[str, list[tuple]] = {
    "Электроника": [
        (
            "Смартфоны",
            [
                ("memory", "Встроенная память", T.CHOICE, "ГБ", ["64", "128", "256", "512"], True, True),
                ("color", "Цвет", T.CHOICE, "", ["Чёрный", "Белый", "Синий", "Зелёный"], False, True),
                ("nfc", "NFC", T.BOOLEAN, "", [], False, True),
            ],
            ["Смартфон", ["Nova", "Pro", "Lite", "Max", "Neo"]],
            ["Samsung", "Xiaomi", "realme", "HONOR", "Tecno"],
            (8990, 89990),
            None,
        ),
        (
            "Наушники",
            [
                (
                    "type",
                    "Тип",
                    T.CHOICE,
                    "",
                    ["Вкладыши", "Внутриканальные", "Накладные", "Полноразмерные"],
                    True,
                    True,
                ),
                ("wireless", "Беспроводные", T.BOOLEAN, "", [], False, True),
                ("battery", "Время работы", T.NUMBER, "ч", [], False, True),
            ],
            ["Наушники", ["беспроводные", "с шумоподавлением", "спортивные", "детские"]],
            ["JBL", "Sony", "Xiaomi", "Marshall", "Sennheiser"],
            (990, 24990),
            None,
        ),
        (
            "Умные часы",
            [
                ("screen", "Диагональ экрана", T.NUMBER, "дюйм", [], False, True),
                ("waterproof", "Защита от воды", T.BOOLEAN, "", [], False, True),
            ],
            ["Смарт-часы", ["с пульсометром", "для бега", "детские с GPS", "с AMOLED-экраном"]],
            ["Amazfit", "Huawei", "Xiaomi", "Garmin"],
            (2490, 39990),
            None,
        ),
        (
            "Зарядные устройства",
            [
                ("power", "Мощность", T.NUMBER, "Вт", [], True, True),
                ("ports", "Разъёмы", T.MULTI_CHOICE, "", ["USB-A", "USB-C", "Lightning"], False, True),
            ],
            ["Зарядное устройство", ["быстрое", "сетевое", "автомобильное", "беспроводное"]],
            ["Baseus", "Anker", "Ugreen", "Xiaomi"],
            (490, 4990),
            None,
        ),
    ],
    "Одежда и обувь": [
        (
            "Кроссовки",
            [
                ("gender", "Пол", T.CHOICE, "", ["Мужской", "Женский", "Унисекс"], True, True),
                (
                    "material",
                    "Материал верха",
                    T.CHOICE,
                    "",
                    ["Текстиль", "Натуральная кожа", "Экокожа", "Замша"],
                    False,
                    True,
                ),
                ("season", "Сезон", T.CHOICE, "", ["Лето", "Демисезон", "Зима"], False, True),
            ],
            ["Кроссовки", ["беговые", "для зала", "повседневные", "на платформе", "трекинговые"]],
            ["Nike", "adidas", "Demix", "PUMA", "New Balance", "Reebok"],
            (2490, 14990),
            ["38", "39", "40", "41", "42", "43", "44"],
        ),
        (
            "Куртки",
            [
                ("gender", "Пол", T.CHOICE, "", ["Мужской", "Женский"], True, True),
                ("season", "Сезон", T.CHOICE, "", ["Демисезон", "Зима"], True, True),
                ("hood", "Капюшон", T.BOOLEAN, "", [], False, True),
            ],
            ["Куртка", ["пуховая", "утеплённая", "ветровка", "парка", "стёганая"]],
            ["Outventure", "Columbia", "Finn Flare", "Glissade"],
            (3990, 29990),
            ["S", "M", "L", "XL"],
        ),
        (
            "Футболки",
            [
                ("gender", "Пол", T.CHOICE, "", ["Мужской", "Женский", "Унисекс"], True, True),
                ("fabric", "Состав", T.MULTI_CHOICE, "", ["Хлопок", "Полиэстер", "Эластан", "Лён"], False, True),
            ],
            ["Футболка", ["хлопковая", "оверсайз", "с принтом", "базовая", "спортивная"]],
            ["Befree", "Gloria Jeans", "Demix", "Uniqlo"],
            (490, 2990),
            ["S", "M", "L", "XL"],
        ),
    ],
    "Дом и кухня": [
        (
            "Чайники",
            [
                ("volume", "Объём", T.NUMBER, "л", [], True, True),
                (
                    "body",
                    "Материал корпуса",
                    T.CHOICE,
                    "",
                    ["Стекло", "Пластик", "Нержавеющая сталь", "Керамика"],
                    False,
                    True,
                ),
                ("power", "Мощность", T.NUMBER, "Вт", [], False, False),
            ],
            ["Чайник электрический", ["стеклянный", "с подсветкой", "с терморегулятором", "металлический"]],
            ["Bosch", "Redmond", "Polaris", "Tefal", "Kitfort"],
            (990, 7990),
            None,
        ),
        (
            "Сковороды",
            [
                ("diameter", "Диаметр", T.NUMBER, "см", [], True, True),
                (
                    "coating",
                    "Покрытие",
                    T.CHOICE,
                    "",
                    ["Антипригарное", "Керамическое", "Чугун", "Нержавеющая сталь"],
                    False,
                    True,
                ),
                ("induction", "Для индукционных плит", T.BOOLEAN, "", [], False, True),
            ],
            ["Сковорода", ["с крышкой", "глубокая", "блинная", "гриль", "литая"]],
            ["Tefal", "Rondell", "Нева Металл Посуда", "Biol"],
            (690, 6990),
            None,
        ),
        (
            "Постельное бельё",
            [
                ("size", "Размер", T.CHOICE, "", ["1,5-спальное", "2-спальное", "Евро", "Семейное"], True, True),
                ("fabric", "Ткань", T.CHOICE, "", ["Сатин", "Бязь", "Поплин", "Перкаль"], False, True),
            ],
            ["Комплект постельного белья", ["однотонный", "с цветочным узором", "в полоску", "детский"]],
            ["Самойловский текстиль", "Ивановский текстиль", "Togas"],
            (1490, 8990),
            None,
        ),
        (
            "Хранение",
            [("material", "Материал", T.CHOICE, "", ["Пластик", "Ткань", "Металл", "Дерево"], False, True)],
            ["Органайзер", ["для шкафа", "для обуви", "для косметики", "для кабелей"]],
            ["IKEA", "Idea", "Handy Home"],
            (290, 2490),
            None,
        ),
    ],
    "Красота и здоровье": [
        (
            "Уход за лицом",
            [
                (
                    "skin",
                    "Тип кожи",
                    T.MULTI_CHOICE,
                    "",
                    ["Сухая", "Жирная", "Комбинированная", "Нормальная"],
                    False,
                    True,
                ),
                ("volume", "Объём", T.NUMBER, "мл", [], False, False),
            ],
            ["Крем для лица", ["увлажняющий", "ночной", "с SPF 30", "для чувствительной кожи"]],
            ["La Roche-Posay", "Natura Siberica", "Чистая линия", "CeraVe"],
            (290, 3490),
            None,
        ),
        (
            "Зубные щётки",
            [("electric", "Электрическая", T.BOOLEAN, "", [], True, True)],
            ["Зубная щётка", ["электрическая", "звуковая", "мягкая", "детская"]],
            ["Oral-B", "Philips", "Splat", "Revyline"],
            (190, 8990),
            None,
        ),
    ],
    "Спорт и отдых": [
        (
            "Велосипеды",
            [
                ("wheel", "Диаметр колёс", T.NUMBER, "дюйм", [], True, True),
                ("speeds", "Число скоростей", T.NUMBER, "", [], False, True),
                ("frame", "Материал рамы", T.CHOICE, "", ["Сталь", "Алюминий", "Карбон"], False, True),
            ],
            ["Велосипед", ["горный", "городской", "складной", "детский"]],
            ["Stels", "Forward", "Stern", "Merida"],
            (9990, 79990),
            None,
        ),
        (
            "Туристическое снаряжение",
            [
                ("capacity", "Вместимость", T.NUMBER, "чел.", [], False, True),
                ("weight", "Вес", T.NUMBER, "кг", [], False, False),
            ],
            ["Палатка", ["двухместная", "трёхместная", "туристическая", "с тамбуром"]],
            ["Outventure", "Tramp", "Nova Tour"],
            (2990, 24990),
            None,
        ),
        (
            "Фитнес",
            [("weight", "Вес", T.NUMBER, "кг", [], False, True)],
            ["Гантели", ["разборные", "неопреновые", "виниловые", "набор"]],
            ["Demix", "Torneo", "Starfit"],
            (490, 9990),
            None,
        ),
    ],
    "Детские товары": [
        (
            "Конструкторы",
            [
                ("age", "Возраст от", T.NUMBER, "лет", [], True, True),
                ("parts", "Деталей", T.NUMBER, "шт.", [], False, True),
            ],
            ["Конструктор", ["город", "космос", "замок", "машинка", "ферма"]],
            ["LEGO", "Cobi", "Банда умников"],
            (490, 14990),
            None,
        ),
        (
            "Мягкие игрушки",
            [("height", "Высота", T.NUMBER, "см", [], False, True)],
            ["Мягкая игрушка", ["мишка", "зайка", "котик", "единорог", "лисёнок"]],
            ["Мякиши", "Orange Toys", "Budi Basa"],
            (390, 3490),
            None,
        ),
    ],
}
COMMISSIONS = {"Электроника": "7", "Одежда и обувь": "15", "Дом и кухня": "12", "Красота и здоровье": "14"}
RETURNS = {"Красота и здоровье": "non_returnable"}
PALETTE = [(230, 57, 70), (29, 53, 87), (69, 123, 157), (42, 157, 143), (233, 196, 106), (244, 162, 97), (131, 56, 236)]
DESCRIPTIONS = [
    "Надёжная модель на каждый день. Продуманная конструкция и качественные материалы.",
    "Отличный выбор по соотношению цены и качества.\n\n- быстрая доставка\n- гарантия продавца\n- проверено перед отправкой",
    "Популярная модель этого сезона. Подходит для подарка.",
    "Компактный размер, простое обслуживание.\n\nВ комплекте инструкция на русском языке.",
]


def _photo(seed: int) -> SimpleUploadedFile:
    """A product-like picture: a soft background and a few coloured shapes (900 px, JPEG)."""
    rng = random.Random(seed)  # noqa: S311 - demo pictures, not secrets
    base = PALETTE[seed % len(PALETTE)]
    image = Image.new("RGB", (900, 900), (248, 248, 246))
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((150, 180, 750, 720), radius=80, fill=base)
    for _ in range(3):
        x, y, r = rng.randint(220, 680), rng.randint(240, 660), rng.randint(40, 120)
        color = PALETTE[rng.randrange(len(PALETTE))]
        draw.ellipse((x - r, y - r, x + r, y + r), fill=color, outline=(255, 255, 255), width=6)
    draw.rectangle((300, 760, 600, 790), fill=(200, 200, 200))
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=85)
    return SimpleUploadedFile(f"demo-{seed}.jpg", buffer.getvalue(), content_type="image/jpeg")


def _categories(log: Callable[[str], None]) -> list[tuple[Category, tuple]]:
    leaves = []
    for position, (root_name, children) in enumerate(TREE.items()):
        root = services.save_category(
            category=Category(
                name=root_name,
                position=position,
                commission_percent=Decimal(COMMISSIONS.get(root_name, "10")),
                return_class=RETURNS.get(root_name, "days_15"),
            ),
            actor=None,
        )
        for child_position, spec in enumerate(children):
            leaf = services.save_category(
                category=Category(name=spec[0], parent=root, position=child_position), actor=None
            )
            for attribute_position, (code, name, kind, unit, options, required, filterable) in enumerate(spec[1]):
                leaf.attributes.create(
                    code=code,
                    name=name,
                    type=kind,
                    unit=unit,
                    options=options,
                    is_required=required,
                    is_filterable=filterable,
                    position=attribute_position,
                )
            leaves.append((leaf, spec))
    log(f"catalog: {Category.objects.count()} categories with attribute schemas")
    return leaves


# Plausible values of each category's number attributes: one list for all of them gave a tent for sixty people,
# a construction set from 28 years and a 1 W kettle.
DEMO_NUMBERS: dict[tuple[str, str], list[str]] = {
    ("Наушники", "battery"): ["5", "6", "8", "12", "20", "24", "30", "40"],
    ("Умные часы", "screen"): ["1.2", "1.32", "1.43", "1.5", "1.75", "1.96"],
    ("Зарядные устройства", "power"): ["10", "18", "20", "25", "33", "45", "65", "100"],
    ("Чайники", "volume"): ["1", "1.5", "1.7", "1.8", "2"],
    ("Чайники", "power"): ["1800", "2000", "2200", "2400"],
    ("Сковороды", "diameter"): ["20", "22", "24", "26", "28", "30"],
    ("Уход за лицом", "volume"): ["30", "50", "75", "100", "150"],
    ("Велосипеды", "wheel"): ["16", "20", "24", "26", "27.5", "29"],
    ("Велосипеды", "speeds"): ["1", "3", "7", "18", "21", "24"],
    ("Туристическое снаряжение", "capacity"): ["1", "2", "3", "4"],
    ("Туристическое снаряжение", "weight"): ["1.8", "2.4", "3.1", "4.5", "5.2"],
    ("Фитнес", "weight"): ["1", "2", "3", "5", "8", "10", "15", "20"],
    ("Конструкторы", "age"): ["3", "4", "5", "6", "7", "8", "10", "12"],
    ("Конструкторы", "parts"): ["48", "120", "250", "400", "640", "1200"],
    ("Мягкие игрушки", "height"): ["20", "25", "30", "40", "60", "80"],
}
# The draw is made from this list (as it always was), so the rest of the demo keeps its random sequence.
_NUMBER_DRAW = [1, 2, 3, 4, 6, 8, 10, 12, 15, 20, 24, 26, 28, 30, 40, 60, 100]


def _attribute_values(spec: tuple, rng: random.Random) -> dict[str, object]:
    values: dict[str, object] = {}
    for code, _name, kind, _unit, options, _required, _filterable in spec[1]:
        if kind == T.CHOICE:
            values[code] = rng.choice(options)
        elif kind == T.MULTI_CHOICE:
            values[code] = rng.sample(options, k=rng.randint(1, min(2, len(options))))
        elif kind == T.BOOLEAN:
            values[code] = rng.random() < 0.6
        else:
            draw = rng.choice(_NUMBER_DRAW)
            plausible = DEMO_NUMBERS.get((spec[0], code))
            values[code] = plausible[_NUMBER_DRAW.index(draw) % len(plausible)] if plausible else str(draw)
    return values


def seed_catalog(log: Callable[[str], None]) -> None:
    if Category.objects.filter(name="Электроника", parent__isnull=True).exists():
        log("catalog: already seeded")
        return
    rng = random.Random(2026)  # noqa: S311 - repeatable demo data, not secrets
    for phrase in ("реплика", "копия бренда", "контрафакт", "под оригинал"):
        ForbiddenWord.objects.get_or_create(phrase=phrase)
    for position, (title, text) in enumerate(
        (
            ("Фото", "Добавьте фотографии самого товара на светлом фоне, без водяных знаков и контактов."),
            ("Контакты", "Уберите телефоны, ссылки и имена в мессенджерах из названия и описания."),
            ("Категория", "Товар размещён не в той категории. Выберите подходящую категорию."),
            ("Характеристики", "Заполните характеристики: они должны совпадать с описанием и фото."),
        )
    ):
        RejectionReason.objects.get_or_create(title=title, defaults={"text": text, "position": position})
    leaves = _categories(log)
    sellers = list(
        Seller.objects.filter(status__in=[SellerStatus.ACTIVE, SellerStatus.WARNED], offer_paused=False)
        .select_related("user", "storefront")
        .order_by("pk")
    )
    if not sellers:
        log("catalog: no demo sellers, listings skipped")
        return
    moderator = User.objects.filter(email="moderator@marketplace.demo").first()
    buyers = list(User.objects.filter(email__in=["buyer@marketplace.demo", "buyer2@marketplace.demo"]))
    created = pending = 0
    per_leaf = 430 // len(leaves) + 1
    for leaf, spec in leaves:
        noun, adjectives = spec[2]
        for number in range(per_leaf):
            seller = sellers[(number + leaf.pk) % len(sellers)]
            brand = rng.choice(spec[3])
            model = f"{rng.choice('ABCDEFGHKMNPRSTX')}{rng.randint(1, 99)}"
            title = f"{noun} {brand} {model} {rng.choice(adjectives)}"
            low, high = spec[4]
            price = Decimal(rng.randrange(low, high, 10))
            sizes = spec[5]
            if sizes and rng.random() < 0.7:
                chosen = sizes[rng.randrange(0, 2) : rng.randrange(3, len(sizes) + 1)]
                variants = [
                    services.VariantInput(
                        sku=f"{leaf.slug[:10]}-{number}-{size}".upper(),
                        price=price,
                        on_hand=rng.choice([0, 2, 5, 10, 25]),
                        options={"Размер": size},
                    )
                    for size in chosen
                ]
            else:
                variants = [
                    services.VariantInput(
                        sku=f"{leaf.slug[:10]}-{number}".upper(),
                        price=price,
                        on_hand=rng.choice([0, 3, 8, 15, 40, 100]),
                    )
                ]
            listing = services.create_listing(
                seller=seller,
                actor=seller.user,
                content=services.ListingContent(
                    title=title,
                    category_id=leaf.pk,
                    description=rng.choice(DESCRIPTIONS),
                    brand_name=brand,
                    attributes=_attribute_values(spec, rng),
                    package_contents=f"{noun}\nИнструкция\nГарантийный талон",
                ),
                variants=variants,
                details={"handling_days": rng.choice([0, 1, 1, 2, 3]), "weight_g": rng.randint(100, 5000)},
            )
            # Thumbnails come from the Celery worker afterwards (pages use the photo itself until then).
            for photo_number in range(1 if rng.random() < 0.75 else rng.randint(2, 3)):
                services.add_photo(
                    listing=listing,
                    actor=seller.user,
                    upload=_photo(listing.pk * 10 + photo_number),
                    alt=f"{title}, фото {photo_number + 1}",
                )
            created += 1
            roll = rng.random()
            if roll < 0.04:
                continue  # a draft
            services.submit_for_moderation(listing=listing, actor=seller.user)
            if roll < 0.09:
                pending += 1
                continue  # waits for a moderator
            services.approve_listing(listing=listing, actor=moderator)
            # The demo's history: the listing has sold at its price for a few weeks (the honest-discount rule
            # shows a struck-through price only if it was charged for 14 of the last 30 days).
            VariantPrice.objects.filter(variant__listing=listing).update(
                valid_from=timezone.now() - datetime.timedelta(days=rng.randint(20, 60))
            )
            roll = rng.random()
            if roll < 0.05:
                # A promo for a few days, from the regular price.
                for variant in listing.variants.all():
                    pricing.set_promo(
                        seller=seller,
                        actor=seller.user,
                        variant_id=variant.pk,
                        promo=pricing.PromoInput(
                            price=(variant.price * Decimal("0.85")).quantize(Decimal("1")),
                            starts_at=timezone.now(),
                            ends_at=timezone.now() + datetime.timedelta(days=rng.randint(3, 10)),
                        ),
                    )
            elif roll < 0.25:
                # A real price cut: the old price was charged, so it may be shown struck through.
                cut = (price * Decimal(rng.choice(["0.7", "0.8", "0.85", "0.9"]))).quantize(Decimal("1"))
                services.save_variants(
                    listing=listing,
                    actor=seller.user,
                    variants=[
                        services.VariantInput(
                            id=variant.pk,
                            sku=variant.sku,
                            price=cut,
                            old_price=price,
                            on_hand=variant.on_hand,
                            options=variant.options,
                        )
                        for variant in listing.variants.all()
                    ],
                )
    # Two listings of each seller have not been confirmed for half a year: the cabinet asks for a check (spec 30).
    for seller in sellers:
        stale = Listing.objects.filter(seller=seller, status=ListingStatus.PUBLISHED).order_by("pk")[:2]
        Listing.objects.filter(pk__in=list(stale.values_list("pk", flat=True))).update(
            content_confirmed_at=timezone.now() - datetime.timedelta(days=200)
        )
    checks.request_listing_checks()
    _shared_barcodes(rng)
    _questions(rng, buyers)
    dictionary.rebuild()
    log(f"catalog: {created} listings ({pending} waiting for moderation), search dictionary built")


def ean13(body: str) -> str:
    """An EAN-13 barcode: 12 digits and their check digit."""
    total = sum(int(digit) * (3 if index % 2 else 1) for index, digit in enumerate(body))
    return body + str((10 - total % 10) % 10)


def _shared_barcodes(rng: random.Random) -> None:
    """The same product sold by several sellers: in a dozen categories, one single-variant listing of each of two
    or three sellers of the same brand gets one EAN-13, so the cabinet's competitors page compares them (spec 42)."""
    groups: dict[tuple[int, int], dict[int, int]] = {}
    rows = (
        Listing.objects.filter(status=ListingStatus.PUBLISHED, brand__isnull=False)
        .annotate(variant_count=Count("variants"))
        .filter(variant_count=1)
        .order_by("pk")
        .values_list("pk", "category_id", "brand_id", "seller_id")
    )
    for pk, category_id, brand_id, seller_id in rows:
        groups.setdefault((category_id, brand_id), {}).setdefault(seller_id, pk)
    shared = [by_seller for by_seller in groups.values() if len(by_seller) >= 2][:12]
    for by_seller in shared:
        barcode = ean13(f"4600{rng.randrange(10**8):08d}")
        Variant.objects.filter(listing_id__in=list(by_seller.values())[:3]).update(barcode=barcode)


def _questions(rng: random.Random, buyers: list[User]) -> None:
    if not buyers:
        return
    listings = list(
        Listing.objects.filter(status=ListingStatus.PUBLISHED).select_related("seller__user").order_by("pk")[:40]
    )
    for listing in listings[::4]:
        try:
            question = services.ask_question(
                listing=listing, author=rng.choice(buyers), text="Подскажите, есть ли гарантия и сколько она длится?"
            )
        except DomainError:  # the daily question limit of a demo buyer
            continue
        if rng.random() < 0.6:
            services.answer_question(question=question, actor=listing.seller.user, text="Да, гарантия 12 месяцев.")
