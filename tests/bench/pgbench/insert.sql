-- insert.sql - the durable write ceiling: one single-row INSERT per
-- transaction (autocommit, synchronous_commit on: every commit waits for
-- its WAL flush, as a confirmed booking must).
\set q random(1, 4)
INSERT INTO bench.inserts (tier_id, quantity) VALUES ('hot', :q);
