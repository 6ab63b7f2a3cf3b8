-- 038_rollup_deltas.sql - the rollup triggers aggregate the statement's
-- rows where they are, and a CVE's open count changes in place.
--
-- 1. The statement-level rollup triggers (sql/013, sql/019, sql/021)
--    copied their transition tables into a temporary table, created,
--    truncated and dropped again in every writing transaction (catalog
--    churn, and a copy of every row), before aggregating it. They now
--    aggregate the transition tables themselves: delta_rows() is the
--    statement's rows, each with its sign (n: +1 new, -1 old), from the
--    tables the event has, and each trigger runs one statement over it.
--    The vulnerability and incident series sum per tenant and CVE (or day,
--    or hour) first, then spread the sums to the ancestors; CVEs are
--    grouped and ordered bytewise (the same groups: the collation is
--    deterministic).
--
-- 2. cve_open's top index was on the count itself, so every change of a
--    count wrote a new row version and an entry in each of its two indexes
--    (an ingest batch of 5,000 findings over 2,000 CVEs changes 6,000 counts:
--    a third of the batch's time). The index is now on a band of the count,
--    a stored column of about 19 % width (floor(4 log2 open)); a change
--    within the band updates the row in place (HOT; fillfactor 70 leaves
--    the room). cve_top() reads a tenant's ten most frequent open CVEs:
--    the rows of the highest bands that hold ten rows, sorted by count.
--    Every row of a lower band counts less than each of those ten, so the
--    answer is the same as sorting every row.
--
-- (docs/performance.md, "Ingest", round 2.)

-- 2. The open count's band, and the ten most frequent open CVEs.
ALTER TABLE cve_open SET (fillfactor = 70);
DROP INDEX cve_open_top;
ALTER TABLE cve_open ADD COLUMN band int
    GENERATED ALWAYS AS (CASE WHEN open > 0 THEN floor(ln(open::float8) * 5.770780163555854)::int END) STORED;
CREATE INDEX cve_open_top ON cve_open (tenant_id, band DESC) WHERE band IS NOT NULL;

-- The functions, triggers and policies this migration defined or changed
-- live in sql/functions, sql/triggers and sql/policies now, each in one
-- file holding its current definition:
--   delta_rows, stats_deltas_sql, assets_stats, vulnerabilities_stats,
--   incidents_stats, vulnerabilities_series, incidents_series, cve_top,
--   dashboard_overview.
