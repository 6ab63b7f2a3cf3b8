-- Daily found / fixed for the trend, and open findings per CVE, for the
-- tenant and its ancestors.
CREATE OR REPLACE FUNCTION vulnerabilities_series() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp SET client_min_messages = warning AS $$
DECLARE src text := delta_rows(TG_OP, 'tenant_id, first_seen, fixed_at, severity, cve');
BEGIN
    -- An INSERT ... ON CONFLICT DO UPDATE runs the INSERT and the UPDATE
    -- triggers both, most often one of them with no rows (a batch of new
    -- findings updates none): nothing to plan and run then.
    IF TG_OP = 'DELETE' THEN
        IF NOT EXISTS (SELECT FROM old_rows) THEN RETURN NULL; END IF;
    ELSIF NOT EXISTS (SELECT FROM new_rows) THEN
        RETURN NULL;
    END IF;
    -- Two statements, in this order (as a move does, tenants_move_series()): the days,
    -- then the CVEs.
    EXECUTE format($q$
        WITH leaf AS (
            SELECT tenant_id, day, sum(found) AS found, sum(fixed) AS fixed, sum(fc) AS fc, sum(xc) AS xc
              FROM (SELECT tenant_id, first_seen::date AS day, n AS found, 0 AS fixed,
                           CASE WHEN severity = 'critical' THEN n ELSE 0 END AS fc, 0 AS xc FROM (%1$s) r
                    UNION ALL
                    SELECT tenant_id, fixed_at::date, 0, n, 0, CASE WHEN severity = 'critical' THEN n ELSE 0 END
                      FROM (%1$s) r WHERE fixed_at IS NOT NULL) x
             GROUP BY tenant_id, day)
        INSERT INTO vuln_daily AS d (tenant_id, day, found, fixed, found_critical, fixed_critical)
        SELECT a.id, l.day, sum(l.found), sum(l.fixed), sum(l.fc), sum(l.xc)
          FROM leaf l JOIN tenants t ON t.id = l.tenant_id JOIN tenants a ON a.id = ANY (t.ancestors)
         GROUP BY a.id, l.day
        HAVING sum(l.found) <> 0 OR sum(l.fixed) <> 0
         ORDER BY a.id, l.day
        ON CONFLICT (tenant_id, day) DO UPDATE SET found = d.found + excluded.found, fixed = d.fixed + excluded.fixed,
            found_critical = d.found_critical + excluded.found_critical,
            fixed_critical = d.fixed_critical + excluded.fixed_critical$q$, src);
    EXECUTE format($q$
        WITH cves AS (
            SELECT tenant_id, cve COLLATE "C" AS cve, sum(n) AS n FROM (%s) r WHERE fixed_at IS NULL
             GROUP BY tenant_id, cve COLLATE "C" HAVING sum(n) <> 0)
        INSERT INTO cve_open AS c (tenant_id, cve, open)
        SELECT a.id, x.cve, sum(x.n)
          FROM cves x JOIN tenants t ON t.id = x.tenant_id JOIN tenants a ON a.id = ANY (t.ancestors)
         GROUP BY a.id, x.cve HAVING sum(x.n) <> 0
         ORDER BY a.id, x.cve
        ON CONFLICT (tenant_id, cve) DO UPDATE SET open = c.open + excluded.open$q$, src);
    RETURN NULL;
END $$;
REVOKE ALL ON FUNCTION vulnerabilities_series() FROM PUBLIC;
