-- 026_user_access.sql - a user's memberships and assignments in one row,
-- and the role rule as a function of them (docs/performance.md, "Round 4").
--
-- After sql/023, request_context() still spent about half of its time on
-- two things every signed-in page needs: the viewer's role on the page's
-- tenant (tenant_role(): a nested PL/pgSQL call whose statement plans two
-- alternatives with five scans between them) and the viewer's scope for
-- the dashboard cache key (two aggregates, over memberships and
-- analyst_assignments). Interleaved timings inside the database on the L
-- demo data: 49 us per call before, 34 us with both read from one row.
--
-- * user_access holds, per user, the memberships (tenant ids in ascending
--   order and the role of each), the analyst assignments, and the scope
--   key the dashboard cache has keyed on since sql/021. Row triggers on
--   memberships and analyst_assignments rewrite the row of the user whose
--   rows changed, in the same transaction.
-- * role_on_path() is the role rule, unchanged, as a pure function of a
--   tenant's path and those arrays; tenant_role() (effective_role() and
--   the page's context) applies it to the user_access row, so there is
--   still one rule.

CREATE TABLE user_access (
    user_id  bigint PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    tenants  bigint[] NOT NULL,   -- memberships' tenants, ascending
    roles    text[] NOT NULL,     -- the role of each, same order
    assigned bigint[] NOT NULL,   -- analyst assignments, ascending
    scope    text NOT NULL        -- 'tenant:role,...;tenant,...' (the cache key)
);
-- Read only by the SECURITY DEFINER functions below (the owner); the app
-- role has no grant, and the policy keeps a user to their own row anyway.
ALTER TABLE user_access ENABLE ROW LEVEL SECURITY;
ALTER TABLE user_access FORCE ROW LEVEL SECURITY;
CREATE POLICY user_access_own ON user_access USING (user_id = app_user_id());

-- Rewrite the row of one user from memberships and analyst_assignments.
-- A user being deleted (their memberships go by cascade) keeps no row.
CREATE FUNCTION user_access_refresh(p_user bigint) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    INSERT INTO user_access (user_id, tenants, roles, assigned, scope)
    SELECT u.id, coalesce(m.tenants, '{}'), coalesce(m.roles, '{}'), coalesce(a.assigned, '{}'),
           coalesce(m.scope, '') || ';' || coalesce(array_to_string(a.assigned, ','), '')
      FROM users u
      CROSS JOIN LATERAL (SELECT array_agg(x.tenant_id ORDER BY x.tenant_id) AS tenants,
                                 array_agg(x.role ORDER BY x.tenant_id) AS roles,
                                 string_agg(x.tenant_id || ':' || x.role, ',' ORDER BY x.tenant_id) AS scope
                            FROM memberships x WHERE x.user_id = u.id) m
      CROSS JOIN LATERAL (SELECT array_agg(y.tenant_id ORDER BY y.tenant_id) AS assigned
                            FROM analyst_assignments y WHERE y.user_id = u.id) a
     WHERE u.id = p_user
    ON CONFLICT (user_id) DO UPDATE
       SET tenants = EXCLUDED.tenants, roles = EXCLUDED.roles, assigned = EXCLUDED.assigned,
           scope = EXCLUDED.scope;
END $$;
REVOKE ALL ON FUNCTION user_access_refresh(bigint) FROM PUBLIC;

-- A membership or an assignment written or removed: the user's row (both
-- users' when an update moves a row from one user to another).
CREATE FUNCTION user_access_sync() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        PERFORM user_access_refresh(OLD.user_id);
    END IF;
    IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND NEW.user_id <> OLD.user_id) THEN
        PERFORM user_access_refresh(NEW.user_id);
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER memberships_access AFTER INSERT OR UPDATE OR DELETE ON memberships
    FOR EACH ROW EXECUTE FUNCTION user_access_sync();
CREATE TRIGGER analyst_assignments_access AFTER INSERT OR UPDATE OR DELETE ON analyst_assignments
    FOR EACH ROW EXECUTE FUNCTION user_access_sync();

SELECT user_access_refresh(id) FROM users;

-- The role of a user on a tenant (NULL: none, the tenant is not theirs),
-- from the tenant's path (ancestors: root first, the tenant last) and the
-- user's memberships and assignments: the nearest membership on the path
-- other than MSSP Analyst, else MSSP Analyst on the root for the root
-- itself or a tenant at or below an assigned one. (sql/023's tenant_role,
-- the same rule over the tables.)
CREATE FUNCTION role_on_path(p_ancestors bigint[], p_tenants bigint[], p_roles text[], p_assigned bigint[])
RETURNS text
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
    i int;
    pos int;
    best int := 0;
    r text;
    analyst boolean := false;
BEGIN
    FOR i IN 1 .. coalesce(cardinality(p_tenants), 0) LOOP
        IF p_roles[i] = 'mssp_analyst' THEN
            analyst := analyst OR p_tenants[i] = p_ancestors[1];
        ELSE
            pos := array_position(p_ancestors, p_tenants[i]);
            IF pos > best THEN
                best := pos;
                r := p_roles[i];
            END IF;
        END IF;
    END LOOP;
    IF r IS NULL AND analyst AND (cardinality(p_ancestors) = 1 OR p_ancestors && p_assigned) THEN
        r := 'mssp_analyst';
    END IF;
    RETURN r;
END $$;

CREATE OR REPLACE FUNCTION tenant_role(p_user bigint, p_tenant bigint) RETURNS text
LANGUAGE plpgsql STABLE SET search_path = public, pg_temp AS $$
DECLARE r text;
BEGIN
    SELECT role_on_path(t.ancestors, a.tenants, a.roles, a.assigned) INTO r
      FROM tenants t LEFT JOIN user_access a ON a.user_id = p_user
     WHERE t.id = p_tenant;
    RETURN r;
END $$;

-- Same columns, rules and results as sql/023's, in one statement for a
-- tenant page the user may see (the common case): the session, the user
-- with their user_access row, the tenant with the role there, its brand
-- and the cache key. session_check() (the delete of an expired or idle
-- session, the touch once a minute) runs only when the row says it has
-- something to do. Other pages, or a tenant that is not the user's, take
-- the brand the user or the host wears, in a second statement.
CREATE OR REPLACE FUNCTION request_context(p_token_hash text, p_idle int, p_tenant bigint, p_host text)
RETURNS TABLE (brand_tenant_id bigint, page_title text, footer text, logo_light text, logo_dark text, host text,
               session_id bigint, user_id bigint, email text, name text, unread bigint, bell json,
               t_parent bigint, t_root bigint, t_name text, t_kind text, t_region text, t_role text,
               t_version bigint, t_hour bigint, t_scope text)
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
           -- For the dashboard cache: the tenant's data version, the UTC
           -- hour (the windows move with it) and the viewer's scope (the
           -- inputs of app_scope() and app_exact(); the tree's changes
           -- move the version).
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
    END IF;
    IF status <> 'active' THEN
        RETURN;
    END IF;
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
           request_context.t_hour, NULL::text
      FROM (SELECT brand_tenant_for(NULL, request_context.user_id, p_host) AS id) bt
      CROSS JOIN portal_settings d LEFT JOIN tenant_brand x ON x.tenant_id = bt.id;
END $$;
