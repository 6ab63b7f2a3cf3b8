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

-- The statement's rows as signed deltas, for EXECUTE in a statement-level
-- trigger that names its transition tables new_rows and old_rows: p_cols
-- (a select list, a constant of the caller's) of each new row with n = 1
-- and of each old row with n = -1.
CREATE FUNCTION delta_rows(p_op text, p_cols text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE p_op
        WHEN 'INSERT' THEN format('SELECT %s, 1 AS n FROM new_rows', p_cols)
        WHEN 'DELETE' THEN format('SELECT %s, -1 AS n FROM old_rows', p_cols)
        ELSE format('SELECT %1$s, 1 AS n FROM new_rows UNION ALL SELECT %1$s, -1 AS n FROM old_rows', p_cols) END
$$;
REVOKE ALL ON FUNCTION delta_rows(text, text) FROM PUBLIC;

-- The statement that sums the deltas per tenant into stats_apply()'s
-- argument: p_fields (jsonb_build_object() pairs over the delta rows r,
-- after 'tenant_id') of the rows delta_rows(p_op, p_cols) that meet
-- p_where. All three are constants of the calling trigger.
CREATE FUNCTION stats_deltas_sql(p_op text, p_cols text, p_where text, p_fields text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT format('SELECT jsonb_agg(g) FROM (SELECT jsonb_build_object(''tenant_id'', tenant_id, %s) AS g'
                  ' FROM (%s) r WHERE %s GROUP BY tenant_id) x', p_fields, delta_rows(p_op, p_cols), p_where)
$$;
REVOKE ALL ON FUNCTION stats_deltas_sql(text, text, text, text) FROM PUBLIC;

-- Assets by kind.
CREATE OR REPLACE FUNCTION assets_stats() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp SET client_min_messages = warning AS $$
DECLARE d jsonb;
BEGIN
    EXECUTE stats_deltas_sql(TG_OP, 'tenant_id, kind', 'true', $f$
        'probes', coalesce(sum(n) FILTER (WHERE kind = 'probe'), 0),
        'agents', coalesce(sum(n) FILTER (WHERE kind = 'agent'), 0),
        'discovered', coalesce(sum(n) FILTER (WHERE kind = 'discovered'), 0),
        'external', coalesce(sum(n) FILTER (WHERE kind = 'external'), 0)$f$) INTO d;
    PERFORM stats_apply(d) WHERE d IS NOT NULL;
    RETURN NULL;
END $$;

-- Open vulnerabilities by severity: a fixed one no longer counts.
CREATE OR REPLACE FUNCTION vulnerabilities_stats() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp SET client_min_messages = warning AS $$
DECLARE d jsonb;
BEGIN
    EXECUTE stats_deltas_sql(TG_OP, 'tenant_id, severity, fixed_at', 'fixed_at IS NULL', $f$
        'vuln_critical', coalesce(sum(n) FILTER (WHERE severity = 'critical'), 0),
        'vuln_high', coalesce(sum(n) FILTER (WHERE severity = 'high'), 0),
        'vuln_medium', coalesce(sum(n) FILTER (WHERE severity = 'medium'), 0),
        'vuln_low', coalesce(sum(n) FILTER (WHERE severity = 'low'), 0)$f$) INTO d;
    PERFORM stats_apply(d) WHERE d IS NOT NULL;
    RETURN NULL;
END $$;

-- Open incidents, and open critical ones.
CREATE OR REPLACE FUNCTION incidents_stats() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp SET client_min_messages = warning AS $$
DECLARE d jsonb;
BEGIN
    EXECUTE stats_deltas_sql(TG_OP, 'tenant_id, severity, closed_at', 'closed_at IS NULL', $f$
        'incidents_open', sum(n),
        'incidents_open_critical', coalesce(sum(n) FILTER (WHERE severity = 'critical'), 0)$f$) INTO d;
    PERFORM stats_apply(d) WHERE d IS NOT NULL;
    RETURN NULL;
END $$;

-- Daily found / fixed for the trend, and open findings per CVE, for the
-- tenant and its ancestors.
CREATE OR REPLACE FUNCTION vulnerabilities_series() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp SET client_min_messages = warning AS $$
DECLARE src text := delta_rows(TG_OP, 'tenant_id, first_seen, fixed_at, severity, cve');
BEGIN
    -- Two statements, in this order (as a move does, sql/021): the days,
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

-- Incidents opened and closed per UTC hour, for the tenant and its
-- ancestors; the tenants written to are touched (sql/021).
CREATE OR REPLACE FUNCTION incidents_series() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp SET client_min_messages = warning AS $$
DECLARE touched bigint[];
BEGIN
    EXECUTE format($q$
    WITH r AS MATERIALIZED (%s),
    leaf AS (
        SELECT tenant_id, hour, sum(opened) AS opened, sum(closed) AS closed
          FROM (SELECT tenant_id, opened AS hour, n AS opened, 0 AS closed FROM r
                UNION ALL
                SELECT tenant_id, closed, 0, n FROM r WHERE closed IS NOT NULL) x
         GROUP BY tenant_id, hour),
    hourly AS (
        INSERT INTO incident_hourly AS h (tenant_id, hour, opened, closed)
        SELECT a.id, l.hour, sum(l.opened), sum(l.closed)
          FROM leaf l JOIN tenants t ON t.id = l.tenant_id JOIN tenants a ON a.id = ANY (t.ancestors)
         GROUP BY a.id, l.hour
        HAVING sum(l.opened) <> 0 OR sum(l.closed) <> 0
         ORDER BY a.id, l.hour
        ON CONFLICT (tenant_id, hour) DO UPDATE SET opened = h.opened + excluded.opened,
            closed = h.closed + excluded.closed)
    SELECT ARRAY(SELECT DISTINCT tenant_id FROM r ORDER BY 1)$q$,
        delta_rows(TG_OP, $c$tenant_id, date_trunc('hour', opened_at, 'UTC') AS opened,
                              date_trunc('hour', closed_at, 'UTC') AS closed$c$)) INTO touched;
    PERFORM stats_touch(touched);
    RETURN NULL;
END $$;

-- 2. The open count's band, and the ten most frequent open CVEs.
ALTER TABLE cve_open SET (fillfactor = 70);
DROP INDEX cve_open_top;
ALTER TABLE cve_open ADD COLUMN band int
    GENERATED ALWAYS AS (CASE WHEN open > 0 THEN floor(ln(open::float8) * 5.770780163555854)::int END) STORED;
CREATE INDEX cve_open_top ON cve_open (tenant_id, band DESC) WHERE band IS NOT NULL;

-- A tenant's ten most frequent open CVEs (by count, then name), as
-- sorting all of its cve_open rows would give; inlined into its callers.
CREATE FUNCTION cve_top(p_tenant bigint) RETURNS TABLE (cve text, open bigint)
LANGUAGE sql STABLE AS $$
    SELECT o.cve, o.open FROM cve_open o
     WHERE o.tenant_id = p_tenant
       AND o.band >= coalesce((SELECT b.band FROM cve_open b WHERE b.tenant_id = p_tenant AND b.band IS NOT NULL
                                ORDER BY b.band DESC OFFSET 9 LIMIT 1), 0)
     ORDER BY o.open DESC, o.cve LIMIT 10
$$;
REVOKE ALL ON FUNCTION cve_top(bigint) FROM PUBLIC;

-- dashboard_overview() as in sql/030, its top CVEs read by cve_top().
CREATE OR REPLACE FUNCTION dashboard_overview(p_tenant bigint, p_hours int) RETURNS json
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp
SET plan_cache_mode = force_generic_plan AS $$
DECLARE
    sc bigint[] := app_scope();
    ex bigint[] := app_exact();
    t tenants%ROWTYPE;
    st tenant_stats%ROWTYPE;
    h0 timestamptz := date_trunc('hour', now(), 'UTC');
    risky json;
    tops bigint[];   -- the tenants whose rollups make the figures
    cves json;       -- the ten most frequent open CVEs of several tops
BEGIN
    SELECT * INTO t FROM tenants WHERE tenants.id = p_tenant;
    IF NOT FOUND OR NOT scope_sees(t.ancestors, t.id, sc, ex) THEN
        RETURN NULL;
    END IF;
    IF t.ancestors && sc THEN
        tops := ARRAY[t.id];
        SELECT * INTO st FROM tenant_stats WHERE tenant_stats.tenant_id = t.id;   -- no row yet: all NULL
    ELSE
        -- Seen without its subtree: the highest visible tenants below.
        tops := scope_tops(t.id, t.ancestors, sc);
        SELECT sum(x.probes), sum(x.agents), sum(x.discovered), sum(x.external), sum(x.vuln_critical),
               sum(x.vuln_high), sum(x.vuln_medium), sum(x.vuln_low), sum(x.incidents_open),
               sum(x.incidents_open_critical),
               sum(x.msps) + count(*) FILTER (WHERE a.kind = 'msp' AND a.status = 'active'),
               sum(x.companies) + count(*) FILTER (WHERE a.kind = 'company' AND a.status = 'active')
          INTO st.probes, st.agents, st.discovered, st.external, st.vuln_critical, st.vuln_high,
               st.vuln_medium, st.vuln_low, st.incidents_open, st.incidents_open_critical, st.msps, st.companies
          FROM tenants a JOIN tenant_stats x ON x.tenant_id = a.id
         WHERE a.id = ANY (tops);
        SELECT json_agg(json_build_object('cve', c.cve, 'open', c.open) ORDER BY c.open DESC, c.cve) INTO cves
          FROM (SELECT o.cve, sum(o.open) AS open FROM cve_open o WHERE o.tenant_id = ANY (tops) AND o.open > 0
                 GROUP BY o.cve ORDER BY 2 DESC, o.cve LIMIT 10) c;
        cves := coalesce(cves, '[]');
    END IF;
    -- The most at-risk companies (docs/dashboards.md). A tree's root (an
    -- MSSP, or an MSP on its own): every company of the tree; an MSSP
    -- Analyst there sees those of their assigned subtrees. An MSP below an
    -- MSSP: its companies. A company: itself.
    IF t.kind = 'company' THEN
        SELECT json_agg(r) INTO risky FROM (
            SELECT x.tenant_id AS id, t.name, x.risk, x.incidents_open_critical AS open_critical,
                   x.incidents_open AS open, x.vuln_critical
              FROM tenant_stats x WHERE x.tenant_id = t.id AND x.risk > 0) r;
    ELSIF t.parent_id IS NULL THEN
        SELECT json_agg(r) INTO risky FROM (
            SELECT x.tenant_id AS id, x.name, x.risk, x.incidents_open_critical AS open_critical,
                   x.incidents_open AS open, x.vuln_critical
              FROM tenant_stats x
              JOIN LATERAL (SELECT 1 FROM tenants c WHERE c.id = x.tenant_id AND c.status = 'active'
                               AND scope_sees(c.ancestors, c.id, sc, ex) OFFSET 0) v ON true
             WHERE x.root_id = t.id AND x.risk > 0 AND x.is_company
             ORDER BY x.risk DESC, x.name, x.tenant_id LIMIT 5) r;
    ELSE
        SELECT json_agg(r) INTO risky FROM (
            SELECT x.tenant_id AS id, x.name, x.risk, x.incidents_open_critical AS open_critical,
                   x.incidents_open AS open, x.vuln_critical
              FROM tenant_stats x
              JOIN LATERAL (SELECT 1 FROM tenants c WHERE c.id = x.tenant_id AND c.status = 'active'
                               AND scope_sees(c.ancestors, c.id, sc, ex) OFFSET 0) v ON true
             WHERE x.parent_id = t.id AND x.risk > 0 AND x.is_company
             ORDER BY x.risk DESC, x.name, x.tenant_id LIMIT 5) r;
    END IF;
    RETURN json_build_object(
        'ancestors', (SELECT coalesce(json_agg(json_build_object('id', a.id, 'name', a.name, 'kind', a.kind)
                                               ORDER BY p.n), '[]')
                        FROM unnest(t.ancestors[1:cardinality(t.ancestors) - 1]) WITH ORDINALITY AS p(id, n)
                        JOIN LATERAL (SELECT y.id, y.name, y.kind FROM tenants y
                                       WHERE y.id = p.id AND scope_sees(y.ancestors, y.id, sc, ex) OFFSET 0) a ON true),
        'stats', json_build_object('probes', coalesce(st.probes, 0), 'agents', coalesce(st.agents, 0),
                     'discovered', coalesce(st.discovered, 0), 'external', coalesce(st.external, 0),
                     'critical', coalesce(st.vuln_critical, 0), 'high', coalesce(st.vuln_high, 0),
                     'medium', coalesce(st.vuln_medium, 0), 'low', coalesce(st.vuln_low, 0),
                     'incidents_open', coalesce(st.incidents_open, 0),
                     'incidents_open_critical', coalesce(st.incidents_open_critical, 0),
                     'msps', coalesce(st.msps, 0), 'companies', coalesce(st.companies, 0)),
        'windows', (SELECT json_build_object(
                        'new_24h', coalesce(sum(h.opened) FILTER (WHERE h.hour >= h0 - interval '24 hours'), 0),
                        'opened', coalesce(sum(h.opened) FILTER (WHERE h.hour >= h0 - make_interval(hours => p_hours)), 0),
                        'closed', coalesce(sum(h.closed) FILTER (WHERE h.hour >= h0 - make_interval(hours => p_hours)), 0))
                      FROM incident_hourly h
                     WHERE h.tenant_id = ANY (tops) AND h.hour >= h0 - make_interval(hours => greatest(p_hours, 24))),
        'at_risk', coalesce(risky, '[]'),
        -- The 30-day trend is computed by the caller from the open counts
        -- now and the last 30 days' found / fixed (days from today: 0 is
        -- today, negative before, positive for future-dated findings).
        'trend', (SELECT json_build_object('today', to_char(current_date, 'YYYY-MM-DD'), 'open', coalesce(st.vuln_critical + st.vuln_high + st.vuln_medium
                                                            + st.vuln_low, 0),
                                           'open_critical', coalesce(st.vuln_critical, 0),
                                           'day', coalesce(array_agg(x.day - current_date), '{}'),
                                           'net', coalesce(array_agg(x.found - x.fixed), '{}'),
                                           'net_critical', coalesce(array_agg(x.found_critical - x.fixed_critical), '{}'))
                    FROM (SELECT d.day, sum(d.found) AS found, sum(d.fixed) AS fixed,
                                 sum(d.found_critical) AS found_critical, sum(d.fixed_critical) AS fixed_critical
                            FROM vuln_daily d WHERE d.tenant_id = ANY (tops) AND d.day > current_date - 30
                           GROUP BY d.day) x),
        -- (the analyst's sums are in cves already)
        'top_cves', coalesce(cves, (SELECT json_agg(json_build_object('cve', c.cve, 'open', c.open)
                                                    ORDER BY c.open DESC, c.cve)
                                      FROM cve_top(t.id) c), '[]'));
END $$;
