INSERT INTO catalog_variant (created_at, updated_at, listing_id, seller_id, sku, name, options, price,
    old_price, shown_old_price, on_hand, allocated, barcode, position, is_active, low_stock_notified)
SELECT now(), now(), id, seller_id, 'SKU-' || id, '', '{}', price, old_price, old_price,
       CASE WHEN in_stock THEN 10 ELSE 0 END, 0, '', 0, true, false
FROM catalog_listing;
INSERT INTO catalog_variantprice (variant_id, price, valid_from, valid_to)
SELECT id, price, now(), NULL FROM catalog_variant;
