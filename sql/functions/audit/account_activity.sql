
-- requires: app_user_id
CREATE OR REPLACE FUNCTION account_activity(p_limit int, p_offset int)
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
