-- 027_at_risk_walk.sql - the most at-risk companies of an MSSP or an MSP
-- read from an index in the list's own order (docs/performance.md, round
-- 4). Same list as sql/024's: active visible companies below the tenant
-- with a risk above 0, by risk (highest first), then name, then id.
--
-- Before, the MSP view read every company below the MSP with its rollup
-- and sorted them to show five (100 probes per view at L, growing with the
-- MSP), and the MSSP view walked a global risk index and then read every
-- company tied with the fifth (91 at L), a statement planned anew at each
-- call. tenant_stats now carries each tenant's root, parent and name, and
-- two partial indexes order the companies of a root and of a parent as the
-- list does, so a view reads its five entries (plus those an analyst may
-- not see) and stops.

ALTER TABLE tenant_stats
    ADD COLUMN root_id bigint,
    ADD COLUMN parent_id bigint,
    ADD COLUMN name text;
UPDATE tenant_stats s SET root_id = t.root_id, parent_id = t.parent_id, name = t.name
  FROM tenants t WHERE t.id = s.tenant_id;
CREATE INDEX tenant_stats_risk_root ON tenant_stats (root_id, risk DESC, name, tenant_id)
    WHERE risk > 0 AND is_company;
CREATE INDEX tenant_stats_risk_parent ON tenant_stats (parent_id, risk DESC, name, tenant_id)
    WHERE risk > 0 AND is_company;
DROP INDEX tenant_stats_risk;

-- sql/021's, with the root, parent and name of each row written copied
-- from its tenant. That keeps them current: a rename or a move runs this
-- for the tenant and every tenant below it (sql/021's tenants_touch_stats,
-- which bumps their versions; below a moved MSP the paths are already the
-- new ones when it runs: sql/001's trigger tenants_move has updated them,
-- and a row's AFTER triggers run in name order).
CREATE OR REPLACE FUNCTION stats_apply(d jsonb) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    INSERT INTO tenant_stats AS s (tenant_id, version, is_company, root_id, parent_id, name, probes, agents,
                                   discovered, external, vuln_critical, vuln_high, vuln_medium, vuln_low,
                                   incidents_open, incidents_open_critical, msps, companies)
    SELECT a.id, 1, a.kind = 'company', a.root_id, a.parent_id, a.name, coalesce(sum(x.probes), 0),
           coalesce(sum(x.agents), 0), coalesce(sum(x.discovered), 0),
           coalesce(sum(x.external), 0), coalesce(sum(x.vuln_critical), 0), coalesce(sum(x.vuln_high), 0),
           coalesce(sum(x.vuln_medium), 0), coalesce(sum(x.vuln_low), 0), coalesce(sum(x.incidents_open), 0),
           coalesce(sum(x.incidents_open_critical), 0), coalesce(sum(x.msps), 0), coalesce(sum(x.companies), 0)
      FROM jsonb_to_recordset(d) AS x(tenant_id bigint, probes bigint, agents bigint, discovered bigint,
                                      external bigint, vuln_critical bigint, vuln_high bigint, vuln_medium bigint,
                                      vuln_low bigint, incidents_open bigint, incidents_open_critical bigint,
                                      msps bigint, companies bigint)
      JOIN tenants t ON t.id = x.tenant_id
      JOIN tenants a ON a.id = ANY (t.ancestors)
     GROUP BY a.id, a.kind, a.root_id, a.parent_id, a.name
     ORDER BY a.id   -- a fixed order: concurrent batches lock rows alike, no deadlock
    ON CONFLICT (tenant_id) DO UPDATE SET
        probes = s.probes + excluded.probes, agents = s.agents + excluded.agents,
        discovered = s.discovered + excluded.discovered, external = s.external + excluded.external,
        vuln_critical = s.vuln_critical + excluded.vuln_critical, vuln_high = s.vuln_high + excluded.vuln_high,
        vuln_medium = s.vuln_medium + excluded.vuln_medium, vuln_low = s.vuln_low + excluded.vuln_low,
        incidents_open = s.incidents_open + excluded.incidents_open,
        incidents_open_critical = s.incidents_open_critical + excluded.incidents_open_critical,
        msps = s.msps + excluded.msps, companies = s.companies + excluded.companies,
        version = s.version + 1, is_company = excluded.is_company,
        root_id = excluded.root_id, parent_id = excluded.parent_id, name = excluded.name;
END $$;

-- sql/024's, with the at-risk list read from the indexes above. Its
-- statements keep one generic plan each: with custom plans (PostgreSQL's
-- default for a statement with parameters, until a generic plan looks as
-- cheap) the at-risk read was planned again at every call (0.4 ms of a
-- 0.5 ms view at L), since the generic plan's estimate for a root's
-- companies (one third of all, at L) hides that five rows end the walk.
-- A generic plan cannot see the viewer's scope either: given the chance,
-- it drove the at-risk read from the tenants the scope matches (the GIN
-- index on ancestors, guessing a few rows: every tenant of the tree, 6 ms
-- at M). So the candidates' visibility, here and in the breadcrumb, is
-- checked row by row in a LATERAL subquery that cannot be pulled up
-- (OFFSET 0), and the index on the list's order drives.
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
BEGIN
    SELECT * INTO t FROM tenants WHERE tenants.id = p_tenant;
    IF NOT FOUND OR NOT scope_sees(t.ancestors, t.id, sc, ex) THEN
        RETURN NULL;
    END IF;
    SELECT * INTO st FROM tenant_stats WHERE tenant_stats.tenant_id = t.id;   -- no row yet: all NULL
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
