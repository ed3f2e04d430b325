INSERT INTO catalog_brand (created_at, updated_at, name, slug)
SELECT now(), now(), b.name, lower(regexp_replace(b.name, '[^A-Za-z0-9]+', '-', 'g'))
FROM unnest(${brands}) AS b(name);
INSERT INTO catalog_brand (created_at, updated_at, name, slug)
SELECT now(), now(), 'Бренд ' || n, 'brand-' || n FROM generate_series(1, 1980) n;
