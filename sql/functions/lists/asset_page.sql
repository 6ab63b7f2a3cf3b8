-- The assets below p_tenant: p_kind ('' or one).
CREATE OR REPLACE FUNCTION asset_page(p_tenant bigint, p_kind text, p_after bigint, p_before bigint) RETURNS jsonb
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
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
    p := list_page(p_tenant, 'assets', ARRAY['x.kind', 'lower(x.name)', 'x.id'], false,
                   'x.kind BETWEEN $6[1] AND $6[2]', ARRAY['true'],
                   CASE WHEN p_kind = '' THEN ARRAY['agent', 'probe'] ELSE ARRAY[p_kind, p_kind] END,
                   p_after, p_before, total IS NULL);
    IF p.ids IS NULL THEN
        RETURN NULL;
    END IF;
    RETURN list_meta(p.ids, p.has_prev, p.has_next, total, p.counted) || jsonb_build_object('rows',
        (SELECT coalesce(jsonb_agg(jsonb_build_object(
                    'id', a.id, 'customer', c.name, 'customer_id', c.id, 'kind', a.kind, 'name', a.name, 'address', coalesce(a.address, ''),
                    'updated', to_char(a.updated_at, 'YYYY-MM-DD HH24:MI')) ORDER BY u.n), '[]')
           FROM unnest(p.ids) WITH ORDINALITY AS u(id, n)
           JOIN assets a ON a.id = u.id JOIN tenants c ON c.id = a.tenant_id));
END $$;
REVOKE ALL ON FUNCTION asset_page(bigint, text, bigint, bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION asset_page(bigint, text, bigint, bigint) TO portal_app;
