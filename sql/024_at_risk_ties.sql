-- 024_at_risk_ties.sql - the most at-risk companies of a whole tree
-- without walking the fifth one's ties one by one (docs/performance.md,
-- round 3: the uncached Global view at L). Same result as sql/021's (ties
-- broken by name, then id, now in both reads); only the walk changes.

CREATE OR REPLACE FUNCTION dashboard_overview(p_tenant bigint, p_hours int) RETURNS json
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
    n_above int := 0;
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
        -- companies are found. Those above the fifth's risk are in; the
        -- rest of the five are the fifth's ties, by name, read at once
        -- (ties are common: at L in the demo data 91 companies share the
        -- fifth risk, and walking them one by one took most of the page).
        FOR rec IN SELECT x.tenant_id, x.risk FROM tenant_stats x WHERE x.risk > 0 AND x.is_company
                    ORDER BY x.risk DESC LOOP
            IF EXISTS (SELECT 1 FROM tenants c WHERE c.id = rec.tenant_id AND c.root_id = t.id
                          AND c.kind = 'company' AND c.status = 'active' AND scope_sees(c.ancestors, c.id, sc, ex)) THEN
                IF rec.risk IS DISTINCT FROM last_risk THEN
                    n_above := cardinality(ids);
                END IF;
                ids := ids || rec.tenant_id;
                last_risk := rec.risk;
                EXIT WHEN cardinality(ids) >= 5;
            END IF;
        END LOOP;
        IF cardinality(ids) >= 5 THEN
            ids := ids[1:n_above] || ARRAY(
                SELECT c.id FROM tenant_stats x JOIN tenants c ON c.id = x.tenant_id
                 WHERE x.risk = last_risk AND x.risk > 0 AND x.is_company AND c.root_id = t.id
                   AND c.kind = 'company' AND c.status = 'active' AND scope_sees(c.ancestors, c.id, sc, ex)
                 ORDER BY c.name, c.id LIMIT 5 - n_above);
        END IF;
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
         ORDER BY s.risk DESC, c.name, c.id LIMIT 5) r;
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
