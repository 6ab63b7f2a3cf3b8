-- The table of the tenants one level down (MSPs of an MSSP, companies of an
-- MSP) with their totals. p_sort is one of the column keys (anything else
-- sorts by name), p_dir 'asc' or 'desc'; p_q a case-insensitive substring
-- of the name ('' for all). total is the number of matching rows.
-- As scope sc / exact ex see them (owner only, as dashboard_board()):
-- tenant_children_rows() with the viewer's, dashboard_doc_build() with
-- the tenant's own subtree.
-- The order is children_order()'s.
CREATE OR REPLACE FUNCTION tenant_children_rows_as(p_tenant bigint, p_q text, p_sort text, p_dir text, p_limit int,
                                                   p_offset int, sc bigint[], ex bigint[])
RETURNS TABLE (id bigint, name text, kind text, region text, companies bigint, probes bigint, agents bigint,
               discovered bigint, external bigint, vulns bigint, critical bigint, high bigint, medium bigint,
               low bigint, open_critical bigint, request text, request_expires bigint, total bigint)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp
SET plan_cache_mode = force_generic_plan AS $$
DECLARE
    p tenants%ROWTYPE;
    ids bigint[];
    pos bigint[];    -- children_order()'s
    n bigint;
BEGIN
    SELECT * INTO p FROM tenants x WHERE x.id = p_tenant;
    IF NOT FOUND OR NOT scope_sees(p.ancestors, p.id, sc, ex) THEN
        RETURN;
    END IF;
    IF p_sort = 'name' AND p_q = '' AND p.ancestors && sc THEN
        SELECT CASE p.kind WHEN 'mssp' THEN s.msps WHEN 'msp' THEN s.companies ELSE 0 END INTO n
          FROM tenant_stats s WHERE s.tenant_id = p.id;
        IF p_dir = 'asc' THEN
            ids := ARRAY(SELECT c.id FROM tenants c WHERE c.parent_id = p.id AND c.status = 'active'
                          ORDER BY lower(c.name), c.id LIMIT p_limit OFFSET p_offset);
        ELSE
            ids := ARRAY(SELECT c.id FROM tenants c WHERE c.parent_id = p.id AND c.status = 'active'
                          ORDER BY lower(c.name) DESC, c.id DESC LIMIT p_limit OFFSET p_offset);
        END IF;
    ELSE
        SELECT children_order(array_agg(ROW(c.id, c.name, NULL, NULL, k.companies, k.probes, k.agents, k.discovered,
                                            k.external, k.vuln_critical + k.vuln_high + k.vuln_medium + k.vuln_low,
                                            k.vuln_critical, k.vuln_high, k.vuln_medium, k.vuln_low,
                                            k.incidents_open_critical, NULL, NULL, NULL)::dashboard_row
                                        ORDER BY lower(c.name), c.id),
                              p_sort, p_dir, p_limit, p_offset),
               array_agg(c.id ORDER BY lower(c.name), c.id), count(*)
          INTO pos, ids, n
          FROM tenants c
          -- The counters of each child: a primary-key probe per child
          -- (OFFSET 0: never a scan of every tenant's row).
          LEFT JOIN LATERAL (SELECT x.* FROM tenant_stats x WHERE x.tenant_id = c.id AND p_sort <> 'name' OFFSET 0) k ON true
         WHERE c.parent_id = p.id AND c.status = 'active' AND scope_sees(c.ancestors, c.id, sc, ex)
           AND (p_q = '' OR strpos(lower(c.name), lower(p_q)) > 0);
        -- The page's ids, from their positions (both aggregates in the order by name).
        ids := ARRAY(SELECT ids[u.i] FROM unnest(pos) WITH ORDINALITY AS u(i, n) ORDER BY u.n);
    END IF;
    RETURN QUERY
    SELECT c.id, c.name, c.kind, c.region,
           coalesce(s.companies, 0), coalesce(s.probes, 0), coalesce(s.agents, 0), coalesce(s.discovered, 0),
           coalesce(s.external, 0), coalesce(s.vuln_critical + s.vuln_high + s.vuln_medium + s.vuln_low, 0),
           coalesce(s.vuln_critical, 0), coalesce(s.vuln_high, 0), coalesce(s.vuln_medium, 0),
           coalesce(s.vuln_low, 0), coalesce(s.incidents_open_critical, 0),
           q.status, q.expires, coalesce(n, 0)
      FROM unnest(ids) WITH ORDINALITY AS i(id, ord)
      JOIN LATERAL (SELECT y.* FROM tenants y WHERE y.id = i.id OFFSET 0) c ON true
      LEFT JOIN LATERAL (SELECT x.* FROM tenant_stats x WHERE x.tenant_id = i.id OFFSET 0) s ON true
      -- The latest request; while pending, when it expires (epoch).
      LEFT JOIN LATERAL (SELECT msp_request_status(x) AS status,
                                CASE WHEN x.status = 'pending' THEN extract(epoch FROM x.expires_at)::bigint END AS expires
                           FROM msp_requests x WHERE x.msp_tenant_id = i.id
                          ORDER BY x.created_at DESC, x.id DESC LIMIT 1) q ON true
     ORDER BY i.ord;
END $$;
REVOKE ALL ON FUNCTION tenant_children_rows_as(bigint, text, text, text, int, int, bigint[], bigint[]) FROM PUBLIC;
