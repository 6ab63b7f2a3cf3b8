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

-- ------------------------------------------------------------ 1. scope
-- PL/pgSQL, not SQL, for these and the other functions every request calls:
-- a SQL function that is not inlined (SECURITY DEFINER ones never are) is
-- planned again at each call, which cost 0.3-0.9 ms each; PL/pgSQL keeps
-- its plans for the connection's life.
CREATE FUNCTION app_scope() RETURNS bigint[]
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE r bigint[];
BEGIN
    SELECT coalesce(array_agg(x), '{}') INTO r FROM (
        SELECT m.tenant_id AS x FROM memberships m
         WHERE m.user_id = app_user_id() AND m.role <> 'mssp_analyst'
        UNION
        SELECT a.tenant_id FROM analyst_assignments a
          JOIN tenants t ON t.id = a.tenant_id
          JOIN memberships m ON m.user_id = a.user_id AND m.tenant_id = t.root_id AND m.role = 'mssp_analyst'
         WHERE a.user_id = app_user_id()
        UNION
        SELECT nullif(current_setting('app.api_tenant', true), '')::bigint) s
     WHERE x IS NOT NULL;
    RETURN r;
END $$;

CREATE FUNCTION app_exact() RETURNS bigint[]
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE r bigint[];
BEGIN
    SELECT coalesce(array_agg(m.tenant_id), '{}') INTO r FROM memberships m
     WHERE m.user_id = app_user_id() AND m.role = 'mssp_analyst';
    RETURN r;
END $$;
REVOKE ALL ON FUNCTION app_scope(), app_exact() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION app_scope(), app_exact() TO portal_app;

-- The rule, in one place: a tenant (its ancestors include itself) is
-- visible in a scope. Inlined where it is used.
CREATE FUNCTION scope_sees(p_ancestors bigint[], p_id bigint, p_scope bigint[], p_exact bigint[]) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT p_ancestors && p_scope OR p_id = ANY (p_exact) $$;

-- (SELECT f()) makes each an InitPlan: evaluated once per statement.
ALTER POLICY tenants_visible ON tenants
    USING (scope_sees(ancestors, id, (SELECT app_scope()), (SELECT app_exact())));
ALTER POLICY tenant_stats_visible ON tenant_stats
    USING (EXISTS (SELECT 1 FROM tenants t WHERE t.id = tenant_stats.tenant_id));
ALTER POLICY vuln_daily_visible ON vuln_daily
    USING (EXISTS (SELECT 1 FROM tenants t WHERE t.id = vuln_daily.tenant_id));
ALTER POLICY cve_open_visible ON cve_open
    USING (EXISTS (SELECT 1 FROM tenants t WHERE t.id = cve_open.tenant_id));
ALTER POLICY msp_requests_visible ON msp_requests
    USING (EXISTS (SELECT 1 FROM tenants t WHERE t.id = msp_requests.mssp_id)
           OR EXISTS (SELECT 1 FROM tenants t WHERE t.id = msp_requests.msp_tenant_id));

-- ------------------------------------------------------- 2. incident_hourly
CREATE TABLE incident_hourly (
    tenant_id bigint NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    hour      timestamptz NOT NULL,          -- the start of a UTC hour
    opened    bigint NOT NULL DEFAULT 0,
    closed    bigint NOT NULL DEFAULT 0,
    -- Covering: a window is an index-only range read.
    PRIMARY KEY (tenant_id, hour) INCLUDE (opened, closed)
);

CREATE FUNCTION incidents_series() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp SET client_min_messages = warning AS $$
BEGIN
    CREATE TEMP TABLE IF NOT EXISTS incident_rows (tenant_id bigint, opened timestamptz, closed timestamptz, n int)
        ON COMMIT DROP;
    TRUNCATE incident_rows;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO incident_rows SELECT tenant_id, date_trunc('hour', opened_at, 'UTC'),
               date_trunc('hour', closed_at, 'UTC'), 1 FROM new_rows;
    END IF;
    IF TG_OP IN ('DELETE', 'UPDATE') THEN
        INSERT INTO incident_rows SELECT tenant_id, date_trunc('hour', opened_at, 'UTC'),
               date_trunc('hour', closed_at, 'UTC'), -1 FROM old_rows;
    END IF;
    INSERT INTO incident_hourly AS h (tenant_id, hour, opened, closed)
    SELECT a.id, x.hour, sum(x.opened), sum(x.closed)
      FROM (SELECT tenant_id, opened AS hour, n AS opened, 0 AS closed FROM incident_rows
            UNION ALL
            SELECT tenant_id, closed, 0, n FROM incident_rows WHERE closed IS NOT NULL) x
      JOIN tenants t ON t.id = x.tenant_id JOIN tenants a ON a.id = ANY (t.ancestors)
     GROUP BY a.id, x.hour
    HAVING sum(x.opened) <> 0 OR sum(x.closed) <> 0
     ORDER BY a.id, x.hour
    ON CONFLICT (tenant_id, hour) DO UPDATE SET opened = h.opened + excluded.opened,
        closed = h.closed + excluded.closed;
    PERFORM stats_touch(ARRAY(SELECT DISTINCT tenant_id FROM incident_rows ORDER BY 1));
    RETURN NULL;
END $$;

CREATE TRIGGER incidents_series_ins AFTER INSERT ON incidents REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION incidents_series();
CREATE TRIGGER incidents_series_upd AFTER UPDATE ON incidents
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION incidents_series();
CREATE TRIGGER incidents_series_del AFTER DELETE ON incidents REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION incidents_series();

INSERT INTO incident_hourly (tenant_id, hour, opened, closed)
SELECT a.id, x.hour, sum(x.opened), sum(x.closed)
  FROM (SELECT tenant_id, date_trunc('hour', opened_at, 'UTC') AS hour, 1 AS opened, 0 AS closed FROM incidents
        UNION ALL
        SELECT tenant_id, date_trunc('hour', closed_at, 'UTC'), 0, 1 FROM incidents WHERE closed_at IS NOT NULL) x
  JOIN tenants t ON t.id = x.tenant_id JOIN tenants a ON a.id = ANY (t.ancestors)
 GROUP BY a.id, x.hour;

-- An MSP joining an MSSP brings its series along (vuln_daily and cve_open
-- as in 020, and now incident_hourly).
CREATE OR REPLACE FUNCTION tenants_move_series() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    IF NEW.parent_id IS DISTINCT FROM OLD.parent_id AND OLD.parent_id IS NULL THEN
        INSERT INTO vuln_daily AS d (tenant_id, day, found, fixed, found_critical, fixed_critical)
        SELECT NEW.parent_id, v.day, v.found, v.fixed, v.found_critical, v.fixed_critical
          FROM vuln_daily v WHERE v.tenant_id = NEW.id
        ON CONFLICT (tenant_id, day) DO UPDATE SET found = d.found + excluded.found, fixed = d.fixed + excluded.fixed,
            found_critical = d.found_critical + excluded.found_critical,
            fixed_critical = d.fixed_critical + excluded.fixed_critical;
        INSERT INTO cve_open AS c (tenant_id, cve, open)
        SELECT NEW.parent_id, o.cve, o.open FROM cve_open o WHERE o.tenant_id = NEW.id
        ON CONFLICT (tenant_id, cve) DO UPDATE SET open = c.open + excluded.open;
        INSERT INTO incident_hourly AS h (tenant_id, hour, opened, closed)
        SELECT NEW.parent_id, i.hour, i.opened, i.closed FROM incident_hourly i WHERE i.tenant_id = NEW.id
        ON CONFLICT (tenant_id, hour) DO UPDATE SET opened = h.opened + excluded.opened,
            closed = h.closed + excluded.closed;
    END IF;
    RETURN NULL;
END $$;

ALTER TABLE incident_hourly ENABLE ROW LEVEL SECURITY;
ALTER TABLE incident_hourly FORCE ROW LEVEL SECURITY;
CREATE POLICY incident_hourly_visible ON incident_hourly
    USING (EXISTS (SELECT 1 FROM tenants t WHERE t.id = incident_hourly.tenant_id));
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

CREATE OR REPLACE FUNCTION stats_apply(d jsonb) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    INSERT INTO tenant_stats AS s (tenant_id, version, is_company, probes, agents, discovered, external,
                                   vuln_critical, vuln_high, vuln_medium, vuln_low, incidents_open,
                                   incidents_open_critical, msps, companies)
    SELECT a.id, 1, a.kind = 'company', coalesce(sum(x.probes), 0), coalesce(sum(x.agents), 0), coalesce(sum(x.discovered), 0),
           coalesce(sum(x.external), 0), coalesce(sum(x.vuln_critical), 0), coalesce(sum(x.vuln_high), 0),
           coalesce(sum(x.vuln_medium), 0), coalesce(sum(x.vuln_low), 0), coalesce(sum(x.incidents_open), 0),
           coalesce(sum(x.incidents_open_critical), 0), coalesce(sum(x.msps), 0), coalesce(sum(x.companies), 0)
      FROM jsonb_to_recordset(d) AS x(tenant_id bigint, probes bigint, agents bigint, discovered bigint,
                                      external bigint, vuln_critical bigint, vuln_high bigint, vuln_medium bigint,
                                      vuln_low bigint, incidents_open bigint, incidents_open_critical bigint,
                                      msps bigint, companies bigint)
      JOIN tenants t ON t.id = x.tenant_id
      JOIN tenants a ON a.id = ANY (t.ancestors)
     GROUP BY a.id, a.kind
     ORDER BY a.id   -- a fixed order: concurrent batches lock rows alike, no deadlock
    ON CONFLICT (tenant_id) DO UPDATE SET
        probes = s.probes + excluded.probes, agents = s.agents + excluded.agents,
        discovered = s.discovered + excluded.discovered, external = s.external + excluded.external,
        vuln_critical = s.vuln_critical + excluded.vuln_critical, vuln_high = s.vuln_high + excluded.vuln_high,
        vuln_medium = s.vuln_medium + excluded.vuln_medium, vuln_low = s.vuln_low + excluded.vuln_low,
        incidents_open = s.incidents_open + excluded.incidents_open,
        incidents_open_critical = s.incidents_open_critical + excluded.incidents_open_critical,
        msps = s.msps + excluded.msps, companies = s.companies + excluded.companies,
        version = s.version + 1, is_company = excluded.is_company;
END $$;

-- A change the rollup counters do not see (a series, a name, a request):
-- bump the version of these tenants and their ancestors (stats_apply with
-- no deltas).
CREATE FUNCTION stats_touch(p_tenants bigint[]) RETURNS void
LANGUAGE sql SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT stats_apply(jsonb_agg(jsonb_build_object('tenant_id', t))) FROM unnest(p_tenants) t
     HAVING count(*) > 0
$$;

-- A tenant created, archived or restored counts (+1 / -1) for its parent
-- and the parent's ancestors. When an MSP joins an MSSP, tenants_move_stats
-- adds the MSP's own row (its companies among them) to the MSSP; the MSP
-- itself is counted here.
CREATE FUNCTION tenants_count_stats() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE n int := 0;
BEGIN
    IF NEW.parent_id IS NULL THEN
        RETURN NULL;
    END IF;
    IF TG_OP = 'INSERT' OR NEW.parent_id IS DISTINCT FROM OLD.parent_id THEN
        n := CASE WHEN NEW.status = 'active' THEN 1 ELSE 0 END;
    ELSIF NEW.status <> OLD.status THEN
        n := CASE WHEN NEW.status = 'active' THEN 1 ELSE -1 END;
    END IF;
    IF n <> 0 THEN
        PERFORM stats_apply(jsonb_build_array(jsonb_build_object('tenant_id', NEW.parent_id,
            'msps', CASE WHEN NEW.kind = 'msp' THEN n ELSE 0 END,
            'companies', CASE WHEN NEW.kind = 'company' THEN n ELSE 0 END)));
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER tenants_count_stats AFTER INSERT OR UPDATE OF parent_id, status ON tenants
    FOR EACH ROW EXECUTE FUNCTION tenants_count_stats();

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

-- The table of the tenants one level down (MSPs of an MSSP, companies of an
-- MSP) with their totals. p_sort is one of the column keys (anything else
-- sorts by name), p_dir 'asc' or 'desc'; p_q a case-insensitive substring
-- of the name ('' for all). total is the number of matching rows.
CREATE FUNCTION tenant_children_rows(p_tenant bigint, p_q text, p_sort text, p_dir text, p_limit int, p_offset int)
RETURNS TABLE (id bigint, name text, kind text, region text, companies bigint, probes bigint, agents bigint,
               discovered bigint, external bigint, vulns bigint, critical bigint, high bigint, medium bigint,
               low bigint, open_critical bigint, request text, request_expires bigint, total bigint)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    sc bigint[] := app_scope();
    ex bigint[] := app_exact();
BEGIN
    IF NOT EXISTS (SELECT 1 FROM tenants p WHERE p.id = p_tenant AND scope_sees(p.ancestors, p.id, sc, ex)) THEN
        RETURN;
    END IF;
    RETURN QUERY
    SELECT r.id, r.name, r.kind, r.region, r.companies, r.probes, r.agents, r.discovered, r.external, r.vulns,
           r.critical, r.high, r.medium, r.low, r.open_critical,
           q.status, q.expires, r.total
      FROM (SELECT c.id, c.name, c.kind, c.region,
                   coalesce(s.companies, 0) AS companies, coalesce(s.probes, 0) AS probes,
                   coalesce(s.agents, 0) AS agents, coalesce(s.discovered, 0) AS discovered,
                   coalesce(s.external, 0) AS external,
                   coalesce(s.vuln_critical + s.vuln_high + s.vuln_medium + s.vuln_low, 0) AS vulns,
                   coalesce(s.vuln_critical, 0) AS critical, coalesce(s.vuln_high, 0) AS high,
                   coalesce(s.vuln_medium, 0) AS medium, coalesce(s.vuln_low, 0) AS low,
                   coalesce(s.incidents_open_critical, 0) AS open_critical,
                   count(*) OVER () AS total,
                   row_number() OVER (ORDER BY
                       CASE WHEN p_sort = 'name' AND p_dir = 'asc' THEN lower(c.name) END ASC,
                       CASE WHEN p_sort = 'name' AND p_dir = 'desc' THEN lower(c.name) END DESC,
                       CASE WHEN p_dir = 'asc' THEN CASE p_sort WHEN 'companies' THEN s.companies
                           WHEN 'probes' THEN s.probes WHEN 'agents' THEN s.agents
                           WHEN 'discovered' THEN s.discovered WHEN 'external' THEN s.external
                           WHEN 'vulns' THEN s.vuln_critical + s.vuln_high + s.vuln_medium + s.vuln_low
                           WHEN 'critical' THEN s.vuln_critical WHEN 'high' THEN s.vuln_high
                           WHEN 'medium' THEN s.vuln_medium WHEN 'low' THEN s.vuln_low
                           WHEN 'open_critical' THEN s.incidents_open_critical END END ASC NULLS FIRST,
                       CASE WHEN p_dir = 'desc' THEN CASE p_sort WHEN 'companies' THEN s.companies
                           WHEN 'probes' THEN s.probes WHEN 'agents' THEN s.agents
                           WHEN 'discovered' THEN s.discovered WHEN 'external' THEN s.external
                           WHEN 'vulns' THEN s.vuln_critical + s.vuln_high + s.vuln_medium + s.vuln_low
                           WHEN 'critical' THEN s.vuln_critical WHEN 'high' THEN s.vuln_high
                           WHEN 'medium' THEN s.vuln_medium WHEN 'low' THEN s.vuln_low
                           WHEN 'open_critical' THEN s.incidents_open_critical END END DESC NULLS LAST,
                       lower(c.name), c.id) AS ord
              FROM tenants c
              -- OFFSET 0: a primary-key probe per tenant listed, never a
              -- scan of every tenant's row (the planner would hash-join).
              LEFT JOIN LATERAL (SELECT x.* FROM tenant_stats x WHERE x.tenant_id = c.id OFFSET 0) s ON true
             WHERE c.parent_id = p_tenant AND c.status = 'active' AND scope_sees(c.ancestors, c.id, sc, ex)
               AND (p_q = '' OR strpos(lower(c.name), lower(p_q)) > 0)) r
      -- The latest request; while pending, when it expires (epoch).
      LEFT JOIN LATERAL (SELECT msp_request_status(x) AS status,
                                CASE WHEN x.status = 'pending' THEN extract(epoch FROM x.expires_at)::bigint END AS expires
                           FROM msp_requests x WHERE x.msp_tenant_id = r.id
                          ORDER BY x.created_at DESC, x.id DESC LIMIT 1) q ON true
     WHERE r.ord > p_offset AND r.ord <= p_offset::bigint + p_limit
     ORDER BY r.ord;
END $$;

-- A tenant's overview as one JSON value (NULL when the caller may not see
-- the tenant): its ancestors (the breadcrumb), the totals of its subtree,
-- incidents opened in the last 24 h and opened / closed in the last p_hours,
-- the five most at-risk companies, the 30-day open-vulnerability trend and
-- the top ten open CVEs. Windows are whole UTC hours: the current hour and
-- the N before it. Reads rollups only: one row of tenant_stats, up to 721
-- of incident_hourly, 30 of vuln_daily, 10 of cve_open, and for the
-- at-risk list the companies of one MSP or, below a root, the risk index
-- until five visible companies are found.
CREATE FUNCTION dashboard_overview(p_tenant bigint, p_hours int) RETURNS json
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    sc bigint[] := app_scope();
    ex bigint[] := app_exact();
    t tenants%ROWTYPE;
    st tenant_stats%ROWTYPE;
    h0 timestamptz := date_trunc('hour', now(), 'UTC');
    risky json;
    rec record;
    ids bigint[] := '{}';
    last_risk bigint;
BEGIN
    SELECT * INTO t FROM tenants WHERE tenants.id = p_tenant;
    IF NOT FOUND OR NOT scope_sees(t.ancestors, t.id, sc, ex) THEN
        RETURN NULL;
    END IF;
    SELECT * INTO st FROM tenant_stats WHERE tenant_stats.tenant_id = t.id;   -- no row yet: all NULL
    -- The most at-risk companies (docs/dashboards.md): their ids, then
    -- one query for the rows.
    IF t.kind = 'company' THEN
        ids := ARRAY[t.id];
    ELSIF t.parent_id IS NULL AND cardinality(ex) = 0 THEN
        -- Every company of the tree: walk the risk index from the top (a
        -- loop's cursor gets the fast-start plan) until five visible
        -- companies and their ties are found; rarely more than a few rows.
        FOR rec IN SELECT x.tenant_id, x.risk FROM tenant_stats x WHERE x.risk > 0 AND x.is_company
                    ORDER BY x.risk DESC LOOP
            EXIT WHEN cardinality(ids) >= 5 AND rec.risk < last_risk;
            IF EXISTS (SELECT 1 FROM tenants c WHERE c.id = rec.tenant_id AND c.root_id = t.id
                          AND c.kind = 'company' AND c.status = 'active' AND scope_sees(c.ancestors, c.id, sc, ex)) THEN
                ids := ids || rec.tenant_id;
                last_risk := rec.risk;
            END IF;
        END LOOP;
    ELSE
        -- Below an MSP its companies; an MSSP Analyst's view of the MSSP:
        -- the companies of their assigned subtrees.
        SELECT coalesce(array_agg(c.id), '{}') INTO ids FROM tenants c
         WHERE c.kind = 'company' AND c.status = 'active' AND scope_sees(c.ancestors, c.id, sc, ex)
           AND CASE WHEN t.parent_id IS NULL THEN c.root_id = t.id ELSE c.parent_id = t.id END;
    END IF;
    SELECT json_agg(r) INTO risky FROM (
        SELECT c.id, c.name, s.risk, s.incidents_open_critical AS open_critical, s.incidents_open AS open,
               s.vuln_critical
          FROM unnest(ids) AS i(id)
          JOIN LATERAL (SELECT y.id, y.name FROM tenants y WHERE y.id = i.id OFFSET 0) c ON true
          JOIN LATERAL (SELECT x.* FROM tenant_stats x WHERE x.tenant_id = i.id OFFSET 0) s ON true
         WHERE s.risk > 0
         ORDER BY s.risk DESC, c.name LIMIT 5) r;
    RETURN json_build_object(
        'ancestors', (SELECT coalesce(json_agg(json_build_object('id', a.id, 'name', a.name, 'kind', a.kind)
                                               ORDER BY array_position(t.ancestors, a.id)), '[]')
                        FROM tenants a WHERE a.id = ANY (t.ancestors) AND a.id <> t.id
                         AND scope_sees(a.ancestors, a.id, sc, ex)),
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
                     WHERE h.tenant_id = t.id AND h.hour >= h0 - make_interval(hours => greatest(p_hours, 24))),
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
                    FROM vuln_daily x WHERE x.tenant_id = t.id AND x.day > current_date - 30),
        'top_cves', (SELECT coalesce(json_agg(json_build_object('cve', c.cve, 'open', c.open)
                                              ORDER BY c.open DESC, c.cve), '[]')
                       FROM (SELECT o.cve, o.open FROM cve_open o WHERE o.tenant_id = t.id AND o.open > 0
                              ORDER BY o.open DESC, o.cve LIMIT 10) c));
END $$;
REVOKE ALL ON FUNCTION tenant_children_rows(bigint, text, text, text, int, int), dashboard_overview(bigint, int)
    FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tenant_children_rows(bigint, text, text, text, int, int), dashboard_overview(bigint, int)
    TO portal_app;

-- ------------------------------------------- 5. the functions every request calls
-- Same bodies as before (004, 010), in PL/pgSQL so their plans are kept.
CREATE OR REPLACE FUNCTION effective_role(p_tenant bigint) RETURNS text
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE r text;
BEGIN
    SELECT coalesce(
        (SELECT m.role FROM tenants t JOIN memberships m ON m.tenant_id = ANY (t.ancestors)
          WHERE t.id = p_tenant AND m.user_id = app_user_id() AND m.role <> 'mssp_analyst'
          ORDER BY array_position(t.ancestors, m.tenant_id) DESC LIMIT 1),
        (SELECT 'mssp_analyst' FROM tenants t JOIN memberships m ON m.tenant_id = t.root_id
          WHERE t.id = p_tenant AND m.user_id = app_user_id() AND m.role = 'mssp_analyst'
            AND (t.id = t.root_id OR EXISTS (
                SELECT 1 FROM analyst_assignments a
                 WHERE a.user_id = app_user_id() AND a.tenant_id = ANY (t.ancestors)))))
      INTO r;
    RETURN r;
END $$;

-- brand_for_tenant: the same result as sql/010's, from one read of the
-- (at most three) branding rows on the tenant's path, nearest first.
CREATE OR REPLACE FUNCTION brand_for_tenant(p_tenant bigint)
RETURNS TABLE (tenant_id bigint, page_title text, footer text, logo_light text, logo_dark text, host text,
               page_title_src bigint, page_title_src_name text, footer_src bigint, footer_src_name text,
               logo_light_src bigint, logo_light_src_name text, logo_dark_src bigint, logo_dark_src_name text)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
#variable_conflict use_column
DECLARE
    c record;
    def_title text;
    def_footer text;
BEGIN
    tenant_id := p_tenant;
    FOR c IN SELECT b.page_title AS title, b.footer AS foot, b.host AS h, b.tenant_id AS src, a.name AS src_name,
                    CASE WHEN l.id IS NOT NULL THEN logo_url(l) END AS light,
                    CASE WHEN d.id IS NOT NULL THEN logo_url(d) END AS dark
               FROM tenants t
               JOIN branding b ON b.tenant_id = ANY (t.ancestors)
               JOIN tenants a ON a.id = b.tenant_id
               LEFT JOIN branding_logos l ON l.id = b.logo_light_id
               LEFT JOIN branding_logos d ON d.id = b.logo_dark_id
              WHERE t.id = p_tenant
              ORDER BY array_position(t.ancestors, b.tenant_id) DESC LOOP
        IF page_title IS NULL AND c.title IS NOT NULL THEN
            page_title := c.title; page_title_src := c.src; page_title_src_name := c.src_name;
        END IF;
        IF footer IS NULL AND c.foot IS NOT NULL THEN
            footer := c.foot; footer_src := c.src; footer_src_name := c.src_name;
        END IF;
        IF logo_light IS NULL AND c.light IS NOT NULL THEN
            logo_light := c.light; logo_light_src := c.src; logo_light_src_name := c.src_name;
        END IF;
        IF logo_dark IS NULL AND c.dark IS NOT NULL THEN
            logo_dark := c.dark; logo_dark_src := c.src; logo_dark_src_name := c.src_name;
        END IF;
        IF host IS NULL THEN
            host := c.h;
        END IF;
    END LOOP;
    IF page_title IS NULL OR footer IS NULL THEN
        -- (plain assignments: inside SQL, page_title would be the column)
        SELECT s.page_title, s.footer INTO def_title, def_footer FROM portal_settings s;
        page_title := coalesce(page_title, def_title);
        footer := coalesce(footer, def_footer);
    END IF;
    RETURN NEXT;
END $$;

CREATE OR REPLACE FUNCTION brand_for_host(p_host text)
RETURNS TABLE (tenant_id bigint, page_title text, footer text, logo_light text, logo_dark text, host text,
               page_title_src bigint, page_title_src_name text, footer_src bigint, footer_src_name text,
               logo_light_src bigint, logo_light_src_name text, logo_dark_src bigint, logo_dark_src_name text)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
#variable_conflict use_column
BEGIN
    RETURN QUERY SELECT * FROM brand_for_tenant((SELECT b.tenant_id FROM branding b WHERE b.host = lower(p_host)));
END $$;

CREATE OR REPLACE FUNCTION brand_for_request(p_tenant bigint, p_user bigint, p_host text)
RETURNS TABLE (tenant_id bigint, page_title text, footer text, logo_light text, logo_dark text, host text,
               page_title_src bigint, page_title_src_name text, footer_src bigint, footer_src_name text,
               logo_light_src bigint, logo_light_src_name text, logo_dark_src bigint, logo_dark_src_name text)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
#variable_conflict use_column
BEGIN
    RETURN QUERY SELECT * FROM brand_for_tenant(coalesce(
        p_tenant,
        (SELECT m.tenant_id FROM memberships m JOIN tenants t ON t.id = m.tenant_id
          WHERE m.user_id = p_user AND t.status = 'active' ORDER BY m.created_at, m.tenant_id LIMIT 1),
        (SELECT b.tenant_id FROM branding b WHERE b.host = lower(p_host))));
END $$;

-- ------------------------------------------- 6. the request context in one statement
-- What every signed-in GET needs before its handler runs, in one round
-- trip: the session (as auth_session_lookup: expired sessions are deleted,
-- last_seen_at kept fresh), the RLS identity for the rest of the
-- transaction, the tenant of a /t/{id} page with the user's role there
-- (NULL when it is missing, archived or not visible: the page answers 404),
-- the effective brand (of that tenant, else as brand_for_request) and the
-- bell (the five newest unread notifications, when there are any), and
-- what the dashboard cache keys on. No row: no valid session.
CREATE FUNCTION request_context(p_token_hash text, p_idle int, p_tenant bigint, p_host text)
RETURNS TABLE (brand_tenant_id bigint, page_title text, footer text, logo_light text, logo_dark text, host text,
               session_id bigint, user_id bigint, email text, name text, unread bigint, bell json,
               t_parent bigint, t_root bigint, t_name text, t_kind text, t_region text, t_role text,
               t_version bigint, t_hour bigint, t_scope text)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
#variable_conflict use_column
DECLARE
    s record;
    t tenants%ROWTYPE;
    r text;
    b json;
BEGIN
    SELECT * INTO s FROM auth_session_lookup(p_token_hash, p_idle);
    IF NOT FOUND THEN
        RETURN;
    END IF;
    PERFORM set_config('app.user_id', s.user_id::text, true);
    IF p_tenant IS NOT NULL THEN
        SELECT * INTO t FROM tenants WHERE tenants.id = p_tenant AND tenants.status = 'active';
        IF FOUND THEN
            r := effective_role(t.id);
        END IF;
    END IF;
    IF s.unread > 0 THEN
        SELECT json_agg(json_build_object('id', n.id, 'title', n.title, 'link', n.link,
                                          'at', to_char(n.created_at, 'YYYY-MM-DD HH24:MI')))
          INTO b
          FROM (SELECT * FROM notifications n WHERE n.user_id = s.user_id AND n.read_at IS NULL
                 ORDER BY n.created_at DESC, n.id DESC LIMIT 5) n;
    END IF;
    RETURN QUERY
    SELECT x.tenant_id, x.page_title, x.footer, x.logo_light, x.logo_dark, x.host,
           s.session_id, s.user_id, s.email, s.name, s.unread, b,
           CASE WHEN r IS NOT NULL THEN t.parent_id END, CASE WHEN r IS NOT NULL THEN t.root_id END,
           CASE WHEN r IS NOT NULL THEN t.name END, CASE WHEN r IS NOT NULL THEN t.kind END,
           CASE WHEN r IS NOT NULL THEN t.region END, r,
           -- For the dashboard cache: the tenant's data version, the UTC
           -- hour (the windows move with it) and the viewer's scope.
           CASE WHEN r IS NOT NULL THEN coalesce((SELECT v.version FROM tenant_stats v WHERE v.tenant_id = t.id), 0)
           END,
           extract(epoch FROM date_trunc('hour', now(), 'UTC'))::bigint,
           -- (the inputs of app_scope() and app_exact(): memberships and
           -- assignments; the tree's changes move the version)
           CASE WHEN r IS NOT NULL THEN
               coalesce((SELECT string_agg(m.tenant_id || ':' || m.role, ',' ORDER BY m.tenant_id)
                           FROM memberships m WHERE m.user_id = s.user_id), '') || ';' ||
               coalesce((SELECT string_agg(a.tenant_id::text, ',' ORDER BY a.tenant_id)
                           FROM analyst_assignments a WHERE a.user_id = s.user_id), '')
           END
      FROM brand_for_request(CASE WHEN r IS NOT NULL THEN t.id END, s.user_id, p_host) x;
END $$;
REVOKE ALL ON FUNCTION request_context(text, int, bigint, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION request_context(text, int, bigint, text) TO portal_app;

-- ------------------------------------------- 7. what else a dashboard shows
-- Changes the rollup counters do not carry bump tenant_stats.version too
-- (stats_touch), so a cached dashboard is never served after them:
-- findings written to the series only (one already fixed when reported),
-- a tenant renamed or moved (the tables and breadcrumbs show names), a
-- request to an MSP created or decided.
CREATE FUNCTION vulnerabilities_touch() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        PERFORM stats_touch(ARRAY(SELECT DISTINCT tenant_id FROM old_rows ORDER BY 1));
    ELSE
        PERFORM stats_touch(ARRAY(SELECT DISTINCT tenant_id FROM new_rows ORDER BY 1));
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER vulnerabilities_touch_ins AFTER INSERT ON vulnerabilities REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION vulnerabilities_touch();
CREATE TRIGGER vulnerabilities_touch_upd AFTER UPDATE ON vulnerabilities
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION vulnerabilities_touch();
CREATE TRIGGER vulnerabilities_touch_del AFTER DELETE ON vulnerabilities REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION vulnerabilities_touch();

-- A renamed tenant: the tables above it and the breadcrumbs below it.
-- A moved one (an MSP joining an MSSP): the breadcrumbs below it (the
-- counters of its new ancestors are bumped by tenants_move_stats).
CREATE FUNCTION tenants_touch_stats() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    IF NEW.name IS DISTINCT FROM OLD.name OR NEW.parent_id IS DISTINCT FROM OLD.parent_id THEN
        PERFORM stats_touch(ARRAY(SELECT d.id FROM tenants d WHERE d.ancestors @> ARRAY[NEW.id] ORDER BY d.id));
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER tenants_touch_stats AFTER UPDATE OF name, parent_id ON tenants
    FOR EACH ROW EXECUTE FUNCTION tenants_touch_stats();

-- The MSPs table shows each MSP's latest request.
CREATE FUNCTION msp_requests_touch_stats() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    PERFORM stats_touch(ARRAY[NEW.mssp_id]);
    RETURN NULL;
END $$;
CREATE TRIGGER msp_requests_touch_stats AFTER INSERT OR UPDATE ON msp_requests
    FOR EACH ROW EXECUTE FUNCTION msp_requests_touch_stats();
