-- The keys page: keys of one tenant with their creator's name.
-- requires: tenant_visible
CREATE OR REPLACE FUNCTION api_keys_of(p_tenant bigint)
RETURNS TABLE (id bigint, name text, prefix text, created_by text, created_at timestamptz,
               last_used_at timestamptz, revoked_at timestamptz)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT k.id, k.name, k.prefix, coalesce(u.name, u.email, 'deleted user'), k.created_at, k.last_used_at,
           k.revoked_at
      FROM api_keys k LEFT JOIN users u ON u.id = k.created_by
     WHERE k.tenant_id = p_tenant AND (SELECT tenant_visible(p_tenant))
     ORDER BY k.revoked_at IS NOT NULL, k.created_at DESC, k.id DESC
$$;
REVOKE ALL ON FUNCTION api_keys_of(bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION api_keys_of(bigint) TO portal_app;
