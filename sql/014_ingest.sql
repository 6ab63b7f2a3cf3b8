-- 014_ingest.sql - the ingest API v2: API-key identity and set-based upserts.
--
-- A request authenticated by an API key has no user: api_key_auth() sets
-- app.api_tenant for the transaction, and visible_tenant_ids() gains a
-- branch for it, the subtree of the key's tenant. So "a key writes into
-- its own tenant and the tenants below it" is enforced by RLS as well as
-- by the C code.

CREATE OR REPLACE FUNCTION visible_tenant_ids() RETURNS SETOF bigint
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT t.id FROM memberships m JOIN tenants t ON m.tenant_id = ANY (t.ancestors)
     WHERE m.user_id = app_user_id() AND m.role <> 'mssp_analyst'
    UNION
    SELECT m.tenant_id FROM memberships m
     WHERE m.user_id = app_user_id() AND m.role = 'mssp_analyst'
    UNION
    SELECT t.id FROM analyst_assignments a
      JOIN tenants t ON a.tenant_id = ANY (t.ancestors)
      JOIN memberships m ON m.user_id = a.user_id AND m.tenant_id = t.root_id AND m.role = 'mssp_analyst'
     WHERE a.user_id = app_user_id()
    UNION
    SELECT t.id FROM tenants t
     WHERE t.ancestors @> ARRAY[nullif(current_setting('app.api_tenant', true), '')::bigint]
$$;

-- The key with this SHA-256 (active, on an active tenant): its id and
-- tenant; sets the transaction's API identity. last_used_at is written at
-- most once a minute so a busy probe does not rewrite the row per batch.
CREATE FUNCTION api_key_auth(p_hash text) RETURNS TABLE (key_id bigint, tenant_id bigint, root_id bigint)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE k api_keys%ROWTYPE;
BEGIN
    SELECT a.* INTO k FROM api_keys a JOIN tenants t ON t.id = a.tenant_id
     WHERE a.key_hash = p_hash AND a.revoked_at IS NULL AND t.status = 'active';
    IF NOT FOUND THEN
        RETURN;
    END IF;
    IF k.last_used_at IS NULL OR k.last_used_at < now() - interval '1 minute' THEN
        UPDATE api_keys SET last_used_at = now() WHERE id = k.id;
    END IF;
    PERFORM set_config('app.api_tenant', k.tenant_id::text, true);
    key_id := k.id; tenant_id := k.tenant_id; root_id := k.root_id;
    RETURN NEXT;
END $$;
REVOKE ALL ON FUNCTION api_key_auth(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION api_key_auth(text) TO portal_app;

-- The keys page: keys of one tenant with their creator's name.
CREATE FUNCTION api_keys_of(p_tenant bigint)
RETURNS TABLE (id bigint, name text, prefix text, created_by text, created_at timestamptz,
               last_used_at timestamptz, revoked_at timestamptz)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT k.id, k.name, k.prefix, coalesce(u.name, u.email, 'deleted user'), k.created_at, k.last_used_at,
           k.revoked_at
      FROM api_keys k LEFT JOIN users u ON u.id = k.created_by
     WHERE k.tenant_id = p_tenant AND p_tenant IN (SELECT visible_tenant_ids())
     ORDER BY k.revoked_at IS NOT NULL, k.created_at DESC, k.id DESC
$$;
REVOKE ALL ON FUNCTION api_keys_of(bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION api_keys_of(bigint) TO portal_app;

-- Ingest. Each function takes the batch's items already validated by the C
-- code (each with "i", its index in the request, and "tenant_id"), rejects
-- the ones whose tenant is not visible (RLS: outside the key's subtree) or
-- that repeat an external_id of the same batch, upserts the rest in ONE
-- statement (so the rollup triggers run once per batch) and returns the
-- rejected indexes with the reason. SECURITY INVOKER: RLS applies to the
-- tenants join and to the INSERT's WITH CHECK.
-- An update that changes nothing is skipped (no rollup work, no churn).

CREATE FUNCTION ingest_assets(p_items jsonb) RETURNS TABLE (i int, error text)
LANGUAGE sql VOLATILE SET search_path = public, pg_temp AS $$
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
           SET kind = excluded.kind, name = excluded.name, address = excluded.address, updated_at = now()
         WHERE (a.kind, a.name, a.address) IS DISTINCT FROM (excluded.kind, excluded.name, excluded.address)
        RETURNING 1)
    SELECT bad.i, bad.error FROM bad ORDER BY bad.i
$$;

CREATE FUNCTION ingest_vulnerabilities(p_items jsonb) RETURNS TABLE (i int, error text)
LANGUAGE sql VOLATILE SET search_path = public, pg_temp AS $$
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

CREATE FUNCTION ingest_incidents(p_items jsonb) RETURNS TABLE (i int, error text)
LANGUAGE sql VOLATILE SET search_path = public, pg_temp AS $$
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

REVOKE ALL ON FUNCTION ingest_assets(jsonb), ingest_vulnerabilities(jsonb), ingest_incidents(jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION ingest_assets(jsonb), ingest_vulnerabilities(jsonb), ingest_incidents(jsonb) TO portal_app;
