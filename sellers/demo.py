"""Demo sellers for `make run`: every application and lifecycle state, documents, a team, an announcement, a case.

Idempotent: each person is keyed by e-mail and skipped once they exist; everything goes through the real
services, so the history rows and notifications look like real use. Numbers are synthetic but check-digit valid.
"""

from __future__ import annotations

import io
from collections.abc import Callable

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageDraw

from marketplace.accounts.models import User
from marketplace.accounts.roles import MANAGERS, MODERATORS

from . import services
from .models import (
    FOUR_EYES_SANCTIONS,
    Announcement,
    AnnouncementTopic,
    ApplicationStatus,
    CaseTopic,
    DocumentKind,
    LegalForm,
    ReviewCheck,
    Seller,
    SellerApplication,
    SellerStatus,
    TeamRole,
)
from .services.applications import STEP_FIELDS

SBER = {"bank_name": "ПАО Сбербанк", "bik": "044525225", "correspondent_account": "30101810400000000225"}


def _weighted(number: str, weights) -> int:
    return sum(int(digit) * weight for digit, weight in zip(number, weights, strict=False))


def _company(n: int) -> tuple[str, str, str]:
    base = f"77{n:07d}"
    inn = base + str(_weighted(base, (2, 4, 10, 3, 5, 9, 4, 6, 8)) % 11 % 10)
    ogrn = f"1247700{n:05d}"
    return inn, ogrn + str(int(ogrn) % 11 % 10), inn[:4] + "01001"


def _person(n: int) -> str:
    base = f"50{n:08d}"
    first = _weighted(base, (7, 2, 4, 10, 3, 5, 9, 4, 6, 8)) % 11 % 10
    second = _weighted(base + str(first), (3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8)) % 11 % 10
    return f"{base}{first}{second}"


def _ogrnip(n: int) -> str:
    base = f"3245000{n:07d}"
    return base + str(int(base) % 13 % 10)


def _account(prefix: str, n: int) -> str:
    """A settlement account at Sberbank (BIK 044525225) with a valid control key."""
    for key in range(10):
        account = f"{prefix}810{key}{n:011d}"
        if _weighted("225" + account, (7, 1, 3) * 8) % 10 == 0:
            return account
    raise AssertionError("no control key")


def _values(legal_form: str, n: int, store_name: str, slug: str, legal_name: str, email: str) -> dict[str, str]:
    if legal_form == LegalForm.LLC:
        inn, ogrn, kpp = _company(n)
        prefix = "40702"
    else:
        inn, ogrn, kpp = _person(n), (_ogrnip(n) if legal_form == LegalForm.SOLE_TRADER else ""), ""
        prefix = "40802" if legal_form == LegalForm.SOLE_TRADER else "40817"
    return {
        "legal_form": legal_form,
        "legal_name": legal_name,
        "inn": inn,
        "ogrn": ogrn,
        "kpp": kpp,
        "legal_address": "Россия, Московская обл., г. Подольск, ул. Ленина, д. 10, 142100",
        **SBER,
        "settlement_account": _account(prefix, n),
        "contact_name": legal_name.removeprefix("ИП ").removeprefix("ООО "),
        "contact_phone": f"+7916{n:07d}",
        "contact_email": email,
        "store_name": store_name,
        "store_slug": slug,
        "planned_categories": "Электроника, Дом и сад",
        "business_description": f"«{store_name}»: товары для дома с доставкой по России.",
    }


def _scan_png(title: str) -> bytes:
    image = Image.new("RGB", (620, 877), "white")
    draw = ImageDraw.Draw(image)
    draw.rectangle((20, 20, 600, 857), outline="black", width=3)
    draw.text((40, 40), title, fill="black")
    draw.text((40, 80), "DEMO / ОБРАЗЕЦ", fill="red")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


_PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def _documents_for(legal_form: str) -> list[tuple[str, SimpleUploadedFile]]:
    registration = SimpleUploadedFile("лист-записи.pdf", _PDF, "application/pdf")
    passport = SimpleUploadedFile("passport.png", _scan_png("Passport page"), "image/png")
    npd = SimpleUploadedFile("npd.pdf", _PDF, "application/pdf")
    return {
        LegalForm.LLC: [(DocumentKind.REGISTRATION_CERTIFICATE, registration)],
        LegalForm.SOLE_TRADER: [
            (DocumentKind.REGISTRATION_CERTIFICATE, registration),
            (DocumentKind.PASSPORT, passport),
        ],
        LegalForm.SELF_EMPLOYED: [(DocumentKind.NPD_CERTIFICATE, npd), (DocumentKind.PASSPORT, passport)],
    }[legal_form]


def _filled_application(user: User, values: dict[str, str]) -> SellerApplication:
    application = services.start_application(applicant=user)
    values = {**values, "contact_name": user.get_full_name() or values["contact_name"]}
    for step, fields in STEP_FIELDS.items():
        services.save_application_step(
            application=application, actor=user, step=step, values={field: values[field] for field in fields}
        )
    for kind, upload in _documents_for(values["legal_form"]):
        services.upload_application_document(application=application, actor=user, kind=kind, upload=upload)
    services.mark_documents_step_done(application=application, actor=user)
    return application


def _submit(application: SellerApplication, user: User) -> SellerApplication:
    return services.submit_application(application=application, actor=user, ip_address="127.0.0.1", accept_offer=True)


def _approved_seller(user: User, values: dict[str, str], moderator: User) -> Seller:
    application = _submit(_filled_application(user, values), user)
    services.start_review(application=application, actor=moderator)
    return services.approve_application(
        confirmed_checks=ReviewCheck.values,
        application=application,
        actor=moderator,
        comment="Данные сверены с ЕГРЮЛ/ЕГРИП.",
    )


def seed_sellers(log: Callable[[str], None]) -> None:
    # devtools imports this module to register the seeder, so its helpers are imported at call time.
    from marketplace.devtools.demo import ensure_staff, ensure_user

    if User.objects.filter(email="seller@marketplace.demo", seller__isnull=False).exists():
        log("sellers: already seeded")
        return
    moderator = User.objects.get(email="moderator@marketplace.demo")
    # A second moderator decides appeals against the first one's sanctions.
    # and approves the first one's suspensions and terminations (four eyes).
    moderator2 = ensure_staff("moderator2@marketplace.demo", group=MODERATORS, first_name="Пётр", last_name="Проверкин")
    manager = User.objects.filter(groups__name=MANAGERS).first()

    # Approved sellers, one per lifecycle state.
    main_user = ensure_user("seller@marketplace.demo", first_name="Сергей", last_name="Смирнов", phone="+79161234567")
    main = _approved_seller(
        main_user,
        _values(LegalForm.SOLE_TRADER, 1, "Техно Дом", "tekhno-dom", "ИП Смирнов Сергей Петрович", main_user.email),
        moderator,
    )
    storefront = main.storefront
    storefront.return_policy = "Возврат в течение 7 дней после получения, если товар не был в употреблении."
    storefront.shipping_policy = "Отправляем в течение 1–2 рабочих дней СДЭК и Почтой России."
    storefront.save(update_fields=["return_policy", "shipping_policy", "updated_at"])
    owner = main.user.seller_membership
    team_manager = ensure_user("seller-manager@marketplace.demo", first_name="Ирина", last_name="Волкова")
    warehouse = ensure_user("seller-warehouse@marketplace.demo", first_name="Алексей", last_name="Складов")
    for person, role in ((team_manager, TeamRole.MANAGER), (warehouse, TeamRole.WAREHOUSE)):
        invitation = services.invite_team_member(member=owner, email=person.email, role=role)
        services.accept_invitation(invitation=invitation, actor=person)
    services.invite_team_member(member=owner, email="new-colleague@marketplace.demo", role=TeamRole.WAREHOUSE)

    second_user = ensure_user("seller2@marketplace.demo", first_name="Ольга", last_name="Романова")
    second = _approved_seller(
        second_user, _values(LegalForm.LLC, 2, "Ромашка", "romashka", "ООО «Ромашка»", second_user.email), moderator
    )
    warning = services.apply_sanction(
        seller=second,
        level=SellerStatus.WARNED,
        actor=moderator,
        rule="Срок отгрузки заказов",
        reason="Две недели подряд отгружено вовремя менее 95 % заказов.",
        evidence="Заказы за 2–15 ноября: 81 % отгружено вовремя.",
    )
    services.open_case(
        member=second.user.seller_membership,
        topic=CaseTopic.SANCTION,
        subject="Не согласны с предупреждением",
        body="Задержки были из-за сбоя службы доставки, прикладываем письмо от СДЭК.",
        sanction=warning,
        attachments=[SimpleUploadedFile("cdek.pdf", _PDF, "application/pdf")],
    )

    for n, (status, legal_form, name, slug) in enumerate(
        [
            (SellerStatus.RESTRICTED, LegalForm.SELF_EMPLOYED, "Мастерская Анны", "masterskaya-anny"),
            (SellerStatus.SUSPENDED, LegalForm.SOLE_TRADER, "Быстрый Склад", "bystryi-sklad"),
            (SellerStatus.TERMINATED, LegalForm.LLC, "Копии Брендов", "kopii-brendov"),
        ],
        start=3,
    ):
        person = ensure_user(f"seller{n}@marketplace.demo", first_name="Продавец", last_name=str(n))
        legal_name = {LegalForm.SELF_EMPLOYED: "Анна Кузнецова", LegalForm.SOLE_TRADER: f"ИП Орлов Олег {n}"}.get(
            legal_form, f"ООО «{name}»"
        )
        seller = _approved_seller(person, _values(legal_form, n, name, slug, legal_name, person.email), moderator)
        sanction = {
            "seller": seller,
            "level": status,
            "actor": moderator,
            "rule": "Качество товаров" if status != SellerStatus.TERMINATED else "Продажа контрафакта",
            "reason": "Доля возвратов по вине продавца выше 5 % три недели подряд."
            if status != SellerStatus.TERMINATED
            else "Подтверждённая продажа поддельных товаров.",
        }
        if status in FOUR_EYES_SANCTIONS:
            request = services.request_sanction(**sanction)
            services.approve_sanction_request(sanction_request=request, actor=moderator2)
        else:
            services.apply_sanction(**sanction)
        if status == SellerStatus.RESTRICTED:
            # Four eyes: the second moderator proposed a suspension; the demo moderator can approve or decline it.
            services.request_sanction(
                seller=seller,
                level=SellerStatus.SUSPENDED,
                actor=moderator2,
                rule="Качество товаров",
                reason="Ограничение не помогло: доля возвратов по вине продавца всё ещё выше 5 %.",
                evidence="Возвраты за последние две недели: 7 из 98 заказов.",
                expires_in_days=30,
            )

    # Applications in every state before approval.
    states = [
        (
            "applicant-draft@marketplace.demo",
            ApplicationStatus.DRAFT,
            LegalForm.SOLE_TRADER,
            "Уютный Дом",
            "uyutnyi-dom",
        ),
        ("applicant-submitted@marketplace.demo", ApplicationStatus.SUBMITTED, LegalForm.LLC, "Спорт Мир", "sport-mir"),
        (
            "applicant-review@marketplace.demo",
            ApplicationStatus.IN_REVIEW,
            LegalForm.SELF_EMPLOYED,
            "Свечи ручной работы",
            "svechi",
        ),
        (
            "applicant@marketplace.demo",
            ApplicationStatus.CHANGES_REQUESTED,
            LegalForm.SOLE_TRADER,
            "Книжная Лавка",
            "knizhnaya-lavka",
        ),
        ("applicant-rejected@marketplace.demo", ApplicationStatus.REJECTED, LegalForm.LLC, "Всё по 100", "vse-po-100"),
    ]
    for n, (email, status, legal_form, name, slug) in enumerate(states, start=10):
        person = ensure_user(email, first_name="Заявитель", last_name=str(n))
        legal_name = {LegalForm.SELF_EMPLOYED: f"Мария Светлова {n}", LegalForm.SOLE_TRADER: f"ИП Белов Иван {n}"}.get(
            legal_form, f"ООО «{name}»"
        )
        application = _filled_application(person, _values(legal_form, n, name, slug, legal_name, email))
        if status == ApplicationStatus.DRAFT:
            continue
        _submit(application, person)
        if status == ApplicationStatus.SUBMITTED:
            continue
        services.start_review(application=application, actor=moderator)
        if status == ApplicationStatus.CHANGES_REQUESTED:
            services.request_changes(
                application=application,
                actor=moderator,
                field_messages={
                    "legal_address": "Адрес не совпадает с выпиской из ЕГРИП: укажите адрес регистрации.",
                    "documents": "Скан паспорта обрезан: загрузите разворот целиком.",
                },
            )
        elif status == ApplicationStatus.REJECTED:
            services.reject_application(
                application=application,
                actor=moderator,
                reason="Организация в ЕГРЮЛ находится в стадии ликвидации.",
            )

    if manager is not None:
        announcement = Announcement.objects.create(
            title="Новая версия правил отгрузки с 1 декабря",
            body=(
                "С 1 декабря срок подтверждения заказа — 24 часа, срок отгрузки — 2 рабочих дня.\n\n"
                "Заказы, не подтверждённые вовремя, отменяются автоматически и учитываются в стандартах качества."
            ),
            topic=AnnouncementTopic.RULE_CHANGE,
            requires_acknowledgement=True,
            created_by=manager,
        )
        services.publish_announcement(announcement=announcement, actor=manager)
    log(
        "sellers: 5 sellers (active with a team, warned with an appeal, restricted, suspended, terminated), "
        "applications in every state, an announcement"
    )
