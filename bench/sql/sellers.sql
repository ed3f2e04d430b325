INSERT INTO accounts_user (password, is_superuser, email, first_name, last_name, phone, language, time_zone,
                           is_staff, is_active, date_joined)
SELECT '!', false, 'seller' || n || '@bench.local', 'Продавец', n::text, '', 'ru', 'Europe/Moscow',
       false, true, now()
FROM generate_series(1, ${sellers}) n;
INSERT INTO sellers_sellerapplication (created_at, updated_at, applicant_id, status, legal_form, legal_name,
    inn, ogrn, kpp, legal_address, bank_name, bik, settlement_account, correspondent_account, contact_name,
    contact_phone, contact_email, store_name, store_slug, planned_categories, business_description,
    offer_terms_id, offer_accepted_at, submitted_at, decided_at, completed_steps, check_results,
    decision_reason)
SELECT now(), now(), u.id, 'approved', 'ooo', 'ООО «Бенч ' || u.last_name || '»', '9' || lpad(u.last_name, 9, '0'),
       '', '', 'Москва', '', '044525225', '40702810900000000001', '', 'Иван', '+79990000000', u.email,
       'Магазин ' || u.last_name, 'bench-' || u.last_name, '', '',
       (SELECT id FROM legal_platformterms WHERE kind = 'seller_offer' ORDER BY effective_at DESC LIMIT 1),
       now(), now(), now(), 5, '[]', ''
FROM accounts_user u WHERE u.email LIKE '%@bench.local';
INSERT INTO sellers_seller (created_at, updated_at, user_id, application_id, status, legal_form, legal_name,
    inn, ogrn, kpp, legal_address, bank_name, bik, settlement_account, correspondent_account, contact_name,
    contact_phone, contact_email, categories, approved_at, offer_terms_id, offer_paused)
SELECT now(), now(), a.applicant_id, a.id, 'active', 'ooo', a.legal_name, a.inn, '', '', 'Москва', '',
       a.bik, a.settlement_account, '', 'Иван', '+79990000000', a.contact_email, '', now(), a.offer_terms_id,
       false
FROM sellers_sellerapplication a JOIN accounts_user u ON u.id = a.applicant_id
WHERE u.email LIKE '%@bench.local';
INSERT INTO sellers_storefront (created_at, updated_at, seller_id, slug, name, description, logo, banner,
                                return_policy, shipping_policy)
SELECT now(), now(), s.id, 'bench-' || s.id, 'Магазин ' || s.id, '', '', '', '', ''
FROM sellers_seller s JOIN accounts_user u ON u.id = s.user_id WHERE u.email LIKE '%@bench.local';
