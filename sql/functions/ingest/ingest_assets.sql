-- One API ingest batch of assets (cgi/pages/ingest.c).
CREATE OR REPLACE FUNCTION ingest_assets(p_items jsonb) RETURNS TABLE (i int, error text)
LANGUAGE sql VOLATILE SET search_path = public, pg_temp AS $$
    -- The dashboards above are rebuilt after the answer, not at this
    -- commit (dashboard_doc_keep(), dashboard_docs_stale()).
    SELECT set_config('portal.docs_later', 'on', true);
    WITH x AS MATERIALIZED (
        SELECT x.*, row_number() OVER (PARTITION BY x.tenant_id, x.external_id ORDER BY x.i) AS dup
          FROM jsonb_to_recordset(p_items) AS x(i int, tenant_id bigint, external_id text, kind text, name text,
                                                 address text)),
    bad AS MATERIALIZED (
        SELECT x.i, CASE WHEN t.id IS NULL THEN 'tenant not found'
                         ELSE 'duplicate external_id in this batch' END AS error
          FROM x LEFT JOIN tenants t ON t.id = x.tenant_id AND t.status = 'active'
         WHERE t.id IS NULL OR x.dup > 1),
    ins AS (
        INSERT INTO assets AS a (tenant_id, root_id, external_id, kind, name, address)
        SELECT x.tenant_id, t.root_id, x.external_id, x.kind, x.name, x.address
          FROM x JOIN tenants t ON t.id = x.tenant_id
         WHERE NOT EXISTS (SELECT 1 FROM bad WHERE bad.i = x.i)
         ORDER BY x.tenant_id, x.external_id  -- concurrent batches take key locks alike
        ON CONFLICT (tenant_id, external_id) DO UPDATE
           SET kind = excluded.kind, name = excluded.name, address = excluded.address,
               updated_at = CASE WHEN (a.kind, a.name, a.address) IS DISTINCT FROM
                                      (excluded.kind, excluded.name, excluded.address)
                                 THEN now() ELSE a.updated_at END,
               last_seen_on = excluded.last_seen_on
         -- A row is written when it changes, or on its first report of
         -- the (UTC) day: billing's activity window reads last_seen_on.
         WHERE (a.kind, a.name, a.address) IS DISTINCT FROM (excluded.kind, excluded.name, excluded.address)
            OR a.last_seen_on < excluded.last_seen_on
        RETURNING 1)
    SELECT bad.i, bad.error FROM bad ORDER BY bad.i
$$;
REVOKE ALL ON FUNCTION ingest_assets(jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION ingest_assets(jsonb) TO portal_app;
