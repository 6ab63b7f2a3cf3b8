-- 073_indicator_customers_by_hour.sql - the threats page counts an
-- indicator's customers in the window from the hours, not customer by
-- customer (issue #23; docs/performance.md, "Session 38"). At L an MSSP's
-- page read about 117,000 entries of indicator_customers for 7 days (one
-- range per indicator of the tree, about 20 ms for every viewer).
--
-- indicator_hourly.customers: per tree, indicator and hour, how many
-- customers had their latest sighting of the indicator in that hour. A
-- customer saw the indicator in a window of whole hours if its latest
-- sighting is inside it, so the window's count of customers is the sum of
-- its hours'. Kept by incidents_indicators() (a customer whose latest
-- sighting moves to a later hour leaves the earlier one) and
-- indicator_recount().
ALTER TABLE indicator_hourly ADD COLUMN customers bigint NOT NULL DEFAULT 0;
UPDATE indicator_hourly h SET customers = d.customers
  FROM (SELECT x.root_id, x.indicator, date_trunc('hour', x.last_at, 'UTC') AS hour, count(*) AS customers
          FROM indicator_customers x
         GROUP BY 1, 2, 3) d
 WHERE h.root_id = d.root_id AND h.hour = d.hour AND h.indicator = d.indicator;

-- The functions this migration changed live in sql/functions, each in one
-- file holding its current definition: incidents_indicators,
-- indicator_recount, threat_correlation.
