-- 033_threat_rollups.sql - threat correlation reads rollups, not the
-- incidents of the window.
--
-- sql/016's threat_correlation() grouped every incident of the window in
-- the tree by indicator, and named every visible customer of each: at L an
-- MSSP's page read 230,000 incidents for 7 days (1.3 s) and 1M for 30 days
-- (3 s), and listed 20,000 customer names per indicator (3 MB of HTML).
-- Now two rollups, kept by statement triggers on incidents in the writing
-- transaction, answer it (docs/dashboards.md, "Threat correlation"):
--
-- * indicator_hourly: per tree, indicator and UTC hour, the incidents at
--   customers (companies) opened in that hour, the first and last opening
--   and the indicator's kind: the window's incidents, first and last seen.
-- * indicator_customers: per tree, indicator and customer, the customer's
--   latest incident with the indicator. A customer saw the indicator in the
--   window if that is inside it: the count of customers, and the names the
--   viewer may see, most recent first (ten at most; the rest are counted).
--
-- The window is whole UTC hours, like the dashboard's: the last N days are
-- the current hour and the N x 24 hours before it.

CREATE TABLE indicator_hourly (
    root_id bigint NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    indicator text NOT NULL,
    hour timestamptz NOT NULL,
    incidents bigint NOT NULL,
    first_at timestamptz NOT NULL,
    last_at timestamptz NOT NULL,
    kind text,
    PRIMARY KEY (root_id, hour, indicator)
);
CREATE TABLE indicator_customers (
    root_id bigint NOT NULL,
    indicator text NOT NULL,
    tenant_id bigint NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    last_at timestamptz NOT NULL,
    PRIMARY KEY (root_id, indicator, tenant_id)
);
CREATE INDEX indicator_customers_recent ON indicator_customers (root_id, indicator, last_at, tenant_id);
-- Read only by threat_correlation() below (SECURITY DEFINER); no grants.
ALTER TABLE indicator_hourly ENABLE ROW LEVEL SECURITY;
ALTER TABLE indicator_hourly FORCE ROW LEVEL SECURITY;
ALTER TABLE indicator_customers ENABLE ROW LEVEL SECURITY;
ALTER TABLE indicator_customers FORCE ROW LEVEL SECURITY;

INSERT INTO indicator_hourly (root_id, indicator, hour, incidents, first_at, last_at, kind)
SELECT i.root_id, i.indicator, date_trunc('hour', i.opened_at, 'UTC'), count(*), min(i.opened_at), max(i.opened_at),
       min(i.indicator_kind)
  FROM incidents i JOIN tenants c ON c.id = i.tenant_id AND c.kind = 'company'
 WHERE i.indicator IS NOT NULL
 GROUP BY 1, 2, 3;
INSERT INTO indicator_customers (root_id, indicator, tenant_id, last_at)
SELECT i.root_id, i.indicator, i.tenant_id, max(i.opened_at)
  FROM incidents i JOIN tenants c ON c.id = i.tenant_id AND c.kind = 'company'
 WHERE i.indicator IS NOT NULL
 GROUP BY 1, 2, 3;

-- The functions, triggers and policies this migration defined or changed
-- live in sql/functions, sql/triggers and sql/policies now, each in one
-- file holding its current definition:
--   indicator_recount, incidents_indicators, incidents_threats_ins,
--   incidents_threats_upd, incidents_threats_del, threat_correlation.
