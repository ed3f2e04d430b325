"""Version 1.0 of the platform documents every buyer sees: terms of use and offer, privacy policy, buyer rights.

The texts are a careful starting template written from the Russian Civil Code, the Consumer Protection Law
(ЗоЗПП) and 152-FZ; the summary of each says that counsel must review it before launch. New versions are
added in the admin (managers), never by editing these rows: acceptances point at the exact version.
"""

import datetime
import zoneinfo

from django.db import migrations

EFFECTIVE_AT = datetime.datetime(2026, 1, 1, 0, 0, tzinfo=zoneinfo.ZoneInfo("Europe/Moscow"))
VERSION = "1.0"

SUMMARY_RU = (
    "Первая редакция документа.\n\n"
    "Это шаблон: перед запуском площадки текст должен проверить и утвердить юрист, "
    "а реквизиты оператора — внести в документ."
)
SUMMARY_EN = (
    "First version of the document.\n\n"
    "This is a template: before the marketplace launches, counsel must review and approve the text "
    "and the operator's legal details must be added to it."
)

TERMS_RU = """\
1. Общие положения

Настоящее Пользовательское соглашение (далее — «Соглашение») является публичной офертой в смысле статьи 437 Гражданского кодекса Российской Федерации и определяет условия использования сайта «Маркетплейс» (далее — «Платформа») между её оператором (далее — «Оператор») и любым лицом, которое пользуется Платформой (далее — «Пользователь»).

Регистрация на Платформе, а также оформление заказа означают полное и безоговорочное принятие Соглашения (акцепт по пункту 3 статьи 438 ГК РФ). Если вы не согласны с Соглашением, не используйте Платформу.

2. Роль Оператора

Платформа — информационная площадка, на которой независимые продавцы (юридические лица, индивидуальные предприниматели и самозанятые) размещают предложения о продаже товаров. Договор купли-продажи заключается между покупателем и продавцом; Оператор не является стороной этого договора и не продаёт товары от своего имени.

Оператор проверяет сведения о продавцах до открытия магазина. Наименование продавца, ИНН, ОГРН или ОГРНИП и адрес указаны на странице магазина и в заказе, как того требует Закон РФ «О защите прав потребителей».

3. Учётная запись

Пользователь указывает действующий адрес электронной почты и отвечает за сохранность пароля. Действия, совершённые с использованием учётной записи, считаются совершёнными Пользователем. Пользователю рекомендуется включить двухфакторную аутентификацию; для сотрудников Оператора она обязательна.

Одно лицо может иметь одну учётную запись покупателя. Оператор вправе приостановить доступ к учётной записи при нарушении Соглашения или при подозрении на её взлом, уведомив Пользователя по электронной почте.

4. Заказ и безопасная оплата

Цены на Платформе указываются в рублях. Оплата заказа принимается Оператором и хранится на Платформе до тех пор, пока покупатель не получит заказ и не истечёт срок возврата (безопасная сделка). После этого деньги перечисляются продавцу за вычетом комиссии Оператора.

Если продавец не подтвердил или не отправил заказ в срок, если заказ отменён или возврат одобрен, деньги возвращаются покупателю тем же способом, которым была произведена оплата.

5. Доставка и сроки

Продавец обязан подтвердить заказ и передать его в доставку в сроки, указанные на странице заказа. Если срок отправки нарушен, покупатель вправе отменить заказ с полным возвратом денег.

6. Возвраты и споры

Возврат и обмен товаров производятся по правилам раздела «Права покупателя» и Закона РФ «О защите прав потребителей». Если покупатель и продавец не смогли договориться, покупатель может открыть спор на странице заказа. Решение по спору принимает модератор Оператора на основании доказательств обеих сторон и объясняет его письменно.

Рассмотрение спора на Платформе не лишает стороны права обратиться в суд или в органы по защите прав потребителей.

7. Недопустимое поведение

Запрещено размещать недостоверные сведения о товарах и отзывы, не основанные на покупке; предлагать сделки в обход Платформы и обмениваться для этого контактными данными; оскорблять других пользователей; размещать вредоносные ссылки; пытаться получить доступ к чужим данным или нарушить работу Платформы. Оператор вправе удалить такие материалы и ограничить доступ нарушителя.

8. Ответственность

Оператор отвечает за работу Платформы и за сохранность денег покупателя в период безопасной сделки. За качество товара, его соответствие описанию и исполнение гарантийных обязательств отвечает продавец. Оператор не отвечает за перерывы в работе Платформы, вызванные обстоятельствами непреодолимой силы.

9. Изменение Соглашения

Оператор вправе изменить Соглашение, опубликовав новую редакцию с датой вступления в силу. После вступления новой редакции в силу Пользователь подтверждает согласие с ней при следующем посещении Платформы; до этого доступ к личному кабинету приостанавливается. Все предыдущие редакции доступны на этой странице.

10. Контакты и применимое право

Вопросы по Соглашению направляйте в службу поддержки: адрес электронной почты и телефон указаны внизу каждой страницы. К Соглашению применяется право Российской Федерации. Потребитель вправе обратиться в суд по месту своего жительства."""

TERMS_EN = """\
1. General provisions

These Terms of Use (the "Terms") are a public offer within the meaning of Article 437 of the Civil Code of the Russian Federation and set out the conditions for using the "Marketplace" website (the "Platform") between its operator (the "Operator") and anyone who uses the Platform (the "User").

Signing up on the Platform or placing an order means full and unconditional acceptance of the Terms (acceptance under Article 438(3) of the Civil Code). If you do not agree with the Terms, do not use the Platform.

2. The Operator's role

The Platform is an information service on which independent sellers (companies, sole proprietors and self-employed people) offer goods for sale. The contract of sale is made between the buyer and the seller; the Operator is not a party to it and does not sell goods in its own name.

The Operator checks the sellers' details before a store opens. The seller's name, taxpayer number (INN), registration number (OGRN or OGRNIP) and address are shown on the store page and in the order, as the Russian Consumer Protection Law requires.

3. Account

The User gives a working e-mail address and keeps the password safe. Actions taken with the account are deemed to be the User's. Users are advised to turn on two-factor authentication; it is mandatory for the Operator's staff.

A person may have one buyer account. The Operator may suspend access to an account that breaks the Terms or appears to be compromised, and tells the User by e-mail.

4. Orders and safe payment

Prices on the Platform are in roubles. The Operator receives the payment for an order and holds it on the Platform until the buyer has received the order and the return period is over (safe deal). The money is then passed to the seller, less the Operator's commission.

If the seller does not confirm or ship the order in time, if the order is cancelled or a return is approved, the money goes back to the buyer by the same method it was paid with.

5. Delivery and deadlines

The seller must confirm the order and hand it over for delivery by the dates shown on the order page. If the shipping deadline is missed, the buyer may cancel the order with a full refund.

6. Returns and disputes

Goods are returned and exchanged under the "Buyer rights" document and the Russian Consumer Protection Law. If the buyer and the seller cannot agree, the buyer can open a dispute on the order page. A moderator of the Operator decides the dispute on the evidence of both sides and explains the decision in writing.

A dispute on the Platform does not take away either side's right to go to court or to the consumer protection authorities.

7. Prohibited conduct

It is forbidden to post false information about goods or reviews not based on a purchase; to offer deals outside the Platform or exchange contact details for that purpose; to insult other users; to post malicious links; to try to access other people's data or to disrupt the Platform. The Operator may remove such content and restrict the offender's access.

8. Liability

The Operator is responsible for running the Platform and for keeping the buyer's money safe during the safe deal. The seller is responsible for the quality of the goods, their match with the description and the warranty. The Operator is not liable for interruptions caused by force majeure.

9. Changes to the Terms

The Operator may change the Terms by publishing a new version with the date it takes effect. After a new version takes effect, the User confirms acceptance on the next visit; until then access to the account pages is paused. All earlier versions are available on this page.

10. Contacts and governing law

Send questions about the Terms to support: the e-mail address and phone number are at the bottom of every page. The Terms are governed by the law of the Russian Federation. A consumer may bring a claim in the court of their place of residence."""

PRIVACY_RU = """\
1. Общие положения

Настоящая Политика определяет, какие персональные данные пользователей обрабатывает оператор Платформы «Маркетплейс» (далее — «Оператор»), зачем и как он их защищает. Политика разработана в соответствии с Федеральным законом от 27.07.2006 № 152-ФЗ «О персональных данных» и является общедоступной.

2. Какие данные мы обрабатываем

Адрес электронной почты и пароль (пароль хранится только в виде необратимого хеша); имя, фамилия и телефон; адреса доставки; сведения о заказах, оплатах, возвратах и спорах; переписку с продавцами и службой поддержки; отзывы и вопросы о товарах; технические данные — IP-адрес, время входа, язык и часовой пояс.

Полные реквизиты банковских карт мы не получаем и не храним: их обрабатывает платёжный провайдер. У продавцов дополнительно обрабатываются реквизиты организации или предпринимателя, банковские реквизиты и документы, необходимые для проверки.

3. Цели обработки

Регистрация и вход на Платформу; оформление, оплата и доставка заказов; возвраты, обмены и рассмотрение споров; уведомления о заказах и безопасности учётной записи; защита от мошенничества и злоупотреблений; выполнение обязанностей, установленных законом (в том числе бухгалтерский и налоговый учёт); рассылка новостей и предложений — только при отдельном согласии, которое можно отозвать в любой момент.

4. Правовые основания

Согласие субъекта персональных данных, которое пользователь даёт при регистрации; исполнение договора, стороной которого является пользователь; исполнение обязанностей, возложенных на Оператора законодательством Российской Федерации (пункты 1, 2 и 5 части 1 статьи 6 Закона № 152-ФЗ).

5. Кому передаются данные

Продавцу — имя, телефон и адрес доставки, и только на время исполнения заказа; службе доставки — сведения, нужные для доставки; платёжному провайдеру — сведения, нужные для оплаты и возврата; государственным органам — по их законному запросу. Мы не продаём персональные данные и не передаём их для рекламы.

Сбор, запись, систематизация, накопление, хранение, уточнение и извлечение персональных данных граждан Российской Федерации осуществляются с использованием баз данных, находящихся на территории Российской Федерации (часть 5 статьи 18 Закона № 152-ФЗ).

6. Сроки хранения

Данные учётной записи хранятся, пока она существует. После удаления учётной записи сведения о заказах и платежах хранятся в течение сроков, установленных законодательством о бухгалтерском и налоговом учёте, а записи о согласиях и о принятии документов — в течение срока исковой давности. Остальные данные удаляются или обезличиваются.

7. Ваши права

Вы вправе получить сведения об обработке ваших данных, потребовать их уточнения, блокирования или уничтожения, если они неполные, устаревшие или обрабатываются незаконно, отозвать согласие на обработку, а также обжаловать действия Оператора в Роскомнадзоре или в суде. Запросы направляйте в службу поддержки; мы отвечаем в течение 10 рабочих дней.

8. Как мы защищаем данные

Соединение с Платформой шифруется (HTTPS); пароли хранятся в виде хеша; доступ сотрудников к данным ограничен их обязанностями и защищён двухфакторной аутентификацией; действия сотрудников записываются в журнал.

9. Файлы cookie

Мы используем только необходимые файлы cookie: для входа в учётную запись, защиты форм от подделки и запоминания выбранного языка. Рекламные и аналитические файлы cookie сторонних сервисов не используются.

10. Изменение Политики

Новая редакция Политики публикуется на этой странице с датой вступления в силу; предыдущие редакции остаются доступны. Если изменения касаются ваших прав, мы попросим вас ознакомиться с новой редакцией и принять её при следующем посещении."""

PRIVACY_EN = """\
1. General provisions

This Policy explains which personal data of users the operator of the "Marketplace" platform (the "Operator") processes, why, and how it protects them. It follows Federal Law No. 152-FZ of 27 July 2006 "On Personal Data" and is publicly available.

2. What data we process

E-mail address and password (the password is stored only as an irreversible hash); first name, last name and phone; delivery addresses; details of orders, payments, returns and disputes; messages with sellers and support; reviews and questions about goods; technical data: IP address, sign-in time, language and time zone.

We do not receive or store full bank card details: the payment provider processes them. For sellers we also process the company's or entrepreneur's details, bank details and the documents needed for verification.

3. Purposes

Signing up and signing in; placing, paying for and delivering orders; returns, exchanges and disputes; notifications about orders and account security; protection against fraud and abuse; duties set by law (including accounting and tax records); news and offers by e-mail only with separate consent, which can be withdrawn at any time.

4. Legal grounds

The consent of the data subject, given at sign-up; performance of a contract to which the user is a party; the Operator's duties under Russian law (Article 6(1), points 1, 2 and 5, of Law No. 152-FZ).

5. Who receives the data

The seller: name, phone and delivery address, and only while the order is being fulfilled; the delivery service: what it needs to deliver; the payment provider: what it needs for payments and refunds; public authorities: on a lawful request. We do not sell personal data or pass it on for advertising.

Personal data of citizens of the Russian Federation are collected, recorded, organised, accumulated, stored, updated and retrieved using databases located in the Russian Federation (Article 18(5) of Law No. 152-FZ).

6. How long we keep data

Account data are kept while the account exists. After an account is deleted, order and payment records are kept for the periods set by accounting and tax law, and records of consents and document acceptances for the limitation period. Other data are deleted or anonymised.

7. Your rights

You may find out how your data are processed; have them corrected, blocked or destroyed if they are incomplete, out of date or processed unlawfully; withdraw your consent; and complain about the Operator to Roskomnadzor or a court. Send requests to support; we answer within 10 working days.

8. How we protect data

Connections to the Platform are encrypted (HTTPS); passwords are stored as hashes; staff access to data is limited to their duties and protected by two-factor authentication; staff actions are logged.

9. Cookies

We use only necessary cookies: to keep you signed in, to protect forms against forgery and to remember the language you chose. No advertising or analytics cookies of third-party services are used.

10. Changes to this Policy

A new version is published on this page with the date it takes effect; earlier versions stay available. If the changes affect your rights, we will ask you to read and accept the new version on your next visit."""

BUYER_RIGHTS_RU = """\
1. У кого вы покупаете

Товары на Платформе продают независимые продавцы. Наименование продавца, ИНН, ОГРН или ОГРНИП и адрес указаны на странице магазина и в каждом заказе. Договор купли-продажи заключается с продавцом; Платформа помогает его исполнить и хранит вашу оплату до получения заказа.

2. Безопасная оплата

Деньги за заказ хранятся на Платформе, пока вы не получите товар и не истечёт срок возврата. Если продавец не подтвердил или не отправил заказ в срок, заказ отменяется и деньги возвращаются полностью. Пока по заказу открыт спор, продавец не получает оплату за него.

3. Возврат товара надлежащего качества

Товар, купленный дистанционно, можно вернуть в течение 7 дней после получения, даже если с ним всё в порядке (статья 26.1 Закона РФ «О защите прав потребителей»). Нужно сохранить его товарный вид и потребительские свойства, а также подтверждение покупки — заказ на Платформе подходит. Если в политике возврата продавца указан более долгий срок, действует он. Если при доставке вам не сообщили в письменной форме порядок и сроки возврата, вернуть товар можно в течение 3 месяцев.

Нельзя вернуть товар надлежащего качества, который имеет индивидуально-определённые свойства (например, изготовлен по вашим меркам) и может быть использован только вами. Продавец возвращает уплаченную сумму не позднее чем через 10 дней со дня предъявления требования, за исключением своих расходов на доставку возвращённого товара.

4. Товар с недостатками

Если в товаре обнаружился недостаток, вы вправе по своему выбору потребовать замены товара, соразмерного уменьшения цены, бесплатного устранения недостатка или возмещения расходов на его устранение, либо отказаться от покупки и вернуть деньги (статья 18 Закона). Требование можно предъявить в течение гарантийного срока, а если он не установлен — в течение двух лет со дня получения товара.

Деньги за товар с недостатком возвращаются в течение 10 дней со дня предъявления требования (статья 22 Закона). Доставку такого товара обратно оплачивает продавец. Для технически сложных товаров отказаться от покупки можно в течение 15 дней, а после — при существенном недостатке или нарушении сроков ремонта.

5. Обмен

Товар надлежащего качества можно обменять на такой же другого размера, формы, габарита, фасона, расцветки или комплектации в течение 14 дней, не считая дня покупки, если он не был в употреблении (статья 25 Закона), кроме товаров из перечня, утверждённого Правительством РФ. На Платформе для этого в заявке на возврат выберите обмен на другой вариант того же товара.

6. Как оформить возврат

Откройте заказ и нажмите «Вернуть товар»: укажите товары и количество, причину и, если есть недостаток, приложите фотографии. Продавец рассматривает заявку в течение 48 часов; если он не ответил, заявка одобряется автоматически. После одобрения вы получите инструкцию по отправке, а деньги вернутся тем же способом, которым вы платили, после того как продавец получит товар.

7. Споры

Если продавец отказал в возврате, товар не пришёл, пришёл повреждённым или не соответствует описанию, откройте спор на странице заказа в течение 30 дней после доставки (или после ожидаемой даты доставки, если заказ не пришёл). У продавца есть 3 дня, чтобы ответить: согласиться, предложить частичный возврат денег или возврат товара, либо отказать с доказательствами. Если вы не договорились, спор решает модератор Платформы: полный или частичный возврат денег, возврат товара с возвратом денег или отказ — с письменным объяснением для обеих сторон.

8. Ваши права по закону

Правила Платформы не ограничивают права, которые дают вам Закон РФ «О защите прав потребителей» и другие законы. Вы всегда можете обратиться к продавцу с письменной претензией, в Роспотребнадзор или в суд по месту своего жительства."""

BUYER_RIGHTS_EN = """\
1. Who you buy from

Goods on the Platform are sold by independent sellers. The seller's name, taxpayer number (INN), registration number (OGRN or OGRNIP) and address are shown on the store page and in every order. The contract of sale is made with the seller; the Platform helps carry it out and holds your payment until you receive the order.

2. Safe payment

The money for an order is held on the Platform until you receive the goods and the return period is over. If the seller does not confirm or ship the order in time, the order is cancelled and the money is refunded in full. While a dispute about an order is open, the seller is not paid for it.

3. Returning goods of proper quality

Goods bought at a distance can be returned within 7 days of receipt even if nothing is wrong with them (Article 26.1 of the Russian Consumer Protection Law). Their presentation and consumer properties must be intact, and you need proof of purchase; the order on the Platform is enough. If the seller's return policy gives a longer period, that period applies. If the return procedure and period were not given to you in writing at delivery, you can return the goods within 3 months.

Goods of proper quality with individually defined properties (for example, made to your measurements) that only you can use cannot be returned. The seller refunds the amount paid within 10 days of your request, less the seller's costs of shipping the returned goods back.

4. Defective goods

If the goods turn out to be defective, you may choose to ask for a replacement, a proportionate price reduction, a free repair or reimbursement of repair costs, or to cancel the purchase and get your money back (Article 18 of the Law). You can make the claim within the warranty period or, if there is none, within two years of receiving the goods.

Money for defective goods is refunded within 10 days of the claim (Article 22 of the Law). The seller pays for shipping such goods back. For technically complex goods you can cancel the purchase within 15 days, and later only for a significant defect or if repair deadlines are broken.

5. Exchange

Goods of proper quality can be exchanged for the same item in another size, shape, dimensions, style, colour or set within 14 days, not counting the day of purchase, if they have not been used (Article 25 of the Law), except goods on the list approved by the Government. On the Platform, choose an exchange for another variant of the same listing in the return request.

6. How to return goods

Open the order and choose "Return goods": select the items and quantities, the reason and, for a defect, add photos. The seller reviews the request within 48 hours; if the seller does not answer, the request is approved automatically. After approval you get shipping instructions, and the money comes back by the method you paid with once the seller receives the goods.

7. Disputes

If the seller refused a return, the order did not arrive, arrived damaged or is not as described, open a dispute on the order page within 30 days of delivery (or of the expected delivery date if the order did not arrive). The seller has 3 days to answer: accept, offer a partial refund or a return, or refuse with evidence. If you do not agree, a moderator of the Platform decides: a full or partial refund, a return with a refund, or a refusal, with a written explanation for both sides.

8. Your statutory rights

The Platform's rules do not limit the rights that the Russian Consumer Protection Law and other laws give you. You can always send the seller a written claim, or turn to Rospotrebnadzor or the court of your place of residence."""

DOCUMENTS = [
    {
        "kind": "terms",
        "title_ru": "Пользовательское соглашение и оферта",
        "title_en": "Terms of use and public offer",
        "body_ru": TERMS_RU,
        "body_en": TERMS_EN,
    },
    {
        "kind": "privacy",
        "title_ru": "Политика обработки персональных данных",
        "title_en": "Personal data processing policy",
        "body_ru": PRIVACY_RU,
        "body_en": PRIVACY_EN,
    },
    {
        "kind": "buyer_rights",
        "title_ru": "Права покупателя",
        "title_en": "Buyer rights",
        "body_ru": BUYER_RIGHTS_RU,
        "body_en": BUYER_RIGHTS_EN,
    },
]


def create_documents(apps, schema_editor):
    PlatformTerms = apps.get_model("legal", "PlatformTerms")
    for document in DOCUMENTS:
        PlatformTerms.objects.get_or_create(
            kind=document["kind"],
            version=VERSION,
            defaults={
                **{key: value for key, value in document.items() if key != "kind"},
                "effective_at": EFFECTIVE_AT,
                "summary_ru": SUMMARY_RU,
                "summary_en": SUMMARY_EN,
            },
        )


def delete_documents(apps, schema_editor):
    """Unapply: remove these versions unless someone has accepted them (acceptances are proof, never deleted)."""
    PlatformTerms = apps.get_model("legal", "PlatformTerms")
    PlatformTerms.objects.filter(
        kind__in=[document["kind"] for document in DOCUMENTS], version=VERSION, acceptances__isnull=True
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("legal", "0001_initial")]

    operations = [migrations.RunPython(create_documents, delete_documents)]
