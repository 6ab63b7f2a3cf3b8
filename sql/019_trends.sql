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

CREATE FUNCTION vulnerabilities_series() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp SET client_min_messages = warning AS $$
BEGIN
    CREATE TEMP TABLE IF NOT EXISTS series_rows (tenant_id bigint, first_seen date, fixed date, sev text, cve text,
                                                 n int) ON COMMIT DROP;
    TRUNCATE series_rows;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO series_rows SELECT tenant_id, first_seen::date, fixed_at::date, severity, cve, 1 FROM new_rows;
    END IF;
    IF TG_OP IN ('DELETE', 'UPDATE') THEN
        INSERT INTO series_rows SELECT tenant_id, first_seen::date, fixed_at::date, severity, cve, -1 FROM old_rows;
    END IF;
    -- Daily found / fixed, for the tenant and its ancestors.
    INSERT INTO vuln_daily AS d (tenant_id, day, found, fixed, found_critical, fixed_critical)
    SELECT a.id, x.day, sum(x.found), sum(x.fixed), sum(x.found_critical), sum(x.fixed_critical)
      FROM (SELECT tenant_id, first_seen AS day, n AS found, 0 AS fixed,
                   CASE WHEN sev = 'critical' THEN n ELSE 0 END AS found_critical, 0 AS fixed_critical
              FROM series_rows
            UNION ALL
            SELECT tenant_id, fixed, 0, n, 0, CASE WHEN sev = 'critical' THEN n ELSE 0 END
              FROM series_rows WHERE fixed IS NOT NULL) x
      JOIN tenants t ON t.id = x.tenant_id JOIN tenants a ON a.id = ANY (t.ancestors)
     GROUP BY a.id, x.day
    HAVING sum(x.found) <> 0 OR sum(x.fixed) <> 0
     ORDER BY a.id, x.day
    ON CONFLICT (tenant_id, day) DO UPDATE SET found = d.found + excluded.found, fixed = d.fixed + excluded.fixed,
        found_critical = d.found_critical + excluded.found_critical,
        fixed_critical = d.fixed_critical + excluded.fixed_critical;
    -- Open findings per CVE.
    INSERT INTO cve_open AS c (tenant_id, cve, open)
    SELECT a.id, x.cve, sum(x.n)
      FROM series_rows x JOIN tenants t ON t.id = x.tenant_id JOIN tenants a ON a.id = ANY (t.ancestors)
     WHERE x.fixed IS NULL
     GROUP BY a.id, x.cve HAVING sum(x.n) <> 0
     ORDER BY a.id, x.cve
    ON CONFLICT (tenant_id, cve) DO UPDATE SET open = c.open + excluded.open;
    RETURN NULL;
END $$;

CREATE TRIGGER vulnerabilities_series_ins AFTER INSERT ON vulnerabilities REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION vulnerabilities_series();
CREATE TRIGGER vulnerabilities_series_upd AFTER UPDATE ON vulnerabilities
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION vulnerabilities_series();
CREATE TRIGGER vulnerabilities_series_del AFTER DELETE ON vulnerabilities REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION vulnerabilities_series();

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

-- An MSP joining an MSSP brings its series along (like tenant_stats).
CREATE FUNCTION tenants_move_series() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    IF NEW.parent_id IS DISTINCT FROM OLD.parent_id AND OLD.parent_id IS NULL THEN
        INSERT INTO vuln_daily AS d (tenant_id, day, found, fixed, found_critical, fixed_critical)
        SELECT NEW.parent_id, day, found, fixed, found_critical, fixed_critical FROM vuln_daily WHERE tenant_id = NEW.id
        ON CONFLICT (tenant_id, day) DO UPDATE SET found = d.found + excluded.found, fixed = d.fixed + excluded.fixed,
            found_critical = d.found_critical + excluded.found_critical,
            fixed_critical = d.fixed_critical + excluded.fixed_critical;
        INSERT INTO cve_open AS c (tenant_id, cve, open)
        SELECT NEW.parent_id, cve, open FROM cve_open WHERE tenant_id = NEW.id
        ON CONFLICT (tenant_id, cve) DO UPDATE SET open = c.open + excluded.open;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER tenants_move_series AFTER UPDATE OF parent_id ON tenants
    FOR EACH ROW EXECUTE FUNCTION tenants_move_series();

ALTER TABLE vuln_daily ENABLE ROW LEVEL SECURITY;
ALTER TABLE vuln_daily FORCE ROW LEVEL SECURITY;
CREATE POLICY vuln_daily_visible ON vuln_daily USING (tenant_id IN (SELECT visible_tenant_ids()));
ALTER TABLE cve_open ENABLE ROW LEVEL SECURITY;
ALTER TABLE cve_open FORCE ROW LEVEL SECURITY;
CREATE POLICY cve_open_visible ON cve_open USING (tenant_id IN (SELECT visible_tenant_ids()));
GRANT SELECT ON vuln_daily, cve_open TO portal_app;
