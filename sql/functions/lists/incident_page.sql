-- The incidents below p_tenant: p_status ('open', 'closed', 'all', or
-- 'new': opened since the hour 24 hours before this one, the window of the
-- dashboards' "New in the last 24 h"), p_severity ('' or one). No row
-- for a tenant the viewer may not see; else the page's total and cursors
-- (list_meta(), JSON) in meta of the first row, and one row an incident
-- (one row of NULLs when the page is empty): the worker reads the columns
-- (cgi/pages/list.c, list_into()), a NULL one is left out.
CREATE OR REPLACE FUNCTION incident_page(p_tenant bigint, p_status text, p_severity text, p_after bigint, p_before bigint)
RETURNS TABLE (meta text, id bigint, customer text, customer_id bigint, severity text, title text, indicator text,
               opened text, acknowledged text, closed text, note text)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
#variable_conflict use_column
DECLARE
    w int := severity_weight(nullif(p_severity, ''));
    total bigint;
    p record;
BEGIN
    IF p_status = 'open' AND (w IS NULL OR w = 4) THEN   -- from the rollups, if the viewer sees the whole subtree
        SELECT CASE WHEN w = 4 THEN s.incidents_open_critical ELSE s.incidents_open END INTO total
          FROM tenants t LEFT JOIN tenant_stats s ON s.tenant_id = t.id
         WHERE t.id = p_tenant AND t.ancestors && app_scope();
        total := CASE WHEN FOUND THEN coalesce(total, 0) END;
    END IF;
    p := list_page(p_tenant, 'incident_reader', CASE WHEN p_status IN ('open', 'closed', 'new') THEN p_status ELSE 'all' END,
                   ARRAY[coalesce(w, 1)::text, coalesce(w, 4)::text], p_after, p_before, total IS NULL);
    IF p.ids IS NULL THEN
        RETURN;
    END IF;
    RETURN QUERY
    SELECT CASE WHEN r.n IS NULL OR r.n = 1 THEN list_meta(p.ids, p.has_prev, p.has_next, total, p.counted)::text END,
           r.id, r.customer, r.customer_id, r.severity, r.title, r.indicator, r.opened, r.acknowledged, r.closed, r.note
      FROM (SELECT 1) one LEFT JOIN LATERAL (
            SELECT u.n, i.id, c.name AS customer,
                   -- an archived customer's page is not found: no id, the row names it
                   CASE WHEN c.status = 'active' THEN c.id END AS customer_id, i.severity, i.title,
                   coalesce(i.indicator, '') AS indicator, to_char(i.opened_at, 'YYYY-MM-DD HH24:MI') AS opened,
                   to_char(i.acknowledged_at, 'YYYY-MM-DD HH24:MI') AS acknowledged,
                   to_char(i.closed_at, 'YYYY-MM-DD HH24:MI') AS closed,
                   CASE WHEN i.closed_at IS NOT NULL THEN coalesce(i.resolution_note, '') END AS note
              FROM unnest(p.ids) WITH ORDINALITY AS u(id, n)
              JOIN incidents i ON i.id = u.id JOIN tenants c ON c.id = i.tenant_id) r ON true
     ORDER BY r.n;
END $$;
REVOKE ALL ON FUNCTION incident_page(bigint, text, text, bigint, bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION incident_page(bigint, text, text, bigint, bigint) TO portal_app;
