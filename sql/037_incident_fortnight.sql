-- 037_incident_fortnight.sql - "incidents growing fastest" (the analytics
-- page) reads one row per customer, not the incidents of two weeks.
--
-- cgi/pages/analytics.c counted every incident opened in the last 14 days
-- below the tenant (460,000 for an MSSP at L: 0.3-0.5 s of a 0.5 s page).
-- incident_recent keeps, per customer (company), the incidents opened on
-- each of the 28 UTC days up to its latest: opened[1] is day0, opened[k]
-- day0 - (k - 1). A statement trigger on incidents adds each write's
-- changes in the writing transaction; a customer's row is locked while
-- its days are rewritten, so concurrent batches add up. The page compares
-- whole UTC days: this week is today and the 6 days before, last week the
-- 7 days before those. day0 is at most a week ahead of today: an incident
-- dated further ahead is not kept (else one such date would push the
-- customer's real days out of the 28).

CREATE TABLE incident_recent (
    tenant_id bigint PRIMARY KEY REFERENCES tenants(id) ON DELETE CASCADE,
    day0 date NOT NULL,
    opened int[] NOT NULL CHECK (cardinality(opened) = 28),
    sums int[] GENERATED ALWAYS AS (prefix_sums(opened)) STORED
);
ALTER TABLE incident_recent ENABLE ROW LEVEL SECURITY;
ALTER TABLE incident_recent FORCE ROW LEVEL SECURITY;
GRANT SELECT ON incident_recent TO portal_app;

WITH days AS (
    SELECT i.tenant_id, (i.opened_at AT TIME ZONE 'UTC')::date AS day, count(*)::int AS n
      FROM incidents i JOIN tenants c ON c.id = i.tenant_id AND c.kind = 'company'
     GROUP BY 1, 2
), last AS (
    SELECT tenant_id, least(max(day), current_date + 7) AS day0 FROM days GROUP BY 1
)
INSERT INTO incident_recent (tenant_id, day0, opened)
SELECT l.tenant_id, l.day0, array_agg(coalesce(d.n, 0) ORDER BY k)
  FROM last l CROSS JOIN generate_series(1, 28) k
  LEFT JOIN days d ON d.tenant_id = l.tenant_id AND d.day = l.day0 - (k - 1)
 GROUP BY l.tenant_id, l.day0;

-- The functions, triggers and policies this migration defined or changed
-- live in sql/functions, sql/triggers and sql/policies now, each in one
-- file holding its current definition:
--   prefix_sums, incident_recent_visible, incident_recent_apply,
--   incidents_recent, incidents_recent_ins, incidents_recent_upd,
--   incidents_recent_del, incident_weeks.
