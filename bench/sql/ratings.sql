-- The seller-rating benchmark's marketplace (bench/ratings.py): sellers with listings, buyers, paid orders
-- spread over the last ~400 days with lines, a realistic share of incidents, product and seller reviews,
-- review photos and buyer conversations with the seller's first-reply time. Set-based, no ORM.
-- Values: $sellers $active_sellers $buyers $orders $listings_per_seller $product_reviews $seller_reviews $days
DROP TABLE IF EXISTS rb_seller, rb_buyer, rb_listing, rb_order, rb_map;

-- sellers: users, approved applications, active sellers (the last 10% are new: no orders yet)
INSERT INTO accounts_user (password, is_superuser, email, first_name, last_name, phone, language, time_zone,
                           is_staff, is_active, date_joined)
SELECT '!', false, 'seller' || n || '@ratings.bench', 'Продавец', n::text, '', 'ru', 'Europe/Moscow', false, true,
       now() - interval '500 days'
FROM generate_series(1, $sellers) n;
INSERT INTO sellers_sellerapplication (created_at, updated_at, applicant_id, status, legal_form, legal_name, inn,
    ogrn, kpp, legal_address, bank_name, bik, settlement_account, correspondent_account, contact_name,
    contact_phone, contact_email, store_name, store_slug, planned_categories, business_description,
    offer_terms_id, offer_accepted_at, submitted_at, decided_at, completed_steps, check_results, decision_reason)
SELECT now(), now(), u.id, 'approved', 'ooo', 'ООО «Рейтинг ' || u.last_name || '»', '8' || lpad(u.last_name, 9, '0'),
       '', '', 'Москва', '', '044525225', '40702810900000000001', '', 'Иван', '+79990000000', u.email,
       'Магазин ' || u.last_name, 'ratings-' || u.last_name, '', '',
       (SELECT id FROM legal_platformterms WHERE kind = 'seller_offer' ORDER BY effective_at DESC LIMIT 1),
       now(), now(), now(), 5, '[]', ''
FROM accounts_user u WHERE u.email LIKE 'seller%@ratings.bench';
INSERT INTO sellers_seller (created_at, updated_at, user_id, application_id, status, legal_form, legal_name, inn,
    ogrn, kpp, legal_address, bank_name, bik, settlement_account, correspondent_account, contact_name,
    contact_phone, contact_email, categories, approved_at, offer_terms_id, offer_paused)
SELECT now(), now(), a.applicant_id, a.id, 'active', 'ooo', a.legal_name, a.inn, '', '', 'Москва', '', a.bik,
       a.settlement_account, '', 'Иван', '+79990000000', a.contact_email, '', now() - interval '450 days',
       a.offer_terms_id, false
FROM sellers_sellerapplication a JOIN accounts_user u ON u.id = a.applicant_id
WHERE u.email LIKE 'seller%@ratings.bench';
CREATE TEMP TABLE rb_seller AS
    SELECT row_number() OVER (ORDER BY s.id)::int AS sn, s.id
    FROM sellers_seller s JOIN accounts_user u ON u.id = s.user_id WHERE u.email LIKE 'seller%@ratings.bench';
CREATE UNIQUE INDEX ON rb_seller (sn);

-- buyers
INSERT INTO accounts_user (password, is_superuser, email, first_name, last_name, phone, language, time_zone,
                           is_staff, is_active, date_joined)
SELECT '!', false, 'buyer' || n || '@ratings.bench', 'Покупатель', 'Б' || n, '', 'ru', 'Europe/Moscow', false,
       true, now() - interval '500 days'
FROM generate_series(1, $buyers) n;
CREATE TEMP TABLE rb_buyer AS
    SELECT row_number() OVER (ORDER BY id)::int AS bn, id FROM accounts_user WHERE email LIKE 'buyer%@ratings.bench';
CREATE UNIQUE INDEX ON rb_buyer (bn);

-- one category, listings with one variant each
INSERT INTO catalog_category (created_at, updated_at, parent_id, name, slug, path, depth, position, description,
    is_active, commission_percent, return_class, return_days, meta_title, meta_description)
VALUES (now(), now(), NULL, 'Товары для рейтинга', 'ratings-bench', '', 0, 0, '', true, 10, 'days_15', NULL, '', '');
UPDATE catalog_category SET path = '/' || id || '/' WHERE slug = 'ratings-bench';
INSERT INTO catalog_listing (created_at, updated_at, seller_id, category_id, brand_id, title, slug, description,
    attributes, status, status_changed_at, rejection_reason, handling_days, weight_g, package_contents,
    handling_flags, video_url, meta_title, meta_description, low_stock_threshold, price, discount_percent,
    in_stock, rating_avg, rating_count, orders_30d, quality_score, published_at, moderation_flags)
SELECT now(), now(), s.id, c.id, NULL, 'Товар ' || s.sn || '-' || k, 'rating-item-' || s.sn || '-' || k,
       'Описание товара.', '{}', 'published', now(), '', 1, 500, '', '{}', '', '', '', 3, 1000 + k * 100, 0, true,
       0, 0, 0, 50, now(), '[]'
FROM rb_seller s CROSS JOIN generate_series(1, $listings_per_seller) k
CROSS JOIN (SELECT id FROM catalog_category WHERE slug = 'ratings-bench') c;
CREATE TEMP TABLE rb_listing AS
    SELECT s.sn, split_part(l.slug, '-', 4)::int AS k, l.id, l.price
    FROM catalog_listing l JOIN rb_seller s ON s.id = l.seller_id;
INSERT INTO catalog_variant (created_at, updated_at, listing_id, seller_id, sku, name, options, price, old_price,
    shown_old_price, on_hand, allocated, barcode, position, is_active, low_stock_notified)
SELECT now(), now(), l.id, s.id, 'RB-' || l.id, '', '{}', l.price, NULL, NULL, 100, 0, '', 0, true, false
FROM rb_listing l JOIN rb_seller s ON s.sn = l.sn;
ALTER TABLE rb_listing ADD COLUMN variant_id bigint;
UPDATE rb_listing l SET variant_id = v.id FROM catalog_variant v WHERE v.listing_id = l.id;
CREATE UNIQUE INDEX ON rb_listing (sn, k);

-- orders: sellers skewed (a few have thousands of orders, most have dozens); outcome decides the incident an
-- order leaves: per 1,000 orders 3 seller cancellations, 10 late shipments, 3 defect and 2 "not as described"
-- returns, 1 lost dispute; one seller in 25 is troubled (six times the incidents, lower stars), one in 40
-- answers buyers slowly (listing k costs 1000 + 100 k)
CREATE TEMP TABLE rb_order AS
SELECT n, sn, bn, paid_at, k1, k2, troubled, sn % 40 = 0 AS slow,
       (1000 + k1 * 100 + COALESCE(1000 + k2 * 100, 0))::numeric(14, 2) AS subtotal,
       CASE WHEN fate < 0.003 * m THEN 'cancelled'
            WHEN fate < 0.013 * m THEN 'late'
            WHEN fate < 0.016 * m THEN 'defect'
            WHEN fate < 0.018 * m THEN 'not_as_described'
            WHEN fate < 0.019 * m THEN 'dispute'
            ELSE 'ok' END AS outcome
FROM (
    SELECT n, sn, bn, paid_at, fate, sn % 25 = 0 AS troubled, CASE WHEN sn % 25 = 0 THEN 6 ELSE 1 END AS m,
           1 + (n % $listings_per_seller)::int AS k1,
           CASE WHEN r2 < 0.2 THEN 1 + ((n + 3) % $listings_per_seller)::int END AS k2
    FROM (
        SELECT n,
               1 + floor($active_sellers * power(random(), 2))::int AS sn,
               1 + floor($buyers * random())::int AS bn,
               now() - make_interval(secs => random() * $days * 86400) AS paid_at,
               random() AS fate, random() AS r2
        FROM generate_series(1, $orders) n
    ) raw
) shaped;

INSERT INTO orders_ordergroup (created_at, updated_at, checkout_key, number, total, expires_at, paid_at, expired_at,
    recipient_name, recipient_phone, region, address, buyer_id, payment_id)
SELECT o.paid_at - interval '5 minutes', o.paid_at, md5('ratings-bench-' || o.n)::uuid, 'RBG-' || o.n, o.subtotal,
       o.paid_at + interval '25 minutes', o.paid_at, NULL, 'Покупатель', '+79990000000', 'Москва',
       'ул. Тестовая, 1', b.id, NULL
FROM rb_order o JOIN rb_buyer b ON b.bn = o.bn;
INSERT INTO orders_order (created_at, updated_at, number, status, subtotal, delivery_cost, total, delivery_name,
    delivery_days_max, ship_by, carrier, tracking_number, paid_at, confirmed_at, shipped_at, delivered_at,
    completed_at, cancelled_at, cancelled_by, cancel_reason, is_late, return_notice_given, return_window_ends_at,
    buyer_id, delivery_method_id, seller_id, group_id)
SELECT o.paid_at - interval '5 minutes', o.paid_at, 'RB-' || o.n,
       CASE WHEN o.outcome = 'cancelled' THEN 'cancelled'
            WHEN o.paid_at < now() - interval '14 days' THEN 'completed' ELSE 'delivered' END,
       o.subtotal, 0, o.subtotal, 'Курьер', 3, o.paid_at + interval '2 days',
       CASE WHEN o.outcome = 'cancelled' THEN '' ELSE 'СДЭК' END,
       CASE WHEN o.outcome = 'cancelled' THEN '' ELSE 'RB' || o.n END,
       o.paid_at, o.paid_at + interval '1 hour',
       CASE WHEN o.outcome = 'cancelled' THEN NULL
            WHEN o.outcome = 'late' THEN o.paid_at + interval '3 days 6 hours' ELSE o.paid_at + interval '1 day' END,
       CASE WHEN o.outcome = 'cancelled' THEN NULL
            WHEN o.outcome = 'late' THEN o.paid_at + interval '5 days' ELSE o.paid_at + interval '3 days' END,
       CASE WHEN o.outcome <> 'cancelled' AND o.paid_at < now() - interval '14 days'
            THEN o.paid_at + interval '13 days' END,
       CASE WHEN o.outcome = 'cancelled' THEN o.paid_at + interval '1 day' END,
       CASE WHEN o.outcome = 'cancelled' THEN 'seller' ELSE '' END,
       CASE WHEN o.outcome = 'cancelled' THEN 'Нет в наличии' ELSE '' END,
       o.outcome = 'late', true,
       CASE WHEN o.outcome <> 'cancelled' THEN o.paid_at + interval '10 days' END,
       b.id, NULL, s.id, g.id
FROM rb_order o
JOIN rb_buyer b ON b.bn = o.bn
JOIN rb_seller s ON s.sn = o.sn
JOIN orders_ordergroup g ON g.number = 'RBG-' || o.n;
CREATE TEMP TABLE rb_map AS
    SELECT substr(number, 4)::bigint AS n, id, buyer_id, seller_id, paid_at FROM orders_order WHERE number LIKE 'RB-%';
CREATE UNIQUE INDEX ON rb_map (n);

INSERT INTO orders_orderline (title, variant_name, sku, quantity, price, commission_rate, return_days,
                              seller_return_days, weight_g, listing_id, order_id, variant_id)
SELECT 'Товар ' || o.sn || '-' || l.k, '', 'RB-' || l.id, 1, l.price, 0.1, 15, 0, 500, l.id, m.id, l.variant_id
FROM rb_order o JOIN rb_map m ON m.n = o.n JOIN rb_listing l ON l.sn = o.sn AND l.k = o.k1
UNION ALL
SELECT 'Товар ' || o.sn || '-' || l.k, '', 'RB-' || l.id, 1, l.price, 0.1, 15, 0, 500, l.id, m.id, l.variant_id
FROM rb_order o JOIN rb_map m ON m.n = o.n JOIN rb_listing l ON l.sn = o.sn AND l.k = o.k2
WHERE o.k2 IS NOT NULL;

-- incidents, when the orders app would have recorded them
INSERT INTO orders_incident (kind, created_at, seller_id, order_id)
SELECT CASE o.outcome WHEN 'cancelled' THEN 'seller_cancellation' WHEN 'late' THEN 'late_shipment'
                      WHEN 'defect' THEN 'defect_return' WHEN 'not_as_described' THEN 'not_as_described'
                      ELSE 'dispute_lost' END,
       LEAST(now(), o.paid_at + CASE o.outcome WHEN 'cancelled' THEN interval '1 day'
                                               WHEN 'late' THEN interval '2 days'
                                               WHEN 'dispute' THEN interval '25 days'
                                               ELSE interval '9 days' END),
       m.seller_id, m.id
FROM rb_order o JOIN rb_map m ON m.n = o.n
WHERE o.outcome <> 'ok';

-- product reviews on random delivered lines, seller reviews on random delivered orders; mostly published
INSERT INTO reviews_productreview (created_at, updated_at, status, display_name, hold_reasons, moderation_reason,
    published_at, variant_name, stars, text, pros, cons, helpful_count, contest_status, contest_reason, author_id,
    listing_id, order_id, order_line_id, seller_id)
SELECT t, t, status, 'name_initial', '[]', '', CASE WHEN status = 'published' THEN t END, '', stars,
       'Отзыв о товаре.', '', '', 0, '', '', buyer_id, listing_id, order_id, line_id, seller_id
FROM (
    SELECT LEAST(now(), p.paid_at + interval '3 days' + make_interval(secs => random() * 30 * 86400)) AS t,
           CASE WHEN p.s < 0.95 THEN 'published' WHEN p.s < 0.98 THEN 'pending' ELSE 'rejected' END AS status,
           CASE WHEN p.x < 0.58 - p.tr THEN 5 WHEN p.x < 0.80 - p.tr THEN 4 WHEN p.x < 0.90 - p.tr / 2 THEN 3
                WHEN p.x < 0.95 THEN 2 ELSE 1 END AS stars,
           p.buyer_id, p.listing_id, p.order_id, p.line_id, p.seller_id
    FROM (
        SELECT ol.id AS line_id, ol.listing_id, m.id AS order_id, m.buyer_id, m.seller_id, m.paid_at,
               random() AS s, random() AS x, CASE WHEN o.troubled THEN 0.3 ELSE 0 END AS tr
        FROM orders_orderline ol
        JOIN rb_map m ON m.id = ol.order_id
        JOIN rb_order o ON o.n = m.n
        WHERE o.outcome <> 'cancelled'
        ORDER BY random()
        LIMIT $product_reviews
    ) p
) r;
INSERT INTO reviews_sellerreview (created_at, updated_at, status, display_name, hold_reasons, moderation_reason,
    published_at, service_stars, delivery_stars, packaging_stars, comment, author_id, order_id, seller_id)
SELECT t, t, status, 'anonymous', '[]', '', CASE WHEN status = 'published' THEN t END, stars, stars,
       GREATEST(1, stars - (random() < 0.1)::int), '', buyer_id, order_id, seller_id
FROM (
    SELECT LEAST(now(), p.paid_at + interval '3 days' + make_interval(secs => random() * 20 * 86400)) AS t,
           CASE WHEN p.s < 0.97 THEN 'published' ELSE 'pending' END AS status,
           CASE WHEN p.x < 0.65 - p.tr THEN 5 WHEN p.x < 0.85 - p.tr THEN 4 WHEN p.x < 0.93 THEN 3
                WHEN p.x < 0.97 THEN 2 ELSE 1 END AS stars,
           p.buyer_id, p.order_id, p.seller_id
    FROM (
        SELECT m.id AS order_id, m.buyer_id, m.seller_id, m.paid_at, random() AS s, random() AS x,
               CASE WHEN o.troubled THEN 0.3 ELSE 0 END AS tr
        FROM rb_map m JOIN rb_order o ON o.n = m.n
        WHERE o.outcome <> 'cancelled'
        ORDER BY random()
        LIMIT $seller_reviews
    ) p
) r;
-- one review in twenty has a photo
INSERT INTO reviews_reviewphoto (image, width, height, position, review_id)
SELECT 'bench/review-' || (r.id % 50) || '.jpg', 900, 900, 0, r.id
FROM reviews_productreview r JOIN rb_seller s ON s.id = r.seller_id
WHERE r.id % 20 = 0;

-- buyer conversations on three orders in ten: the first buyer message and the seller's first-reply time
-- (log-uniform from a minute to about two days; slow sellers from 12 hours to 10 days; one in ten unanswered)
INSERT INTO disputes_conversation (created_at, updated_at, buyer_read_at, seller_read_at, last_message_at,
    first_buyer_message_at, seller_first_reply_seconds, has_flagged, buyer_id, listing_id, order_id, seller_id)
SELECT c.asked, c.asked, c.asked, c.asked, c.asked, c.asked,
       CASE WHEN c.unanswered THEN NULL
            WHEN c.slow THEN round(exp(ln(43200) + c.u * ln(20)))::int
            ELSE round(exp(ln(60) + c.u * ln(3000)))::int END,
       false, c.buyer_id, NULL, c.order_id, c.seller_id
FROM (
    SELECT m.id AS order_id, m.buyer_id, m.seller_id, o.slow,
           LEAST(now(), m.paid_at + make_interval(secs => random() * 3 * 86400)) AS asked,
           random() AS u, random() < 0.1 AS unanswered
    FROM rb_map m JOIN rb_order o ON o.n = m.n
    WHERE (m.n * 7) % 10 < 3
) c;
DROP TABLE rb_seller, rb_buyer, rb_listing, rb_order, rb_map;
