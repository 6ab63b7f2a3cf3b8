-- 025_children_page_rollups.sql - a dashboard's table reads the rollups
-- of the rows it shows, not of every child, when it is sorted by name (the
-- default). Sorting 200 MSPs (L) to show 25 probed tenant_stats 200 times;
-- now the ordering reads tenants only, and the 25 rows shown get their
-- counters. Sorted by a counter, every child's counter is still read (it
-- is the sort key). Same rows, order and columns as sql/021's.

CREATE OR REPLACE FUNCTION tenant_children_rows(p_tenant bigint, p_q text, p_sort text, p_dir text, p_limit int, p_offset int)
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
    SELECT r.id, r.name, r.kind, r.region,
           coalesce(s.companies, 0), coalesce(s.probes, 0), coalesce(s.agents, 0), coalesce(s.discovered, 0),
           coalesce(s.external, 0), coalesce(s.vuln_critical + s.vuln_high + s.vuln_medium + s.vuln_low, 0),
           coalesce(s.vuln_critical, 0), coalesce(s.vuln_high, 0), coalesce(s.vuln_medium, 0),
           coalesce(s.vuln_low, 0), coalesce(s.incidents_open_critical, 0),
           q.status, q.expires, r.total
      FROM (SELECT c.id, c.name, c.kind, c.region,
                   count(*) OVER () AS total,
                   row_number() OVER (ORDER BY
                       CASE WHEN p_sort = 'name' AND p_dir = 'asc' THEN lower(c.name) END ASC,
                       CASE WHEN p_sort = 'name' AND p_dir = 'desc' THEN lower(c.name) END DESC,
                       CASE WHEN p_dir = 'asc' THEN k.v END ASC NULLS FIRST,
                       CASE WHEN p_dir = 'desc' THEN k.v END DESC NULLS LAST,
                       lower(c.name), c.id) AS ord
              FROM tenants c
              -- The sort key of a counter column: a primary-key probe per
              -- child (OFFSET 0: never a scan of every tenant's row). Sorted
              -- by name, no child's rollup is read here.
              LEFT JOIN LATERAL (SELECT CASE p_sort WHEN 'companies' THEN x.companies
                                     WHEN 'probes' THEN x.probes WHEN 'agents' THEN x.agents
                                     WHEN 'discovered' THEN x.discovered WHEN 'external' THEN x.external
                                     WHEN 'vulns' THEN x.vuln_critical + x.vuln_high + x.vuln_medium + x.vuln_low
                                     WHEN 'critical' THEN x.vuln_critical WHEN 'high' THEN x.vuln_high
                                     WHEN 'medium' THEN x.vuln_medium WHEN 'low' THEN x.vuln_low
                                     WHEN 'open_critical' THEN x.incidents_open_critical END AS v
                                   FROM tenant_stats x WHERE x.tenant_id = c.id AND p_sort <> 'name'
                                  OFFSET 0) k ON true
             WHERE c.parent_id = p_tenant AND c.status = 'active' AND scope_sees(c.ancestors, c.id, sc, ex)
               AND (p_q = '' OR strpos(lower(c.name), lower(p_q)) > 0)) r
      -- The counters of the rows on the page only.
      LEFT JOIN LATERAL (SELECT x.* FROM tenant_stats x WHERE x.tenant_id = r.id OFFSET 0) s ON true
      -- The latest request; while pending, when it expires (epoch).
      LEFT JOIN LATERAL (SELECT msp_request_status(x) AS status,
                                CASE WHEN x.status = 'pending' THEN extract(epoch FROM x.expires_at)::bigint END AS expires
                           FROM msp_requests x WHERE x.msp_tenant_id = r.id
                          ORDER BY x.created_at DESC, x.id DESC LIMIT 1) q ON true
     WHERE r.ord > p_offset AND r.ord <= p_offset::bigint + p_limit
     ORDER BY r.ord;
END $$;
