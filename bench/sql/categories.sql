INSERT INTO catalog_category (created_at, updated_at, parent_id, name, slug, path, depth, position,
    description, is_active, commission_percent, return_class, return_days, meta_title, meta_description)
SELECT now(), now(), NULL, r.name, 'r' || r.n, '', 0, r.n, '', true, 10, 'days_15', NULL, '', ''
FROM unnest(${root_names}) WITH ORDINALITY AS r(name, n);
UPDATE catalog_category SET path = '/' || id || '/' WHERE parent_id IS NULL;
INSERT INTO catalog_category (created_at, updated_at, parent_id, name, slug, path, depth, position,
    description, is_active, commission_percent, return_class, return_days, meta_title, meta_description)
SELECT now(), now(), c.id, c.name || ': группа ' || g, c.slug || '-g' || g, c.path, 1, g, '', true, NULL,
       '', NULL, '', ''
FROM catalog_category c, generate_series(1, ${mids_per_root}) g WHERE c.parent_id IS NULL;
UPDATE catalog_category SET path = path || id || '/' WHERE depth = 1;
INSERT INTO catalog_category (created_at, updated_at, parent_id, name, slug, path, depth, position,
    description, is_active, commission_percent, return_class, return_days, meta_title, meta_description)
SELECT now(), now(), c.id, n.noun || ' ' || c.slug || '-' || l, c.slug || '-' || l, c.path, 2, l, '', true,
       NULL, '', NULL, '', ''
FROM catalog_category c, generate_series(1, ${leaves_per_mid}) l,
     LATERAL (SELECT (${nouns})[1 + (c.id * 7 + l) % ${noun_count}] AS noun) n
WHERE c.depth = 1;
UPDATE catalog_category SET path = path || id || '/' WHERE depth = 2;
INSERT INTO catalog_attribute (category_id, code, name, type, unit, options, is_required, is_filterable,
                               position, help_text)
SELECT id, 'color', 'Цвет', 'choice', '', ${colors}, false, true, 0, '' FROM catalog_category WHERE depth = 2
UNION ALL
SELECT id, 'material', 'Материал', 'choice', '', ${materials}, false, true, 1, '' FROM catalog_category WHERE depth = 2
UNION ALL
SELECT id, 'size', 'Размер', 'number', 'см', '{}', false, true, 2, '' FROM catalog_category WHERE depth = 2;
