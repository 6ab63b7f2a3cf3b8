-- needed-by: 075_dashboard_row_lines.sql
-- The rows of a dashboard's table as the page reads them, a line each, in
-- the array's order: the fields separated by tabs, id, companies, probes,
-- agents, discovered, external, vulns, critical, high, medium, low,
-- open_critical, request_expires (epoch seconds), total, request, kind,
-- region (a NULL empty), and last the name as its length in bytes, a
-- colon and the name itself, whatever it holds (cgi/pages/dashboard.c,
-- rows_model(), reads them joined by line breaks). Made once when a
-- dashboard is kept (dashboard_docs.lines and first_page): the page's rows
-- are then one value to send, not 50 rows of 18 columns, which were a
-- third of PostgreSQL's time on a Global view (docs/performance.md,
-- "Session 39"). PL/pgSQL: its plan is kept for the connection (a SQL
-- function's statement was planned at every call).
CREATE OR REPLACE FUNCTION dashboard_row_lines(p_rows dashboard_row[]) RETURNS text[]
LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
BEGIN
    RETURN ARRAY(SELECT concat_ws(E'\t', r.id, r.companies, r.probes, r.agents, r.discovered, r.external, r.vulns,
                                  r.critical, r.high, r.medium, r.low, r.open_critical,
                                  coalesce(r.request_expires::text, ''), r.total, coalesce(r.request, ''), r.kind,
                                  r.region, octet_length(r.name) || ':' || r.name)
                   FROM unnest(p_rows) WITH ORDINALITY
                        AS r(id, name, kind, region, companies, probes, agents, discovered, external, vulns,
                             critical, high, medium, low, open_critical, request, request_expires, total, n)
                  ORDER BY r.n);
END $$;
REVOKE ALL ON FUNCTION dashboard_row_lines(dashboard_row[]) FROM PUBLIC;
