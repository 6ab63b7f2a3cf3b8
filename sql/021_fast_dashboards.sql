-- 021_fast_dashboards.sql - dashboards whose cost follows the tenants on
-- screen, not the tenants a viewer may see nor the rows stored
-- (docs/performance.md, "Dashboards at scale").
--
-- 1. Visibility in O(1) per row. The policies of tenants and of the rollup
--    tables no longer build the viewer's whole visible set (20,000 ids for
--    an MSSP Admin at size L, rebuilt in every statement). Instead the
--    viewer's *scope* is computed once per statement: app_scope(), the
--    tenants whose subtree they see (memberships other than MSSP Analyst,
--    an analyst's assignments, an API key's tenant), and app_exact(), the
--    tenants they see without their subtree (an MSSP Analyst's own MSSP).
--    A tenant row is visible when its ancestors (which include itself)
--    overlap the scope, or it is one of the exact ones: the same set as
--    visible_tenant_ids(), tested per row. A rollup row is visible when
--    its tenant is (an index probe). The raw tables (assets,
--    vulnerabilities, incidents, audit_log...) keep the set-based policy:
--    their large scans are cheaper with one hashed set than with a probe
--    per row, and the dashboards no longer read them.
-- 2. incident_hourly: incidents opened and closed per tenant and UTC hour,
--    for the tenant and each ancestor, kept by a statement trigger like
--    vuln_daily. "New in the last 24 h" and the resolution rate read at
--    most 721 rows of one tenant.
-- 3. tenant_stats gains msps and companies (active tenants of that kind
--    strictly below), kept by a row trigger on tenants, and risk (the
--    documented at-risk score, a stored generated column) with an index,
--    so the most at-risk companies of a tree are an index range read.
-- 4. dashboard_overview() returns a tenant's whole overview as one JSON
--    value, and tenant_children_rows() its table: a dashboard page is one
--    statement after the session and tenant context, not ten.

-- ------------------------------------------------------- 2. incident_hourly
CREATE TABLE incident_hourly (
    tenant_id bigint NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    hour      timestamptz NOT NULL,          -- the start of a UTC hour
    opened    bigint NOT NULL DEFAULT 0,
    closed    bigint NOT NULL DEFAULT 0,
    -- Covering: a window is an index-only range read.
    PRIMARY KEY (tenant_id, hour) INCLUDE (opened, closed)
);

INSERT INTO incident_hourly (tenant_id, hour, opened, closed)
SELECT a.id, x.hour, sum(x.opened), sum(x.closed)
  FROM (SELECT tenant_id, date_trunc('hour', opened_at, 'UTC') AS hour, 1 AS opened, 0 AS closed FROM incidents
        UNION ALL
        SELECT tenant_id, date_trunc('hour', closed_at, 'UTC'), 0, 1 FROM incidents WHERE closed_at IS NOT NULL) x
  JOIN tenants t ON t.id = x.tenant_id JOIN tenants a ON a.id = ANY (t.ancestors)
 GROUP BY a.id, x.hour;

ALTER TABLE incident_hourly ENABLE ROW LEVEL SECURITY;
ALTER TABLE incident_hourly FORCE ROW LEVEL SECURITY;
GRANT SELECT ON incident_hourly TO portal_app;

-- --------------------------------------- 3. child counts and risk in tenant_stats
ALTER TABLE tenant_stats
    ADD COLUMN msps bigint NOT NULL DEFAULT 0,       -- active MSPs strictly below
    ADD COLUMN companies bigint NOT NULL DEFAULT 0,  -- active companies strictly below
    ADD COLUMN risk bigint GENERATED ALWAYS AS
        (10 * incidents_open_critical + 3 * (incidents_open - incidents_open_critical) + vuln_critical) STORED,
    ADD COLUMN is_company boolean NOT NULL DEFAULT false,  -- the at-risk ranking is of companies only
    -- Bumped by every change a dashboard of this tenant shows (the stats,
    -- the series, the tenants and requests below it): the key of the
    -- portal workers' dashboard cache (docs/performance.md).
    ADD COLUMN version bigint NOT NULL DEFAULT 0;
UPDATE tenant_stats s SET is_company = true FROM tenants t WHERE t.id = s.tenant_id AND t.kind = 'company';
CREATE INDEX tenant_stats_risk ON tenant_stats (risk DESC) WHERE risk > 0 AND is_company;

INSERT INTO tenant_stats AS s (tenant_id, msps, companies)
SELECT a.id, count(*) FILTER (WHERE c.kind = 'msp'), count(*) FILTER (WHERE c.kind = 'company')
  FROM tenants c JOIN tenants a ON a.id = ANY (c.ancestors) AND a.id <> c.id
 WHERE c.status = 'active'
 GROUP BY a.id
ON CONFLICT (tenant_id) DO UPDATE SET msps = excluded.msps, companies = excluded.companies;

-- The latest request of an MSP (the MSPs table's status column).
CREATE INDEX msp_requests_msp ON msp_requests (msp_tenant_id, created_at DESC, id DESC);

-- ------------------------------------------------------------ 4. reads
-- The dashboard reads are SECURITY DEFINER functions that apply the
-- visibility rule themselves, with the caller's scope computed once per
-- call: the tenant asked for must be visible (else nothing is returned),
-- and so must every tenant listed (the children, the at-risk companies,
-- the breadcrumb). The rollup rows of a visible tenant are read directly.
-- This is the same rule as the policies, without a per-table check.

-- The functions, triggers and policies this migration defined or changed
-- live in sql/functions, sql/triggers and sql/policies now, each in one
-- file holding its current definition:
--   app_scope, app_exact, scope_sees, tenants_visible, tenant_stats_visible,
--   vuln_daily_visible, cve_open_visible, msp_requests_visible,
--   incidents_series, incidents_series_ins, incidents_series_upd,
--   incidents_series_del, tenants_move_series, incident_hourly_visible,
--   stats_apply, stats_touch, tenants_count_stats, tenant_children_rows,
--   dashboard_overview, effective_role, brand_for_tenant, brand_for_host,
--   brand_for_request, request_context, vulnerabilities_touch,
--   vulnerabilities_touch_ins, vulnerabilities_touch_upd,
--   vulnerabilities_touch_del, tenants_touch_stats, msp_requests_touch_stats.
