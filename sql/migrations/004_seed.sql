-- 004_seed.sql - the seed's concert and tiers, and two more to list.

INSERT INTO concerts (id, name, venue, event_date) VALUES
    ('concert_001', 'Rock Festival 2027', 'Madison Square Garden', '2027-06-15T20:00:00Z'),
    ('concert_002', 'Jazz Night', 'Blue Note', '2027-03-10T19:30:00Z'),
    ('concert_003', 'Symphony Under the Stars', 'Hollywood Bowl', '2027-08-20T19:00:00Z');

SELECT count(add_tier(id, concert_id, name, price_cents, total))
FROM (VALUES
    ('tier_vip_001',   'concert_001', 'VIP',       10000, 100),
    ('tier_front_001', 'concert_001', 'FRONT_ROW',  5000, 200),
    ('tier_ga_001',    'concert_001', 'GA',         1000, 500),
    ('tier_table_002', 'concert_002', 'TABLE',      8500,  40),
    ('tier_bar_002',   'concert_002', 'BAR',        4500,  60),
    ('tier_box_003',   'concert_003', 'BOX',       15000,  50),
    ('tier_lawn_003',  'concert_003', 'LAWN',       3500, 2000)
) AS t(id, concert_id, name, price_cents, total);
