-- GET /api/concerts when its summary is not fresh (an idle site; 015_concert_totals.sql): the
-- first page of 20 (and one more, which says there is a next), chosen before the totals are
-- summed from the buckets (store/statements.c, Q_CONCERTS). With traffic, ticketd reads the
-- summary instead: the bench's "list" scenario measures that.
WITH page AS (
  SELECT c.* FROM concerts c
  WHERE c.status = 'published' AND c.event_date > now() - interval '6 hours'
  ORDER BY c.event_date, c.id LIMIT 21)
SELECT c.id, c.name, c.venue, iso8601(c.event_date) AS event_date,
       iso8601(c.created_at) AS created_at, iso8601(c.updated_at) AS updated_at, c.time_zone,
       iso8601_at(c.event_date, c.time_zone) AS starts_at,
       iso8601_at(c.doors_at, c.time_zone) AS doors_at,
       iso8601_at(c.sales_start, c.time_zone) AS sales_start,
       iso8601_at(c.sales_end, c.time_zone) AS sales_end,
       c.status, c.max_tickets_per_fan, s.min_price, s.total, s.available
FROM page c
LEFT JOIN LATERAL (
  SELECT min(t.price_cents) AS min_price, sum(t.total_quantity) AS total,
         sum((SELECT sum(b.available) FROM tier_buckets b WHERE b.tier_id = t.id)) AS available
  FROM ticket_tiers t WHERE t.concert_id = c.id) s ON true
ORDER BY c.event_date, c.id;
