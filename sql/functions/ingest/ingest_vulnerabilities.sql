-- One API ingest batch of vulnerabilities (cgi/pages/ingest.c).
CREATE OR REPLACE FUNCTION ingest_vulnerabilities(p_items jsonb) RETURNS TABLE (i int, error text)
LANGUAGE sql VOLATILE SET search_path = public, pg_temp AS $$
    -- The dashboards above are rebuilt after the answer, not at this
    -- commit (dashboard_doc_keep(), dashboard_docs_stale()).
    SELECT set_config('portal.docs_later', 'on', true);
    WITH x AS MATERIALIZED (
        SELECT x.*, row_number() OVER (PARTITION BY x.tenant_id, x.external_id ORDER BY x.i) AS dup
          FROM jsonb_to_recordset(p_items) AS x(i int, tenant_id bigint, external_id text, asset text, cve text,
                                                 severity text, first_seen timestamptz, fixed_at timestamptz)),
    bad AS MATERIALIZED (
        SELECT x.i, CASE WHEN t.id IS NULL THEN 'tenant not found'
                         WHEN x.dup > 1 THEN 'duplicate external_id in this batch'
                         ELSE 'asset not found' END AS error
          FROM x LEFT JOIN tenants t ON t.id = x.tenant_id AND t.status = 'active'
         WHERE t.id IS NULL OR x.dup > 1
            OR (x.asset IS NOT NULL
                AND NOT EXISTS (SELECT 1 FROM assets a WHERE a.tenant_id = x.tenant_id AND a.external_id = x.asset))),
    ins AS (
        INSERT INTO vulnerabilities AS v (tenant_id, root_id, external_id, asset_id, cve, severity, first_seen,
                                          fixed_at)
        SELECT x.tenant_id, t.root_id, x.external_id, a.id, x.cve, x.severity, coalesce(x.first_seen, now()),
               x.fixed_at
          FROM x JOIN tenants t ON t.id = x.tenant_id
          LEFT JOIN assets a ON a.tenant_id = x.tenant_id AND a.external_id = x.asset
         WHERE NOT EXISTS (SELECT 1 FROM bad WHERE bad.i = x.i)
         ORDER BY x.tenant_id, x.external_id  -- concurrent batches take key locks alike
        ON CONFLICT (tenant_id, external_id) DO UPDATE
           SET asset_id = excluded.asset_id, cve = excluded.cve, severity = excluded.severity,
               first_seen = least(v.first_seen, excluded.first_seen), fixed_at = excluded.fixed_at
         WHERE (v.asset_id, v.cve, v.severity, v.fixed_at) IS DISTINCT FROM
               (excluded.asset_id, excluded.cve, excluded.severity, excluded.fixed_at)
            OR excluded.first_seen < v.first_seen
        RETURNING 1)
    SELECT bad.i, bad.error FROM bad ORDER BY bad.i
$$;
REVOKE ALL ON FUNCTION ingest_vulnerabilities(jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION ingest_vulnerabilities(jsonb) TO portal_app;
