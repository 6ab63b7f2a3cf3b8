-- 019_trends.sql - rollups for the 30-day vulnerability trend and the top
-- CVEs, kept like tenant_stats: per tenant and for each of its ancestors,
-- by a statement-level trigger in the same transaction as the write.
--
-- vuln_daily: per tenant and day, findings first seen that day and findings
-- fixed that day. The open count at the end of day D is
--   open now - found after D + fixed after D,
-- so the trend reads at most 30 rows per tenant, whatever is stored.
-- cve_open: per tenant and CVE, the open findings.
CREATE TABLE vuln_daily (
    tenant_id      bigint NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    day            date NOT NULL,
    found          bigint NOT NULL DEFAULT 0,
    fixed          bigint NOT NULL DEFAULT 0,
    found_critical bigint NOT NULL DEFAULT 0,
    fixed_critical bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (tenant_id, day)
);
CREATE TABLE cve_open (
    tenant_id bigint NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    cve       text NOT NULL,
    open      bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (tenant_id, cve)
);
CREATE INDEX cve_open_top ON cve_open (tenant_id, open DESC) WHERE open > 0;

-- Backfill from what is stored (the demo data of an existing install).
INSERT INTO vuln_daily (tenant_id, day, found, fixed, found_critical, fixed_critical)
SELECT a.id, x.day, sum(x.found), sum(x.fixed), sum(x.fc), sum(x.xc)
  FROM (SELECT tenant_id, first_seen::date AS day, 1 AS found, 0 AS fixed,
               (severity = 'critical')::int AS fc, 0 AS xc FROM vulnerabilities
        UNION ALL
        SELECT tenant_id, fixed_at::date, 0, 1, 0, (severity = 'critical')::int FROM vulnerabilities
         WHERE fixed_at IS NOT NULL) x
  JOIN tenants t ON t.id = x.tenant_id JOIN tenants a ON a.id = ANY (t.ancestors)
 GROUP BY a.id, x.day;
INSERT INTO cve_open (tenant_id, cve, open)
SELECT a.id, v.cve, count(*) FROM vulnerabilities v JOIN tenants t ON t.id = v.tenant_id
  JOIN tenants a ON a.id = ANY (t.ancestors) WHERE v.fixed_at IS NULL GROUP BY a.id, v.cve;

ALTER TABLE vuln_daily ENABLE ROW LEVEL SECURITY;
ALTER TABLE vuln_daily FORCE ROW LEVEL SECURITY;
ALTER TABLE cve_open ENABLE ROW LEVEL SECURITY;
ALTER TABLE cve_open FORCE ROW LEVEL SECURITY;
GRANT SELECT ON vuln_daily, cve_open TO portal_app;

-- The functions, triggers and policies this migration defined or changed
-- live in sql/functions, sql/triggers and sql/policies now, each in one
-- file holding its current definition:
--   vulnerabilities_series, vulnerabilities_series_ins,
--   vulnerabilities_series_upd, vulnerabilities_series_del,
--   tenants_move_series, vuln_daily_visible, cve_open_visible.
