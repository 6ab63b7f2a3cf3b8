-- The order of a dashboard's table (docs/dashboards.md, "The table"): the
-- ids of rows p_offset + 1 .. p_offset + p_limit of p_rows sorted by
-- p_sort (a column key; anything else sorts by name) in p_dir ('asc' or
-- 'desc'), then by name and id. A number not known (a tenant without its
-- rollup row yet) sorts as the 0 the table shows for it. The one order of
-- the table: tenant_children_rows_as() sorts the rows it reads by it,
-- dashboard_page() the rows its document keeps.
CREATE OR REPLACE FUNCTION children_order(p_rows dashboard_row[], p_sort text, p_dir text, p_limit int, p_offset int)
RETURNS bigint[]
-- PL/pgSQL, so its statement is planned once per connection (an SQL
-- function's is planned at every call).
LANGUAGE plpgsql STABLE AS $$
BEGIN
    RETURN (SELECT coalesce(array_agg(r.id ORDER BY r.ord) FILTER (WHERE r.ord > p_offset AND r.ord <= p_offset::bigint + p_limit),
                    '{}')
      FROM (SELECT u.id, row_number() OVER (ORDER BY
                       CASE WHEN p_sort = 'name' AND p_dir = 'asc' THEN lower(u.name) END ASC,
                       CASE WHEN p_sort = 'name' AND p_dir = 'desc' THEN lower(u.name) END DESC,
                       CASE WHEN p_dir = 'asc' THEN k.v END ASC,
                       CASE WHEN p_dir = 'desc' THEN k.v END DESC,
                       lower(u.name), u.id) AS ord
              FROM unnest(p_rows) u
              CROSS JOIN LATERAL (SELECT coalesce(CASE p_sort WHEN 'companies' THEN u.companies WHEN 'probes' THEN u.probes
                                                 WHEN 'agents' THEN u.agents WHEN 'discovered' THEN u.discovered
                                                 WHEN 'external' THEN u.external WHEN 'vulns' THEN u.vulns
                                                 WHEN 'critical' THEN u.critical WHEN 'high' THEN u.high
                                                 WHEN 'medium' THEN u.medium WHEN 'low' THEN u.low
                                                 WHEN 'open_critical' THEN u.open_critical END, 0) AS v) k) r);
END $$;
REVOKE ALL ON FUNCTION children_order(dashboard_row[], text, text, int, int) FROM PUBLIC;
