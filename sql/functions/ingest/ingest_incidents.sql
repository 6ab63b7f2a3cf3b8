-- One API ingest batch of incidents (cgi/pages/ingest.c).
CREATE OR REPLACE FUNCTION ingest_incidents(p_items jsonb) RETURNS TABLE (i int, error text)
LANGUAGE sql VOLATILE SET search_path = public, pg_temp AS $$
    -- The dashboards above are rebuilt after the answer, not at this
    -- commit (dashboard_doc_keep(), dashboard_docs_stale()).
    SELECT set_config('portal.docs_later', 'on', true);
    WITH x AS MATERIALIZED (
        SELECT x.*, row_number() OVER (PARTITION BY x.tenant_id, x.external_id ORDER BY x.i) AS dup
          FROM jsonb_to_recordset(p_items) AS x(i int, tenant_id bigint, external_id text, severity text, title text,
                                                 indicator text, indicator_kind text, opened_at timestamptz,
                                                 acknowledged_at timestamptz, closed_at timestamptz)),
    bad AS MATERIALIZED (
        SELECT x.i, CASE WHEN t.id IS NULL THEN 'tenant not found'
                         ELSE 'duplicate external_id in this batch' END AS error
          FROM x LEFT JOIN tenants t ON t.id = x.tenant_id AND t.status = 'active'
         WHERE t.id IS NULL OR x.dup > 1),
    ins AS (
        INSERT INTO incidents AS n (tenant_id, root_id, external_id, severity, title, indicator, indicator_kind,
                                    opened_at, acknowledged_at, closed_at)
        SELECT x.tenant_id, t.root_id, x.external_id, x.severity, x.title, x.indicator, x.indicator_kind,
               coalesce(x.opened_at, now()), x.acknowledged_at, x.closed_at
          FROM x JOIN tenants t ON t.id = x.tenant_id
         WHERE NOT EXISTS (SELECT 1 FROM bad WHERE bad.i = x.i)
         ORDER BY x.tenant_id, x.external_id  -- concurrent batches take key locks alike
        ON CONFLICT (tenant_id, external_id) DO UPDATE
           SET severity = excluded.severity, title = excluded.title, indicator = excluded.indicator,
               indicator_kind = excluded.indicator_kind, opened_at = least(n.opened_at, excluded.opened_at),
               acknowledged_at = excluded.acknowledged_at, closed_at = excluded.closed_at
         WHERE (n.severity, n.title, n.indicator, n.indicator_kind, n.acknowledged_at, n.closed_at) IS DISTINCT FROM
               (excluded.severity, excluded.title, excluded.indicator, excluded.indicator_kind,
                excluded.acknowledged_at, excluded.closed_at)
            OR excluded.opened_at < n.opened_at
        RETURNING 1)
    SELECT bad.i, bad.error FROM bad ORDER BY bad.i
$$;
REVOKE ALL ON FUNCTION ingest_incidents(jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION ingest_incidents(jsonb) TO portal_app;
