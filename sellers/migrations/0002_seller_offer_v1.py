"""The first version of the seller offer, so onboarding has a document to accept on a fresh install."""

import datetime

from django.db import migrations

BODY_RU = """Публичная оферта для продавцов, версия 1.0.

1. Предмет. Платформа предоставляет продавцу (ООО, ИП или самозанятому) доступ к витрине и личному кабинету, принимает заказы покупателей и платежи за товары продавца, а продавец продаёт товары на условиях этой оферты.
2. Проверка. Продавец сообщает достоверные сведения (ИНН, ОГРН/ОГРНИП, КПП, банковские реквизиты) и документы. Платформа проверяет заявку; публиковать товары можно только после одобрения.
3. Комиссия. Платформа удерживает комиссию, опубликованную для категории товара на дату заказа. Об изменении комиссии платформа сообщает заранее.
4. Выплаты. Выручка за выполненные заказы за вычетом комиссии, возвратов и удержаний перечисляется на расчётный счёт продавца по графику. Изменение реквизитов вступает в силу после проверки модератором.
5. Стандарты. Продавец соблюдает опубликованные стандарты качества, сроки отгрузки и правила общения с покупателями. За нарушения применяются меры: предупреждение, ограничение, приостановка, расторжение. Каждая мера сопровождается причиной.
6. Обращения. Продавец может обжаловать меру или решение платформы через раздел «Обращения» в кабинете; платформа отвечает в срок, указанный в обращении.
7. Изменения. Новые версии оферты публикуются заранее. Если продавец не принял новую версию к дате её вступления в силу, показ его товаров приостанавливается до принятия."""

BODY_EN = """Public offer for sellers, version 1.0.

1. Subject. The platform gives the seller (an LLC, an individual entrepreneur or a self-employed person) a storefront and a seller cabinet, takes buyers' orders and payments for the seller's goods, and the seller sells on the terms of this offer.
2. Verification. The seller provides true data (INN, OGRN/OGRNIP, KPP, bank details) and documents. The platform reviews the application; listings can be published only after approval.
3. Commission. The platform keeps the commission published for the listing's category on the order date. Commission changes are announced in advance.
4. Payouts. Proceeds of completed orders, less commission, refunds and deductions, are paid to the seller's settlement account on schedule. New bank details take effect after a moderator checks them.
5. Standards. The seller follows the published quality standards, shipping deadlines and rules of conduct. Violations lead to a warning, a restriction, a suspension or termination, each with a stated reason.
6. Cases. The seller can appeal a sanction or decision through "Cases" in the cabinet; the platform answers by the deadline shown in the case.
7. Changes. New versions of this offer are published in advance. A seller who has not accepted a new version by its effective date has their listings paused until they accept it."""


def create_offer(apps, schema_editor):
    PlatformTerms = apps.get_model("legal", "PlatformTerms")
    if PlatformTerms.objects.filter(kind="seller_offer").exists():
        return
    PlatformTerms.objects.create(
        kind="seller_offer",
        version="1.0",
        effective_at=datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC),
        title_ru="Оферта для продавцов",
        title_en="Seller offer",
        summary_ru="Первая версия.",
        summary_en="First version.",
        body_ru=BODY_RU,
        body_en=BODY_EN,
    )


class Migration(migrations.Migration):
    dependencies = [("sellers", "0001_initial"), ("legal", "0001_initial")]

    operations = [migrations.RunPython(create_offer, migrations.RunPython.noop)]
