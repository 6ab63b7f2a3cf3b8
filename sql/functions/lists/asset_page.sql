-- The assets below p_tenant: p_kind ('' or one). Rows as incident_page()'s:
-- the page's total and cursors in meta of the first row, one row an asset.
CREATE OR REPLACE FUNCTION asset_page(p_tenant bigint, p_kind text, p_after bigint, p_before bigint)
RETURNS TABLE (meta text, id bigint, customer text, customer_id bigint, kind text, name text, address text,
               updated text)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
#variable_conflict use_column
DECLARE
    total bigint;
    p record;
BEGIN
    SELECT CASE p_kind WHEN 'probe' THEN s.probes WHEN 'agent' THEN s.agents WHEN 'gateway' THEN s.gateways
                       WHEN 'discovered' THEN s.discovered WHEN 'external' THEN s.external
                       ELSE s.probes + s.agents + s.gateways + s.discovered + s.external END
      INTO total
      FROM tenants t LEFT JOIN tenant_stats s ON s.tenant_id = t.id
     WHERE t.id = p_tenant AND t.ancestors && app_scope();
    total := CASE WHEN FOUND THEN coalesce(total, 0) END;
    p := list_page(p_tenant, 'asset_reader', 'all',
                   CASE WHEN p_kind = '' THEN ARRAY['agent', 'probe'] ELSE ARRAY[p_kind, p_kind] END,
                   p_after, p_before, total IS NULL);
    IF p.ids IS NULL THEN
        RETURN;
    END IF;
    RETURN QUERY
    SELECT CASE WHEN r.n IS NULL OR r.n = 1 THEN list_meta(p.ids, p.has_prev, p.has_next, total, p.counted)::text END,
           r.id, r.customer, r.customer_id, r.kind, r.name, r.address, r.updated
      FROM (SELECT 1) one LEFT JOIN LATERAL (
            SELECT u.n, a.id, c.name AS customer,
                   -- an archived customer's page is not found: no id, the row names it
                   CASE WHEN c.status = 'active' THEN c.id END AS customer_id, a.kind, a.name,
                   coalesce(a.address, '') AS address,
                   to_char(a.updated_at, 'YYYY-MM-DD HH24:MI') AS updated
              FROM unnest(p.ids) WITH ORDINALITY AS u(id, n)
              JOIN assets a ON a.id = u.id JOIN tenants c ON c.id = a.tenant_id) r ON true
     ORDER BY r.n;
END $$;
REVOKE ALL ON FUNCTION asset_page(bigint, text, bigint, bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION asset_page(bigint, text, bigint, bigint) TO portal_app;
