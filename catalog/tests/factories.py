"""factory_boy factories for the catalogue; categories are saved through the service that keeps paths."""

from __future__ import annotations

from decimal import Decimal

import factory

from catalog import services
from catalog.models import Attribute, AttributeType, Brand, Category


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category

    name = factory.Sequence(lambda n: f"Категория {n}")
    commission_percent = Decimal("10.00")

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return services.save_category(category=model_class(*args, **kwargs), actor=None)


class AttributeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Attribute

    category = factory.SubFactory(CategoryFactory)
    code = factory.Sequence(lambda n: f"attr{n}")
    name = factory.Sequence(lambda n: f"Характеристика {n}")
    type = AttributeType.TEXT


class BrandFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Brand

    name = factory.Sequence(lambda n: f"Brand {n}")
    slug = factory.Sequence(lambda n: f"brand-{n}")


# --- sellers and listings ---------------------------------------------------------------------------


def image_bytes(width: int = 900, height: int = 900, color=(200, 60, 60), fmt: str = "JPEG") -> bytes:
    import io

    from PIL import Image, ImageDraw

    image = Image.new("RGB", (width, height), color)
    # A block whose place depends on the colour, so different photos get different perceptual hashes.
    draw = ImageDraw.Draw(image)
    x, y = color[0] * 3 % (width // 2), color[1] * 3 % (height // 2)
    draw.rectangle((x, y, x + width // 3, y + height // 4), fill=(255 - color[0], 255 - color[1], 255 - color[2]))
    buffer = io.BytesIO()
    image.save(buffer, format=fmt)
    return buffer.getvalue()


def photo_upload(color=(200, 60, 60), name: str = "photo.jpg"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, image_bytes(color=color), content_type="image/jpeg")


_seller_counter = iter(range(1, 1_000_000))


def make_seller(user=None, *, status: str = "active", name: str | None = None, **extra):
    """An approved seller with a storefront (the sellers app's onboarding is not needed for catalogue tests)."""
    from allauth.account.models import EmailAddress

    from marketplace.accounts.models import User
    from sellers.models import LegalForm, Seller, SellerApplication, Storefront, TeamMember, TeamRole

    number = next(_seller_counter)
    if user is None:
        user = User.objects.create_user(email=f"seller{number}@example.com", password="seller-password-42")
        EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    from marketplace.legal.models import DocumentKind, PlatformTerms

    offer = PlatformTerms.objects.filter(kind=DocumentKind.SELLER_OFFER).order_by("-effective_at").first()
    if offer is None:  # a transactional test elsewhere flushed the data migration's rows
        from django.utils import timezone

        offer = PlatformTerms.objects.create(
            kind=DocumentKind.SELLER_OFFER,
            version="1.0",
            effective_at=timezone.now() - timezone.timedelta(days=1),
            title_ru="Оферта",
            title_en="Offer",
            body_ru="Оферта",
            body_en="Offer",
        )
    application = SellerApplication.objects.create(
        applicant=user, status="approved", legal_form=LegalForm.LLC, offer_terms=offer
    )
    seller = Seller.objects.create(
        user=user,
        application=application,
        status=status,
        legal_form=LegalForm.LLC,
        legal_name=f"ООО «Продавец {number}»",
        inn=f"77{number:08d}",
        legal_address="Москва",
        bik="044525225",
        settlement_account="40702810900000000001",
        contact_name="Иван",
        contact_phone="+79990000000",
        contact_email=user.email,
        offer_terms=offer,
        **extra,
    )
    Storefront.objects.create(seller=seller, slug=f"store-{number}", name=name or f"Магазин {number}")
    TeamMember.objects.create(seller=seller, user=user, role=TeamRole.OWNER)
    return seller


def make_listing(
    seller,
    *,
    category=None,
    title: str = "Кроссовки беговые",
    price: Decimal | str = "1990.00",
    stock: int = 5,
    status: str = "published",
    brand: str = "",
    attributes: dict | None = None,
    description: str = "",
    photos: int = 1,
    variants: list | None = None,
    orders_30d: int = 0,
):
    """A listing through the real services: created as a draft, photos added, then moved to `status`."""
    from catalog import services
    from catalog.models import Listing, ListingStatus

    category = category or CategoryFactory()
    content = services.ListingContent(
        title=title,
        category_id=category.pk,
        description=description,
        brand_name=brand,
        attributes=attributes or {},
    )
    variant_inputs = variants or [
        services.VariantInput(sku=f"SKU-{next(_seller_counter)}", price=Decimal(str(price)), on_hand=stock)
    ]
    listing = services.create_listing(seller=seller, actor=seller.user, content=content, variants=variant_inputs)
    for index in range(photos):
        shade = next(_seller_counter)
        color = (shade * 37 % 256, shade * 91 % 256, (shade * 53 + index * 40) % 256)
        services.add_photo(listing=listing, actor=seller.user, upload=photo_upload(color=color))
    if status != ListingStatus.DRAFT:
        services.submit_for_moderation(listing=listing, actor=seller.user)
    if status in (ListingStatus.PUBLISHED, ListingStatus.PAUSED, ListingStatus.BLOCKED, ListingStatus.ARCHIVED):
        services.approve_listing(listing=listing, actor=None)
    if status in (ListingStatus.PAUSED, ListingStatus.BLOCKED, ListingStatus.ARCHIVED, ListingStatus.REJECTED):
        services.change_listing_status(listing=listing, to=status, actor=None, reason="test")
    if orders_30d:
        Listing.objects.filter(pk=listing.pk).update(orders_30d=orders_30d)
    return Listing.objects.get(pk=listing.pk)


def wait_until_advisory_lock_released(first: int, second: int, *, seconds: float = 10) -> None:
    """After a connection holding an advisory lock closes, its server process ends and frees the lock a moment
    later, not at once: wait for that instead of racing it."""
    import time

    from django.db import connection

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND classid = %s AND objid = %s",
                [first, second],
            )
            if cursor.fetchone()[0] == 0:
                return
        time.sleep(0.05)
    raise AssertionError(f"advisory lock ({first}, {second}) still held after {seconds} s")
