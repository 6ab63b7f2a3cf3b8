-- Audit rows about a tenant and everything below it, plus sign-in events
-- (no tenant) of people who are members there; only for a tenant the
-- caller may see. Filters are optional (NULL); newest first.
-- requires: tenant_visible
CREATE OR REPLACE FUNCTION audit_entries(p_tenant bigint, p_user text, p_action text, p_from timestamptz,
                              p_to timestamptz, p_limit int, p_offset int, p_tenant_name text)
RETURNS TABLE (id bigint, at timestamptz, tenant_id bigint, tenant_name text, user_email text,
               action text, target text, ip text, details text, total bigint)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    WITH scope AS (
        SELECT t.id FROM tenants t
         WHERE p_tenant = ANY (t.ancestors) AND (SELECT tenant_visible(p_tenant))
           AND (p_tenant_name IS NULL OR strpos(lower(t.name), lower(p_tenant_name)) > 0)
    ), rows AS (
        SELECT a.* FROM audit_log a
         WHERE a.tenant_id IN (SELECT id FROM scope)
           AND (p_action IS NULL OR a.action LIKE p_action || '%')
           AND (p_from IS NULL OR a.at >= p_from)
           AND (p_to IS NULL OR a.at < p_to)
           AND (p_user IS NULL OR a.user_id IN (SELECT u.id FROM users u
                                                 WHERE strpos(lower(u.email), lower(p_user)) > 0))
    )
    SELECT r.id, r.at, r.tenant_id, t.name, u.email, r.action, r.target, r.ip, r.details::text,
           count(*) OVER ()
      FROM rows r LEFT JOIN tenants t ON t.id = r.tenant_id LEFT JOIN users u ON u.id = r.user_id
     ORDER BY r.at DESC, r.id DESC
     LIMIT p_limit OFFSET p_offset
$$;
REVOKE ALL ON FUNCTION audit_entries(bigint, text, text, timestamptz, timestamptz, int, int, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION audit_entries(bigint, text, text, timestamptz, timestamptz, int, int, text) TO portal_app;
