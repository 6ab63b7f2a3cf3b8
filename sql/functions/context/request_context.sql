-- requires: token_shaped
-- A GET's whole context (cgi/session.c): in one statement for a tenant page the user may see (the common case): the session, the user
-- with their user_access row, the tenant with the role there, its brand
-- and the cache key. session_check() (the delete of an expired or idle
-- session, the touch once a minute) runs only when the row says it has
-- something to do. Other pages, or a tenant that is not the user's, take
-- the brand the user or the host wears, in a second statement.
CREATE OR REPLACE FUNCTION request_context(p_token text, p_idle int, p_tenant bigint, p_host text)
RETURNS TABLE (brand_tenant_id bigint, page_title text, footer text, logo_light text, logo_dark text, host text,
               session_id bigint, user_id bigint, email text, name text, unread bigint, bell json,
               t_parent bigint, t_root bigint, t_name text, t_kind text, t_region text, t_role text,
               t_version bigint, t_hour bigint, t_scope text, t_until bigint, t_path json)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
#variable_conflict use_column
DECLARE
    expires timestamptz;
    seen timestamptz;
    status text;
BEGIN
    IF NOT token_shaped(p_token) THEN
        RETURN;
    END IF;
    SELECT tt.id, coalesce(b.page_title, d.page_title), coalesce(b.footer, d.footer), b.logo_light, b.logo_dark,
           b.host, x.id, x.user_id, u.email, u.name,
           (SELECT count(*) FROM notifications n WHERE n.user_id = x.user_id AND n.read_at IS NULL),
           tt.parent_id, tt.root_id, tt.name, tt.kind, tt.region,
           role_on_path(tt.ancestors, a.tenants, a.roles, a.assigned),
           coalesce((SELECT v.version FROM tenant_stats v WHERE v.tenant_id = tt.id), 0),
           extract(epoch FROM date_trunc('hour', now(), 'UTC'))::bigint, coalesce(a.scope, ';'),
           x.expires_at, x.last_seen_at, u.status
      INTO brand_tenant_id, page_title, footer, logo_light, logo_dark, host, session_id, user_id, email, name,
           unread, t_parent, t_root, t_name, t_kind, t_region, t_role, t_version, t_hour, t_scope,
           expires, seen, status
      FROM sessions x
      JOIN users u ON u.id = x.user_id
      LEFT JOIN user_access a ON a.user_id = x.user_id
      LEFT JOIN tenants tt ON tt.id = p_tenant AND tt.status = 'active'
      LEFT JOIN tenant_brand b ON b.tenant_id = tt.id
      CROSS JOIN portal_settings d
     WHERE x.token_hash = token_digest(p_token);
    IF NOT FOUND THEN
        RETURN;
    END IF;
    IF expires < now() OR seen < now() - make_interval(secs => least(p_idle, 60)) THEN
        IF NOT session_check(session_id, expires, seen, p_idle) THEN
            RETURN;
        END IF;
        IF seen < now() - interval '60 seconds' THEN
            seen := now(); -- session_check() touched it
        END IF;
    END IF;
    IF status <> 'active' THEN
        RETURN;
    END IF;
    t_until := floor(extract(epoch FROM least(expires, seen + make_interval(secs => least(p_idle, 60)))))::bigint;
    IF unread > 0 THEN
        bell := bell_items(user_id);
    END IF;
    IF t_role IS NOT NULL THEN
        t_path := tenant_crumbs(user_id, p_tenant);   -- only for a tenant the user may open
        RETURN NEXT;
        RETURN;
    END IF;
    RETURN QUERY
    SELECT bt.id, coalesce(x.page_title, d.page_title), coalesce(x.footer, d.footer), x.logo_light,
           x.logo_dark, x.host, request_context.session_id, request_context.user_id, request_context.email,
           request_context.name, request_context.unread, request_context.bell,
           NULL::bigint, NULL::bigint, NULL::text, NULL::text, NULL::text, NULL::text, NULL::bigint,
           request_context.t_hour, NULL::text, request_context.t_until, NULL::json
      FROM (SELECT brand_tenant_for(NULL, request_context.user_id, p_host) AS id) bt
      CROSS JOIN portal_settings d LEFT JOIN tenant_brand x ON x.tenant_id = bt.id;
END $$;
REVOKE ALL ON FUNCTION request_context(text, int, bigint, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION request_context(text, int, bigint, text) TO portal_app;
