-- 023_request_context.sql - the statement every signed-in GET runs first,
-- made cheaper (docs/performance.md, "Round 3").
--
-- Measured with pg_stat_statements (track = all), request_context() spent
-- most of its time not in its reads (each a few microseconds) but in the
-- executor start-up and plan-cache checks of the eleven statements it ran
-- through nested functions: auth_session_lookup, set_config,
-- effective_role, brand_for_request -> brand_for_tenant (a six-way join
-- with a sort, then portal_settings). Now:
--
-- 1. tenant_brand holds each tenant's resolved brand (the nearest value
--    on its ancestor path, field by field, NULL where no tenant on the path
--    sets it), kept by triggers when a branding row changes (the tenant and
--    everything below it) and when a tenant is created or moved. Reading a
--    brand is one index probe plus the portal defaults. The resolution
--    rule is brand_resolve(), the loop brand_for_tenant ran per request;
--    brand_for_tenant now reads tenant_brand, so both paths give the same
--    answer by construction.
-- 2. The rules request_context shared by calling other SECURITY DEFINER
--    functions are plain helpers both sides call: session_check() (expiry,
--    idle timeout, touch once a minute), tenant_role() (the role of a user
--    on a tenant; effective_role() is tenant_role(app_user_id(), ...)) and
--    brand_tenant_for() (which tenant's brand a request wears).
-- 3. request_context() no longer sets app.user_id: a GET's later
--    statements get the identity from db_lazy_identity() (cgi/db.c), and
--    tenant_role() takes the user as an argument.

-- ------------------------------------------- 1. the resolved brand per tenant
CREATE TABLE tenant_brand (
    tenant_id      bigint PRIMARY KEY REFERENCES tenants(id) ON DELETE CASCADE,
    page_title     text,
    page_title_src bigint,
    footer         text,
    footer_src     bigint,
    logo_light     text,
    logo_light_src bigint,
    logo_dark      text,
    logo_dark_src  bigint,
    host           text
);
ALTER TABLE tenant_brand ENABLE ROW LEVEL SECURITY;
ALTER TABLE tenant_brand FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_brand_visible ON tenant_brand
    USING (EXISTS (SELECT 1 FROM tenants t WHERE t.id = tenant_brand.tenant_id));
GRANT SELECT ON tenant_brand TO portal_app;

-- A tenant's brand from the branding rows on its path, nearest first (the
-- body of sql/021's brand_for_tenant loop, without the portal defaults).
CREATE FUNCTION brand_resolve(p_tenant bigint) RETURNS tenant_brand
LANGUAGE plpgsql STABLE SET search_path = public, pg_temp AS $$
DECLARE
    c record;
    r tenant_brand;
BEGIN
    r.tenant_id := p_tenant;
    FOR c IN SELECT b.page_title, b.footer, b.host, b.tenant_id AS src,
                    CASE WHEN l.id IS NOT NULL THEN logo_url(l) END AS light,
                    CASE WHEN d.id IS NOT NULL THEN logo_url(d) END AS dark
               FROM tenants t
               JOIN branding b ON b.tenant_id = ANY (t.ancestors)
               LEFT JOIN branding_logos l ON l.id = b.logo_light_id
               LEFT JOIN branding_logos d ON d.id = b.logo_dark_id
              WHERE t.id = p_tenant
              ORDER BY array_position(t.ancestors, b.tenant_id) DESC LOOP
        IF r.page_title IS NULL AND c.page_title IS NOT NULL THEN
            r.page_title := c.page_title; r.page_title_src := c.src;
        END IF;
        IF r.footer IS NULL AND c.footer IS NOT NULL THEN
            r.footer := c.footer; r.footer_src := c.src;
        END IF;
        IF r.logo_light IS NULL AND c.light IS NOT NULL THEN
            r.logo_light := c.light; r.logo_light_src := c.src;
        END IF;
        IF r.logo_dark IS NULL AND c.dark IS NOT NULL THEN
            r.logo_dark := c.dark; r.logo_dark_src := c.src;
        END IF;
        r.host := coalesce(r.host, c.host);
    END LOOP;
    RETURN r;
END $$;

-- Recompute the brand of these tenants and of every tenant below them.
CREATE FUNCTION tenant_brand_refresh(p_tenants bigint[]) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    INSERT INTO tenant_brand AS x
    SELECT r.* FROM tenants t CROSS JOIN LATERAL brand_resolve(t.id) r WHERE t.ancestors && p_tenants
    ON CONFLICT (tenant_id) DO UPDATE
       SET page_title = excluded.page_title, page_title_src = excluded.page_title_src,
           footer = excluded.footer, footer_src = excluded.footer_src,
           logo_light = excluded.logo_light, logo_light_src = excluded.logo_light_src,
           logo_dark = excluded.logo_dark, logo_dark_src = excluded.logo_dark_src, host = excluded.host
     WHERE (x.*) IS DISTINCT FROM (excluded.*);
END $$;
REVOKE ALL ON FUNCTION brand_resolve(bigint), tenant_brand_refresh(bigint[]) FROM PUBLIC;

-- A branding row written or removed: that tenant's subtree. (A logo is
-- never updated in place, and removing one sets the branding row's
-- reference to NULL, which lands here.)
CREATE FUNCTION branding_brand() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    PERFORM tenant_brand_refresh(ARRAY[CASE WHEN TG_OP = 'DELETE' THEN OLD.tenant_id ELSE NEW.tenant_id END]);
    RETURN NULL;
END $$;
CREATE TRIGGER branding_brand AFTER INSERT OR UPDATE OR DELETE ON branding
    FOR EACH ROW EXECUTE FUNCTION branding_brand();

-- A tenant created or moved. (A move updates each tenant below it too,
-- sql/001's tenants_move, after this trigger has run for the moved one:
-- each of them refreshes again with its new path.)
CREATE FUNCTION tenants_brand() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    IF TG_OP = 'INSERT' OR NEW.ancestors IS DISTINCT FROM OLD.ancestors THEN
        PERFORM tenant_brand_refresh(ARRAY[NEW.id]);
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER tenants_brand AFTER INSERT OR UPDATE OF parent_id ON tenants
    FOR EACH ROW EXECUTE FUNCTION tenants_brand();

INSERT INTO tenant_brand SELECT r.* FROM tenants t CROSS JOIN LATERAL brand_resolve(t.id) r;

-- The effective brand (same columns and values as before): the resolved
-- fields, the names of the tenants they come from, the portal defaults.
CREATE OR REPLACE FUNCTION brand_for_tenant(p_tenant bigint)
RETURNS TABLE (tenant_id bigint, page_title text, footer text, logo_light text, logo_dark text, host text,
               page_title_src bigint, page_title_src_name text, footer_src bigint, footer_src_name text,
               logo_light_src bigint, logo_light_src_name text, logo_dark_src bigint, logo_dark_src_name text)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
#variable_conflict use_column
BEGIN
    RETURN QUERY
    SELECT p_tenant, coalesce(b.page_title, d.page_title), coalesce(b.footer, d.footer), b.logo_light, b.logo_dark,
           b.host, b.page_title_src, (SELECT n.name FROM tenants n WHERE n.id = b.page_title_src),
           b.footer_src, (SELECT n.name FROM tenants n WHERE n.id = b.footer_src),
           b.logo_light_src, (SELECT n.name FROM tenants n WHERE n.id = b.logo_light_src),
           b.logo_dark_src, (SELECT n.name FROM tenants n WHERE n.id = b.logo_dark_src)
      FROM portal_settings d LEFT JOIN tenant_brand b ON b.tenant_id = p_tenant;
END $$;

-- Which tenant's brand a request wears: the tenant in context, else the
-- user's first active membership, else the tenant that owns the Host.
CREATE FUNCTION brand_tenant_for(p_tenant bigint, p_user bigint, p_host text) RETURNS bigint
LANGUAGE plpgsql STABLE SET search_path = public, pg_temp AS $$
BEGIN
    IF p_tenant IS NOT NULL THEN
        RETURN p_tenant;
    END IF;
    RETURN coalesce(
        (SELECT m.tenant_id FROM memberships m JOIN tenants t ON t.id = m.tenant_id
          WHERE m.user_id = p_user AND t.status = 'active' ORDER BY m.created_at, m.tenant_id LIMIT 1),
        (SELECT b.tenant_id FROM branding b WHERE b.host = lower(p_host)));
END $$;
REVOKE ALL ON FUNCTION brand_tenant_for(bigint, bigint, text) FROM PUBLIC;

CREATE OR REPLACE FUNCTION brand_for_request(p_tenant bigint, p_user bigint, p_host text)
RETURNS TABLE (tenant_id bigint, page_title text, footer text, logo_light text, logo_dark text, host text,
               page_title_src bigint, page_title_src_name text, footer_src bigint, footer_src_name text,
               logo_light_src bigint, logo_light_src_name text, logo_dark_src bigint, logo_dark_src_name text)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    RETURN QUERY SELECT * FROM brand_for_tenant(brand_tenant_for(p_tenant, p_user, p_host));
END $$;

-- ------------------------------------------- 2. the shared rules
-- A session row still valid? Deletes it when past its absolute expiry or
-- idle longer than p_idle seconds; touches last_seen_at at most once a
-- minute, so most requests only read.
CREATE FUNCTION session_check(p_id bigint, p_expires timestamptz, p_last_seen timestamptz, p_idle int)
RETURNS boolean
LANGUAGE plpgsql VOLATILE SET search_path = public, pg_temp AS $$
BEGIN
    IF p_expires < now() OR p_last_seen < now() - make_interval(secs => p_idle) THEN
        DELETE FROM sessions WHERE id = p_id;
        RETURN false;
    END IF;
    IF p_last_seen < now() - interval '60 seconds' THEN
        UPDATE sessions SET last_seen_at = now() WHERE id = p_id;
    END IF;
    RETURN true;
END $$;
REVOKE ALL ON FUNCTION session_check(bigint, timestamptz, timestamptz, int) FROM PUBLIC;

CREATE OR REPLACE FUNCTION auth_session_lookup(p_token_hash text, p_idle int)
RETURNS TABLE (session_id bigint, user_id bigint, email text, name text, unread bigint)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    s sessions%ROWTYPE;
BEGIN
    SELECT * INTO s FROM sessions WHERE token_hash = p_token_hash;
    IF NOT FOUND THEN
        RETURN;
    END IF;
    IF NOT session_check(s.id, s.expires_at, s.last_seen_at, p_idle) THEN
        RETURN;
    END IF;
    RETURN QUERY SELECT s.id, u.id, u.email, u.name,
                        (SELECT count(*) FROM notifications n WHERE n.user_id = u.id AND n.read_at IS NULL)
                   FROM users u WHERE u.id = s.user_id AND u.status = 'active';
END $$;

-- The role of a user on a tenant (NULL: none, the tenant is not theirs):
-- the nearest membership on its path other than MSSP Analyst, else MSSP
-- Analyst on its root for the root itself or an assigned subtree.
CREATE FUNCTION tenant_role(p_user bigint, p_tenant bigint) RETURNS text
LANGUAGE plpgsql STABLE SET search_path = public, pg_temp AS $$
DECLARE r text;
BEGIN
    SELECT coalesce(
        (SELECT m.role FROM tenants t JOIN memberships m ON m.tenant_id = ANY (t.ancestors)
          WHERE t.id = p_tenant AND m.user_id = p_user AND m.role <> 'mssp_analyst'
          ORDER BY array_position(t.ancestors, m.tenant_id) DESC LIMIT 1),
        (SELECT 'mssp_analyst' FROM tenants t JOIN memberships m ON m.tenant_id = t.root_id
          WHERE t.id = p_tenant AND m.user_id = p_user AND m.role = 'mssp_analyst'
            AND (t.id = t.root_id OR EXISTS (
                SELECT 1 FROM analyst_assignments a
                 WHERE a.user_id = p_user AND a.tenant_id = ANY (t.ancestors)))))
      INTO r;
    RETURN r;
END $$;
REVOKE ALL ON FUNCTION tenant_role(bigint, bigint) FROM PUBLIC;

CREATE OR REPLACE FUNCTION effective_role(p_tenant bigint) RETURNS text
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    RETURN tenant_role(app_user_id(), p_tenant);
END $$;

-- The bell's dropdown: the user's five newest unread notifications as a
-- JSON array (NULL: none). request_context() reads it for the user it
-- looked up; a page after a write reads it with the identity of its
-- transaction (cgi/view.c), where RLS leaves only the user's own rows.
CREATE FUNCTION bell_items(p_user bigint) RETURNS json
LANGUAGE plpgsql STABLE SET search_path = public, pg_temp AS $$
DECLARE b json;
BEGIN
    SELECT json_agg(json_build_object('id', n.id, 'title', n.title, 'link', n.link,
                                      'at', to_char(n.created_at, 'YYYY-MM-DD HH24:MI')))
      INTO b
      FROM (SELECT * FROM notifications n WHERE n.user_id = p_user AND n.read_at IS NULL
             ORDER BY n.created_at DESC, n.id DESC LIMIT 5) n;
    RETURN b;
END $$;
REVOKE ALL ON FUNCTION bell_items(bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION bell_items(bigint) TO portal_app;

-- ------------------------------------------- 3. the request context
-- Same columns and meaning as sql/021's: the session (as
-- auth_session_lookup), the tenant of a /t/{id} page with the user's role
-- there (NULL when missing, archived or not theirs: the page answers 404),
-- the brand, the bell, and what the dashboard cache keys on. No row: no
-- valid session. It sets no identity (see the top of this file).
CREATE OR REPLACE FUNCTION request_context(p_token_hash text, p_idle int, p_tenant bigint, p_host text)
RETURNS TABLE (brand_tenant_id bigint, page_title text, footer text, logo_light text, logo_dark text, host text,
               session_id bigint, user_id bigint, email text, name text, unread bigint, bell json,
               t_parent bigint, t_root bigint, t_name text, t_kind text, t_region text, t_role text,
               t_version bigint, t_hour bigint, t_scope text)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
#variable_conflict use_column
DECLARE
    s record;
    t record;
    r text;
    b json;
BEGIN
    SELECT x.id, x.user_id, x.expires_at, x.last_seen_at, u.email, u.name, u.status,
           (SELECT count(*) FROM notifications n WHERE n.user_id = x.user_id AND n.read_at IS NULL) AS unread
      INTO s FROM sessions x JOIN users u ON u.id = x.user_id WHERE x.token_hash = p_token_hash;
    IF NOT FOUND THEN
        RETURN;
    END IF;
    IF NOT session_check(s.id, s.expires_at, s.last_seen_at, p_idle) OR s.status <> 'active' THEN
        RETURN;
    END IF;
    IF p_tenant IS NOT NULL THEN
        SELECT tt.id, tt.parent_id, tt.root_id, tt.name, tt.kind, tt.region, tenant_role(s.user_id, tt.id) AS role
          INTO t FROM tenants tt WHERE tt.id = p_tenant AND tt.status = 'active';
        r := t.role;
    END IF;
    IF s.unread > 0 THEN
        b := bell_items(s.user_id);
    END IF;
    IF r IS NULL THEN
        RETURN QUERY
        SELECT bt.id, coalesce(x.page_title, d.page_title), coalesce(x.footer, d.footer), x.logo_light,
               x.logo_dark, x.host, s.id, s.user_id, s.email, s.name, s.unread, b,
               NULL::bigint, NULL::bigint, NULL::text, NULL::text, NULL::text, NULL::text, NULL::bigint,
               extract(epoch FROM date_trunc('hour', now(), 'UTC'))::bigint, NULL::text
          FROM (SELECT brand_tenant_for(NULL, s.user_id, p_host) AS id) bt
          CROSS JOIN portal_settings d LEFT JOIN tenant_brand x ON x.tenant_id = bt.id;
        RETURN;
    END IF;
    RETURN QUERY
    SELECT t.id, coalesce(x.page_title, d.page_title), coalesce(x.footer, d.footer), x.logo_light, x.logo_dark,
           x.host, s.id, s.user_id, s.email, s.name, s.unread, b,
           t.parent_id, t.root_id, t.name, t.kind, t.region, r,
           -- For the dashboard cache: the tenant's data version, the UTC
           -- hour (the windows move with it) and the viewer's scope (the
           -- inputs of app_scope() and app_exact(): memberships and
           -- assignments; the tree's changes move the version).
           coalesce((SELECT v.version FROM tenant_stats v WHERE v.tenant_id = t.id), 0),
           extract(epoch FROM date_trunc('hour', now(), 'UTC'))::bigint,
           coalesce((SELECT string_agg(m.tenant_id || ':' || m.role, ',' ORDER BY m.tenant_id)
                       FROM memberships m WHERE m.user_id = s.user_id), '') || ';' ||
           coalesce((SELECT string_agg(a.tenant_id::text, ',' ORDER BY a.tenant_id)
                       FROM analyst_assignments a WHERE a.user_id = s.user_id), '')
      FROM portal_settings d LEFT JOIN tenant_brand x ON x.tenant_id = t.id;
END $$;
