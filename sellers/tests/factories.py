"""Factories and sample files for the sellers' tests (real, check-digit-valid Russian numbers)."""

from __future__ import annotations

import io
import itertools

import factory
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from marketplace.accounts.models import User
from marketplace.legal import selectors as legal_selectors
from marketplace.legal import services as legal_services
from marketplace.legal.models import DocumentKind as LegalDocumentKind
from marketplace.legal.models import PlatformTerms
from sellers.models import (
    ApplicationStatus,
    LegalForm,
    Seller,
    SellerApplication,
    SellerStatus,
    Storefront,
    TeamMember,
    TeamRole,
)

# Check-digit-valid identities, one per seller a test makes (INN is unique among active sellers).
LLC_IDENTITIES = [
    ("7707083893", "1027700132195", "773601001"),  # ПАО Сбербанк
    ("7736207543", "1027700229193", "770401001"),  # ООО «Яндекс»
    ("7701234560", "1157746001236", "770101001"),
    ("7842012345", "1217700012342", "784201001"),
]
PERSON_INNS = ["500100732259", "773400211252", "771234567859", "502912345634", "780100000163"]
OGRNIPS = ["304500116000157", "315774600012344", "321770000123456"]
SBER_BANK = {
    "bank_name": "ПАО Сбербанк",
    "bik": "044525225",
    "settlement_account": "40702810938000000001",
    "correspondent_account": "30101810400000000225",
}
SBER_SOLE_TRADER_ACCOUNT = "40802810400000000002"
TBANK = {
    "bank_name": "АО «Т-Банк»",
    "bik": "044525974",
    "settlement_account": "40702810610000000001",
    "correspondent_account": "30101810145250000974",
}

_counter = itertools.count()


def _weighted(number: str, weights) -> int:
    return sum(int(d) * w for d, w in zip(number, weights, strict=False))


def generated_person_inn(n: int) -> str:
    """A check-digit-valid 12-digit INN (Moscow region code) for the n-th generated person."""
    base = f"77{n:08d}"
    first = _weighted(base, (7, 2, 4, 10, 3, 5, 9, 4, 6, 8)) % 11 % 10
    second = _weighted(base + str(first), (3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8)) % 11 % 10
    return f"{base}{first}{second}"


def generated_company_identity(n: int) -> tuple[str, str, str]:
    base = f"77{n:07d}"
    inn = base + str(_weighted(base, (2, 4, 10, 3, 5, 9, 4, 6, 8)) % 11 % 10)
    ogrn_base = f"1207700{n:05d}"
    return inn, ogrn_base + str(int(ogrn_base) % 11 % 10), inn[:4] + "01001"


def generated_ogrnip(n: int) -> str:
    base = f"3207700{n:07d}"
    return base + str(int(base) % 13 % 10)


def seller_offer() -> PlatformTerms:
    return PlatformTerms.objects.filter(kind=LegalDocumentKind.SELLER_OFFER).order_by("-effective_at").first()


def application_values(legal_form: str = LegalForm.SOLE_TRADER, index: int | None = None) -> dict[str, str]:
    """Every wizard field, valid for the legal form."""
    i = next(_counter) if index is None else index
    if legal_form == LegalForm.LLC:
        inn, ogrn, kpp = LLC_IDENTITIES[i] if i < len(LLC_IDENTITIES) else generated_company_identity(i)
        legal_name, bank = f"ООО «Ромашка-{i}»", dict(SBER_BANK)
    else:
        inn, kpp = (PERSON_INNS[i] if i < len(PERSON_INNS) else generated_person_inn(i)), ""
        ogrnip = OGRNIPS[i] if i < len(OGRNIPS) else generated_ogrnip(i)
        ogrn = ogrnip if legal_form == LegalForm.SOLE_TRADER else ""
        legal_name = f"ИП Иванов Иван Иванович {i}" if legal_form == LegalForm.SOLE_TRADER else f"Петрова Анна {i}"
        bank = {**SBER_BANK, "settlement_account": SBER_SOLE_TRADER_ACCOUNT}
    return {
        "legal_form": legal_form,
        "legal_name": legal_name,
        "inn": inn,
        "ogrn": ogrn,
        "kpp": kpp,
        "legal_address": "г. Москва, ул. Тверская, д. 1",
        **bank,
        "contact_name": "Иван Иванов",
        "contact_phone": "+79123456789",
        "contact_email": f"shop{i}@example.com",
        "store_name": f"Магазин {i}",
        "store_slug": f"shop-{i}",
        "planned_categories": "Электроника, Дом и сад",
        "business_description": "Продаём технику для дома.",
    }


def pdf_bytes() -> bytes:
    return b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def png_bytes(size=(40, 30)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, format="PNG")
    return buffer.getvalue()


def jpeg_bytes(size=(40, 30)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (30, 30, 200)).save(buffer, format="JPEG")
    return buffer.getvalue()


def upload(name: str = "scan.pdf", content: bytes | None = None, content_type: str = "application/pdf"):
    return SimpleUploadedFile(name, pdf_bytes() if content is None else content, content_type=content_type)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.com")
    first_name = "Пётр"
    last_name = factory.Sequence(lambda n: f"Сидоров{n}")

    @factory.post_generation
    def accepted_terms(obj, create, extracted, **kwargs):
        """Current terms accepted, as after signup, so pages do not stop at the re-acceptance screen."""
        if create and extracted is not False:
            legal_services.accept_documents(
                user=obj, documents=legal_selectors.documents_requiring_acceptance(), ip_address=None, source="test"
            )


class ApplicationFactory(factory.django.DjangoModelFactory):
    """An application with every field filled; `status` can be set directly for table tests."""

    class Meta:
        model = SellerApplication

    class Params:
        form = LegalForm.SOLE_TRADER

    applicant = factory.SubFactory(UserFactory)

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        form = kwargs.pop("form", LegalForm.SOLE_TRADER)
        values = application_values(kwargs.get("legal_form") or form)
        values.update(kwargs)
        status = values.get("status", ApplicationStatus.DRAFT)
        values.setdefault("offer_terms", seller_offer())
        if status != ApplicationStatus.DRAFT:
            values.setdefault("submitted_at", timezone.now())
        return super()._create(model_class, *args, **values)


def make_seller(
    *, user: User | None = None, legal_form: str = LegalForm.SOLE_TRADER, status: str = SellerStatus.ACTIVE, **fields
) -> Seller:
    """An approved seller with a storefront and the owner's team seat (made directly, without the review)."""
    user = user or UserFactory()
    application = ApplicationFactory(applicant=user, legal_form=legal_form, status=ApplicationStatus.APPROVED)
    data = dict(
        user=user,
        application=application,
        status=status,
        legal_form=application.legal_form,
        legal_name=application.legal_name,
        inn=application.inn,
        ogrn=application.ogrn,
        kpp=application.kpp,
        legal_address=application.legal_address,
        bank_name=application.bank_name,
        bik=application.bik,
        settlement_account=application.settlement_account,
        correspondent_account=application.correspondent_account,
        contact_name=application.contact_name,
        contact_phone=application.contact_phone,
        contact_email=application.contact_email,
        categories=application.planned_categories,
        offer_terms=application.offer_terms,
    )
    seller = Seller.objects.create(**{**data, **fields})
    Storefront.objects.create(
        seller=seller, slug=application.store_slug, name=application.store_name, description="Техника для дома."
    )
    TeamMember.objects.create(seller=seller, user=user, role=TeamRole.OWNER)
    return seller


def add_member(seller: Seller, role: str, user: User | None = None) -> TeamMember:
    return TeamMember.objects.create(seller=seller, user=user or UserFactory(), role=role)


def approving_moderator() -> User:
    """A second moderator who approves suspensions and terminations (four eyes) for tests that need one in force."""
    from django.contrib.auth.models import Group

    from marketplace.accounts.roles import MODERATORS

    user, created = User.objects.get_or_create(email="approver@example.com", defaults={"is_staff": True})
    if created:
        user.groups.add(Group.objects.get(name=MODERATORS))
    return user


def impose_sanction(
    seller: Seller, level: str, *, actor: User, rule: str = "Сроки", reason: str = "Просрочки", **extra
):
    """A sanction in force: lighter ones at once; a suspension or termination proposed by `actor` and approved by
    a second moderator, as the four-eyes rule requires."""
    from sellers import services
    from sellers.models import FOUR_EYES_SANCTIONS

    if level not in FOUR_EYES_SANCTIONS:
        return services.apply_sanction(seller=seller, level=level, actor=actor, rule=rule, reason=reason, **extra)
    sanction_request = services.request_sanction(
        seller=seller, level=level, actor=actor, rule=rule, reason=reason, **extra
    )
    return services.approve_sanction_request(sanction_request=sanction_request, actor=approving_moderator()).sanction
