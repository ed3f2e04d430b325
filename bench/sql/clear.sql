TRUNCATE catalog_listingphoto, catalog_variantprice, catalog_variant, catalog_listingevent, catalog_listingrevision,
    catalog_listingreport, catalog_listingquestion, catalog_listing, catalog_attribute, catalog_brand,
    catalog_searchterm, buyers_favourite, buyers_follow, buyers_recentlyviewed, buyers_stocksubscription,
    catalog_importjob CASCADE;
DELETE FROM catalog_category;
CREATE TEMP TABLE bench_users AS SELECT id FROM accounts_user WHERE email LIKE '%@bench.local';
CREATE TEMP TABLE bench_sellers AS SELECT id FROM sellers_seller WHERE user_id IN (SELECT id FROM bench_users);
DELETE FROM sellers_teammember WHERE seller_id IN (SELECT id FROM bench_sellers);
DELETE FROM sellers_storefront WHERE seller_id IN (SELECT id FROM bench_sellers);
DELETE FROM sellers_sellerevent WHERE seller_id IN (SELECT id FROM bench_sellers);
DELETE FROM sellers_seller WHERE id IN (SELECT id FROM bench_sellers);
DELETE FROM sellers_sellerapplication WHERE applicant_id IN (SELECT id FROM bench_users);
DELETE FROM accounts_user WHERE id IN (SELECT id FROM bench_users);
DROP TABLE bench_users, bench_sellers;
