-- The dashboard of tenant t (docs/dashboards.md) as scope sc / exact ex
-- see it, all but the path above it (dashboard_ancestors()): its
-- counters, the most at-risk companies, the incident series of p_hours,
-- the pending requests and the top CVEs (cve_top()). The caller has
-- checked that sc / ex see t: dashboard_overview() with the viewer's,
-- dashboard_doc_build() with t's own subtree (what every viewer who sees
-- that subtree gets). Owner only: no role may name its own scope.
CREATE OR REPLACE FUNCTION dashboard_board(t tenants, p_hours int, sc bigint[], ex bigint[]) RETURNS json
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp
SET plan_cache_mode = force_generic_plan AS $$
DECLARE
    st tenant_stats%ROWTYPE;
    h0 timestamptz := date_trunc('hour', now(), 'UTC');
    risky json;
    tops bigint[];   -- the tenants whose rollups make the figures
    cves json;       -- the ten most frequent open CVEs of several tops
BEGIN
    IF t.ancestors && sc THEN
        tops := ARRAY[t.id];
        SELECT * INTO st FROM tenant_stats WHERE tenant_stats.tenant_id = t.id;   -- no row yet: all NULL
    ELSE
        -- Seen without its subtree: the highest visible tenants below.
        tops := scope_tops(t.id, t.ancestors, sc);
        SELECT sum(x.probes), sum(x.agents), sum(x.gateways), sum(x.discovered), sum(x.external), sum(x.vuln_critical),
               sum(x.vuln_high), sum(x.vuln_medium), sum(x.vuln_low), sum(x.incidents_open),
               sum(x.incidents_open_critical),
               sum(x.msps) + count(*) FILTER (WHERE a.kind = 'msp' AND a.status = 'active'),
               sum(x.companies) + count(*) FILTER (WHERE a.kind = 'company' AND a.status = 'active')
          INTO st.probes, st.agents, st.gateways, st.discovered, st.external, st.vuln_critical, st.vuln_high,
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
        'stats', json_build_object('probes', coalesce(st.probes, 0), 'agents', coalesce(st.agents, 0),
                     'gateways', coalesce(st.gateways, 0),
                     'discovered', coalesce(st.discovered, 0), 'external', coalesce(st.external, 0),
                     'critical', coalesce(st.vuln_critical, 0), 'high', coalesce(st.vuln_high, 0),
                     'medium', coalesce(st.vuln_medium, 0), 'low', coalesce(st.vuln_low, 0),
                     'incidents_open', coalesce(st.incidents_open, 0),
                     'incidents_open_critical', coalesce(st.incidents_open_critical, 0),
                     'msps', coalesce(st.msps, 0), 'companies', coalesce(st.companies, 0)),
        -- The period's windows and the same length before them (the
        -- tiles' change against the previous period).
        'windows', (SELECT json_build_object(
                        'new_24h', coalesce(sum(h.opened) FILTER (WHERE h.hour >= h0 - interval '24 hours'), 0),
                        'new_prev_24h', coalesce(sum(h.opened) FILTER (WHERE h.hour < h0 - interval '24 hours'
                                                                         AND h.hour >= h0 - interval '48 hours'), 0),
                        'opened', coalesce(sum(h.opened) FILTER (WHERE h.hour >= h0 - make_interval(hours => p_hours)), 0),
                        'closed', coalesce(sum(h.closed) FILTER (WHERE h.hour >= h0 - make_interval(hours => p_hours)), 0),
                        'opened_prev', coalesce(sum(h.opened) FILTER (WHERE h.hour < h0 - make_interval(hours => p_hours)
                                                                       AND h.hour >= h0 - make_interval(hours => 2 * p_hours)), 0),
                        'closed_prev', coalesce(sum(h.closed) FILTER (WHERE h.hour < h0 - make_interval(hours => p_hours)
                                                                       AND h.hour >= h0 - make_interval(hours => 2 * p_hours)), 0))
                      FROM incident_hourly h
                     WHERE h.tenant_id = ANY (tops) AND h.hour >= h0 - make_interval(hours => greatest(2 * p_hours, 48))),
        'at_risk', coalesce(risky, '[]'),
        -- An MSSP's requests waiting for an MSP's answer (its MSPs table
        -- lists them first), for those who see its requests: its whole
        -- subtree (msp_requests_list()).
        'pending', CASE WHEN t.kind = 'mssp' AND t.ancestors && sc THEN
                       (SELECT coalesce(json_agg(json_build_object('id', q.id, 'name', m.name,
                                   'expires', extract(epoch FROM q.expires_at)::bigint,
                                   'expires_at', to_char(q.expires_at, 'YYYY-MM-DD HH24:MI'))
                                   ORDER BY q.created_at DESC, q.id DESC), '[]')
                          FROM (SELECT x.* FROM msp_requests x
                                 WHERE x.mssp_id = t.id AND x.status = 'pending' AND x.expires_at > now()
                                 ORDER BY x.created_at DESC, x.id DESC LIMIT 20) q
                          JOIN tenants m ON m.id = q.msp_tenant_id)
                   ELSE '[]' END,
        -- The 30-day trend is computed by the caller from the open counts
        -- now and the last 30 days' found / fixed (days from today: 0 is
        -- today, negative before, positive for future-dated findings), in
        -- the days' order: a kept row is the same as one computed now.
        'trend', (SELECT json_build_object('today', to_char(current_date, 'YYYY-MM-DD'), 'open', coalesce(st.vuln_critical + st.vuln_high + st.vuln_medium
                                                            + st.vuln_low, 0),
                                           'open_critical', coalesce(st.vuln_critical, 0),
                                           'day', coalesce(array_agg(x.day - current_date ORDER BY x.day), '{}'),
                                           'net', coalesce(array_agg(x.found - x.fixed ORDER BY x.day), '{}'),
                                           'net_critical', coalesce(array_agg(x.found_critical - x.fixed_critical
                                                                              ORDER BY x.day), '{}'))
                    FROM (SELECT d.day, sum(d.found) AS found, sum(d.fixed) AS fixed,
                                 sum(d.found_critical) AS found_critical, sum(d.fixed_critical) AS fixed_critical
                            FROM vuln_daily d WHERE d.tenant_id = ANY (tops) AND d.day > current_date - 30
                           GROUP BY d.day) x),
        -- (the analyst's sums are in cves already)
        'top_cves', coalesce(cves, (SELECT json_agg(json_build_object('cve', c.cve, 'open', c.open)
                                                    ORDER BY c.open DESC, c.cve)
                                      FROM cve_top(t.id) c), '[]'));
END $$;
REVOKE ALL ON FUNCTION dashboard_board(tenants, int, bigint[], bigint[]) FROM PUBLIC;
