-- 043_context_cache.sql - what lets a portal worker keep a request's
-- context (cgi/session.c, "The context cache") between requests.
--
-- A GET's context is one statement, request_context(): the session, the
-- user, the tenant with the user's role there, the brand, the bell and the
-- dashboard cache's key. On a cached dashboard that statement was the
-- request's whole database cost, and about half of its time. A worker now
-- keeps the row it returned, for the same session, tenant and host, until
-- anything it was read from changes, or the session needs the database
-- again (its touch once a minute, its expiry):
--
-- * Every table request_context() reads notifies channel portal_context
--   when it changes (a statement trigger; PostgreSQL sends a transaction's
--   identical notifications once, at its commit). The workers LISTEN on
--   their connection and drop their cached rows when one arrives. Rows
--   that only move a session's last_seen_at forward (the touch) do not
--   notify: a cached row ends before the touch is due anyway.
-- * request_context() also returns t_until: the time (epoch seconds) until
--   which the same call would return the same row with nothing changed:
--   the session's absolute expiry, or the next touch (least(idle, 60 s)
--   after the last one), whichever is first.

CREATE FUNCTION context_changed() RETURNS trigger
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
BEGIN
    PERFORM pg_notify('portal_context', '');
    RETURN NULL;
END $$;
REVOKE ALL ON FUNCTION context_changed() FROM PUBLIC;

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['users', 'user_access', 'memberships', 'tenants', 'tenant_brand', 'branding',
                             'portal_settings', 'notifications', 'tenant_stats'] LOOP
        EXECUTE format('CREATE TRIGGER %I AFTER INSERT OR UPDATE OR DELETE ON %I'
                       ' FOR EACH STATEMENT EXECUTE FUNCTION context_changed()', t || '_context', t);
        EXECUTE format('CREATE TRIGGER %I AFTER TRUNCATE ON %I'
                       ' FOR EACH STATEMENT EXECUTE FUNCTION context_changed()', t || '_context_truncate', t);
    END LOOP;
END $$;

-- Sessions: a new one is in no worker's cache; an ended one, or one whose
-- user, token or expiry changes, must leave them. A touch moves
-- last_seen_at forward only; moving it back (an administrator, a test) is
-- a change too.
CREATE TRIGGER sessions_context_delete AFTER DELETE ON sessions
    FOR EACH STATEMENT EXECUTE FUNCTION context_changed();
CREATE TRIGGER sessions_context_truncate AFTER TRUNCATE ON sessions
    FOR EACH STATEMENT EXECUTE FUNCTION context_changed();
CREATE TRIGGER sessions_context_update AFTER UPDATE ON sessions
    FOR EACH ROW WHEN (NEW.token_hash IS DISTINCT FROM OLD.token_hash OR NEW.user_id IS DISTINCT FROM OLD.user_id
                       OR NEW.expires_at IS DISTINCT FROM OLD.expires_at
                       OR NEW.last_seen_at < OLD.last_seen_at)
    EXECUTE FUNCTION context_changed();

-- The same function as sql/026's, with t_until last.
DROP FUNCTION request_context(text, int, bigint, text);
CREATE FUNCTION request_context(p_token_hash text, p_idle int, p_tenant bigint, p_host text)
RETURNS TABLE (brand_tenant_id bigint, page_title text, footer text, logo_light text, logo_dark text, host text,
               session_id bigint, user_id bigint, email text, name text, unread bigint, bell json,
               t_parent bigint, t_root bigint, t_name text, t_kind text, t_region text, t_role text,
               t_version bigint, t_hour bigint, t_scope text, t_until bigint)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
#variable_conflict use_column
DECLARE
    expires timestamptz;
    seen timestamptz;
    status text;
BEGIN
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
     WHERE x.token_hash = p_token_hash;
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
        RETURN NEXT;
        RETURN;
    END IF;
    RETURN QUERY
    SELECT bt.id, coalesce(x.page_title, d.page_title), coalesce(x.footer, d.footer), x.logo_light,
           x.logo_dark, x.host, request_context.session_id, request_context.user_id, request_context.email,
           request_context.name, request_context.unread, request_context.bell,
           NULL::bigint, NULL::bigint, NULL::text, NULL::text, NULL::text, NULL::text, NULL::bigint,
           request_context.t_hour, NULL::text, request_context.t_until
      FROM (SELECT brand_tenant_for(NULL, request_context.user_id, p_host) AS id) bt
      CROSS JOIN portal_settings d LEFT JOIN tenant_brand x ON x.tenant_id = bt.id;
END $$;
REVOKE ALL ON FUNCTION request_context(text, int, bigint, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION request_context(text, int, bigint, text) TO portal_app;
