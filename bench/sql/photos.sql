INSERT INTO catalog_listingphoto (listing_id, image, width, height, grid, gallery, zoom, alt, position,
                                  phash, is_live, created_at)
SELECT id, 'bench/photo-' || (id % 50) || '.jpg', 900, 900, 'bench/photo-' || (id % 50) || '-grid.webp',
       'bench/photo-' || (id % 50) || '-gallery.webp', 'bench/photo-' || (id % 50) || '-zoom.webp',
       title, 0, id, true, now()
FROM catalog_listing;
UPDATE catalog_listing l SET cover_photo_id = p.id FROM catalog_listingphoto p WHERE p.listing_id = l.id;
