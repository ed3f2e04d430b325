CREATE TEMP TABLE leaf AS
  SELECT row_number() OVER (ORDER BY id) AS ln, id, name FROM catalog_category WHERE depth = 2;
CREATE TEMP TABLE seller_ids AS SELECT row_number() OVER (ORDER BY id) AS sn, id FROM sellers_seller;
CREATE TEMP TABLE brand_ids AS SELECT row_number() OVER (ORDER BY id) AS bn, id, name FROM catalog_brand;
INSERT INTO catalog_listing (created_at, updated_at, seller_id, category_id, brand_id, title, slug,
    description, attributes, status, status_changed_at, rejection_reason, handling_days, weight_g,
    length_mm, width_mm, height_mm, package_contents, handling_flags, video_url, meta_title,
    meta_description, low_stock_threshold, restock_date, price, old_price, discount_percent, in_stock,
    rating_avg, rating_count, orders_30d, quality_score, cover_photo_id, search_vector, published_at,
    moderation_requested_at, moderation_flags)
SELECT now(), now(), s.id, l.id, b.id, g.title, 'item-' || g.n, g.description, g.attributes,
       'published', now(), '', g.n % 4, 500, NULL, NULL, NULL, '', '{}', '', '', '', 3, NULL,
       g.price, CASE WHEN g.n % 10 = 0 THEN round(g.price * 1.25, 0) END,
       CASE WHEN g.n % 10 = 0 THEN 20 ELSE 0 END, g.n % 13 <> 0,
       round((3 + (g.n % 21) / 10.0)::numeric, 2), g.n % 50, (g.n * 7919) % 1000 * (g.n % 3), 50, NULL,
       setweight(to_tsvector('russian', g.title), 'A')
       || setweight(to_tsvector('russian', b.name || ' ' || (g.attributes ->> 'color') || ' ' || (g.attributes ->> 'material')), 'B')
       || setweight(to_tsvector('russian', l.name), 'C')
       || setweight(to_tsvector('russian', g.description), 'D'),
       now() - make_interval(mins => (g.n % 525600)::int), now(), '[]'
FROM (
    SELECT n,
           noun || ' ' || brand.name || ' ' || adjective || ' ' || chr((65 + n % 26)::int) || (n % 997) AS title,
           'Описание товара ' || n || '. ' || noun || ' ' || adjective || ' — отличный выбор на каждый день.' AS description,
           jsonb_build_object('color', (${colors})[1 + n % 8],
                              'material', (${materials})[1 + (n / 8) % 8],
                              'size', 30 + n % 20) AS attributes,
           (199 + (n * 7919) % 49800)::numeric(14, 2) AS price,
           leaf_n, seller_n, brand_n
    FROM (
        SELECT n,
               (${nouns})[1 + floor(${noun_count} * power(random(), 2))::int] AS noun,
               (${adjectives})[1 + n % ${adjective_count}] AS adjective,
               1 + floor((SELECT count(*) FROM leaf) * power(random(), 1.5))::int AS leaf_n,
               1 + (n * 31) % (SELECT count(*) FROM seller_ids) AS seller_n,
               1 + floor((SELECT count(*) FROM brand_ids) * power(random(), 3))::int AS brand_n
        FROM generate_series(1::bigint, ${listings}) n
    ) raw
    JOIN brand_ids brand ON brand.bn = raw.brand_n
) g
JOIN leaf l ON l.ln = g.leaf_n
JOIN seller_ids s ON s.sn = g.seller_n
JOIN brand_ids b ON b.bn = g.brand_n;
