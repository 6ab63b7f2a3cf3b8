-- 048_audit_where_it_happened.sql - a tenant's audit log shows what
-- happened in the tenant and below; account events are the user's own
-- (issue 17, finding 3).
--
-- sql/012's audit_entries() added every event with no tenant (sign-ins
-- with their address, password resets, failures) of anyone who was a
-- member of the subtree. A tenant that invited a user of another tenant
-- then read that user's sign-in history from before, in other tenants. Now
-- the log is the subtree's own rows; a user reads their own account events
-- on their Security activity page (account_activity()); the operator reads
-- all of them in the database.
DROP FUNCTION audit_entries(bigint, text, text, timestamptz, timestamptz, int, int, text);
CREATE FUNCTION audit_entries(p_tenant bigint, p_user text, p_action text, p_from timestamptz,
                              p_to timestamptz, p_limit int, p_offset int, p_tenant_name text)
RETURNS TABLE (id bigint, at timestamptz, tenant_id bigint, tenant_name text, user_email text,
               action text, target text, ip text, details text, total bigint)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    WITH scope AS (
        SELECT t.id FROM tenants t
         WHERE p_tenant = ANY (t.ancestors) AND p_tenant IN (SELECT visible_tenant_ids())
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

-- The signed-in user's own account events (no tenant): sign-ins and
-- failed ones with their address, resets, password changes; newest first.
CREATE INDEX audit_log_account ON audit_log (user_id, at DESC) WHERE tenant_id IS NULL;
CREATE FUNCTION account_activity(p_limit int, p_offset int)
RETURNS TABLE (id bigint, at timestamptz, action text, ip text, total bigint)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT a.id, a.at, a.action, a.ip, count(*) OVER ()
      FROM audit_log a
     WHERE a.user_id = app_user_id() AND a.tenant_id IS NULL
     ORDER BY a.at DESC, a.id DESC
     LIMIT p_limit OFFSET p_offset
$$;
REVOKE ALL ON FUNCTION account_activity(int, int) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION account_activity(int, int) TO portal_app;
