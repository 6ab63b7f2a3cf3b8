-- sql/schema.sql - the schema `ctl migrate` makes, as pg_dump --schema-only
-- prints it (comments and SET lines dropped). Generated: do not edit; the
-- test tests/http/test_schema.py writes the current one to tests/out/schema.sql.

CREATE SCHEMA extensions;

ALTER SCHEMA extensions OWNER TO portal_owner;

CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA extensions;

COMMENT ON EXTENSION pg_trgm IS 'text similarity measurement and index searching based on trigrams';

CREATE TYPE public.dashboard_row AS (
	id bigint,
	name text,
	kind text,
	region text,
	companies bigint,
	probes bigint,
	agents bigint,
	discovered bigint,
	external bigint,
	vulns bigint,
	critical bigint,
	high bigint,
	medium bigint,
	low bigint,
	open_critical bigint,
	request text,
	request_expires bigint,
	total bigint
);

ALTER TYPE public.dashboard_row OWNER TO portal_owner;

CREATE FUNCTION public.account_activity(p_limit integer, p_offset integer) RETURNS TABLE(id bigint, at timestamp with time zone, action text, ip text, total bigint)
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
    SELECT a.id, a.at, a.action, a.ip, count(*) OVER ()
      FROM audit_log a
     WHERE a.user_id = app_user_id() AND a.tenant_id IS NULL
     ORDER BY a.at DESC, a.id DESC
     LIMIT p_limit OFFSET p_offset
$$;

ALTER FUNCTION public.account_activity(p_limit integer, p_offset integer) OWNER TO portal_owner;

CREATE FUNCTION public.account_invitation_answer(p_invitation bigint, p_accept boolean, p_ip text) RETURNS bigint
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
DECLARE
    i invitations%ROWTYPE;
BEGIN
    SELECT * INTO i FROM invitations x
     WHERE x.id = p_invitation AND x.user_id = app_user_id() AND x.accepted_at IS NULL AND x.expires_at > now()
       AND EXISTS (SELECT 1 FROM users u WHERE u.id = x.user_id AND u.status = 'active')
       FOR UPDATE;
    IF NOT FOUND THEN
        RETURN NULL;
    END IF;
    IF p_accept THEN
        UPDATE invitations SET accepted_at = now() WHERE id = i.id;
        IF NOT EXISTS (SELECT 1 FROM memberships m JOIN tenants t ON m.tenant_id = ANY (t.ancestors)
                        WHERE t.id = i.tenant_id AND m.user_id = i.user_id) THEN
            INSERT INTO memberships (user_id, tenant_id, role) VALUES (i.user_id, i.tenant_id, i.role);
        END IF;
    ELSE
        DELETE FROM invitations WHERE id = i.id;
    END IF;
    INSERT INTO audit_log (tenant_id, root_id, user_id, action, target, ip, details)
    VALUES (i.tenant_id, i.root_id, i.user_id, CASE WHEN p_accept THEN 'team.invite_accepted'
                                                    ELSE 'team.invite_declined' END,
            'user:' || i.user_id, left(p_ip, 64), jsonb_build_object('role', i.role));
    RETURN i.tenant_id;
END $$;

ALTER FUNCTION public.account_invitation_answer(p_invitation bigint, p_accept boolean, p_ip text) OWNER TO portal_owner;

CREATE FUNCTION public.account_invitations() RETURNS TABLE(invitation_id bigint, tenant_name text, kind text, role text, invited_by text, sent_at timestamp with time zone, expires_at timestamp with time zone)
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
    SELECT i.id, t.name, t.kind, i.role, coalesce(b.name, ''), i.sent_at, i.expires_at
      FROM invitations i JOIN tenants t ON t.id = i.tenant_id AND t.status = 'active'
      LEFT JOIN users b ON b.id = i.invited_by
     WHERE i.user_id = app_user_id() AND i.accepted_at IS NULL AND i.expires_at > now()
     ORDER BY i.sent_at DESC, i.id DESC
$$;

ALTER FUNCTION public.account_invitations() OWNER TO portal_owner;

CREATE FUNCTION public.account_mail_tenant(p_user bigint) RETURNS bigint
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
    SELECT m.tenant_id FROM memberships m JOIN tenants t ON t.id = m.tenant_id AND t.status = 'active'
     WHERE m.user_id = p_user AND m.status = 'active'
     ORDER BY m.created_at, m.tenant_id
     LIMIT 1
$$;

ALTER FUNCTION public.account_mail_tenant(p_user bigint) OWNER TO portal_owner;

CREATE FUNCTION public.account_memberships() RETURNS TABLE(tenant_id bigint, tenant_name text, kind text, tenant_active boolean, role text, status text, since timestamp with time zone, last_owner boolean)
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
    SELECT t.id, t.name, t.kind, t.status = 'active', m.role, m.status, m.created_at,
           m.role IN ('owner', 'mssp_admin') AND m.status = 'active'
           AND NOT EXISTS (SELECT 1 FROM memberships o JOIN users u ON u.id = o.user_id
                            WHERE o.tenant_id = m.tenant_id AND o.role = m.role AND o.user_id <> m.user_id
                              AND o.status = 'active' AND u.status = 'active')
      FROM memberships m JOIN tenants t ON t.id = m.tenant_id
     WHERE m.user_id = app_user_id()
     ORDER BY array_position(ARRAY['mssp','msp','company'], t.kind), lower(t.name), t.id
$$;

ALTER FUNCTION public.account_memberships() OWNER TO portal_owner;

CREATE FUNCTION public.analyst_assignments_of(p_mssp bigint) RETURNS TABLE(user_id bigint, tenant_id bigint, tenant_name text)
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
    SELECT a.user_id, t.id, t.name FROM analyst_assignments a JOIN tenants t ON t.id = a.tenant_id
     WHERE t.root_id = p_mssp AND (SELECT tenant_visible(p_mssp))
     ORDER BY t.name
$$;

ALTER FUNCTION public.analyst_assignments_of(p_mssp bigint) OWNER TO portal_owner;

CREATE FUNCTION public.api_key_auth(p_key text) RETURNS TABLE(key_id bigint, tenant_id bigint, root_id bigint)
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
DECLARE k api_keys%ROWTYPE;
BEGIN
    SELECT * INTO k FROM api_key_find(p_key);
    IF NOT FOUND THEN
        RETURN;
    END IF;
    PERFORM set_config('app.api_key', p_key, true);
    PERFORM identity_keep(p_key, NULL, k.tenant_id);
    key_id := k.id; tenant_id := k.tenant_id; root_id := k.root_id;
    RETURN NEXT;
END $$;

ALTER FUNCTION public.api_key_auth(p_key text) OWNER TO portal_owner;

CREATE TABLE public.api_keys (
    id bigint NOT NULL,
    tenant_id bigint NOT NULL,
    root_id bigint NOT NULL,
    name text NOT NULL,
    prefix text NOT NULL,
    key_hash text NOT NULL,
    created_by bigint,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    last_used_at timestamp with time zone,
    revoked_at timestamp with time zone,
    CONSTRAINT api_keys_key_hash_check CHECK ((key_hash ~ '^[0-9a-f]{64}$'::text)),
    CONSTRAINT api_keys_name_check CHECK (((length(btrim(name)) >= 1) AND (length(btrim(name)) <= 80)))
);

ALTER TABLE ONLY public.api_keys FORCE ROW LEVEL SECURITY;

ALTER TABLE public.api_keys OWNER TO portal_owner;

CREATE FUNCTION public.api_key_find(p_key text) RETURNS SETOF public.api_keys
    LANGUAGE plpgsql
    SET search_path TO 'public', 'pg_temp'
    AS $$
DECLARE
    k api_keys%ROWTYPE;
    h text;
BEGIN
    IF p_key IS NULL OR left(p_key, 5) <> 'mssp_' OR NOT token_shaped(substr(p_key, 6)) THEN
        RETURN;
    END IF;
    h := token_digest(p_key); -- once (in the condition it was hashed twice: index and recheck)
    SELECT a.* INTO k FROM api_keys a JOIN tenants t ON t.id = a.tenant_id
     WHERE a.key_hash = h AND a.revoked_at IS NULL AND t.status = 'active';
    IF NOT FOUND THEN
        RETURN;
    END IF;
    IF k.last_used_at IS NULL OR k.last_used_at < now() - interval '1 minute' THEN
        UPDATE api_keys SET last_used_at = now() WHERE id = k.id;
    END IF;
    RETURN NEXT k;
END $$;

ALTER FUNCTION public.api_key_find(p_key text) OWNER TO portal_owner;

CREATE FUNCTION public.api_keys_of(p_tenant bigint) RETURNS TABLE(id bigint, name text, prefix text, created_by text, created_at timestamp with time zone, last_used_at timestamp with time zone, revoked_at timestamp with time zone)
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
    SELECT k.id, k.name, k.prefix, coalesce(u.name, u.email, 'deleted user'), k.created_at, k.last_used_at,
           k.revoked_at
      FROM api_keys k LEFT JOIN users u ON u.id = k.created_by
     WHERE k.tenant_id = p_tenant AND (SELECT tenant_visible(p_tenant))
     ORDER BY k.revoked_at IS NOT NULL, k.created_at DESC, k.id DESC
$$;

ALTER FUNCTION public.api_keys_of(p_tenant bigint) OWNER TO portal_owner;

CREATE FUNCTION public.app_api_tenant() RETURNS bigint
    LANGUAGE sql STABLE
    AS $$
    SELECT -nullif(least(identity_kept(current_setting('app.api_key', true)), 0), 0)
$$;

ALTER FUNCTION public.app_api_tenant() OWNER TO portal_owner;

CREATE FUNCTION public.app_exact() RETURNS bigint[]
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    SET plan_cache_mode TO 'force_generic_plan'
    AS $$
DECLARE
    a user_access%ROWTYPE;
BEGIN
    SELECT * INTO a FROM user_access x WHERE x.user_id = app_user_id();
    -- none without a row or an MSSP Analyst membership (most viewers),
    -- without a statement to find none (9 -> 7 us a call)
    IF NOT FOUND OR NOT 'mssp_analyst' = ANY (a.roles) THEN
        RETURN '{}';
    END IF;
    RETURN ARRAY(SELECT m.t FROM unnest(a.tenants, a.roles) AS m(t, role) WHERE m.role = 'mssp_analyst');
END $$;

ALTER FUNCTION public.app_exact() OWNER TO portal_owner;

CREATE FUNCTION public.app_identify(p_token text) RETURNS bigint
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
DECLARE
    uid bigint;
BEGIN
    PERFORM set_config('app.token', coalesce(p_token, ''), true);
    uid := identity_of(p_token);
    PERFORM identity_keep(coalesce(p_token, ''), uid, NULL);
    RETURN uid;
END $$;

ALTER FUNCTION public.app_identify(p_token text) OWNER TO portal_owner;

CREATE FUNCTION public.app_scope() RETURNS bigint[]
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    SET plan_cache_mode TO 'force_generic_plan'
    AS $$
DECLARE
    r bigint[];
    uid bigint := app_user_id();
    a user_access%ROWTYPE;
BEGIN
    IF uid IS NULL THEN /* an API key, or no one: no memberships to read */
        r := ARRAY[app_api_tenant()];
        RETURN CASE WHEN r[1] IS NULL THEN '{}' ELSE r END;
    END IF;
    SELECT * INTO a FROM user_access x WHERE x.user_id = uid;
    IF NOT FOUND THEN
        RETURN '{}';
    END IF;
    -- No MSSP Analyst membership and no assignment (most viewers): every
    -- membership's tenant, as the statement below would give them,
    -- without running it (9 -> 6 us a call).
    IF NOT 'mssp_analyst' = ANY (a.roles) AND cardinality(a.tenants) = cardinality(a.roles)
       AND cardinality(a.assigned) = 0 THEN
        RETURN a.tenants;
    END IF;
    -- (one membership per tenant: no duplicates unless assignments add some)
    r := ARRAY(SELECT m.t FROM unnest(a.tenants, a.roles) AS m(t, role) WHERE m.role <> 'mssp_analyst');
    IF cardinality(a.assigned) > 0 THEN
        r := ARRAY(SELECT x FROM unnest(r) x
                   UNION
                   SELECT y.id FROM tenants y JOIN unnest(a.tenants, a.roles) AS m(t, role)
                                             ON m.t = y.root_id AND m.role = 'mssp_analyst'
                    WHERE y.id = ANY (a.assigned));
    END IF;
    RETURN r;
END $$;

ALTER FUNCTION public.app_scope() OWNER TO portal_owner;

CREATE FUNCTION public.app_user_id() RETURNS bigint
    LANGUAGE plpgsql STABLE
    AS $$
DECLARE
    who bigint := identity_kept(current_setting('app.token', true));
BEGIN
    IF who IS NULL AND pg_is_in_recovery() THEN
        RETURN identity_of(current_setting('app.token', true));
    END IF;
    RETURN CASE WHEN who > 0 THEN who END;
END $$;

ALTER FUNCTION public.app_user_id() OWNER TO portal_owner;

CREATE FUNCTION public.asset_is_device(p_kind text) RETURNS boolean
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT p_kind IN ('probe', 'agent', 'gateway') $$;

ALTER FUNCTION public.asset_is_device(p_kind text) OWNER TO portal_owner;

CREATE FUNCTION public.asset_page(p_tenant bigint, p_kind text, p_after bigint, p_before bigint) RETURNS TABLE(meta text, id bigint, customer text, customer_id bigint, kind text, name text, address text, updated text)
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
#variable_conflict use_column
DECLARE
    total bigint;
    p record;
BEGIN
    SELECT CASE p_kind WHEN 'probe' THEN s.probes WHEN 'agent' THEN s.agents WHEN 'gateway' THEN s.gateways
                       WHEN 'discovered' THEN s.discovered WHEN 'external' THEN s.external
                       ELSE s.probes + s.agents + s.gateways + s.discovered + s.external END
      INTO total
      FROM tenants t LEFT JOIN tenant_stats s ON s.tenant_id = t.id
     WHERE t.id = p_tenant AND t.ancestors && app_scope();
    total := CASE WHEN FOUND THEN coalesce(total, 0) END;
    p := list_page(p_tenant, 'asset_reader', 'all',
                   CASE WHEN p_kind = '' THEN ARRAY['agent', 'probe'] ELSE ARRAY[p_kind, p_kind] END,
                   p_after, p_before, total IS NULL);
    IF p.ids IS NULL THEN
        RETURN;
    END IF;
    RETURN QUERY
    SELECT CASE WHEN r.n IS NULL OR r.n = 1 THEN list_meta(p.ids, p.has_prev, p.has_next, total, p.counted)::text END,
           r.id, r.customer, r.customer_id, r.kind, r.name, r.address, r.updated
      FROM (SELECT 1) one LEFT JOIN LATERAL (
            SELECT u.n, a.id, c.name AS customer,
                   -- an archived customer's page is not found: no id, the row names it
                   CASE WHEN c.status = 'active' THEN c.id END AS customer_id, a.kind, a.name,
                   coalesce(a.address, '') AS address,
                   to_char(a.updated_at, 'YYYY-MM-DD HH24:MI') AS updated
              FROM unnest(p.ids) WITH ORDINALITY AS u(id, n)
              JOIN assets a ON a.id = u.id JOIN tenants c ON c.id = a.tenant_id) r ON true
     ORDER BY r.n;
END $$;

ALTER FUNCTION public.asset_page(p_tenant bigint, p_kind text, p_after bigint, p_before bigint) OWNER TO portal_owner;

CREATE FUNCTION public.asset_reader(p_tids bigint[], p_root bigint, p_tenant bigint, p_sc bigint[], p_ex bigint[], p_args text[], p_how text, p_set text, p_cursor bigint, p_back boolean, p_count boolean, OUT ids bigint[], OUT cursor_found boolean, OUT counted bigint) RETURNS record
    LANGUAGE plpgsql STABLE
    SET plan_cache_mode TO 'force_generic_plan'
    AS $_$
DECLARE
    cur record;
BEGIN
    IF p_cursor IS NOT NULL THEN
        SELECT x.kind AS k1, lower(x.name) AS k2, x.id AS k3 INTO cur FROM assets x JOIN tenants c ON c.id = x.tenant_id
         WHERE x.id = p_cursor AND c.ancestors @> ARRAY[$3] AND scope_sees(c.ancestors, c.id, $4, $5);
    END IF;
    cursor_found := p_cursor IS NOT NULL AND FOUND;
    IF p_how = 'tenants' AND cardinality(p_tids) = 1 THEN
        IF p_set = 'all' THEN
            IF NOT cursor_found THEN
                SELECT ARRAY(SELECT x.id FROM assets x WHERE x.tenant_id = $1[1] AND (x.kind BETWEEN $6[1] AND $6[2]) AND (true) ORDER BY x.kind ASC, lower(x.name) ASC, x.id ASC LIMIT 51) INTO ids;
            ELSIF NOT p_back THEN
                SELECT ARRAY(SELECT x.id FROM assets x WHERE x.tenant_id = $1[1] AND (x.kind BETWEEN $6[1] AND $6[2]) AND (true) AND (x.kind, lower(x.name), x.id) > (cur.k1, cur.k2, cur.k3) AND x.kind >= cur.k1 ORDER BY x.kind ASC, lower(x.name) ASC, x.id ASC LIMIT 51) INTO ids;
            ELSE
                SELECT ARRAY(SELECT x.id FROM assets x WHERE x.tenant_id = $1[1] AND (x.kind BETWEEN $6[1] AND $6[2]) AND (true) AND (x.kind, lower(x.name), x.id) < (cur.k1, cur.k2, cur.k3) AND x.kind <= cur.k1 ORDER BY x.kind DESC, lower(x.name) DESC, x.id DESC LIMIT 51) INTO ids;
            END IF;
            IF p_count THEN
                SELECT count(*) FROM (SELECT 1 FROM ((SELECT 1 FROM assets x WHERE x.tenant_id = $1[1] AND (x.kind BETWEEN $6[1] AND $6[2]) AND (true) LIMIT 1001)) x LIMIT 1001) x INTO counted;
            END IF;
        ELSE
            RAISE EXCEPTION 'list_reader: no set %', p_set;
        END IF;
    ELSIF p_how = 'tenants' THEN
        IF p_set = 'all' THEN
            IF NOT cursor_found THEN
                SELECT ARRAY(SELECT x.id FROM unnest($1) AS u(tid) CROSS JOIN LATERAL (SELECT x.* FROM assets x WHERE x.tenant_id = u.tid AND (x.kind BETWEEN $6[1] AND $6[2]) AND (true) ORDER BY x.kind ASC, lower(x.name) ASC, x.id ASC LIMIT 51) x ORDER BY x.kind ASC, lower(x.name) ASC, x.id ASC LIMIT 51) INTO ids;
            ELSIF NOT p_back THEN
                SELECT ARRAY(SELECT x.id FROM unnest($1) AS u(tid) CROSS JOIN LATERAL (SELECT x.* FROM assets x WHERE x.tenant_id = u.tid AND (x.kind BETWEEN $6[1] AND $6[2]) AND (true) AND (x.kind, lower(x.name), x.id) > (cur.k1, cur.k2, cur.k3) AND x.kind >= cur.k1 ORDER BY x.kind ASC, lower(x.name) ASC, x.id ASC LIMIT 51) x ORDER BY x.kind ASC, lower(x.name) ASC, x.id ASC LIMIT 51) INTO ids;
            ELSE
                SELECT ARRAY(SELECT x.id FROM unnest($1) AS u(tid) CROSS JOIN LATERAL (SELECT x.* FROM assets x WHERE x.tenant_id = u.tid AND (x.kind BETWEEN $6[1] AND $6[2]) AND (true) AND (x.kind, lower(x.name), x.id) < (cur.k1, cur.k2, cur.k3) AND x.kind <= cur.k1 ORDER BY x.kind DESC, lower(x.name) DESC, x.id DESC LIMIT 51) x ORDER BY x.kind DESC, lower(x.name) DESC, x.id DESC LIMIT 51) INTO ids;
            END IF;
            IF p_count THEN
                SELECT count(*) FROM (SELECT 1 FROM ((SELECT 1 FROM unnest($1) AS u(tid) CROSS JOIN LATERAL (SELECT x.* FROM assets x WHERE x.tenant_id = u.tid AND (x.kind BETWEEN $6[1] AND $6[2]) AND (true) LIMIT 1001) x LIMIT 1001)) x LIMIT 1001) x INTO counted;
            END IF;
        ELSE
            RAISE EXCEPTION 'list_reader: no set %', p_set;
        END IF;
    ELSIF p_how = 'root' THEN
        IF p_set = 'all' THEN
            IF NOT cursor_found THEN
                SELECT ARRAY(SELECT x.id FROM assets x WHERE x.root_id = $2 AND (x.kind BETWEEN $6[1] AND $6[2]) AND (true) ORDER BY x.kind ASC, lower(x.name) ASC, x.id ASC LIMIT 51) INTO ids;
            ELSIF NOT p_back THEN
                SELECT ARRAY(SELECT x.id FROM assets x WHERE x.root_id = $2 AND (x.kind BETWEEN $6[1] AND $6[2]) AND (true) AND (x.kind, lower(x.name), x.id) > (cur.k1, cur.k2, cur.k3) AND x.kind >= cur.k1 ORDER BY x.kind ASC, lower(x.name) ASC, x.id ASC LIMIT 51) INTO ids;
            ELSE
                SELECT ARRAY(SELECT x.id FROM assets x WHERE x.root_id = $2 AND (x.kind BETWEEN $6[1] AND $6[2]) AND (true) AND (x.kind, lower(x.name), x.id) < (cur.k1, cur.k2, cur.k3) AND x.kind <= cur.k1 ORDER BY x.kind DESC, lower(x.name) DESC, x.id DESC LIMIT 51) INTO ids;
            END IF;
            IF p_count THEN
                SELECT count(*) FROM (SELECT 1 FROM ((SELECT 1 FROM assets x WHERE x.root_id = $2 AND (x.kind BETWEEN $6[1] AND $6[2]) AND (true) LIMIT 1001)) x LIMIT 1001) x INTO counted;
            END IF;
        ELSE
            RAISE EXCEPTION 'list_reader: no set %', p_set;
        END IF;
    ELSIF p_how = 'check' THEN
        IF p_set = 'all' THEN
            IF NOT cursor_found THEN
                SELECT ARRAY(SELECT x.id FROM assets x WHERE x.root_id = $2 AND EXISTS (SELECT 1 FROM tenants c WHERE c.id = x.tenant_id AND c.ancestors @> ARRAY[$3] AND scope_sees(c.ancestors, c.id, $4, $5) OFFSET 0) AND (x.kind BETWEEN $6[1] AND $6[2]) AND (true) ORDER BY x.kind ASC, lower(x.name) ASC, x.id ASC LIMIT 51) INTO ids;
            ELSIF NOT p_back THEN
                SELECT ARRAY(SELECT x.id FROM assets x WHERE x.root_id = $2 AND EXISTS (SELECT 1 FROM tenants c WHERE c.id = x.tenant_id AND c.ancestors @> ARRAY[$3] AND scope_sees(c.ancestors, c.id, $4, $5) OFFSET 0) AND (x.kind BETWEEN $6[1] AND $6[2]) AND (true) AND (x.kind, lower(x.name), x.id) > (cur.k1, cur.k2, cur.k3) AND x.kind >= cur.k1 ORDER BY x.kind ASC, lower(x.name) ASC, x.id ASC LIMIT 51) INTO ids;
            ELSE
                SELECT ARRAY(SELECT x.id FROM assets x WHERE x.root_id = $2 AND EXISTS (SELECT 1 FROM tenants c WHERE c.id = x.tenant_id AND c.ancestors @> ARRAY[$3] AND scope_sees(c.ancestors, c.id, $4, $5) OFFSET 0) AND (x.kind BETWEEN $6[1] AND $6[2]) AND (true) AND (x.kind, lower(x.name), x.id) < (cur.k1, cur.k2, cur.k3) AND x.kind <= cur.k1 ORDER BY x.kind DESC, lower(x.name) DESC, x.id DESC LIMIT 51) INTO ids;
            END IF;
            IF p_count THEN
                SELECT count(*) FROM (SELECT 1 FROM ((SELECT 1 FROM assets x WHERE x.root_id = $2 AND EXISTS (SELECT 1 FROM tenants c WHERE c.id = x.tenant_id AND c.ancestors @> ARRAY[$3] AND scope_sees(c.ancestors, c.id, $4, $5) OFFSET 0) AND (x.kind BETWEEN $6[1] AND $6[2]) AND (true) LIMIT 1001)) x LIMIT 1001) x INTO counted;
            END IF;
        ELSE
            RAISE EXCEPTION 'list_reader: no set %', p_set;
        END IF;
    END IF;
END $_$;

ALTER FUNCTION public.asset_reader(p_tids bigint[], p_root bigint, p_tenant bigint, p_sc bigint[], p_ex bigint[], p_args text[], p_how text, p_set text, p_cursor bigint, p_back boolean, p_count boolean, OUT ids bigint[], OUT cursor_found boolean, OUT counted bigint) OWNER TO portal_owner;

CREATE FUNCTION public.assets_stats() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    SET client_min_messages TO 'warning'
    AS $_$
DECLARE d jsonb;
BEGIN
    EXECUTE stats_deltas_sql(TG_OP, 'tenant_id, kind', 'true', $f$
        'probes', coalesce(sum(n) FILTER (WHERE kind = 'probe'), 0),
        'agents', coalesce(sum(n) FILTER (WHERE kind = 'agent'), 0),
        'gateways', coalesce(sum(n) FILTER (WHERE kind = 'gateway'), 0),
        'discovered', coalesce(sum(n) FILTER (WHERE kind = 'discovered'), 0),
        'external', coalesce(sum(n) FILTER (WHERE kind = 'external'), 0)$f$) INTO d;
    PERFORM stats_apply(d) WHERE d IS NOT NULL;
    RETURN NULL;
END $_$;

ALTER FUNCTION public.assets_stats() OWNER TO portal_owner;

CREATE FUNCTION public.audit_account(p_user bigint, p_action text, p_ip text, p_details jsonb) RETURNS void
    LANGUAGE sql SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
    INSERT INTO audit_log (user_id, action, ip, details) VALUES (p_user, p_action, left(p_ip, 64), p_details);
$$;

ALTER FUNCTION public.audit_account(p_user bigint, p_action text, p_ip text, p_details jsonb) OWNER TO portal_owner;

CREATE FUNCTION public.audit_entries(p_tenant bigint, p_user text, p_action text, p_from timestamp with time zone, p_to timestamp with time zone, p_limit integer, p_offset integer, p_tenant_name text) RETURNS TABLE(id bigint, at timestamp with time zone, tenant_id bigint, tenant_name text, user_email text, action text, target text, ip text, details text, total bigint)
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
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

ALTER FUNCTION public.audit_entries(p_tenant bigint, p_user text, p_action text, p_from timestamp with time zone, p_to timestamp with time zone, p_limit integer, p_offset integer, p_tenant_name text) OWNER TO portal_owner;

CREATE FUNCTION public.auth_link_lookup(p_purpose text, p_token text) RETURNS TABLE(user_id bigint, email text)
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
    SELECT u.id, u.email FROM password_resets r JOIN users u ON u.id = r.user_id
     WHERE r.token_hash = token_digest(p_token) AND r.purpose = p_purpose AND r.used_at IS NULL
       AND r.expires_at > now() AND u.status = 'active'
$$;

ALTER FUNCTION public.auth_link_lookup(p_purpose text, p_token text) OWNER TO portal_owner;

CREATE FUNCTION public.auth_link_mail(p_link bigint, p_subject text, p_text text, p_html text) RETURNS boolean
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
DECLARE
    t text;
    addr text;
BEGIN
    UPDATE password_resets r SET token_pending = NULL
      FROM password_resets o
     WHERE r.id = p_link AND o.id = r.id AND r.token_pending IS NOT NULL
    RETURNING o.token_pending INTO t;
    IF t IS NULL THEN
        RETURN false;
    END IF;
    SELECT u.email INTO addr FROM password_resets r JOIN users u ON u.id = r.user_id WHERE r.id = p_link;
    INSERT INTO mail_outbox (tenant_id, root_id, to_addr, subject, body_text, body_html)
    VALUES (NULL, NULL, addr, p_subject, replace(p_text, '@@link-token@@', t), replace(p_html, '@@link-token@@', t));
    RETURN true;
END $$;

ALTER FUNCTION public.auth_link_mail(p_link bigint, p_subject text, p_text text, p_html text) OWNER TO portal_owner;

CREATE FUNCTION public.auth_link_request(p_purpose text, p_email text, p_ip text, p_lifetime integer, p_max integer) RETURNS TABLE(link_id bigint, email text, name text, brand_tenant bigint, created boolean)
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
DECLARE
    u users%ROWTYPE;
    n int;
    t text;
    id bigint;
    action text := CASE p_purpose WHEN 'reset' THEN 'auth.reset_requested' ELSE 'auth.signin_link_requested' END;
BEGIN
    IF p_purpose NOT IN ('reset', 'signin') THEN
        RAISE EXCEPTION 'auth_link_request: unknown purpose' USING ERRCODE = '22023';
    END IF;
    SELECT * INTO u FROM users x WHERE lower(x.email) = lower(btrim(p_email)) AND x.status = 'active';
    IF NOT FOUND THEN
        PERFORM audit_account(NULL, action, p_ip,
                              jsonb_build_object('email', btrim(p_email), 'sent', false, 'rate_limited', false));
        RETURN;
    END IF;
    PERFORM 1 FROM users x WHERE x.id = u.id FOR UPDATE;
    SELECT count(*) INTO n FROM password_resets r
     WHERE r.user_id = u.id AND r.purpose = p_purpose AND r.created_at > now() - interval '1 hour';
    IF n >= least(p_max, 10) THEN
        PERFORM audit_account(u.id, action, p_ip,
                              jsonb_build_object('email', btrim(p_email), 'sent', false, 'rate_limited', true));
        RETURN QUERY SELECT NULL::bigint, u.email, u.name, account_mail_tenant(u.id), false;
        RETURN;
    END IF;
    DELETE FROM password_resets r WHERE r.user_id = u.id AND r.expires_at < now() - interval '1 day';
    t := random_token();
    INSERT INTO password_resets (token_hash, user_id, expires_at, ip, purpose, token_pending)
    VALUES (token_digest(t), u.id, now() + make_interval(secs => least(greatest(p_lifetime, 60), 3600)),
            left(p_ip, 64), p_purpose, t)
    RETURNING password_resets.id INTO id;
    PERFORM audit_account(u.id, action, p_ip,
                          jsonb_build_object('email', btrim(p_email), 'sent', true, 'rate_limited', false));
    RETURN QUERY SELECT id, u.email, u.name, account_mail_tenant(u.id), true;
END $$;

ALTER FUNCTION public.auth_link_request(p_purpose text, p_email text, p_ip text, p_lifetime integer, p_max integer) OWNER TO portal_owner;

CREATE FUNCTION public.auth_link_signin(p_token text, p_ip text, p_ua text, p_device text, p_max_seconds integer) RETURNS TABLE(user_id bigint, token text, device text)
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
DECLARE
    uid bigint;
    mail text;
BEGIN
    UPDATE password_resets r SET used_at = now()
     WHERE r.token_hash = token_digest(p_token) AND r.purpose = 'signin' AND r.used_at IS NULL
       AND r.expires_at > now()
    RETURNING r.user_id INTO uid;
    SELECT u.email INTO mail FROM users u WHERE u.id = uid AND u.status = 'active';
    IF mail IS NULL THEN
        RETURN;
    END IF;
    user_id := uid;
    device := login_remember(uid, lower(mail), p_ip, p_device);
    token := session_open(uid, p_ip, p_ua, p_max_seconds);
    PERFORM audit_account(uid, 'auth.login', p_ip, jsonb_build_object('email', mail, 'by', 'link'));
    RETURN NEXT;
END $$;

ALTER FUNCTION public.auth_link_signin(p_token text, p_ip text, p_ua text, p_device text, p_max_seconds integer) OWNER TO portal_owner;

CREATE FUNCTION public.auth_login(p_email text, p_key text, p_ip text, p_ua text, p_device text, p_max_seconds integer) RETURNS TABLE(outcome text, retry_seconds integer, scope text, user_id bigint, token text, device text)
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
DECLARE
    mail text := left(lower(btrim(p_email)), 320);
    g record;
    u users%ROWTYPE;
BEGIN
    SELECT * INTO u FROM users x WHERE lower(x.email) = mail;
    IF FOUND THEN
        -- One attempt at a time per account, so the gate and the count agree.
        PERFORM 1 FROM users x WHERE x.id = u.id FOR UPDATE;
    END IF;
    SELECT * INTO g FROM login_gate(mail, p_ip, p_device);
    IF g.locked THEN
        PERFORM login_locked_audit(u.id, p_email, p_ip, g.scope, g.retry_seconds, true);
        RETURN QUERY SELECT 'locked'::text, g.retry_seconds, g.scope, NULL::bigint, NULL::text, NULL::text;
        RETURN;
    END IF;
    IF u.id IS NULL OR u.status <> 'active' OR u.password_hash IS NULL OR p_key IS NULL
       OR sha256(convert_to(u.password_hash, 'UTF8')) <> sha256(convert_to(p_key, 'UTF8')) THEN
        SELECT * INTO g FROM login_failed(u.id, p_email, p_ip, p_device, 'auth.login_failed');
        RETURN QUERY SELECT CASE WHEN g.locked THEN 'wrong_locked' ELSE 'wrong' END, g.retry_seconds, g.scope,
                            NULL::bigint, NULL::text, NULL::text;
        RETURN;
    END IF;
    device := login_remember(u.id, mail, p_ip, p_device);
    token := session_open(u.id, p_ip, p_ua, p_max_seconds);
    PERFORM audit_account(u.id, 'auth.login', p_ip, jsonb_build_object('email', btrim(p_email)));
    outcome := 'ok';
    retry_seconds := 0;
    user_id := u.id;
    RETURN NEXT;
END $$;

ALTER FUNCTION public.auth_login(p_email text, p_key text, p_ip text, p_ua text, p_device text, p_max_seconds integer) OWNER TO portal_owner;

CREATE FUNCTION public.auth_login_begin(p_email text, p_ip text, p_device text) RETURNS TABLE(setting text, locked boolean, retry_seconds integer, scope text)
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
DECLARE
    mail text := left(lower(btrim(p_email)), 320);
    g record;
    u users%ROWTYPE;
BEGIN
    SELECT * INTO g FROM login_gate(mail, p_ip, p_device);
    SELECT * INTO u FROM users x WHERE lower(x.email) = mail;
    setting := login_setting(mail);
    locked := g.locked;
    retry_seconds := g.retry_seconds;
    scope := g.scope;
    IF g.locked THEN
        PERFORM login_locked_audit(u.id, p_email, p_ip, g.scope, g.retry_seconds, true);
    END IF;
    RETURN NEXT;
END $$;

ALTER FUNCTION public.auth_login_begin(p_email text, p_ip text, p_device text) OWNER TO portal_owner;

CREATE FUNCTION public.auth_my_password_setting() RETURNS text
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
    SELECT login_setting(u.email) FROM users u WHERE u.id = app_user_id() AND u.status = 'active'
$$;

ALTER FUNCTION public.auth_my_password_setting() OWNER TO portal_owner;

CREATE FUNCTION public.auth_password_change(p_password_hash text, p_keep_session text) RETURNS integer
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $_$
DECLARE
    uid bigint := app_user_id();
    n int;
BEGIN
    IF p_password_hash !~ '^scrypt\$' THEN
        RAISE EXCEPTION 'not a password hash' USING ERRCODE = 'check_violation';
    END IF;
    UPDATE users SET password_hash = p_password_hash, password_changed_at = now()
     WHERE id = uid AND status = 'active';
    IF NOT FOUND THEN
        RETURN NULL;
    END IF;
    UPDATE password_resets SET used_at = now() WHERE user_id = uid AND used_at IS NULL;
    DELETE FROM sessions WHERE user_id = uid AND token_hash <> coalesce(p_keep_session, '');
    GET DIAGNOSTICS n = ROW_COUNT;
    RETURN n;
END $_$;

ALTER FUNCTION public.auth_password_change(p_password_hash text, p_keep_session text) OWNER TO portal_owner;

CREATE FUNCTION public.auth_password_check(p_key text, p_ip text, p_device text) RETURNS TABLE(outcome text, retry_seconds integer, scope text)
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
DECLARE
    u users%ROWTYPE;
    g record;
BEGIN
    SELECT * INTO u FROM users x WHERE x.id = app_user_id() AND x.status = 'active' FOR UPDATE;
    IF NOT FOUND THEN
        RETURN;
    END IF;
    SELECT * INTO g FROM login_gate(u.email, p_ip, p_device);
    IF g.locked THEN
        RETURN QUERY SELECT 'locked'::text, g.retry_seconds, g.scope;
        RETURN;
    END IF;
    IF u.password_hash IS NULL OR p_key IS NULL
       OR sha256(convert_to(u.password_hash, 'UTF8')) <> sha256(convert_to(p_key, 'UTF8')) THEN
        SELECT * INTO g FROM login_failed(u.id, u.email, p_ip, p_device, 'auth.password_change_failed');
        RETURN QUERY SELECT CASE WHEN g.locked THEN 'wrong_locked' ELSE 'wrong' END, g.retry_seconds, g.scope;
        RETURN;
    END IF;
    RETURN QUERY SELECT 'ok'::text, 0, NULL::text;
END $$;

ALTER FUNCTION public.auth_password_check(p_key text, p_ip text, p_device text) OWNER TO portal_owner;

CREATE FUNCTION public.auth_reset_complete(p_token text, p_password_hash text, p_ip text) RETURNS bigint
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $_$
DECLARE
    uid bigint;
    mail text;
BEGIN
    IF p_password_hash !~ '^scrypt\$' THEN
        RAISE EXCEPTION 'not a password hash' USING ERRCODE = 'check_violation';
    END IF;
    UPDATE password_resets SET used_at = now()
     WHERE token_hash = token_digest(p_token) AND purpose = 'reset' AND used_at IS NULL AND expires_at > now()
    RETURNING password_resets.user_id INTO uid;
    IF uid IS NULL THEN
        RETURN NULL;
    END IF;
    UPDATE users SET password_hash = p_password_hash, password_changed_at = now()
     WHERE id = uid AND status = 'active' RETURNING email INTO mail;
    IF mail IS NULL THEN
        RETURN NULL;  -- disabled meanwhile: the link is spent, nothing else changes
    END IF;
    UPDATE password_resets SET used_at = now() WHERE user_id = uid AND used_at IS NULL;
    DELETE FROM sessions WHERE user_id = uid;
    DELETE FROM login_failures WHERE email = lower(mail);
    PERFORM audit_account(uid, 'auth.reset_done', p_ip, jsonb_build_object('email', mail));
    RETURN uid;
END $_$;

ALTER FUNCTION public.auth_reset_complete(p_token text, p_password_hash text, p_ip text) OWNER TO portal_owner;

CREATE FUNCTION public.auth_session_end(p_token text) RETURNS void
    LANGUAGE sql SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
    DELETE FROM sessions WHERE token_hash = token_digest(p_token);
$$;

ALTER FUNCTION public.auth_session_end(p_token text) OWNER TO portal_owner;

CREATE FUNCTION public.auth_session_lookup(p_token text, p_idle integer) RETURNS TABLE(session_id bigint, user_id bigint, email text, name text, unread bigint)
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
DECLARE
    s sessions%ROWTYPE;
BEGIN
    IF NOT token_shaped(p_token) THEN
        RETURN;
    END IF;
    SELECT * INTO s FROM sessions WHERE token_hash = token_digest(p_token);
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

ALTER FUNCTION public.auth_session_lookup(p_token text, p_idle integer) OWNER TO portal_owner;

CREATE FUNCTION public.bell_items(p_user bigint) RETURNS json
    LANGUAGE plpgsql STABLE
    SET search_path TO 'public', 'pg_temp'
    AS $$
DECLARE b json;
BEGIN
    SELECT json_agg(json_build_object('id', n.id, 'title', n.title, 'link', n.link,
                                      'at', to_char(n.created_at, 'YYYY-MM-DD HH24:MI')))
      INTO b
      FROM (SELECT * FROM notifications n WHERE n.user_id = p_user AND n.read_at IS NULL
             ORDER BY n.created_at DESC, n.id DESC LIMIT 5) n;
    RETURN b;
END $$;

ALTER FUNCTION public.bell_items(p_user bigint) OWNER TO portal_owner;

CREATE FUNCTION public.billing_account_end(p_account bigint) RETURNS void
    LANGUAGE plpgsql
    SET search_path TO 'public', 'pg_temp'
    AS $$
DECLARE
    a billing_accounts;
    today date;
BEGIN
    SELECT * INTO a FROM billing_accounts WHERE tenant_id = p_account FOR UPDATE;
    IF NOT FOUND OR a.ends_on IS NOT NULL THEN
        RETURN;
    END IF;
    today := (now() AT TIME ZONE a.time_zone)::date;
    IF a.starts_on >= today THEN
        DELETE FROM billing_accounts WHERE tenant_id = p_account;
        RETURN;
    END IF;
    PERFORM billing_snapshot_take(p_account);
    UPDATE billing_accounts SET ends_on = today - 1 WHERE tenant_id = p_account;
    DELETE FROM billing_snapshots WHERE account_id = p_account AND day >= today;
    DELETE FROM billing_days WHERE account_id = p_account AND day >= today;
    -- a month so far that begins after the end (the end is the 1st's eve)
    DELETE FROM billing_breakdown WHERE account_id = p_account AND month >= today;
    DELETE FROM billing_statements WHERE account_id = p_account AND month >= today AND NOT closed;
    PERFORM billing_account_run(p_account);
    PERFORM stats_touch(ARRAY[p_account]);
END $$;

ALTER FUNCTION public.billing_account_end(p_account bigint) OWNER TO portal_owner;

CREATE FUNCTION public.billing_account_run(p_account bigint) RETURNS integer
    LANGUAGE plpgsql
    SET search_path TO 'public', 'pg_temp'
    SET jit TO 'off'
    AS $$
DECLARE
    a billing_accounts;
    m date;
    today date;
    n int;
BEGIN
    n := billing_snapshot_take(p_account);
    SELECT * INTO a FROM billing_accounts WHERE tenant_id = p_account;
    IF NOT FOUND THEN
        RETURN n;
    END IF;
    today := (now() AT TIME ZONE a.time_zone)::date;
    FOR m IN SELECT g::date FROM generate_series(date_trunc('month', a.starts_on),
                                                 date_trunc('month', least(today, a.ends_on)), interval '1 month') g
              WHERE NOT EXISTS (SELECT 1 FROM billing_statements s
                                 WHERE s.account_id = p_account AND s.month = g::date AND s.closed)
              ORDER BY 1 LOOP
        -- ended: the month is over, or the account is (ends_on before today)
        PERFORM billing_statement_compute(p_account, m,
                                          (m + interval '1 month')::date <= today OR coalesce(a.ends_on < today, false));
    END LOOP;
    RETURN n;
END $$;

ALTER FUNCTION public.billing_account_run(p_account bigint) OWNER TO portal_owner;

CREATE FUNCTION public.billing_adjust(p_account bigint, p_month date, p_amount numeric, p_reason text) RETURNS bigint
    LANGUAGE plpgsql
    SET search_path TO 'public', 'pg_temp'
    AS $$
DECLARE
    id bigint;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM billing_statements s
                    WHERE s.account_id = p_account AND s.month = date_trunc('month', p_month)::date AND s.closed) THEN
        RAISE EXCEPTION 'Tenant % has no closed statement for %: adjust a closed month.', p_account,
            to_char(p_month, 'YYYY-MM') USING ERRCODE = '22023';
    END IF;
    IF p_amount IS NULL OR p_amount = 0 OR p_amount <> round(p_amount, 2) OR abs(p_amount) >= 1e12 THEN
        RAISE EXCEPTION 'An adjustment is an amount other than 0, with at most 2 decimals (negative for a credit).'
            USING ERRCODE = '22023';
    END IF;
    IF length(btrim(coalesce(p_reason, ''))) NOT BETWEEN 3 AND 500 THEN
        RAISE EXCEPTION 'Give the reason of the adjustment (3 to 500 characters).' USING ERRCODE = '22023';
    END IF;
    INSERT INTO billing_adjustments (account_id, root_id, month, amount, reason)
    VALUES (p_account, p_account, date_trunc('month', p_month)::date, p_amount, btrim(p_reason))
    RETURNING billing_adjustments.id INTO id;
    INSERT INTO audit_log (tenant_id, root_id, user_id, action, target, details)
    VALUES (p_account, p_account, NULL, 'billing.adjusted', to_char(p_month, 'YYYY-MM'),
            jsonb_build_object('amount', p_amount, 'reason', btrim(p_reason), 'by', 'operator'));
    PERFORM stats_touch(ARRAY[p_account]); -- the cached pages lapse (page_cache.c)
    RETURN id;
END $$;

ALTER FUNCTION public.billing_adjust(p_account bigint, p_month date, p_amount numeric, p_reason text) OWNER TO portal_owner;

CREATE FUNCTION public.billing_assign(p_tenant bigint, p_book text, p_time_zone text, p_activity_days integer, p_starts_on date) RETURNS void
    LANGUAGE plpgsql
    SET search_path TO 'public', 'pg_temp'
    AS $$
DECLARE
    t tenants;
    book bigint;
BEGIN
    SELECT * INTO t FROM tenants WHERE id = p_tenant;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'No tenant %.', p_tenant USING ERRCODE = '22023';
    END IF;
    IF t.parent_id IS NOT NULL THEN
        RAISE EXCEPTION '% is billed through the account above it: bill its top-level tenant (%).', t.name, t.root_id
            USING ERRCODE = '22023';
    END IF;
    SELECT id INTO book FROM price_books WHERE name = btrim(p_book);
    IF book IS NULL THEN
        RAISE EXCEPTION 'No price book called "%" (ctl billing books lists them).', p_book USING ERRCODE = '22023';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_timezone_names WHERE name = p_time_zone) THEN
        RAISE EXCEPTION 'Unknown time zone "%": use a name such as UTC or Europe/Berlin.', p_time_zone USING ERRCODE = '22023';
    END IF;
    IF p_activity_days IS NULL OR p_activity_days NOT BETWEEN 1 AND 365 THEN
        RAISE EXCEPTION 'The activity window is 1 to 365 days.' USING ERRCODE = '22023';
    END IF;
    p_starts_on := coalesce(p_starts_on, date_trunc('month', now() AT TIME ZONE p_time_zone)::date);
    IF p_starts_on > (now() AT TIME ZONE p_time_zone)::date + 366
       OR p_starts_on < (now() AT TIME ZONE p_time_zone)::date - 366 THEN
        RAISE EXCEPTION 'Billing starts within a year of today.' USING ERRCODE = '22023';
    END IF;
    IF EXISTS (SELECT 1 FROM billing_statements s WHERE s.account_id = p_tenant AND s.closed
                  AND p_starts_on <> (SELECT a.starts_on FROM billing_accounts a WHERE a.tenant_id = p_tenant)) THEN
        RAISE EXCEPTION '% has closed months: its first billed day stays as it is.', t.name USING ERRCODE = '22023';
    END IF;
    INSERT INTO billing_accounts AS a (tenant_id, root_id, book_id, time_zone, activity_days, starts_on)
    VALUES (p_tenant, p_tenant, book, p_time_zone, p_activity_days, p_starts_on)
    ON CONFLICT (tenant_id) DO UPDATE
       SET book_id = excluded.book_id, time_zone = excluded.time_zone, activity_days = excluded.activity_days,
           starts_on = excluded.starts_on, assigned_at = now();
    -- Open days are taken again with the new settings.
    DELETE FROM billing_days d WHERE d.account_id = p_tenant
       AND d.day >= coalesce((SELECT max(s.month) + interval '1 month' FROM billing_statements s
                               WHERE s.account_id = p_tenant AND s.closed), '-infinity');
    DELETE FROM billing_snapshots d WHERE d.account_id = p_tenant
       AND (d.day < p_starts_on OR NOT EXISTS (SELECT 1 FROM billing_days x WHERE x.account_id = p_tenant AND x.day = d.day));
    DELETE FROM billing_statements s WHERE s.account_id = p_tenant AND NOT s.closed;
    PERFORM stats_touch(ARRAY[p_tenant]); -- the cached pages lapse (page_cache.c)
    INSERT INTO audit_log (tenant_id, root_id, user_id, action, target, details)
    VALUES (p_tenant, p_tenant, NULL, 'billing.assigned', t.name,
            jsonb_build_object('book', btrim(p_book), 'time_zone', p_time_zone, 'activity_days', p_activity_days,
                               'starts_on', p_starts_on, 'by', 'operator'));
END $$;

ALTER FUNCTION public.billing_assign(p_tenant bigint, p_book text, p_time_zone text, p_activity_days integer, p_starts_on date) OWNER TO portal_owner;

CREATE FUNCTION public.billing_book_error(p_doc jsonb) RETURNS text
    LANGUAGE plpgsql IMMUTABLE
    SET search_path TO 'public', 'pg_temp'
    AS $_$
DECLARE
    k text;
    m jsonb;
    t jsonb;
    i int;
    n int;
    prev numeric;
BEGIN
    IF jsonb_typeof(p_doc) IS DISTINCT FROM 'object' THEN
        RETURN 'A price book is a JSON object.';
    END IF;
    FOR k IN SELECT jsonb_object_keys(p_doc) LOOP
        IF k NOT IN ('name', 'from', 'currency', 'metering', 'minimum', 'metrics') THEN
            RETURN format('Unknown field "%s": a price book has name, from, currency, metering, minimum and metrics.', k);
        END IF;
    END LOOP;
    IF length(btrim(coalesce(p_doc->>'name', ''))) NOT BETWEEN 1 AND 120 THEN
        RETURN 'name: 1 to 120 characters.';
    END IF;
    IF coalesce(p_doc->>'from', '') !~ '^\d{4}-\d{2}-\d{2}$' THEN
        RETURN 'from: the first day the prices apply, as YYYY-MM-DD.';
    END IF;
    BEGIN
        PERFORM (p_doc->>'from')::date;
    EXCEPTION WHEN datetime_field_overflow OR invalid_datetime_format THEN
        RETURN 'from: the first day the prices apply, as YYYY-MM-DD.';
    END;
    IF coalesce(p_doc->>'currency', '') !~ '^[A-Z]{3}$' THEN
        RETURN 'currency: an ISO 4217 code such as EUR or USD.';
    END IF;
    IF coalesce(p_doc->>'metering', '') NOT IN ('max', 'average', 'last') THEN
        RETURN 'metering: max (the highest daily count of the month), average or last (the last day''s).';
    END IF;
    IF p_doc ? 'minimum' AND coalesce(p_doc->>'minimum', '') !~ '^\d{1,10}(\.\d{1,2})?$' THEN
        RETURN 'minimum: the committed minimum of a month, such as 500.00 (0 or more, at most 2 decimals).';
    END IF;
    IF jsonb_typeof(p_doc->'metrics') IS DISTINCT FROM 'object' OR p_doc->'metrics' = '{}' THEN
        RETURN 'metrics: at least one of tenants, agents, probes, gateways, each with a mode and tiers.';
    END IF;
    FOR k, m IN SELECT key, value FROM jsonb_each(p_doc->'metrics') LOOP
        IF k NOT IN ('tenants', 'agents', 'probes', 'gateways') THEN
            RETURN format('metrics: "%s" is not a metric; the metrics are tenants, agents, probes and gateways.', k);
        END IF;
        IF jsonb_typeof(m) IS DISTINCT FROM 'object' OR coalesce(m->>'mode', '') NOT IN ('graduated', 'volume') THEN
            RETURN format('metrics.%s.mode: graduated (each unit at the rate of its tier) or volume (all units at the rate of the tier reached).', k);
        END IF;
        IF jsonb_typeof(m->'tiers') IS DISTINCT FROM 'array' OR jsonb_array_length(m->'tiers') NOT BETWEEN 1 AND 20 THEN
            RETURN format('metrics.%s.tiers: 1 to 20 tiers.', k);
        END IF;
        n := jsonb_array_length(m->'tiers');
        prev := 0;
        FOR i IN 0 .. n - 1 LOOP
            t := m->'tiers'->i;
            IF jsonb_typeof(t) IS DISTINCT FROM 'object' OR coalesce(t->>'price', '') !~ '^\d{1,10}(\.\d{1,4})?$' THEN
                RETURN format('metrics.%s.tiers[%s].price: a unit price such as 1.50 (0 or more, at most 4 decimals).', k, i);
            END IF;
            IF i = n - 1 THEN
                IF jsonb_typeof(t->'up_to') IS DISTINCT FROM 'null' AND t ? 'up_to' THEN
                    RETURN format('metrics.%s.tiers[%s].up_to: the last tier has no upper bound (null).', k, i);
                END IF;
            ELSIF jsonb_typeof(t->'up_to') IS DISTINCT FROM 'number' OR (t->>'up_to') !~ '^\d{1,9}$'
                  OR (t->>'up_to')::numeric <= prev THEN
                RETURN format('metrics.%s.tiers[%s].up_to: a whole number of units above the tier before (%s).', k, i, prev);
            ELSE
                prev := (t->>'up_to')::numeric;
            END IF;
        END LOOP;
    END LOOP;
    RETURN NULL;
END $_$;

ALTER FUNCTION public.billing_book_error(p_doc jsonb) OWNER TO portal_owner;

CREATE FUNCTION public.billing_book_save(p_doc jsonb) RETURNS bigint
    LANGUAGE plpgsql
    SET search_path TO 'public', 'pg_temp'
    AS $$
DECLARE
    err text := billing_book_error(p_doc);
    book bigint;
    closed_to date;
    id bigint;
BEGIN
    IF err IS NOT NULL THEN
        RAISE EXCEPTION '%', err USING ERRCODE = '22023';
    END IF;
    INSERT INTO price_books (name) VALUES (btrim(p_doc->>'name')) ON CONFLICT (name) DO NOTHING;
    SELECT b.id INTO book FROM price_books b WHERE b.name = btrim(p_doc->>'name') FOR UPDATE;
    SELECT max(s.month + interval '1 month' - interval '1 day')::date INTO closed_to
      FROM billing_statements s JOIN billing_accounts a ON a.tenant_id = s.account_id
     WHERE a.book_id = book AND s.closed;
    IF closed_to IS NOT NULL AND (p_doc->>'from')::date <= closed_to THEN
        RAISE EXCEPTION 'from: % is in a month already closed (up to %); prices apply from % at the earliest.',
            p_doc->>'from', closed_to, closed_to + 1 USING ERRCODE = '22023';
    END IF;
    INSERT INTO price_book_versions AS v (book_id, effective_from, currency, metering, minimum, metrics)
    VALUES (book, (p_doc->>'from')::date, p_doc->>'currency', p_doc->>'metering',
            coalesce((p_doc->>'minimum')::numeric, 0), p_doc->'metrics')
    ON CONFLICT (book_id, effective_from) DO UPDATE
       SET currency = excluded.currency, metering = excluded.metering, minimum = excluded.minimum,
           metrics = excluded.metrics, created_at = now()
    RETURNING v.id INTO id;
    -- The cached pages of the accounts on the book lapse (page_cache.c).
    PERFORM stats_touch(ARRAY(SELECT a.tenant_id FROM billing_accounts a WHERE a.book_id = book));
    RETURN id;
END $$;

ALTER FUNCTION public.billing_book_save(p_doc jsonb) OWNER TO portal_owner;

CREATE FUNCTION public.billing_document(p_tenant bigint, p_month date) RETURNS jsonb
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    SET jit TO 'off'
    AS $$
DECLARE
    a billing_accounts;
    t tenants;
    m date := date_trunc('month', p_month)::date;
    m_end date := (date_trunc('month', p_month) + interval '1 month - 1 day')::date;
    today date;
BEGIN
    IF NOT billing_may_see(p_tenant) THEN
        RETURN NULL;
    END IF;
    SELECT * INTO a FROM billing_accounts WHERE tenant_id = p_tenant;
    IF NOT FOUND THEN
        RETURN NULL;
    END IF;
    SELECT * INTO t FROM tenants WHERE id = p_tenant;
    today := (now() AT TIME ZONE a.time_zone)::date;
    IF (m_end < today OR coalesce(a.ends_on < today, false))
       AND NOT EXISTS (SELECT 1 FROM billing_statements s WHERE s.account_id = p_tenant AND s.month = m AND s.closed) THEN
        PERFORM billing_account_run(p_tenant);
    END IF;
    IF NOT EXISTS (SELECT 1 FROM billing_statements s WHERE s.account_id = p_tenant AND s.month = m) THEN
        RETURN NULL;
    END IF;
    RETURN jsonb_build_object(
        'tenant', jsonb_build_object('id', t.id, 'name', t.name, 'kind', t.kind, 'is_company', false),
        'period', jsonb_build_object('from', m, 'to', m_end, 'days', m_end - m + 1, 'zone', a.time_zone),
        'billing', billing_page(p_tenant, to_char(m, 'YYYY-MM'), 'amount', true, 1, 0, 400));
END $$;

ALTER FUNCTION public.billing_document(p_tenant bigint, p_month date) OWNER TO portal_owner;

CREATE FUNCTION public.billing_export(p_tenant bigint, p_month text) RETURNS TABLE(section text, part_from text, part_to text, tenant_id text, tenant text, msp text, metric text, quantity text, tier text, unit_price text, amount text, note text)
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    SET jit TO 'off'
    AS $_$
DECLARE
    m date;
    doc jsonb;
BEGIN
    IF NOT billing_may_see(p_tenant) THEN
        RETURN;
    END IF;
    IF p_month ~ '^\d{4}-(0[1-9]|1[0-2])$' THEN
        m := to_date(p_month || '-01', 'YYYY-MM-DD');
    ELSE
        SELECT max(s.month) INTO m FROM billing_statements s WHERE s.account_id = p_tenant;
    END IF;
    doc := billing_statement_view(p_tenant, m);
    IF doc IS NULL THEN
        RETURN;
    END IF;
    RETURN QUERY
    SELECT 'charge', p->>'from', p->>'to', NULL, NULL, NULL, mt->>'metric', mt->>'quantity', l->>'range',
           l->>'price', l->>'amount',
           format('%s; %s', mt->>'mode', mt->>'how')
      FROM jsonb_array_elements(doc->'parts') WITH ORDINALITY AS a(p, po),
           jsonb_array_elements(p->'metrics') WITH ORDINALITY AS b(mt, mo),
           jsonb_array_elements(mt->'lines') WITH ORDINALITY AS c(l, lo)
     ORDER BY po, mo, lo;
    RETURN QUERY
    SELECT 'metric', p->>'from', p->>'to', NULL, NULL, NULL, mt->>'metric', mt->>'quantity', NULL, NULL,
           mt->>'amount',
           CASE WHEN (p->>'fraction')::numeric < 1
                THEN format('%s a full month, for %s of %s days', mt->>'full_month', p->>'days', p->>'month_days')
                ELSE 'a full month' END
      FROM jsonb_array_elements(doc->'parts') WITH ORDINALITY AS a(p, po),
           jsonb_array_elements(p->'metrics') WITH ORDINALITY AS b(mt, mo)
     ORDER BY po, mo;
    RETURN QUERY
    SELECT 'minimum', p->>'from', p->>'to', NULL, NULL, NULL, NULL, NULL, NULL, NULL, p->>'minimum',
           format('committed minimum %s a full month', p->>'minimum_full_month')
      FROM jsonb_array_elements(doc->'parts') WITH ORDINALITY AS a(p, po) ORDER BY po;
    RETURN QUERY SELECT 'usage', doc->>'from', doc->>'to', NULL, NULL, NULL, NULL, NULL, NULL, NULL, doc->>'usage', NULL;
    RETURN QUERY SELECT 'topup', doc->>'from', doc->>'to', NULL, NULL, NULL, NULL, NULL, NULL, NULL, doc->>'topup',
                        'up to the committed minimum';
    RETURN QUERY
    SELECT 'adjustment', doc->>'from', doc->>'to', NULL, NULL, NULL, NULL, NULL, NULL, NULL, j->>'amount', j->>'reason'
      FROM jsonb_array_elements(doc->'adjustments') WITH ORDINALITY AS a(j, jo) ORDER BY jo;
    RETURN QUERY SELECT 'total', doc->>'from', doc->>'to', NULL, NULL, NULL, NULL, NULL, NULL, NULL, doc->>'due',
                        concat_ws(' ', doc->>'currency', CASE WHEN (doc->>'closed')::boolean THEN 'closed'
                                                              ELSE 'so far' END);
    RETURN QUERY
    SELECT 'msp', doc->>'from', doc->>'to', x->>'id', NULL, x->>'name', NULL, x->>'tenants', NULL, NULL, x->>'amount',
           format('%s companies, %s agents, %s probes, %s gateways', x->>'companies', x->>'agents', x->>'probes',
                  x->>'gateways')
      FROM jsonb_array_elements(doc->'by_msp') WITH ORDINALITY AS a(x, xo) ORDER BY xo;
    RETURN QUERY
    SELECT 'breakdown', doc->>'from', doc->>'to', b.tenant_id::text, b.tenant_name, b.msp_name, x.metric,
           x.q::text, NULL, NULL, CASE WHEN x.metric = 'share' THEN b.amount::text END,
           CASE WHEN x.metric = 'share' THEN format('%s days counted', b.days) END
      FROM billing_breakdown b
     CROSS JOIN LATERAL (VALUES (1, 'tenants', b.tenants), (2, 'agents', b.agents), (3, 'probes', b.probes),
                                (4, 'gateways', b.gateways), (5, 'share', NULL)) x(o, metric, q)
     WHERE b.account_id = p_tenant AND b.month = m
     ORDER BY lower(b.msp_name) NULLS FIRST, lower(b.tenant_name), b.tenant_id, x.o;
END $_$;

ALTER FUNCTION public.billing_export(p_tenant bigint, p_month text) OWNER TO portal_owner;

CREATE FUNCTION public.billing_frozen() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path TO 'public', 'pg_temp'
    AS $$
BEGIN
    IF TG_TABLE_NAME = 'billing_statements' THEN
        -- Its view may be made again (billing_statement_decorate(): how it
        -- is shown), never what it says.
        IF OLD.closed AND (NEW.account_id, NEW.month, NEW.closed, NEW.document, NEW.computed_at)
                          IS DISTINCT FROM (OLD.account_id, OLD.month, OLD.closed, OLD.document, OLD.computed_at) THEN
            RAISE EXCEPTION 'The statement of % for % is closed: add an adjustment instead.', OLD.account_id,
                OLD.month USING ERRCODE = '55000';
        END IF;
    ELSIF EXISTS (SELECT 1 FROM billing_statements s
                    WHERE s.account_id = OLD.account_id AND s.month = OLD.month AND s.closed) THEN
        RAISE EXCEPTION 'The statement of % for % is closed: add an adjustment instead.', OLD.account_id, OLD.month
            USING ERRCODE = '55000';
    END IF;
    RETURN CASE TG_OP WHEN 'DELETE' THEN OLD ELSE NEW END;
END $$;

ALTER FUNCTION public.billing_frozen() OWNER TO portal_owner;

CREATE FUNCTION public.billing_may_see(p_account bigint) RETURNS boolean
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
    SELECT EXISTS (SELECT 1 FROM tenants t
                    WHERE t.id = p_account AND t.status = 'active'
                      AND ((t.kind = 'mssp' AND t.parent_id IS NULL AND effective_role(t.id) = 'mssp_admin')
                           OR (t.kind = 'msp' AND effective_role(t.id) = 'owner'
                               AND (t.parent_id IS NULL
                                    OR EXISTS (SELECT 1 FROM billing_accounts a WHERE a.tenant_id = t.id)))))
$$;

ALTER FUNCTION public.billing_may_see(p_account bigint) OWNER TO portal_owner;

CREATE FUNCTION public.billing_metric_label(p_metric text) RETURNS text
    LANGUAGE sql IMMUTABLE
    SET search_path TO 'public', 'pg_temp'
    AS $$
    SELECT CASE p_metric WHEN 'tenants' THEN 'Companies' WHEN 'agents' THEN 'Agents' WHEN 'probes' THEN 'Probes'
                         WHEN 'gateways' THEN 'Gateways' END
$$;

ALTER FUNCTION public.billing_metric_label(p_metric text) OWNER TO portal_owner;

CREATE FUNCTION public.billing_money(p numeric) RETURNS text
    LANGUAGE sql IMMUTABLE
    SET search_path TO 'public', 'pg_temp'
    AS $$
    SELECT CASE WHEN p IS NULL THEN NULL
                WHEN p = round(p, 2) THEN to_char(p, 'FM999,999,999,999,990.00')
                ELSE rtrim(to_char(p, 'FM999,999,999,999,990.0000'), '0') END
$$;

ALTER FUNCTION public.billing_money(p numeric) OWNER TO portal_owner;

CREATE FUNCTION public.billing_page(p_tenant bigint, p_month text, p_sort text, p_desc boolean, p_page integer, p_msp bigint, p_rows integer) RETURNS jsonb
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    SET jit TO 'off'
    AS $_$
DECLARE
    t tenants;
    a billing_accounts;
    m date;
    doc jsonb;
    months jsonb;
    by_msp jsonb;
    rows jsonb;
    total int;
    chart jsonb;
    book jsonb;
    pg int := greatest(coalesce(p_page, 1), 1);
    nrows int := least(greatest(coalesce(p_rows, 25), 1), 1000);
    sort text := CASE WHEN p_sort IN ('name', 'agents', 'probes', 'gateways', 'amount')
                      THEN p_sort ELSE 'amount' END;
BEGIN
    SELECT * INTO t FROM tenants WHERE id = p_tenant;
    IF NOT FOUND THEN
        RETURN NULL;
    END IF;
    IF NOT billing_may_see(p_tenant) THEN
        IF t.parent_id IS NOT NULL AND t.kind = 'msp' AND effective_role(p_tenant) = 'owner' THEN
            RETURN jsonb_build_object('billed_above', true);
        END IF;
        RETURN NULL;
    END IF;
    SELECT * INTO a FROM billing_accounts WHERE tenant_id = p_tenant;
    IF NOT FOUND THEN
        RETURN jsonb_build_object('account', NULL);
    END IF;
    SELECT coalesce(jsonb_agg(jsonb_build_object(
               'month', to_char(s.month, 'YYYY-MM'), 'label', to_char(s.month, 'FMMonth YYYY'), 'closed', s.closed,
               'due_text', billing_money((s.document->>'total')::numeric
                                         + coalesce((SELECT sum(j.amount) FROM billing_adjustments j
                                                      WHERE j.account_id = s.account_id AND j.month = s.month), 0)),
               'currency', s.document->>'currency') ORDER BY s.month DESC), '[]')
      INTO months FROM billing_statements s WHERE s.account_id = p_tenant;
    IF p_month ~ '^\d{4}-(0[1-9]|1[0-2])$' THEN
        m := to_date(p_month || '-01', 'YYYY-MM-DD');
    ELSE
        SELECT max(s.month) INTO m FROM billing_statements s WHERE s.account_id = p_tenant;
    END IF;
    doc := billing_statement_view(p_tenant, m);
    total := CASE WHEN coalesce(p_msp, 0) = 0 THEN coalesce((doc->>'tenants_counted')::int, 0)
                  ELSE coalesce((SELECT (x->>'tenants')::int FROM jsonb_array_elements(doc->'by_msp') x
                                  WHERE (x->>'id')::bigint = p_msp), 0) END;
    -- The MSPs with the largest share (all of them in the CSV).
    by_msp := coalesce((SELECT jsonb_agg(x ORDER BY o) FROM jsonb_array_elements(doc->'by_msp') WITH ORDINALITY AS w(x, o)
                         WHERE o <= CASE WHEN nrows > 25 THEN nrows ELSE 20 END), '[]');
    -- A page in the order asked: every tenant, a range of that order's
    -- positions (pos_*, billing_statement_compute()) read from its index;
    -- one MSP's, its rows (few) sorted by the same positions.
    EXECUTE format($q$
        SELECT coalesce(jsonb_agg(jsonb_build_object(
                   'id', b.tenant_id, 'name', b.tenant_name, 'kind', b.tenant_kind, 'msp_id', b.msp_id,
                   'msp', b.msp_name, 'days', b.days, 'tenants', b.tenants, 'agents', b.agents, 'probes', b.probes,
                   'gateways', b.gateways, 'amount', b.amount, 'amount_text', billing_money(b.amount),
                   'exists', EXISTS (SELECT 1 FROM tenants x WHERE x.id = b.tenant_id AND x.status = 'active'))
                   ORDER BY o), '[]')
          FROM (SELECT b.*, row_number() OVER () AS o FROM (
                  SELECT * FROM billing_breakdown b
                   WHERE b.account_id = $1 AND b.month = $2 %3$s
                   ORDER BY b.%1$I %2$s %4$s) b) b$q$,
        'pos_' || sort, CASE WHEN p_desc THEN 'DESC' ELSE 'ASC' END,
        CASE WHEN coalesce(p_msp, 0) <> 0 THEN 'AND b.msp_id = $3'
             WHEN p_desc THEN format('AND $3 = 0 AND b.%I BETWEEN $6 - $4 - $5 + 1 AND $6 - $4', 'pos_' || sort)
             ELSE format('AND $3 = 0 AND b.%I BETWEEN $4 + 1 AND $4 + $5', 'pos_' || sort) END,
        CASE WHEN coalesce(p_msp, 0) <> 0 THEN 'OFFSET $4 LIMIT $5' ELSE '' END)
      INTO rows USING p_tenant, m, coalesce(p_msp, 0), (pg - 1) * nrows, nrows, total;
    chart := doc->'chart';

    SELECT jsonb_build_object('name', b.name, 'versions', coalesce(jsonb_agg(jsonb_build_object(
               'from', v.effective_from, 'currency', v.currency, 'metering', v.metering,
               'metering_text', CASE v.metering WHEN 'max' THEN 'the highest daily count of the month'
                                                WHEN 'average' THEN 'the average daily count, rounded up'
                                                ELSE 'the count of the month''s last day' END,
               'minimum_text', billing_money(v.minimum),
               'metrics', (SELECT jsonb_agg(jsonb_build_object(
                               'label', billing_metric_label(x.key),
                               'mode', x.value->>'mode',
                               'tiers', (SELECT jsonb_agg(jsonb_build_object(
                                             'range', CASE WHEN jsonb_typeof(tr->'up_to') = 'number'
                                                           THEN format('up to %s', tr->>'up_to') ELSE 'above' END,
                                             'price_text', billing_money((tr->>'price')::numeric)) ORDER BY tro)
                                           FROM jsonb_array_elements(x.value->'tiers') WITH ORDINALITY AS q(tr, tro)))
                               ORDER BY array_position(ARRAY['tenants', 'agents', 'probes', 'gateways'], x.key))
                             FROM jsonb_each(v.metrics) x)) ORDER BY v.effective_from DESC), '[]'))
      INTO book
      FROM price_books b JOIN price_book_versions v ON v.book_id = b.id
     WHERE b.id = a.book_id GROUP BY b.name;
    RETURN jsonb_build_object(
        'account', jsonb_build_object('id', t.id, 'name', t.name, 'kind', t.kind, 'time_zone', a.time_zone,
                                      'activity_days', a.activity_days, 'starts_on', a.starts_on,
                                      'ends_on', a.ends_on, 'billed_above', t.parent_id IS NOT NULL),
        'months', months, 'month', to_char(m, 'YYYY-MM'), 'statement', doc - 'by_msp', 'by_msp', by_msp,
        'msps_total', jsonb_array_length(coalesce(doc->'by_msp', '[]')),
        'msps_shown', jsonb_array_length(by_msp),
        'msps_more', jsonb_array_length(coalesce(doc->'by_msp', '[]')) > jsonb_array_length(by_msp),
        'companies', rows, 'companies_total', total, 'page', pg,
        'prev_page', CASE WHEN pg > 1 THEN pg - 1 END,
        'next_page', CASE WHEN pg * nrows < total THEN pg + 1 END, 'rows', nrows,
        'sort', sort, 'desc', p_desc, 'msp', nullif(p_msp, 0), 'chart', chart, 'book', book);
END $_$;

ALTER FUNCTION public.billing_page(p_tenant bigint, p_month text, p_sort text, p_desc boolean, p_page integer, p_msp bigint, p_rows integer) OWNER TO portal_owner;

CREATE FUNCTION public.billing_run() RETURNS integer
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    SET max_parallel_workers_per_gather TO '0'
    SET jit TO 'off'
    AS $$
DECLARE
    a billing_accounts;
    n int := 0;
    done bigint[] := '{}';
BEGIN
    FOR a IN SELECT * FROM billing_accounts b
              WHERE b.ends_on IS NULL
                 OR NOT EXISTS (SELECT 1 FROM billing_statements s WHERE s.account_id = b.tenant_id
                                   AND s.month = date_trunc('month', b.ends_on)::date AND s.closed)
              ORDER BY b.tenant_id LOOP
        BEGIN
            n := n + billing_account_run(a.tenant_id);
            done := done || a.tenant_id;
        EXCEPTION WHEN OTHERS THEN
            RAISE WARNING 'billing of account %: %', a.tenant_id, SQLERRM;
        END;
    END LOOP;
    -- The workers' cached Billing pages of those accounts lapse
    -- (page_cache.c); last, so the accounts' tenant_stats rows, which
    -- every ingest batch below them writes too, are locked only until
    -- the commit.
    PERFORM stats_touch(done);
    RETURN n;
END $$;

ALTER FUNCTION public.billing_run() OWNER TO portal_owner;

CREATE FUNCTION public.billing_snapshot_take(p_account bigint) RETURNS integer
    LANGUAGE plpgsql
    SET search_path TO 'public', 'pg_temp'
    AS $$
DECLARE
    a billing_accounts;
    today date;
    d date;
    days date[];
    n int;
BEGIN
    PERFORM pg_advisory_xact_lock(hashtextextended('billing_snapshot_take', p_account));
    SELECT * INTO a FROM billing_accounts WHERE tenant_id = p_account;
    IF NOT FOUND THEN
        RETURN 0;
    END IF;
    today := (now() AT TIME ZONE a.time_zone)::date;
    -- The days to take: those not final, from the first one on.
    days := ARRAY(SELECT g::date FROM generate_series(a.starts_on, least(today, a.ends_on), interval '1 day') g
                   WHERE NOT EXISTS (SELECT 1 FROM billing_days b
                                      WHERE b.account_id = p_account AND b.day = g::date AND b.final)
                   ORDER BY 1);
    n := cardinality(days);
    IF n = 0 THEN
        RETURN 0;
    END IF;
    d := days[1];
    DELETE FROM billing_snapshots s WHERE s.account_id = p_account AND s.day = ANY (days);
    -- One pass over the account's assets for all those days: an asset
    -- counts from the day it was added to the last day of its activity
    -- window (+1 that day, -1 the day after), the counts of a day are the
    -- running sum of the changes up to it, per tenant.
    INSERT INTO billing_snapshots (account_id, root_id, day, tenant_id, tenant_name, tenant_kind, msp_id,
                                   msp_name, tenants, agents, probes, gateways)
    WITH span AS MATERIALIZED (
        SELECT s.tenant_id, s.kind, greatest((s.created_at AT TIME ZONE a.time_zone)::date, d) AS first_day,
               s.last_seen_on + a.activity_days AS gone_day
          FROM assets s
         WHERE s.root_id = p_account AND s.kind IN ('agent', 'probe', 'gateway')
           AND (s.created_at AT TIME ZONE a.time_zone)::date <= today
           AND s.last_seen_on + a.activity_days > d
           AND (s.created_at AT TIME ZONE a.time_zone)::date < s.last_seen_on + a.activity_days),
    delta AS (
        SELECT e.tenant_id, e.day,
               sum(e.n) FILTER (WHERE e.kind = 'agent') AS agents,
               sum(e.n) FILTER (WHERE e.kind = 'probe') AS probes,
               sum(e.n) FILTER (WHERE e.kind = 'gateway') AS gateways
          FROM (SELECT tenant_id, kind, first_day AS day, 1 AS n FROM span
                UNION ALL
                SELECT tenant_id, kind, gone_day, -1 FROM span WHERE gone_day <= today) e
         GROUP BY e.tenant_id, e.day),
    tree AS (
        SELECT t.id, t.name, t.kind, (t.created_at AT TIME ZONE a.time_zone)::date AS added,
               CASE WHEN t.kind = 'msp' THEN t.id WHEN p.kind = 'msp' THEN p.id END AS msp_id,
               CASE WHEN t.kind = 'msp' THEN t.name WHEN p.kind = 'msp' THEN p.name END AS msp_name
          FROM tenants t LEFT JOIN tenants p ON p.id = t.parent_id
         WHERE t.root_id = p_account AND t.status = 'active'),
    grid AS (
        SELECT tree.*, g::date AS day,
               sum(coalesce(x.agents, 0)) OVER w AS agents, sum(coalesce(x.probes, 0)) OVER w AS probes,
               sum(coalesce(x.gateways, 0)) OVER w AS gateways
          FROM tree CROSS JOIN generate_series(d, today, interval '1 day') g
          LEFT JOIN delta x ON x.tenant_id = tree.id AND x.day = g::date
        WINDOW w AS (PARTITION BY tree.id ORDER BY g::date))
    SELECT p_account, p_account, grid.day, grid.id, grid.name, grid.kind, grid.msp_id, grid.msp_name,
           (grid.kind = 'company')::int, grid.agents, grid.probes, grid.gateways
      FROM grid
     WHERE grid.day = ANY (days) AND grid.added <= grid.day
       AND (grid.kind = 'company' OR grid.agents + grid.probes + grid.gateways > 0);
    INSERT INTO billing_days AS b (account_id, root_id, day, final, taken_at, tenants, agents, probes, gateways)
    SELECT p_account, p_account, t.day, t.day < today, now(), coalesce(sum(s.tenants), 0), coalesce(sum(s.agents), 0),
           coalesce(sum(s.probes), 0), coalesce(sum(s.gateways), 0)
      FROM unnest(days) t(day) LEFT JOIN billing_snapshots s ON s.account_id = p_account AND s.day = t.day
     GROUP BY t.day
    ON CONFLICT (account_id, day) DO UPDATE
       SET final = excluded.final, taken_at = excluded.taken_at, tenants = excluded.tenants,
           agents = excluded.agents, probes = excluded.probes, gateways = excluded.gateways;
    RETURN n;
END $$;

ALTER FUNCTION public.billing_snapshot_take(p_account bigint) OWNER TO portal_owner;

CREATE FUNCTION public.billing_statement_compute(p_account bigint, p_month date, p_close boolean) RETURNS jsonb
    LANGUAGE plpgsql
    SET search_path TO 'public', 'pg_temp'
    SET jit TO 'off'
    AS $_$
DECLARE
    a billing_accounts;
    acct tenants;
    st billing_statements;
    m_start date := date_trunc('month', p_month)::date;
    m_end date := (date_trunc('month', p_month) + interval '1 month' - interval '1 day')::date;
    month_days int;
    today date;
    first_day date;
    last_day date;
    seg record;
    met text;
    metrics text[] := ARRAY['tenants', 'agents', 'probes', 'gateways'];
    q numeric;
    how text;
    qday date;
    charge jsonb;
    amount numeric;
    seg_amount numeric;
    seg_min numeric;
    frac numeric;
    segs jsonb := '[]';
    alloc jsonb := '[]';
    mlines jsonb;
    seg_alloc jsonb;
    usage numeric := 0;
    minimum numeric := 0;
    topup numeric;
    currency text;
    metering text;
    ndays int;
    doc jsonb;
BEGIN
    SELECT * INTO a FROM billing_accounts WHERE tenant_id = p_account;
    IF NOT FOUND THEN
        RETURN NULL;
    END IF;
    SELECT * INTO st FROM billing_statements s WHERE s.account_id = p_account AND s.month = m_start FOR UPDATE;
    IF FOUND AND st.closed THEN
        RETURN st.document;
    END IF;
    SELECT * INTO acct FROM tenants WHERE id = p_account;
    today := (now() AT TIME ZONE a.time_zone)::date;
    month_days := m_end - m_start + 1;
    first_day := greatest(m_start, a.starts_on);
    last_day := least(m_end, today, a.ends_on); -- least() passes over a NULL
    IF p_close AND today <= least(m_end, a.ends_on) THEN
        RAISE EXCEPTION 'The month of % has not ended in %.', m_start, a.time_zone USING ERRCODE = '22023';
    END IF;
    -- The parts: each version in effect in the month (one starting after
    -- today is not in effect yet).
    FOR seg IN
        WITH v AS (
            SELECT v.*, lead(v.effective_from) OVER (ORDER BY v.effective_from) AS next_from
              FROM price_book_versions v
             WHERE v.book_id = a.book_id AND v.effective_from <= least(m_end, greatest(today, m_start), a.ends_on))
        SELECT v.*, greatest(v.effective_from, first_day) AS s_from,
               least(coalesce(v.next_from - 1, m_end), m_end, a.ends_on) AS s_to
          FROM v
         WHERE coalesce(v.next_from - 1, m_end) >= first_day AND first_day <= least(m_end, a.ends_on)
         ORDER BY v.effective_from
    LOOP
        currency := seg.currency;
        metering := seg.metering;
        frac := round((seg.s_to - seg.s_from + 1)::numeric / month_days, 6);
        SELECT count(*) INTO ndays FROM billing_days b
         WHERE b.account_id = p_account AND b.day BETWEEN seg.s_from AND least(seg.s_to, last_day);
        mlines := '[]';
        seg_alloc := jsonb_build_object('s_from', seg.s_from, 's_to', least(seg.s_to, last_day));
        seg_amount := 0;
        FOREACH met IN ARRAY metrics LOOP
            CONTINUE WHEN NOT seg.metrics ? met;
            -- The quantity by the metering rule, and the day it comes from.
            EXECUTE format($q$
                SELECT %1$s, %2$s FROM (
                  SELECT b.%3$I AS n, b.day FROM billing_days b
                   WHERE b.account_id = $1 AND b.day BETWEEN $2 AND $3) x$q$,
                CASE seg.metering WHEN 'max' THEN 'coalesce(max(n), 0)'
                                  WHEN 'average' THEN 'coalesce(ceil(avg(n)), 0)'
                                  ELSE 'coalesce((array_agg(n ORDER BY day DESC))[1], 0)' END,
                CASE seg.metering WHEN 'max' THEN '(array_agg(day ORDER BY n DESC, day))[1]'
                                  WHEN 'average' THEN 'NULL::date'
                                  ELSE 'max(day)' END,
                met)
              INTO q, qday USING p_account, seg.s_from, least(seg.s_to, last_day);
            how := CASE seg.metering
                WHEN 'max' THEN CASE WHEN qday IS NULL THEN 'no day counted yet'
                                     ELSE format('the highest daily count, on %s', qday) END
                WHEN 'average' THEN format('the average of %s daily counts, rounded up', ndays)
                ELSE CASE WHEN qday IS NULL THEN 'no day counted yet' ELSE format('the count of %s', qday) END END;
            charge := billing_tier_charge(seg.metrics->met, q);
            amount := round((charge->>'amount')::numeric * frac, 2);
            seg_amount := seg_amount + amount;
            mlines := mlines || jsonb_build_object('metric', met, 'quantity', q, 'how', how,
                                                   'mode', seg.metrics->met->>'mode', 'lines', charge->'lines',
                                                   'full_month', charge->'amount', 'amount', amount);
            seg_alloc := seg_alloc || jsonb_build_object('a_' || met, amount);
        END LOOP;
        seg_min := round(seg.minimum * frac, 2);
        usage := usage + seg_amount;
        minimum := minimum + seg_min;
        segs := segs || jsonb_build_object(
            'from', seg.s_from, 'to', seg.s_to, 'days', seg.s_to - seg.s_from + 1, 'month_days', month_days,
            'fraction', frac, 'book', (SELECT name FROM price_books WHERE id = a.book_id),
            'effective_from', seg.effective_from, 'currency', seg.currency, 'metering', seg.metering,
            'minimum_full_month', seg.minimum, 'minimum', seg_min, 'metrics', mlines, 'usage', seg_amount);
        alloc := alloc || seg_alloc;
    END LOOP;
    topup := greatest(minimum - usage, 0);
    SELECT count(*) INTO ndays FROM billing_days b WHERE b.account_id = p_account AND b.day BETWEEN first_day AND last_day;
    doc := jsonb_build_object(
        'account', jsonb_build_object('id', acct.id, 'name', acct.name, 'kind', acct.kind),
        'month', to_char(m_start, 'YYYY-MM'), 'from', m_start, 'to', m_end, 'first_day', first_day,
        'days_counted', ndays, 'month_days', month_days, 'time_zone', a.time_zone,
        'activity_days', a.activity_days, 'closed', p_close, 'computed_at', now(),
        'currency', currency, 'metering', metering, 'parts', segs,
        'usage', usage, 'minimum', minimum, 'topup', topup, 'total', usage + topup,
        'daily', coalesce((SELECT jsonb_agg(jsonb_build_object('day', b.day, 'tenants', b.tenants, 'agents', b.agents,
                                                               'probes', b.probes, 'gateways', b.gateways)
                                            ORDER BY b.day)
                             FROM billing_days b WHERE b.account_id = p_account AND b.day BETWEEN m_start AND m_end),
                          '[]'));
    INSERT INTO billing_statements AS s (account_id, root_id, month, closed, document, computed_at)
    VALUES (p_account, p_account, m_start, false, doc, now())
    ON CONFLICT (account_id, month) DO UPDATE
       SET closed = excluded.closed, document = excluded.document, computed_at = excluded.computed_at;
    DELETE FROM billing_breakdown WHERE account_id = p_account AND month = m_start;
    INSERT INTO billing_breakdown (account_id, root_id, month, tenant_id, tenant_name, tenant_kind, msp_id, msp_name,
                                   days, tenants, agents, probes, gateways, amount, pos_amount, pos_name, pos_agents,
                                   pos_probes, pos_gateways)
    WITH parts AS (
        SELECT * FROM jsonb_to_recordset(alloc) AS x(s_from date, s_to date, a_tenants numeric, a_agents numeric,
                                                     a_probes numeric, a_gateways numeric)),
    s AS (
        SELECT * FROM billing_snapshots s WHERE s.account_id = p_account AND s.day BETWEEN first_day AND last_day),
    ud AS (
        SELECT s.tenant_id, parts.s_from, sum(s.tenants) AS t, sum(s.agents) AS ag, sum(s.probes) AS pr,
               sum(s.gateways) AS gw
          FROM s JOIN parts ON s.day BETWEEN parts.s_from AND parts.s_to GROUP BY 1, 2),
    tot AS (
        SELECT ud.s_from, sum(t) AS t, sum(ag) AS ag, sum(pr) AS pr, sum(gw) AS gw FROM ud GROUP BY 1),
    share AS (
        SELECT ud.tenant_id,
               sum(coalesce(ud.t / nullif(tot.t, 0) * parts.a_tenants, 0)
                   + coalesce(ud.ag / nullif(tot.ag, 0) * parts.a_agents, 0)
                   + coalesce(ud.pr / nullif(tot.pr, 0) * parts.a_probes, 0)
                   + coalesce(ud.gw / nullif(tot.gw, 0) * parts.a_gateways, 0)) AS amount
          FROM ud JOIN tot USING (s_from) JOIN parts USING (s_from) GROUP BY 1),
    qty AS (
        SELECT s.tenant_id, (array_agg(s.tenant_name ORDER BY s.day DESC))[1] AS tenant_name,
               (array_agg(s.tenant_kind ORDER BY s.day DESC))[1] AS tenant_kind,
               (array_agg(s.msp_id ORDER BY s.day DESC))[1] AS msp_id,
               (array_agg(s.msp_name ORDER BY s.day DESC))[1] AS msp_name, count(*) AS days,
               CASE coalesce(metering, 'max')
                   WHEN 'max' THEN max(s.tenants) WHEN 'average' THEN round(sum(s.tenants)::numeric / greatest(ndays, 1), 2)
                   ELSE coalesce(sum(s.tenants) FILTER (WHERE s.day = last_day), 0) END AS tenants,
               CASE coalesce(metering, 'max')
                   WHEN 'max' THEN max(s.agents) WHEN 'average' THEN round(sum(s.agents)::numeric / greatest(ndays, 1), 2)
                   ELSE coalesce(sum(s.agents) FILTER (WHERE s.day = last_day), 0) END AS agents,
               CASE coalesce(metering, 'max')
                   WHEN 'max' THEN max(s.probes) WHEN 'average' THEN round(sum(s.probes)::numeric / greatest(ndays, 1), 2)
                   ELSE coalesce(sum(s.probes) FILTER (WHERE s.day = last_day), 0) END AS probes,
               CASE coalesce(metering, 'max')
                   WHEN 'max' THEN max(s.gateways) WHEN 'average' THEN round(sum(s.gateways)::numeric / greatest(ndays, 1), 2)
                   ELSE coalesce(sum(s.gateways) FILTER (WHERE s.day = last_day), 0) END AS gateways
          FROM s GROUP BY s.tenant_id)
    SELECT p_account, p_account, m_start, qt.tenant_id, qt.tenant_name, qt.tenant_kind, qt.msp_id, qt.msp_name, qt.days,
           qt.tenants, qt.agents, qt.probes, qt.gateways, round(coalesce(share.amount, 0), 2),
           -- each row's place in each order the page offers (it pages by them)
           row_number() OVER (ORDER BY round(coalesce(share.amount, 0), 2), qt.tenant_id),
           row_number() OVER (ORDER BY lower(qt.tenant_name), qt.tenant_id),
           row_number() OVER (ORDER BY qt.agents, qt.tenant_id), row_number() OVER (ORDER BY qt.probes, qt.tenant_id),
           row_number() OVER (ORDER BY qt.gateways, qt.tenant_id)
      FROM qty qt LEFT JOIN share USING (tenant_id);
    -- What the page shows of the breakdown as a whole, stored with it: the
    -- tenants counted and the sums per MSP (the page reads them, not the
    -- rows).
    doc := doc || jsonb_build_object(
        'tenants_counted', (SELECT count(*) FROM billing_breakdown b WHERE b.account_id = p_account AND b.month = m_start),
        'by_msp', (SELECT coalesce(jsonb_agg(x ORDER BY x.amount DESC, x.name), '[]') FROM (
            SELECT b.msp_id AS id, coalesce(max(b.msp_name), 'Direct customers') AS name, count(*) AS tenants,
                   count(*) FILTER (WHERE b.tenant_kind = 'company') AS companies,
                   sum(b.agents) AS agents, sum(b.probes) AS probes, sum(b.gateways) AS gateways,
                   sum(b.amount) AS amount
              FROM billing_breakdown b WHERE b.account_id = p_account AND b.month = m_start
             GROUP BY b.msp_id) x));
    UPDATE billing_statements s SET document = doc, view = billing_statement_decorate(doc), closed = p_close
     WHERE s.account_id = p_account AND s.month = m_start;
    RETURN doc;
END $_$;

ALTER FUNCTION public.billing_statement_compute(p_account bigint, p_month date, p_close boolean) OWNER TO portal_owner;

CREATE FUNCTION public.billing_statement_decorate(p_doc jsonb) RETURNS jsonb
    LANGUAGE plpgsql IMMUTABLE
    SET search_path TO 'public', 'pg_temp'
    SET jit TO 'off'
    AS $$
BEGIN
    RETURN p_doc || jsonb_build_object(
        'computed_at_text', to_char((p_doc->>'computed_at')::timestamptz AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI'),
        'usage_text', billing_money((p_doc->>'usage')::numeric),
        'minimum_text', billing_money((p_doc->>'minimum')::numeric),
        'topup_text', billing_money((p_doc->>'topup')::numeric),
        'by_msp', coalesce((SELECT jsonb_agg(x || jsonb_build_object('amount_text', billing_money((x->>'amount')::numeric))
                                             ORDER BY xo)
                              FROM jsonb_array_elements(p_doc->'by_msp') WITH ORDINALITY AS w(x, xo)), '[]'),
        'chart', (SELECT coalesce(jsonb_agg(jsonb_build_object('metric', k.metric, 'label', k.label, 'max', k.mx,
               'bars', (SELECT coalesce(jsonb_agg(jsonb_build_object(
                               'x', 70 + 8 * (d.ord - 1), 'y', 70 - CASE WHEN k.mx = 0 THEN 0 ELSE round(60.0 * d.n / k.mx) END,
                               'h', CASE WHEN k.mx = 0 THEN 0 ELSE round(60.0 * d.n / k.mx) END,
                               'day', d.day, 'n', d.n) ORDER BY d.ord), '[]')
                          FROM (SELECT (e->>'day') AS day, (e->>k.metric)::int AS n, o AS ord
                                  FROM jsonb_array_elements(p_doc->'daily') WITH ORDINALITY AS z(e, o)) d),
               'summary', format('%s per day, %s to %s, at most %s', lower(k.label), p_doc->>'from', p_doc->>'to', k.mx))
               ORDER BY k.o), '[]')
      FROM (SELECT v.metric, billing_metric_label(v.metric) AS label, v.o,
                   coalesce((SELECT max((e->>v.metric)::int) FROM jsonb_array_elements(p_doc->'daily') e), 0) AS mx
              FROM (VALUES ('tenants', 1), ('agents', 2), ('probes', 3), ('gateways', 4)) v(metric, o)) k),
        'parts', coalesce((
            SELECT jsonb_agg(p || jsonb_build_object(
                'minimum_text', billing_money((p->>'minimum')::numeric),
                'minimum_full_month_text', billing_money((p->>'minimum_full_month')::numeric),
                'usage_text', billing_money((p->>'usage')::numeric),
                'prorated', (p->>'fraction')::numeric < 1,
                'metrics', coalesce((
                    SELECT jsonb_agg(mt || jsonb_build_object(
                        'label', billing_metric_label(mt->>'metric'),
                        'amount_text', billing_money((mt->>'amount')::numeric),
                        'full_month_text', billing_money((mt->>'full_month')::numeric),
                        'lines', coalesce((
                            SELECT jsonb_agg(l || jsonb_build_object(
                                'range', CASE WHEN jsonb_typeof(l->'to') = 'number'
                                              THEN format('%s–%s', l->>'from', l->>'to')
                                              ELSE format('%s and above', l->>'from') END,
                                'price_text', billing_money((l->>'price')::numeric),
                                'amount_text', billing_money((l->>'amount')::numeric)) ORDER BY lo)
                              FROM jsonb_array_elements(mt->'lines') WITH ORDINALITY AS x(l, lo)), '[]'))
                        ORDER BY mo)
                      FROM jsonb_array_elements(p->'metrics') WITH ORDINALITY AS y(mt, mo)), '[]'))
                ORDER BY po)
              FROM jsonb_array_elements(p_doc->'parts') WITH ORDINALITY AS z(p, po)), '[]'));
END $$;

ALTER FUNCTION public.billing_statement_decorate(p_doc jsonb) OWNER TO portal_owner;

CREATE FUNCTION public.billing_statement_view(p_account bigint, p_month date) RETURNS jsonb
    LANGUAGE plpgsql STABLE
    SET search_path TO 'public', 'pg_temp'
    AS $$
BEGIN
    RETURN (
    WITH adj AS (SELECT coalesce(jsonb_agg(jsonb_build_object('id', j.id, 'amount', j.amount,
                                                              'amount_text', billing_money(j.amount), 'reason', j.reason,
                                                              'at', to_char(j.created_at, 'YYYY-MM-DD HH24:MI'))
                                           ORDER BY j.id), '[]') AS list,
                        coalesce(sum(j.amount), 0) AS total
                   FROM billing_adjustments j WHERE j.account_id = p_account AND j.month = p_month)
    SELECT s.view || jsonb_build_object(
        'adjustments', adj.list, 'adjustments_total', adj.total,
        'due', (s.document->>'total')::numeric + adj.total,
        'due_text', billing_money((s.document->>'total')::numeric + adj.total))
      FROM billing_statements s, adj
     WHERE s.account_id = p_account AND s.month = p_month);
END $$;

ALTER FUNCTION public.billing_statement_view(p_account bigint, p_month date) OWNER TO portal_owner;

CREATE FUNCTION public.billing_tier_charge(p_metric jsonb, p_qty numeric) RETURNS jsonb
    LANGUAGE plpgsql IMMUTABLE
    SET search_path TO 'public', 'pg_temp'
    AS $$
DECLARE
    mode text := p_metric->>'mode';
    t jsonb;
    prev numeric := 0;
    cap numeric;
    units numeric;
    price numeric;
    amount numeric;
    total numeric := 0;
    lines jsonb := '[]';
BEGIN
    IF p_qty IS NULL OR p_qty < 0 THEN
        RAISE EXCEPTION 'billing_tier_charge: a quantity of 0 or more' USING ERRCODE = '22023';
    END IF;
    FOR t IN SELECT value FROM jsonb_array_elements(p_metric->'tiers') LOOP
        cap := (t->>'up_to')::numeric;  -- NULL: no upper bound
        price := (t->>'price')::numeric;
        IF mode = 'volume' THEN
            IF cap IS NULL OR p_qty <= cap THEN
                IF p_qty > 0 THEN
                    amount := round(p_qty * price, 2);
                    lines := lines || jsonb_build_object('from', prev + 1, 'to', cap, 'units', p_qty,
                                                         'price', price, 'amount', amount);
                    total := amount;
                END IF;
                EXIT;
            END IF;
        ELSE
            units := least(p_qty, coalesce(cap, p_qty)) - prev;
            IF units > 0 THEN
                amount := round(units * price, 2);
                lines := lines || jsonb_build_object('from', prev + 1, 'to', cap, 'units', units,
                                                     'price', price, 'amount', amount);
                total := total + amount;
            END IF;
            EXIT WHEN cap IS NULL OR p_qty <= cap;
        END IF;
        prev := cap;
    END LOOP;
    RETURN jsonb_build_object('mode', mode, 'quantity', p_qty, 'lines', lines, 'amount', total);
END $$;

ALTER FUNCTION public.billing_tier_charge(p_metric jsonb, p_qty numeric) OWNER TO portal_owner;

CREATE FUNCTION public.brand_for_host(p_host text) RETURNS TABLE(tenant_id bigint, page_title text, footer text, logo_light text, logo_dark text, host text, page_title_src bigint, page_title_src_name text, footer_src bigint, footer_src_name text, logo_light_src bigint, logo_light_src_name text, logo_dark_src bigint, logo_dark_src_name text)
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
#variable_conflict use_column
BEGIN
    RETURN QUERY SELECT * FROM brand_for_tenant((SELECT b.tenant_id FROM branding b
                                                  WHERE b.host = lower(p_host) AND b.host_verified_at IS NOT NULL));
END $$;

ALTER FUNCTION public.brand_for_host(p_host text) OWNER TO portal_owner;

CREATE FUNCTION public.brand_for_request(p_tenant bigint, p_user bigint, p_host text) RETURNS TABLE(tenant_id bigint, page_title text, footer text, logo_light text, logo_dark text, host text, page_title_src bigint, page_title_src_name text, footer_src bigint, footer_src_name text, logo_light_src bigint, logo_light_src_name text, logo_dark_src bigint, logo_dark_src_name text)
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
BEGIN
    RETURN QUERY SELECT * FROM brand_for_tenant(brand_tenant_for(p_tenant, p_user, p_host));
END $$;

ALTER FUNCTION public.brand_for_request(p_tenant bigint, p_user bigint, p_host text) OWNER TO portal_owner;

CREATE FUNCTION public.brand_for_tenant(p_tenant bigint) RETURNS TABLE(tenant_id bigint, page_title text, footer text, logo_light text, logo_dark text, host text, page_title_src bigint, page_title_src_name text, footer_src bigint, footer_src_name text, logo_light_src bigint, logo_light_src_name text, logo_dark_src bigint, logo_dark_src_name text)
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
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

ALTER FUNCTION public.brand_for_tenant(p_tenant bigint) OWNER TO portal_owner;

CREATE TABLE public.tenant_brand (
    tenant_id bigint NOT NULL,
    page_title text,
    page_title_src bigint,
    footer text,
    footer_src bigint,
    logo_light text,
    logo_light_src bigint,
    logo_dark text,
    logo_dark_src bigint,
    host text
);

ALTER TABLE ONLY public.tenant_brand FORCE ROW LEVEL SECURITY;

ALTER TABLE public.tenant_brand OWNER TO portal_owner;

CREATE FUNCTION public.brand_resolve(p_tenant bigint) RETURNS public.tenant_brand
    LANGUAGE plpgsql STABLE
    SET search_path TO 'public', 'pg_temp'
    AS $$
DECLARE
    c record;
    r tenant_brand;
BEGIN
    r.tenant_id := p_tenant;
    FOR c IN SELECT b.page_title, b.footer, b.tenant_id AS src,
                    CASE WHEN b.host_verified_at IS NOT NULL THEN b.host END AS host,
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

ALTER FUNCTION public.brand_resolve(p_tenant bigint) OWNER TO portal_owner;

CREATE FUNCTION public.brand_tenant_for(p_tenant bigint, p_user bigint, p_host text) RETURNS bigint
    LANGUAGE plpgsql STABLE
    SET search_path TO 'public', 'pg_temp'
    AS $$
BEGIN
    IF p_tenant IS NOT NULL THEN
        RETURN p_tenant;
    END IF;
    RETURN coalesce(
        (SELECT m.tenant_id FROM memberships m JOIN tenants t ON t.id = m.tenant_id
          WHERE m.user_id = p_user AND m.status = 'active' AND t.status = 'active'
          ORDER BY m.created_at, m.tenant_id LIMIT 1),
        (SELECT b.tenant_id FROM branding b WHERE b.host = lower(p_host) AND b.host_verified_at IS NOT NULL));
END $$;

ALTER FUNCTION public.brand_tenant_for(p_tenant bigint, p_user bigint, p_host text) OWNER TO portal_owner;

CREATE FUNCTION public.branding_brand() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
BEGIN
    PERFORM tenant_brand_refresh(ARRAY[CASE WHEN TG_OP = 'DELETE' THEN OLD.tenant_id ELSE NEW.tenant_id END]);
    RETURN NULL;
END $$;

ALTER FUNCTION public.branding_brand() OWNER TO portal_owner;

CREATE FUNCTION public.branding_host_claim() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND NEW.host IS NOT DISTINCT FROM OLD.host THEN
        RETURN NEW;
    END IF;
    IF NEW.host IS NULL THEN
        NEW.host_token := NULL;
        NEW.host_claimed_at := NULL;
        NEW.host_verified_at := NULL;
        NEW.host_verified_by := NULL;
        RETURN NEW;
    END IF;
    IF EXISTS (SELECT 1 FROM branding b
                WHERE b.host = NEW.host AND b.host_verified_at IS NOT NULL AND b.tenant_id <> NEW.tenant_id) THEN
        RAISE unique_violation USING MESSAGE = 'host ' || NEW.host || ' is verified for another tenant';
    END IF;
    IF NEW.host_token IS NULL OR (TG_OP = 'UPDATE' AND NEW.host_token IS NOT DISTINCT FROM OLD.host_token) THEN
        NEW.host_token := replace(gen_random_uuid()::text, '-', '');
    END IF;
    IF TG_OP = 'INSERT' THEN
        -- A new row keeps a verification only the owner role can write (a
        -- row put back as it was); the app role cannot name those columns.
        NEW.host_claimed_at := coalesce(NEW.host_claimed_at, now());
        RETURN NEW;
    END IF;
    NEW.host_claimed_at := now();
    NEW.host_verified_at := NULL;
    NEW.host_verified_by := NULL;
    RETURN NEW;
END $$;

ALTER FUNCTION public.branding_host_claim() OWNER TO portal_owner;

CREATE FUNCTION public.branding_host_verify(p_tenant bigint, p_host text, p_token text) RETURNS timestamp with time zone
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
DECLARE
    role text := effective_role(p_tenant);
    at timestamptz;
BEGIN
    IF role IS NULL OR role NOT IN ('owner', 'admin', 'mssp_admin') THEN
        RETURN NULL;
    END IF;
    UPDATE branding SET host_verified_at = now(), host_verified_by = 'dns'
     WHERE tenant_id = p_tenant AND host = p_host AND host_token = p_token AND host_verified_at IS NULL
    RETURNING host_verified_at INTO at;
    RETURN at;
END $$;

ALTER FUNCTION public.branding_host_verify(p_tenant bigint, p_host text, p_token text) OWNER TO portal_owner;

CREATE FUNCTION public.children_order(p_rows public.dashboard_row[], p_sort text, p_dir text, p_limit integer, p_offset integer) RETURNS bigint[]
    LANGUAGE plpgsql STABLE
    AS $$
DECLARE
    -- the column by its place, not its key: a CASE on the key compared
    -- text for each row up to eleven times (100 rows by critical findings:
    -- 44 -> 32 us a call)
    k int := array_position(children_sort_keys(), p_sort);
    sgn int := CASE WHEN p_dir = 'desc' THEN -1 ELSE 1 END;
BEGIN
    IF p_limit < 0 OR p_offset < 0 THEN
        RAISE EXCEPTION 'children_order: negative limit or offset' USING ERRCODE = '2201W';
    END IF;
    IF k IS NULL THEN  -- by name: the positions, from the end when descending
        RETURN ARRAY(SELECT CASE WHEN sgn < 0 THEN cardinality(p_rows) + 1 - g ELSE g END
                       FROM generate_series(p_offset::bigint + 1,
                                            least(cardinality(p_rows), p_offset::bigint + p_limit)) g);
    END IF;
    RETURN ARRAY(SELECT u.ordinality FROM unnest(p_rows) WITH ORDINALITY u
                  ORDER BY sgn * coalesce(CASE k WHEN 1 THEN u.companies WHEN 2 THEN u.probes WHEN 3 THEN u.agents
                                          WHEN 4 THEN u.discovered WHEN 5 THEN u.external WHEN 6 THEN u.vulns
                                          WHEN 7 THEN u.critical WHEN 8 THEN u.high WHEN 9 THEN u.medium
                                          WHEN 10 THEN u.low WHEN 11 THEN u.open_critical END, 0),
                           sgn * u.ordinality
                  LIMIT p_limit OFFSET p_offset);
END $$;

ALTER FUNCTION public.children_order(p_rows public.dashboard_row[], p_sort text, p_dir text, p_limit integer, p_offset integer) OWNER TO portal_owner;

CREATE FUNCTION public.children_orders(p_rows public.dashboard_row[]) RETURNS smallint[]
    LANGUAGE plpgsql STABLE
    AS $$
DECLARE
    n int := cardinality(p_rows);
    key text;
    o smallint[] := ARRAY(SELECT g::smallint FROM generate_series(1, n) g);  -- by name
BEGIN
    FOREACH key IN ARRAY children_sort_keys() LOOP
        o := o || children_order(p_rows, key, 'asc', n, 0)::smallint[];
    END LOOP;
    RETURN o;
END $$;

ALTER FUNCTION public.children_orders(p_rows public.dashboard_row[]) OWNER TO portal_owner;

CREATE FUNCTION public.children_sort_keys() RETURNS text[]
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$
    SELECT ARRAY['companies', 'probes', 'agents', 'discovered', 'external', 'vulns', 'critical', 'high', 'medium',
                 'low', 'open_critical']
$$;

ALTER FUNCTION public.children_sort_keys() OWNER TO portal_owner;

CREATE FUNCTION public.config_changed() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
BEGIN
    PERFORM pg_notify('portal_config', '');
    IF TG_NARGS = 0 AND current_setting('portal.config_bumped', true) IS DISTINCT FROM 'on' THEN
        UPDATE config_generation SET generation = generation + 1;
        PERFORM set_config('portal.config_bumped', 'on', true);
    END IF;
    RETURN NULL;
END $$;

ALTER FUNCTION public.config_changed() OWNER TO portal_owner;

CREATE FUNCTION public.config_cidrs_error(p_list jsonb, p_max integer) RETURNS text
    LANGUAGE plpgsql IMMUTABLE
    SET search_path TO 'public', 'pg_temp'
    AS $$
DECLARE
    v jsonb;
    n int := 0;
BEGIN
    IF p_list IS NULL OR jsonb_typeof(p_list) <> 'array' OR jsonb_array_length(p_list) > p_max THEN
        RETURN format('a list of at most %s network addresses', p_max);
    END IF;
    FOR v IN SELECT x FROM jsonb_array_elements(p_list) x LOOP
        n := n + 1;
        IF jsonb_typeof(v) <> 'string' OR length(v #>> '{}') > 64 THEN
            RETURN format('entry %s is not a network address', n);
        END IF;
        BEGIN
            PERFORM (v #>> '{}')::cidr;
        EXCEPTION WHEN invalid_text_representation OR invalid_binary_representation OR data_exception THEN
            RETURN format('entry %s (%s) is not a network address such as 10.0.0.0/8', n, left(v #>> '{}', 64));
        END;
    END LOOP;
    RETURN NULL;
END $$;

ALTER FUNCTION public.config_cidrs_error(p_list jsonb, p_max integer) OWNER TO portal_owner;

CREATE FUNCTION public.config_diff(p_before jsonb, p_after jsonb) RETURNS jsonb
    LANGUAGE sql IMMUTABLE
    SET search_path TO 'public', 'pg_temp'
    AS $$
    SELECT coalesce(jsonb_agg(d ORDER BY d->>'field'), '[]')
      FROM (SELECT CASE
                WHEN jsonb_typeof(b.v) = 'array' AND jsonb_typeof(a.v) = 'array' THEN jsonb_build_object(
                    'field', k.k,
                    'added', (SELECT coalesce(jsonb_agg(x::text), '[]') FROM jsonb_array_elements(a.v) x
                               WHERE NOT b.v @> jsonb_build_array(x)),
                    'removed', (SELECT coalesce(jsonb_agg(x::text), '[]') FROM jsonb_array_elements(b.v) x
                                 WHERE NOT a.v @> jsonb_build_array(x)))
                ELSE jsonb_build_object('field', k.k, 'before', b.v::text, 'after', a.v::text)
            END AS d
              FROM (SELECT jsonb_object_keys(coalesce(p_before, '{}')) UNION
                    SELECT jsonb_object_keys(coalesce(p_after, '{}'))) k(k)
             CROSS JOIN LATERAL (SELECT coalesce(p_before, '{}')->k.k) b(v)
             CROSS JOIN LATERAL (SELECT coalesce(p_after, '{}')->k.k) a(v)
             WHERE b.v IS DISTINCT FROM a.v) x
$$;

ALTER FUNCTION public.config_diff(p_before jsonb, p_after jsonb) OWNER TO portal_owner;

CREATE FUNCTION public.config_doc_error(p_section text, p_doc jsonb) RETURNS text
    LANGUAGE plpgsql IMMUTABLE
    SET search_path TO 'public', 'pg_temp'
    AS $_$
DECLARE
    keys text[];
    want text[];
    e jsonb;
    i int;
    cats constant text[] := ARRAY['adult', 'anonymizers', 'crypto_mining', 'finance', 'gambling', 'games',
                                  'government', 'health', 'malware', 'p2p', 'phishing', 'social_media', 'streaming'];
    -- A text field of e: present, a string, 1..max characters.
    err text;
BEGIN
    IF p_doc IS NULL OR jsonb_typeof(p_doc) <> 'object' THEN
        RETURN 'the section must be a JSON object';
    END IF;
    IF length(p_doc::text) > 65536 THEN
        RETURN 'the section is larger than 64 KiB';
    END IF;
    want := CASE p_section
        WHEN 'access_policy' THEN ARRAY['rules']
        WHEN 'threat_prevention' THEN ARRAY['anti_bot', 'antivirus', 'exceptions', 'ips', 'profile']
        WHEN 'url_filtering' THEN ARRAY['blocked_categories', 'custom_allowed', 'custom_blocked']
        WHEN 'ssl_inspection' THEN ARRAY['bypass_categories', 'enabled']
        WHEN 'vuln_scanning' THEN ARRAY['excluded_ranges', 'intensity', 'schedule']
        WHEN 'agent_updates' THEN ARRAY['ring', 'window_day', 'window_hours', 'window_start']
        WHEN 'vpn' THEN ARRAY['enabled', 'peers']
        WHEN 'local_network' THEN ARRAY['dns_servers', 'lan_ranges']
        WHEN 'notifications' THEN ARRAY['emails', 'min_severity']
    END;
    IF want IS NULL THEN
        RETURN format('unknown section %s', left(p_section, 40));
    END IF;
    SELECT array_agg(k ORDER BY k) INTO keys FROM jsonb_object_keys(p_doc) k;
    IF keys IS DISTINCT FROM want THEN
        RETURN format('the section has the fields %s', array_to_string(want, ', '));
    END IF;

    IF p_section = 'access_policy' THEN
        IF jsonb_typeof(p_doc->'rules') <> 'array' OR jsonb_array_length(p_doc->'rules') > 500 THEN
            RETURN 'rules: a list of at most 500 rules';
        END IF;
        FOR i IN 0 .. jsonb_array_length(p_doc->'rules') - 1 LOOP
            e := p_doc->'rules'->i;
            IF jsonb_typeof(e) <> 'object' OR (SELECT array_agg(k ORDER BY k) FROM jsonb_object_keys(e) k)
                   IS DISTINCT FROM ARRAY['action', 'destination', 'log', 'name', 'service', 'source'] THEN
                RETURN format('rules[%s]: a rule has name, source, destination, service, action and log', i + 1);
            END IF;
            err := CASE
                WHEN jsonb_typeof(e->'name') <> 'string' OR length(btrim(e->>'name')) NOT BETWEEN 1 AND 80
                    THEN 'name: 1 to 80 characters'
                WHEN jsonb_typeof(e->'source') <> 'string' OR length(btrim(e->>'source')) NOT BETWEEN 1 AND 200
                    THEN 'source: 1 to 200 characters'
                WHEN jsonb_typeof(e->'destination') <> 'string' OR length(btrim(e->>'destination')) NOT BETWEEN 1 AND 200
                    THEN 'destination: 1 to 200 characters'
                WHEN jsonb_typeof(e->'service') <> 'string' OR length(btrim(e->>'service')) NOT BETWEEN 1 AND 100
                    THEN 'service: 1 to 100 characters'
                WHEN jsonb_typeof(e->'action') <> 'string' OR e->>'action' NOT IN ('accept', 'drop', 'reject')
                    THEN 'action: accept, drop or reject'
                WHEN jsonb_typeof(e->'log') <> 'boolean' THEN 'log: true or false'
            END;
            IF err IS NOT NULL THEN
                RETURN format('rules[%s].%s', i + 1, err);
            END IF;
        END LOOP;
    ELSIF p_section = 'threat_prevention' THEN
        IF jsonb_typeof(p_doc->'ips') <> 'string' OR p_doc->>'ips' NOT IN ('off', 'detect', 'prevent') THEN
            RETURN 'ips: off, detect or prevent';
        ELSIF jsonb_typeof(p_doc->'profile') <> 'string' OR p_doc->>'profile' NOT IN ('basic', 'optimized', 'strict') THEN
            RETURN 'profile: basic, optimized or strict';
        ELSIF jsonb_typeof(p_doc->'antivirus') <> 'boolean' THEN
            RETURN 'antivirus: true or false';
        ELSIF jsonb_typeof(p_doc->'anti_bot') <> 'boolean' THEN
            RETURN 'anti_bot: true or false';
        ELSIF jsonb_typeof(p_doc->'exceptions') <> 'array' OR jsonb_array_length(p_doc->'exceptions') > 200 THEN
            RETURN 'exceptions: a list of at most 200 exceptions';
        END IF;
        FOR i IN 0 .. jsonb_array_length(p_doc->'exceptions') - 1 LOOP
            e := p_doc->'exceptions'->i;
            IF jsonb_typeof(e) <> 'object' OR (SELECT array_agg(k ORDER BY k) FROM jsonb_object_keys(e) k)
                   IS DISTINCT FROM ARRAY['name', 'protection', 'target']
               OR jsonb_typeof(e->'name') <> 'string' OR length(btrim(e->>'name')) NOT BETWEEN 1 AND 80
               OR jsonb_typeof(e->'target') <> 'string' OR length(btrim(e->>'target')) NOT BETWEEN 1 AND 200
               OR jsonb_typeof(e->'protection') <> 'string' OR length(btrim(e->>'protection')) NOT BETWEEN 1 AND 100 THEN
                RETURN format('exceptions[%s]: name (1 to 80 characters), target (1 to 200) and protection (1 to 100)', i + 1);
            END IF;
        END LOOP;
    ELSIF p_section = 'url_filtering' THEN
        IF jsonb_typeof(p_doc->'blocked_categories') <> 'array'
           OR EXISTS (SELECT 1 FROM jsonb_array_elements(p_doc->'blocked_categories') c
                       WHERE jsonb_typeof(c) <> 'string' OR NOT (c #>> '{}') = ANY (cats)) THEN
            RETURN format('blocked_categories: a list of %s', array_to_string(cats, ', '));
        END IF;
        FOREACH err IN ARRAY ARRAY['custom_blocked', 'custom_allowed'] LOOP
            IF jsonb_typeof(p_doc->err) <> 'array' OR jsonb_array_length(p_doc->err) > 1000
               OR EXISTS (SELECT 1 FROM jsonb_array_elements(p_doc->err) c
                           WHERE jsonb_typeof(c) <> 'string'
                              OR (c #>> '{}') !~ '^(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$'
                              OR length(c #>> '{}') > 253) THEN
                RETURN format('%s: at most 1,000 host names in lower case (www.example.com, *.example.com)', err);
            END IF;
        END LOOP;
    ELSIF p_section = 'ssl_inspection' THEN
        IF jsonb_typeof(p_doc->'enabled') <> 'boolean' THEN
            RETURN 'enabled: true or false';
        ELSIF jsonb_typeof(p_doc->'bypass_categories') <> 'array'
           OR EXISTS (SELECT 1 FROM jsonb_array_elements(p_doc->'bypass_categories') c
                       WHERE jsonb_typeof(c) <> 'string' OR NOT (c #>> '{}') = ANY (cats)) THEN
            RETURN format('bypass_categories: a list of %s', array_to_string(cats, ', '));
        END IF;
    ELSIF p_section = 'vuln_scanning' THEN
        IF jsonb_typeof(p_doc->'schedule') <> 'string' OR p_doc->>'schedule' NOT IN ('daily', 'weekly', 'monthly') THEN
            RETURN 'schedule: daily, weekly or monthly';
        ELSIF jsonb_typeof(p_doc->'intensity') <> 'string' OR p_doc->>'intensity' NOT IN ('light', 'normal', 'aggressive') THEN
            RETURN 'intensity: light, normal or aggressive';
        END IF;
        err := config_cidrs_error(p_doc->'excluded_ranges', 100);
        IF err IS NOT NULL THEN
            RETURN 'excluded_ranges: ' || err;
        END IF;
    ELSIF p_section = 'agent_updates' THEN
        IF jsonb_typeof(p_doc->'ring') <> 'string' OR p_doc->>'ring' NOT IN ('early', 'broad', 'pinned') THEN
            RETURN 'ring: early, broad or pinned';
        ELSIF jsonb_typeof(p_doc->'window_day') <> 'string'
              OR p_doc->>'window_day' NOT IN ('any', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun') THEN
            RETURN 'window_day: any, mon, tue, wed, thu, fri, sat or sun';
        ELSIF jsonb_typeof(p_doc->'window_start') <> 'string' OR p_doc->>'window_start' !~ '^([01][0-9]|2[0-3]):[0-5][0-9]$' THEN
            RETURN 'window_start: a time of day, HH:MM (UTC)';
        ELSIF jsonb_typeof(p_doc->'window_hours') <> 'number' OR (p_doc->>'window_hours') !~ '^[0-9]+$'
              OR (p_doc->>'window_hours')::numeric NOT BETWEEN 1 AND 12 THEN
            RETURN 'window_hours: a whole number of hours, 1 to 12';
        END IF;
    ELSIF p_section = 'vpn' THEN
        IF jsonb_typeof(p_doc->'enabled') <> 'boolean' THEN
            RETURN 'enabled: true or false';
        ELSIF jsonb_typeof(p_doc->'peers') <> 'array' OR jsonb_array_length(p_doc->'peers') > 50 THEN
            RETURN 'peers: a list of at most 50 peers';
        END IF;
        FOR i IN 0 .. jsonb_array_length(p_doc->'peers') - 1 LOOP
            e := p_doc->'peers'->i;
            IF jsonb_typeof(e) <> 'object' OR (SELECT array_agg(k ORDER BY k) FROM jsonb_object_keys(e) k)
                   IS DISTINCT FROM ARRAY['address', 'name', 'networks']
               OR jsonb_typeof(e->'name') <> 'string' OR length(btrim(e->>'name')) NOT BETWEEN 1 AND 80
               OR jsonb_typeof(e->'address') <> 'string' OR length(btrim(e->>'address')) NOT BETWEEN 1 AND 253 THEN
                RETURN format('peers[%s]: name (1 to 80 characters), address (a host name or address) and networks', i + 1);
            END IF;
            err := config_cidrs_error(e->'networks', 50);
            IF err IS NOT NULL THEN
                RETURN format('peers[%s].networks: %s', i + 1, err);
            END IF;
        END LOOP;
    ELSIF p_section = 'local_network' THEN
        err := config_cidrs_error(p_doc->'lan_ranges', 100);
        IF err IS NOT NULL THEN
            RETURN 'lan_ranges: ' || err;
        END IF;
        err := config_cidrs_error(p_doc->'dns_servers', 8);
        IF err IS NOT NULL THEN
            RETURN 'dns_servers: ' || err;
        END IF;
    ELSIF p_section = 'notifications' THEN
        IF jsonb_typeof(p_doc->'min_severity') <> 'string'
           OR p_doc->>'min_severity' NOT IN ('critical', 'high', 'medium', 'low') THEN
            RETURN 'min_severity: critical, high, medium or low';
        ELSIF jsonb_typeof(p_doc->'emails') <> 'array' OR jsonb_array_length(p_doc->'emails') > 20
           OR EXISTS (SELECT 1 FROM jsonb_array_elements(p_doc->'emails') c
                       WHERE jsonb_typeof(c) <> 'string' OR length(c #>> '{}') > 320
                          OR (c #>> '{}') !~ '^[^@\s<>,;"()\[\]\\]+@[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)+$') THEN
            RETURN 'emails: at most 20 email addresses';
        END IF;
    END IF;
    RETURN NULL;
END $_$;

ALTER FUNCTION public.config_doc_error(p_section text, p_doc jsonb) OWNER TO portal_owner;

CREATE FUNCTION public.config_document(p_tenant bigint, p_device bigint, p_scope bigint[], p_exact bigint[]) RETURNS jsonb
    LANGUAGE plpgsql STABLE
    SET search_path TO 'public', 'pg_temp'
    AS $$
DECLARE
    sc bigint[] := p_scope;
    ex bigint[] := p_exact;
    t tenants%ROWTYPE;
    d assets%ROWTYPE;
    pid bigint;
    pname text;
    pj jsonb;
    r jsonb;
BEGIN
    SELECT * INTO t FROM tenants x WHERE x.id = p_tenant AND x.status = 'active';
    IF NOT FOUND OR NOT scope_sees(t.ancestors, t.id, sc, ex) THEN
        RETURN NULL;
    END IF;
    IF p_device IS NOT NULL THEN
        SELECT * INTO d FROM assets a WHERE a.id = p_device AND a.tenant_id = t.id AND asset_is_device(a.kind);
        IF NOT FOUND THEN
            RETURN NULL;
        END IF;
    END IF;
    -- The plan followed, its owner and the account it was shared with, in
    -- one statement (plan_followed() and plan_party() are inlined).
    SELECT p.id, p.name, jsonb_build_object('id', p.id, 'name', p.name, 'version', p.version,
                                            'owner', plan_party(o.ancestors, o.id, o.name, sc, ex),
                                            'shared_with', plan_party(w.ancestors, w.id, w.name, sc, ex))
      INTO pid, pname, pj
      FROM plan_followed(t.ancestors) f
      JOIN plans p ON p.id = f.plan_id
      JOIN tenants o ON o.id = f.owner_id
      JOIN tenants w ON w.id = f.shared_with;
    -- One statement (not a loop adding to two documents section by
    -- section): the same documents, a fifth less time per call.
    SELECT jsonb_build_object(
        'tenant', jsonb_build_object('id', t.id, 'name', t.name, 'kind', t.kind),
        'device', CASE WHEN p_device IS NOT NULL THEN jsonb_build_object('id', d.id, 'external_id', d.external_id,
                                                                       'name', d.name, 'kind', d.kind) END,
        'plan', pj,
        'sections', jsonb_object_agg(s.section, coalesce(s.dev_doc, s.acc_doc, s.plan_doc, s.default_doc)),
        'sources', jsonb_object_agg(s.section, CASE
            WHEN s.dev_doc IS NOT NULL THEN jsonb_build_object(
                'from', 'device', 'version', s.dev_version, 'by', s.dev_by, 'at', s.dev_at)
            WHEN s.acc_doc IS NOT NULL THEN jsonb_build_object(
                'from', 'account', 'tenant_id', t.id, 'version', s.acc_version, 'by', s.acc_by, 'at', s.acc_at)
            WHEN s.plan_doc IS NOT NULL THEN jsonb_build_object(
                'from', 'plan', 'plan_id', pid, 'plan', pname, 'version', s.plan_version, 'at', s.plan_at)
            ELSE jsonb_build_object('from', 'default') END))
      INTO r
      FROM (SELECT c.section, c.default_doc,
                   ps.doc AS plan_doc, ps.version AS plan_version, ps.updated_at AS plan_at,
                   ao.doc AS acc_doc, ao.version AS acc_version, ao.updated_at AS acc_at, au.name AS acc_by,
                   dov.doc AS dev_doc, dov.version AS dev_version, dov.updated_at AS dev_at, du.name AS dev_by
              FROM config_sections c
              LEFT JOIN plan_sections ps ON ps.plan_id = pid AND ps.section = c.section AND c.shared
              LEFT JOIN config_overrides ao ON ao.tenant_id = t.id AND ao.device_id IS NULL AND ao.section = c.section
              LEFT JOIN users au ON au.id = ao.updated_by
              LEFT JOIN config_overrides dov ON p_device IS NOT NULL AND dov.tenant_id = t.id AND dov.device_id = p_device
                                           AND dov.section = c.section
              LEFT JOIN users du ON du.id = dov.updated_by) s;
    RETURN r;
END $$;

ALTER FUNCTION public.config_document(p_tenant bigint, p_device bigint, p_scope bigint[], p_exact bigint[]) OWNER TO portal_owner;

CREATE FUNCTION public.config_effective(p_tenant bigint, p_device bigint) RETURNS jsonb
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
    SELECT config_document(p_tenant, p_device, app_scope(), app_exact())
$$;

ALTER FUNCTION public.config_effective(p_tenant bigint, p_device bigint) OWNER TO portal_owner;

CREATE FUNCTION public.config_override_restore(p_tenant bigint, p_history bigint, p_base bigint) RETURNS TABLE(outcome text, version bigint, doc jsonb, by text, at timestamp with time zone, message text)
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
DECLARE h config_history%ROWTYPE;
BEGIN
    SELECT * INTO h FROM config_history x
     WHERE x.id = p_history AND x.tenant_id = p_tenant AND x.plan_id IS NULL AND x.doc IS NOT NULL
       AND x.section IS NOT NULL;
    IF NOT FOUND THEN
        RETURN QUERY SELECT 'not_found', NULL::bigint, NULL::jsonb, NULL::text, NULL::timestamptz, NULL::text;
        RETURN;
    END IF;
    RETURN QUERY SELECT * FROM config_override_save(p_tenant, h.device_id, h.section, h.doc, p_base);
END $$;

ALTER FUNCTION public.config_override_restore(p_tenant bigint, p_history bigint, p_base bigint) OWNER TO portal_owner;

CREATE FUNCTION public.config_override_revert(p_tenant bigint, p_device bigint, p_section text) RETURNS TABLE(outcome text)
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
DECLARE
    t tenants%ROWTYPE := plan_writer(p_tenant);
    cur config_overrides%ROWTYPE;
BEGIN
    IF t.id IS NULL THEN
        RETURN QUERY SELECT 'not_found';
        RETURN;
    END IF;
    DELETE FROM config_overrides o
     WHERE o.tenant_id = t.id AND o.device_id IS NOT DISTINCT FROM p_device AND o.section = p_section
    RETURNING * INTO cur;
    IF cur.id IS NULL THEN
        RETURN QUERY SELECT 'unchanged';
        RETURN;
    END IF;
    INSERT INTO config_history (tenant_id, root_id, device_id, section, version, action, doc, before, actor)
    VALUES (t.id, t.root_id, p_device, p_section, cur.version + 1, 'revert', NULL, cur.doc, app_user_id());
    RETURN QUERY SELECT 'ok';
END $$;

ALTER FUNCTION public.config_override_revert(p_tenant bigint, p_device bigint, p_section text) OWNER TO portal_owner;

CREATE FUNCTION public.config_override_save(p_tenant bigint, p_device bigint, p_section text, p_doc jsonb, p_base bigint) RETURNS TABLE(outcome text, version bigint, doc jsonb, by text, at timestamp with time zone, message text)
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
DECLARE
    t tenants%ROWTYPE := plan_writer(p_tenant);
    cur config_overrides%ROWTYPE;
    prev jsonb;
    err text;
BEGIN
    IF t.id IS NULL OR NOT EXISTS (SELECT 1 FROM config_sections c WHERE c.section = p_section)
       OR (p_device IS NOT NULL AND NOT EXISTS (SELECT 1 FROM assets a WHERE a.id = p_device AND a.tenant_id = t.id
                                                                        AND asset_is_device(a.kind))) THEN
        RETURN QUERY SELECT 'not_found', NULL::bigint, NULL::jsonb, NULL::text, NULL::timestamptz, NULL::text;
        RETURN;
    END IF;
    err := config_doc_error(p_section, p_doc);
    IF err IS NOT NULL THEN
        RETURN QUERY SELECT 'invalid', NULL::bigint, NULL::jsonb, NULL::text, NULL::timestamptz, err;
        RETURN;
    END IF;
    -- One writer at a time per account: two first unlocks of a section
    -- must not both pass the test below.
    PERFORM 1 FROM tenants x WHERE x.id = t.id FOR NO KEY UPDATE;
    SELECT * INTO cur FROM config_overrides o
     WHERE o.tenant_id = t.id AND o.device_id IS NOT DISTINCT FROM p_device AND o.section = p_section;
    RETURN QUERY SELECT * FROM config_save_gate(p_base, p_doc, cur.version, cur.doc, cur.updated_by, cur.updated_at);
    IF FOUND THEN
        RETURN;
    END IF;
    prev := cur.doc;
    IF cur.id IS NULL THEN
        INSERT INTO config_overrides (tenant_id, root_id, device_id, section, doc, version, updated_by)
        VALUES (t.id, t.root_id, p_device, p_section, p_doc, 1, app_user_id()) RETURNING * INTO cur;
    ELSE
        UPDATE config_overrides o SET doc = p_doc, version = o.version + 1, updated_by = app_user_id(), updated_at = now()
         WHERE o.id = cur.id RETURNING * INTO cur;
    END IF;
    INSERT INTO config_history (tenant_id, root_id, device_id, section, version, action, doc, before, actor)
    VALUES (t.id, t.root_id, p_device, p_section, cur.version, 'override', p_doc, prev, app_user_id());
    RETURN QUERY SELECT 'ok', cur.version, p_doc, NULL::text, now(), NULL::text;
END $$;

ALTER FUNCTION public.config_override_save(p_tenant bigint, p_device bigint, p_section text, p_doc jsonb, p_base bigint) OWNER TO portal_owner;

CREATE FUNCTION public.config_page(p_tenant bigint, p_device bigint) RETURNS jsonb
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
DECLARE
    e jsonb := config_effective(p_tenant, p_device);
    t tenants%ROWTYPE;
BEGIN
    IF e IS NULL THEN
        RETURN NULL;
    END IF;
    SELECT * INTO t FROM tenants x WHERE x.id = p_tenant;
    RETURN e || jsonb_build_object(
        'catalogue', (SELECT jsonb_agg(jsonb_build_object(
                          'section', c.section, 'title', c.title, 'shared', c.shared,
                          'doc', e->'sections'->c.section, 'source', e->'sources'->c.section,
                          -- This page's own document (the account's, or the device's on a device's page).
                          'own', e->'sources'->c.section->>'from' = CASE WHEN p_device IS NULL THEN 'account' ELSE 'device' END,
                          'source_text', CASE e->'sources'->c.section->>'from'
                              WHEN 'plan' THEN format('plan %s, version %s', e->'sources'->c.section->>'plan',
                                                      e->'sources'->c.section->>'version')
                              WHEN 'account' THEN format('%s, version %s, by %s', t.name, e->'sources'->c.section->>'version',
                                                         coalesce(e->'sources'->c.section->>'by', 'someone'))
                              WHEN 'device' THEN format('this device, version %s, by %s', e->'sources'->c.section->>'version',
                                                        coalesce(e->'sources'->c.section->>'by', 'someone'))
                              ELSE 'default' END,
                          'diff', CASE WHEN c.shared AND e->'sources'->c.section->>'from' IN ('account', 'device')
                                       THEN config_diff((SELECT s.doc FROM plan_sections s
                                                          WHERE s.plan_id = (e->'plan'->>'id')::bigint
                                                            AND s.section = c.section), e->'sections'->c.section) END)
                          ORDER BY c.position)
                        FROM config_sections c),
        'devices', (SELECT coalesce(jsonb_agg(jsonb_build_object('id', a.id, 'name', a.name, 'kind', a.kind,
                                                                 'external_id', a.external_id,
                                                                 'overrides', (SELECT count(*) FROM config_overrides o
                                                                                WHERE o.device_id = a.id))
                                              ORDER BY lower(a.name), a.id), '[]')
                      FROM (SELECT * FROM assets a WHERE a.tenant_id = t.id AND asset_is_device(a.kind)
                             ORDER BY lower(a.name), a.id LIMIT 500) a),
        'history', (SELECT coalesce(jsonb_agg(h ORDER BY (h->>'id')::bigint DESC), '[]') FROM (
            SELECT jsonb_build_object('id', x.id, 'section', x.section, 'title', c.title, 'version', x.version,
                                      'action', x.action, 'device', d.name, 'by', u.name,
                                      'at', to_char(x.at, 'YYYY-MM-DD HH24:MI'),
                                      'diff', config_diff(x.before, x.doc),
                                      -- Restore: a saved document, from the override's version now.
                                      'restorable', x.doc IS NOT NULL, 'device_id', x.device_id,
                                      'base', (SELECT o.version FROM config_overrides o
                                                WHERE o.tenant_id = t.id AND o.section = x.section
                                                  AND o.device_id IS NOT DISTINCT FROM x.device_id)) AS h
              FROM config_history x
              JOIN config_sections c ON c.section = x.section
              LEFT JOIN assets d ON d.id = x.device_id
              LEFT JOIN users u ON u.id = x.actor
             WHERE x.tenant_id = t.id AND x.plan_id IS NULL
               AND (p_device IS NULL OR x.device_id = p_device)
             ORDER BY x.id DESC LIMIT 30) z));
END $$;

ALTER FUNCTION public.config_page(p_tenant bigint, p_device bigint) OWNER TO portal_owner;

CREATE FUNCTION public.config_poll(p_key text, p_tenant bigint, p_external_id text) RETURNS TABLE(key_ok boolean, doc jsonb)
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
DECLARE
    k api_keys%ROWTYPE;
    tid bigint;
    d assets%ROWTYPE;
    gen bigint;
    acc jsonb;
BEGIN
    SELECT * INTO k FROM api_key_find(p_key);
    key_ok := FOUND;
    IF NOT key_ok THEN
        RETURN NEXT;
        RETURN;
    END IF;
    tid := coalesce(p_tenant, k.tenant_id);
    -- Kept: one statement.
    SELECT c.doc, a.id, a.external_id, a.name, a.kind INTO acc, d.id, d.external_id, d.name, d.kind
      FROM assets a
      JOIN config_documents c ON c.tenant_id = a.tenant_id AND c.viewer_id = k.tenant_id
      JOIN config_generation g ON g.generation = c.generation
     WHERE a.tenant_id = tid AND a.external_id = p_external_id AND asset_is_device(a.kind)
       AND NOT EXISTS (SELECT 1 FROM config_overrides o WHERE o.tenant_id = a.tenant_id AND o.device_id = a.id);
    IF NOT FOUND THEN
        gen := (SELECT g.generation FROM config_generation g);
        SELECT * INTO d FROM assets a WHERE a.tenant_id = tid AND a.external_id = p_external_id AND asset_is_device(a.kind);
        IF NOT FOUND THEN
            RETURN NEXT;
            RETURN;
        END IF;
        IF EXISTS (SELECT 1 FROM config_overrides o WHERE o.tenant_id = tid AND o.device_id = d.id) THEN
            doc := config_document(tid, d.id, ARRAY[k.tenant_id], '{}');
            RETURN NEXT;
            RETURN;
        END IF;
        acc := config_document(tid, NULL, ARRAY[k.tenant_id], '{}');
        IF acc IS NULL THEN
            RETURN NEXT;
            RETURN;
        END IF;
        INSERT INTO config_documents AS c (tenant_id, viewer_id, root_id, generation, doc)
        SELECT tid, k.tenant_id, t.root_id, gen, acc FROM tenants t WHERE t.id = tid
            ON CONFLICT (tenant_id, viewer_id) DO UPDATE SET generation = excluded.generation, doc = excluded.doc
            WHERE c.generation < excluded.generation;
    END IF;
    -- config_document()'s device, named in the account's document.
    doc := jsonb_set(acc, '{device}', jsonb_build_object('id', d.id, 'external_id', d.external_id,
                                                         'name', d.name, 'kind', d.kind));
    RETURN NEXT;
END $$;

ALTER FUNCTION public.config_poll(p_key text, p_tenant bigint, p_external_id text) OWNER TO portal_owner;

CREATE FUNCTION public.config_save_gate(p_base bigint, p_doc jsonb, cur_version bigint, cur_doc jsonb, cur_by bigint, cur_at timestamp with time zone) RETURNS TABLE(outcome text, version bigint, doc jsonb, by text, at timestamp with time zone, message text)
    LANGUAGE sql STABLE
    SET search_path TO 'public', 'pg_temp'
    AS $$
    SELECT 'conflict', cur_version, cur_doc, (SELECT u.name FROM users u WHERE u.id = cur_by), cur_at, NULL::text
     WHERE p_base IS DISTINCT FROM cur_version
    UNION ALL
    SELECT 'unchanged', cur_version, cur_doc, NULL::text, cur_at, NULL::text
     WHERE p_base IS NOT DISTINCT FROM cur_version AND cur_doc = p_doc
$$;

ALTER FUNCTION public.config_save_gate(p_base bigint, p_doc jsonb, cur_version bigint, cur_doc jsonb, cur_by bigint, cur_at timestamp with time zone) OWNER TO portal_owner;

CREATE FUNCTION public.context_changed() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path TO 'public', 'pg_temp'
    AS $$
BEGIN
    PERFORM pg_notify('portal_context', '');
    RETURN NULL;
END $$;

ALTER FUNCTION public.context_changed() OWNER TO portal_owner;

CREATE FUNCTION public.customer_page(p_tenant bigint, p_page integer, OUT ids bigint[], OUT total bigint, OUT paged boolean) RETURNS record
    LANGUAGE plpgsql STABLE
    AS $$
DECLARE
    sc bigint[] := app_scope();
    ex bigint[] := app_exact();
    t tenants%ROWTYPE;
    skip int := (greatest(p_page, 1) - 1) * 50;
BEGIN
    SELECT * INTO t FROM tenants WHERE tenants.id = p_tenant;
    IF NOT FOUND OR NOT scope_sees(t.ancestors, t.id, sc, ex) THEN
        RETURN;
    END IF;
    IF t.ancestors && sc AND t.kind <> 'company' THEN
        -- The whole subtree: the rollup's count, the page from the index.
        total := coalesce((SELECT s.companies FROM tenant_stats s WHERE s.tenant_id = t.id), 0);
        paged := total > 200;
        IF NOT paged THEN
            skip := 0;
        END IF;
        IF t.kind = 'mssp' THEN
            ids := ARRAY(SELECT c.id FROM tenants c
                          WHERE c.root_id = t.id AND c.kind = 'company' AND c.status = 'active'
                          ORDER BY lower(c.name), c.id OFFSET skip LIMIT CASE WHEN paged THEN 50 END);
        ELSE
            ids := ARRAY(SELECT c.id FROM tenants c
                          WHERE c.parent_id = t.id AND c.status = 'active' AND c.kind = 'company'
                          ORDER BY lower(c.name), c.id OFFSET skip LIMIT CASE WHEN paged THEN 50 END);
        END IF;
        RETURN;
    END IF;
    -- All of them in name order (one read), then the page.
    ids := ARRAY(SELECT c.id FROM tenants c
                  WHERE c.ancestors @> ARRAY[t.id] AND c.kind = 'company' AND c.status = 'active'
                    AND scope_sees(c.ancestors, c.id, sc, ex)
                  ORDER BY lower(c.name), c.id);
    total := cardinality(ids);
    paged := total > 200;
    IF paged THEN
        ids := ids[skip + 1 : skip + 50];
    END IF;
END $$;

ALTER FUNCTION public.customer_page(p_tenant bigint, p_page integer, OUT ids bigint[], OUT total bigint, OUT paged boolean) OWNER TO portal_owner;

CREATE FUNCTION public.cve_top(p_tenant bigint) RETURNS TABLE(cve text, open bigint)
    LANGUAGE sql STABLE
    AS $$
    SELECT o.cve, o.open FROM cve_open o
     WHERE o.tenant_id = p_tenant
       AND o.band >= coalesce((SELECT b.band FROM cve_open b WHERE b.tenant_id = p_tenant AND b.band IS NOT NULL
                                ORDER BY b.band DESC OFFSET 9 LIMIT 1), 0)
     ORDER BY o.open DESC, o.cve LIMIT 10
$$;

ALTER FUNCTION public.cve_top(p_tenant bigint) OWNER TO portal_owner;

CREATE TABLE public.tenants (
    id bigint NOT NULL,
    parent_id bigint,
    root_id bigint NOT NULL,
    kind text NOT NULL,
    name text NOT NULL,
    region text NOT NULL,
    status text DEFAULT 'active'::text NOT NULL,
    ancestors bigint[] NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT tenants_ancestors_check CHECK (((cardinality(ancestors) >= 1) AND (cardinality(ancestors) <= 3))),
    CONSTRAINT tenants_check CHECK ((ancestors[cardinality(ancestors)] = id)),
    CONSTRAINT tenants_check1 CHECK ((root_id = ancestors[1])),
    CONSTRAINT tenants_kind_check CHECK ((kind = ANY (ARRAY['mssp'::text, 'msp'::text, 'company'::text]))),
    CONSTRAINT tenants_name_check CHECK (((length(btrim(name)) >= 1) AND (length(btrim(name)) <= 120))),
    CONSTRAINT tenants_region_check CHECK ((region ~ '^[a-z]{2}(-[a-z0-9]{1,16}){0,2}$'::text)),
    CONSTRAINT tenants_status_check CHECK ((status = ANY (ARRAY['active'::text, 'archived'::text])))
);

ALTER TABLE ONLY public.tenants FORCE ROW LEVEL SECURITY;

ALTER TABLE public.tenants OWNER TO portal_owner;

COMMENT ON COLUMN public.tenants.root_id IS 'the MSSP (or standalone MSP) at the top; derived by tenants_tree_check()';

CREATE FUNCTION public.dashboard_ancestors(t public.tenants, sc bigint[], ex bigint[]) RETURNS json
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    SET plan_cache_mode TO 'force_generic_plan'
    AS $$
BEGIN
    IF cardinality(t.ancestors) < 2 THEN  -- a root (an MSSP's Global view): no statement for an empty path
        RETURN '[]';
    END IF;
    RETURN (SELECT coalesce(json_agg(json_build_object('id', a.id, 'name', a.name, 'kind', a.kind) ORDER BY p.n), '[]')
              FROM unnest(t.ancestors[1:cardinality(t.ancestors) - 1]) WITH ORDINALITY AS p(id, n)
              JOIN LATERAL (SELECT y.id, y.name, y.kind FROM tenants y
                             WHERE y.id = p.id AND scope_sees(y.ancestors, y.id, sc, ex) OFFSET 0) a ON true);
END $$;

ALTER FUNCTION public.dashboard_ancestors(t public.tenants, sc bigint[], ex bigint[]) OWNER TO portal_owner;

CREATE FUNCTION public.dashboard_board(t public.tenants, p_hours integer, sc bigint[], ex bigint[]) RETURNS json
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    SET plan_cache_mode TO 'force_generic_plan'
    AS $$
DECLARE
    st tenant_stats%ROWTYPE;
    h0 timestamptz := date_trunc('hour', now(), 'UTC');
    risky json;
    tops bigint[];   -- the tenants whose rollups make the figures
    cves json;       -- the ten most frequent open CVEs of several tops
BEGIN
    IF t.ancestors && sc THEN
        tops := ARRAY[t.id];
        SELECT * INTO st FROM tenant_stats WHERE tenant_stats.tenant_id = t.id;   -- no row yet: all NULL
    ELSE
        -- Seen without its subtree: the highest visible tenants below.
        tops := scope_tops(t.id, t.ancestors, sc);
        SELECT sum(x.probes), sum(x.agents), sum(x.gateways), sum(x.discovered), sum(x.external), sum(x.vuln_critical),
               sum(x.vuln_high), sum(x.vuln_medium), sum(x.vuln_low), sum(x.incidents_open),
               sum(x.incidents_open_critical),
               sum(x.msps) + count(*) FILTER (WHERE a.kind = 'msp' AND a.status = 'active'),
               sum(x.companies) + count(*) FILTER (WHERE a.kind = 'company' AND a.status = 'active')
          INTO st.probes, st.agents, st.gateways, st.discovered, st.external, st.vuln_critical, st.vuln_high,
               st.vuln_medium, st.vuln_low, st.incidents_open, st.incidents_open_critical, st.msps, st.companies
          FROM tenants a JOIN tenant_stats x ON x.tenant_id = a.id
         WHERE a.id = ANY (tops);
        SELECT json_agg(json_build_object('cve', c.cve, 'open', c.open) ORDER BY c.open DESC, c.cve) INTO cves
          FROM (SELECT o.cve, sum(o.open) AS open FROM cve_open o WHERE o.tenant_id = ANY (tops) AND o.open > 0
                 GROUP BY o.cve ORDER BY 2 DESC, o.cve LIMIT 10) c;
        cves := coalesce(cves, '[]');
    END IF;
    -- The most at-risk companies (docs/dashboards.md). A tree's root (an
    -- MSSP, or an MSP on its own): every company of the tree; an MSSP
    -- Analyst there sees those of their assigned subtrees. An MSP below an
    -- MSSP: its companies. A company: itself.
    IF t.kind = 'company' THEN
        SELECT json_agg(r) INTO risky FROM (
            SELECT x.tenant_id AS id, t.name, x.risk, x.incidents_open_critical AS open_critical,
                   x.incidents_open AS open, x.vuln_critical
              FROM tenant_stats x WHERE x.tenant_id = t.id AND x.risk > 0) r;
    ELSIF t.parent_id IS NULL THEN
        SELECT json_agg(r) INTO risky FROM (
            SELECT x.tenant_id AS id, x.name, x.risk, x.incidents_open_critical AS open_critical,
                   x.incidents_open AS open, x.vuln_critical
              FROM tenant_stats x
              JOIN LATERAL (SELECT 1 FROM tenants c WHERE c.id = x.tenant_id AND c.status = 'active'
                               AND scope_sees(c.ancestors, c.id, sc, ex) OFFSET 0) v ON true
             WHERE x.root_id = t.id AND x.risk > 0 AND x.is_company
             ORDER BY x.risk DESC, x.name, x.tenant_id LIMIT 5) r;
    ELSE
        SELECT json_agg(r) INTO risky FROM (
            SELECT x.tenant_id AS id, x.name, x.risk, x.incidents_open_critical AS open_critical,
                   x.incidents_open AS open, x.vuln_critical
              FROM tenant_stats x
              JOIN LATERAL (SELECT 1 FROM tenants c WHERE c.id = x.tenant_id AND c.status = 'active'
                               AND scope_sees(c.ancestors, c.id, sc, ex) OFFSET 0) v ON true
             WHERE x.parent_id = t.id AND x.risk > 0 AND x.is_company
             ORDER BY x.risk DESC, x.name, x.tenant_id LIMIT 5) r;
    END IF;
    RETURN json_build_object(
        'stats', json_build_object('probes', coalesce(st.probes, 0), 'agents', coalesce(st.agents, 0),
                     'gateways', coalesce(st.gateways, 0),
                     'discovered', coalesce(st.discovered, 0), 'external', coalesce(st.external, 0),
                     'critical', coalesce(st.vuln_critical, 0), 'high', coalesce(st.vuln_high, 0),
                     'medium', coalesce(st.vuln_medium, 0), 'low', coalesce(st.vuln_low, 0),
                     'incidents_open', coalesce(st.incidents_open, 0),
                     'incidents_open_critical', coalesce(st.incidents_open_critical, 0),
                     'msps', coalesce(st.msps, 0), 'companies', coalesce(st.companies, 0)),
        -- The period's windows and the same length before them (the
        -- tiles' change against the previous period).
        'windows', (SELECT json_build_object(
                        'new_24h', coalesce(sum(h.opened) FILTER (WHERE h.hour >= h0 - interval '24 hours'), 0),
                        'new_prev_24h', coalesce(sum(h.opened) FILTER (WHERE h.hour < h0 - interval '24 hours'
                                                                         AND h.hour >= h0 - interval '48 hours'), 0),
                        'opened', coalesce(sum(h.opened) FILTER (WHERE h.hour >= h0 - make_interval(hours => p_hours)), 0),
                        'closed', coalesce(sum(h.closed) FILTER (WHERE h.hour >= h0 - make_interval(hours => p_hours)), 0),
                        'opened_prev', coalesce(sum(h.opened) FILTER (WHERE h.hour < h0 - make_interval(hours => p_hours)
                                                                       AND h.hour >= h0 - make_interval(hours => 2 * p_hours)), 0),
                        'closed_prev', coalesce(sum(h.closed) FILTER (WHERE h.hour < h0 - make_interval(hours => p_hours)
                                                                       AND h.hour >= h0 - make_interval(hours => 2 * p_hours)), 0))
                      FROM incident_hourly h
                     WHERE h.tenant_id = ANY (tops) AND h.hour >= h0 - make_interval(hours => greatest(2 * p_hours, 48))),
        'at_risk', coalesce(risky, '[]'),
        -- An MSSP's requests waiting for an MSP's answer (its MSPs table
        -- lists them first), for those who see its requests: its whole
        -- subtree (msp_requests_list()).
        'pending', CASE WHEN t.kind = 'mssp' AND t.ancestors && sc THEN
                       (SELECT coalesce(json_agg(json_build_object('id', q.id, 'name', m.name,
                                   'expires', extract(epoch FROM q.expires_at)::bigint,
                                   'expires_at', to_char(q.expires_at, 'YYYY-MM-DD HH24:MI'))
                                   ORDER BY q.created_at DESC, q.id DESC), '[]')
                          FROM (SELECT x.* FROM msp_requests x
                                 WHERE x.mssp_id = t.id AND x.status = 'pending' AND x.expires_at > now()
                                 ORDER BY x.created_at DESC, x.id DESC LIMIT 20) q
                          JOIN tenants m ON m.id = q.msp_tenant_id)
                   ELSE '[]' END,
        -- The 30-day trend is computed by the caller from the open counts
        -- now and the last 30 days' found / fixed (days from today: 0 is
        -- today, negative before, positive for future-dated findings), in
        -- the days' order: a kept row is the same as one computed now.
        'trend', (SELECT json_build_object('today', to_char(current_date, 'YYYY-MM-DD'), 'open', coalesce(st.vuln_critical + st.vuln_high + st.vuln_medium
                                                            + st.vuln_low, 0),
                                           'open_critical', coalesce(st.vuln_critical, 0),
                                           'day', coalesce(array_agg(x.day - current_date ORDER BY x.day), '{}'),
                                           'net', coalesce(array_agg(x.found - x.fixed ORDER BY x.day), '{}'),
                                           'net_critical', coalesce(array_agg(x.found_critical - x.fixed_critical
                                                                              ORDER BY x.day), '{}'))
                    FROM (SELECT d.day, sum(d.found) AS found, sum(d.fixed) AS fixed,
                                 sum(d.found_critical) AS found_critical, sum(d.fixed_critical) AS fixed_critical
                            FROM vuln_daily d WHERE d.tenant_id = ANY (tops) AND d.day > current_date - 30
                           GROUP BY d.day) x),
        -- (the analyst's sums are in cves already)
        'top_cves', coalesce(cves, (SELECT json_agg(json_build_object('cve', c.cve, 'open', c.open)
                                                    ORDER BY c.open DESC, c.cve)
                                      FROM cve_top(t.id) c), '[]'));
END $$;

ALTER FUNCTION public.dashboard_board(t public.tenants, p_hours integer, sc bigint[], ex bigint[]) OWNER TO portal_owner;

CREATE FUNCTION public.dashboard_doc_build(p_tenant bigint) RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
DECLARE
    t tenants%ROWTYPE;
    v bigint;
    h0 timestamptz := date_trunc('hour', now(), 'UTC');
    own bigint[];
    board json;
    kids dashboard_row[];
    lns text[];
    lapse bigint;
BEGIN
    SELECT s.version INTO v FROM tenant_stats s WHERE s.tenant_id = p_tenant;
    IF NOT FOUND OR EXISTS (SELECT 1 FROM dashboard_docs d WHERE d.tenant_id = p_tenant AND d.version = v
                                                             AND NOT dashboard_doc_lapsed(d)) THEN
        RETURN;
    END IF;
    SELECT * INTO t FROM tenants WHERE tenants.id = p_tenant;
    IF NOT FOUND OR t.kind = 'company' THEN
        RETURN;
    END IF;
    own := ARRAY[t.id];
    board := dashboard_board(t, 24, own, '{}');
    kids := ARRAY(SELECT ROW(x.*)::dashboard_row FROM tenant_children_rows_as(t.id, '', 'name', 'asc', 200, 0, own, '{}') x);
    -- The first pending request shown (the MSSP's list, or a row's) to
    -- expire: the row serves until a second before it (the epoch is
    -- rounded to the nearest second, as the page reads it).
    SELECT min(e) INTO lapse
      FROM (SELECT (p->>'expires')::bigint AS e FROM json_array_elements(board->'pending') p
            UNION ALL
            SELECT k.request_expires FROM unnest(kids) k) x;
    -- built_at: its transaction's start; what it shows is no older. How
    -- long dashboard_page() may serve it behind the version (sql/070).
    lns := dashboard_row_lines(kids);
    INSERT INTO dashboard_docs AS d (tenant_id, version, hour, valid_until, board, lines, first_page, orders,
                                     built_at)
    VALUES (t.id, v, h0, to_timestamp(lapse - 1), board::text, lns, array_to_string(lns[1:50], E'\n'),
            CASE WHEN cardinality(kids) = coalesce((kids[1]).total, 0) THEN children_orders(kids) END, now())
    ON CONFLICT (tenant_id) DO UPDATE
       SET version = excluded.version, hour = excluded.hour, valid_until = excluded.valid_until,
           board = excluded.board, lines = excluded.lines,
           first_page = excluded.first_page, orders = excluded.orders,
           built_at = excluded.built_at
     -- Two builders of one tenant (dashboard_docs_refresh() after two
     -- batches): the row of the later version stays; of the same version
     -- and hour (a lapsed request), the newer build.
     WHERE (d.hour, d.version) <= (excluded.hour, excluded.version);
END $$;

ALTER FUNCTION public.dashboard_doc_build(p_tenant bigint) OWNER TO portal_owner;

CREATE FUNCTION public.dashboard_doc_keep() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
BEGIN
    IF current_setting('portal.docs_later', true) = 'on' THEN
        RETURN NULL;
    END IF;
    PERFORM dashboard_doc_build(NEW.tenant_id);
    RETURN NULL;
END $$;

ALTER FUNCTION public.dashboard_doc_keep() OWNER TO portal_owner;

CREATE TABLE public.dashboard_docs (
    tenant_id bigint NOT NULL,
    version bigint NOT NULL,
    hour timestamp with time zone NOT NULL,
    valid_until timestamp with time zone,
    board text NOT NULL,
    built_at timestamp with time zone,
    lines text[] NOT NULL,
    first_page text NOT NULL,
    orders smallint[]
);
ALTER TABLE ONLY public.dashboard_docs ALTER COLUMN board SET COMPRESSION lz4;
ALTER TABLE ONLY public.dashboard_docs ALTER COLUMN lines SET COMPRESSION lz4;
ALTER TABLE ONLY public.dashboard_docs ALTER COLUMN first_page SET COMPRESSION lz4;
ALTER TABLE ONLY public.dashboard_docs ALTER COLUMN orders SET COMPRESSION lz4;

ALTER TABLE ONLY public.dashboard_docs FORCE ROW LEVEL SECURITY;

ALTER TABLE public.dashboard_docs OWNER TO portal_owner;

CREATE FUNCTION public.dashboard_doc_lapsed(d public.dashboard_docs) RETURNS boolean
    LANGUAGE sql STABLE
    AS $$
    SELECT d.tenant_id IS NULL OR d.hour <> date_trunc('hour', now(), 'UTC')
           OR coalesce(d.valid_until <= now(), false)
$$;

ALTER FUNCTION public.dashboard_doc_lapsed(d public.dashboard_docs) OWNER TO portal_owner;

CREATE FUNCTION public.dashboard_doc_refresh(p_tenant bigint) RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
BEGIN
    PERFORM set_config('synchronous_commit', 'off', true);
    PERFORM dashboard_doc_build(p_tenant);
END $$;

ALTER FUNCTION public.dashboard_doc_refresh(p_tenant bigint) OWNER TO portal_owner;

CREATE FUNCTION public.dashboard_docs_stale(p_tenant bigint) RETURNS SETOF bigint
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
    -- The tenants by their index (ancestors: the key's row; MSPs: its
    -- children), then their rows by key: never a scan of tenant_stats,
    -- 30 MB at size L and read at every batch.
    SELECT s.tenant_id
      FROM tenants k
     CROSS JOIN LATERAL (SELECT a.id FROM unnest(k.ancestors) a(id)
                         UNION
                         SELECT c.id FROM tenants c WHERE c.parent_id = k.id AND c.kind <> 'company') m
      JOIN tenant_stats s ON s.tenant_id = m.id
      LEFT JOIN dashboard_docs d ON d.tenant_id = s.tenant_id
     WHERE k.id = p_tenant AND NOT s.is_company
       AND (dashboard_doc_lapsed(d)
            OR d.version <> s.version
               AND NOT (dashboard_lag() > 0 AND d.built_at > now() - make_interval(secs => dashboard_lag()) / 2))
     ORDER BY s.tenant_id
$$;

ALTER FUNCTION public.dashboard_docs_stale(p_tenant bigint) OWNER TO portal_owner;

CREATE FUNCTION public.dashboard_join(p_path json, p_board text) RETURNS text
    LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
    AS $$
BEGIN
    RETURN '{"ancestors" : ' || p_path::text || ', ' || substr(p_board, 2);
END $$;

ALTER FUNCTION public.dashboard_join(p_path json, p_board text) OWNER TO portal_owner;

CREATE FUNCTION public.dashboard_lag() RETURNS integer
    LANGUAGE sql STABLE
    AS $$
    SELECT coalesce(nullif(current_setting('portal.dashboard_lag', true), '')::int, 0)
$$;

ALTER FUNCTION public.dashboard_lag() OWNER TO portal_owner;

CREATE FUNCTION public.dashboard_overview(p_tenant bigint, p_hours integer) RETURNS json
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
DECLARE
    sc bigint[] := app_scope();
    ex bigint[] := app_exact();
    t tenants%ROWTYPE;
BEGIN
    SELECT * INTO t FROM tenants WHERE tenants.id = p_tenant;
    IF NOT FOUND OR NOT scope_sees(t.ancestors, t.id, sc, ex) THEN
        RETURN NULL;
    END IF;
    RETURN dashboard_join(dashboard_ancestors(t, sc, ex), dashboard_board(t, p_hours, sc, ex)::text)::json;
END $$;

ALTER FUNCTION public.dashboard_overview(p_tenant bigint, p_hours integer) OWNER TO portal_owner;

CREATE FUNCTION public.dashboard_page(p_tenant bigint, p_hours integer, p_q text, p_sort text, p_dir text, p_limit integer, p_offset integer) RETURNS TABLE(ov text, rows text)
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    SET plan_cache_mode TO 'force_generic_plan'
    AS $$
#variable_conflict use_column
DECLARE
    sc bigint[] := app_scope();
    ex bigint[] := app_exact();
    t tenants%ROWTYPE;
    d dashboard_docs%ROWTYPE;
    path json;
    lns text[];
    k int;          -- the sort key's place in children_sort_keys()
    ov text;
    rows text;
    kept boolean;   -- a row kept could serve this viewer and period
    lapsed boolean; -- ... and none is of this hour with its requests live
    rebuild boolean; -- ... and this page should have it rebuilt ("stale")
    v bigint;
    lag int := dashboard_lag();
    behind timestamptz;  -- a row behind the version served: when it was built
BEGIN
    IF p_limit < 0 OR p_offset < 0 THEN  -- as LIMIT and OFFSET (order_page() slices)
        RAISE EXCEPTION 'dashboard_page: negative limit or offset' USING ERRCODE = '2201W';
    END IF;
    SELECT * INTO t FROM tenants x WHERE x.id = p_tenant;
    IF NOT FOUND OR NOT scope_sees(t.ancestors, t.id, sc, ex) THEN
        RETURN;
    END IF;
    path := dashboard_ancestors(t, sc, ex);
    kept := t.ancestors && sc AND t.kind <> 'company' AND p_hours = 24;
    IF kept THEN
        SELECT x.* INTO d FROM dashboard_docs x WHERE x.tenant_id = t.id;
        SELECT s.version INTO v FROM tenant_stats s WHERE s.tenant_id = t.id;
        lapsed := dashboard_doc_lapsed(d);
        IF NOT lapsed AND d.version < v AND lag > 0 AND d.built_at > now() - make_interval(secs => lag) THEN
            behind := d.built_at;
        ELSIF lapsed OR d.version IS DISTINCT FROM v THEN
            -- Computed now. With a lag, a row behind and older than it
            -- is one whose rebuild did not come (dashboard_docs_stale()
            -- leaves a young row to a later batch, which may not come):
            -- rebuilt once answered, as a lapsed one.
            rebuild := lapsed OR (lag > 0 AND d.version < v);
            d := NULL;
        END IF;
    END IF;
    -- The table kept (its first page by name, unsearched), or as asked.
    IF d.tenant_id IS NOT NULL AND p_q = '' AND p_sort = 'name' AND p_dir = 'asc' AND p_limit = 50
       AND p_offset = 0 THEN
        rows := d.first_page;
    ELSIF d.tenant_id IS NOT NULL AND p_q = '' AND d.orders IS NOT NULL THEN
        -- The kept rows are every child: sorted another way or another
        -- page, their lines sent as made, in the order kept (orders:
        -- children_orders(), the name's too; a page of one a slice,
        -- order_page(), read from its end when descending). Neither the
        -- rows nor their sort: a view by critical findings 310 -> 253 us
        -- of PostgreSQL (docs/performance.md, "Session 41"), and the page
        -- a slice, not a call (45 -> 19 us, "Session 42"). Each kept value
        -- named once: they are out of line (TOAST), fetched and
        -- decompressed again wherever a statement names them.
        lns := d.lines;
        k := coalesce(array_position(children_sort_keys(), p_sort), 0);  -- 0: by name
        rows := array_to_string(ARRAY(SELECT lns[o.i]
                                        FROM unnest(order_page(d.orders, k, cardinality(lns), p_dir, p_limit,
                                                               p_offset))
                                             WITH ORDINALITY AS o(i, n)
                                       ORDER BY CASE WHEN p_dir = 'desc' THEN -o.n ELSE o.n END), E'\n');
    ELSE
        rows := array_to_string(dashboard_row_lines(ARRAY(SELECT ROW(x.*)::dashboard_row
                                                             FROM tenant_children_rows_as(t.id, p_q, p_sort, p_dir,
                                                                                          p_limit, p_offset, sc, ex) x)),
                                E'\n');
    END IF;
    ov := '"ancestors" : ' || path::text || ', "board" : ' || coalesce(d.board, dashboard_board(t, p_hours, sc, ex)::text)
          || '}';
    -- A row could have served this and has lapsed (no row, the hour
    -- turned, a request it showed expired): "stale" asks the caller to
    -- rebuild it once it has answered (dashboard_doc_refresh()), so a
    -- tenant nobody writes to is computed once, not at every view until a
    -- write. A row only behind the version is being rebuilt by its writer
    -- (at the commit, or by the API worker after an ingest batch), but
    -- with a lag, once older than it (above).
    IF lag > 0 AND t.kind <> 'company' THEN
        ov := '"lag_until" : ' || (floor(extract(epoch FROM coalesce(behind, now())))::bigint + lag) || ', ' || ov;
    END IF;
    IF kept AND rebuild THEN
        ov := '"stale" : true, ' || ov;
    END IF;
    RETURN QUERY SELECT '{' || ov, rows;
END $$;

ALTER FUNCTION public.dashboard_page(p_tenant bigint, p_hours integer, p_q text, p_sort text, p_dir text, p_limit integer, p_offset integer) OWNER TO portal_owner;

CREATE FUNCTION public.dashboard_row_lines(p_rows public.dashboard_row[]) RETURNS text[]
    LANGUAGE plpgsql STABLE PARALLEL SAFE
    AS $$
BEGIN
    RETURN ARRAY(SELECT concat_ws(E'\t', r.id, r.companies, r.probes, r.agents, r.discovered, r.external, r.vulns,
                                  r.critical, r.high, r.medium, r.low, r.open_critical,
                                  coalesce(r.request_expires::text, ''), r.total, coalesce(r.request, ''), r.kind,
                                  r.region, octet_length(r.name) || ':' || r.name)
                   FROM unnest(p_rows) WITH ORDINALITY
                        AS r(id, name, kind, region, companies, probes, agents, discovered, external, vulns,
                             critical, high, medium, low, open_critical, request, request_expires, total, n)
                  ORDER BY r.n);
END $$;

ALTER FUNCTION public.dashboard_row_lines(p_rows public.dashboard_row[]) OWNER TO portal_owner;

CREATE FUNCTION public.delta_rows(p_op text, p_cols text) RETURNS text
    LANGUAGE sql STABLE
    AS $_$
    SELECT CASE p_op
        WHEN 'INSERT' THEN format('SELECT %s, 1 AS n FROM new_rows', p_cols)
        WHEN 'DELETE' THEN format('SELECT %s, -1 AS n FROM old_rows', p_cols)
        ELSE format('SELECT %1$s, 1 AS n FROM new_rows UNION ALL SELECT %1$s, -1 AS n FROM old_rows', p_cols) END
$_$;

ALTER FUNCTION public.delta_rows(p_op text, p_cols text) OWNER TO portal_owner;

CREATE FUNCTION public.effective_role(p_tenant bigint) RETURNS text
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
BEGIN
    RETURN tenant_role(app_user_id(), p_tenant);
END $$;

ALTER FUNCTION public.effective_role(p_tenant bigint) OWNER TO portal_owner;

CREATE FUNCTION public.exposure_top(p_tenant bigint) RETURNS TABLE(id bigint, name text, exposure bigint, risk bigint, vuln_critical bigint, vuln_high bigint, vuln_medium bigint, vuln_low bigint, incidents_open bigint)
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $_$
DECLARE
    sc bigint[] := app_scope();
    ex bigint[] := app_exact();
    t tenants%ROWTYPE;
BEGIN
    SELECT * INTO t FROM tenants WHERE tenants.id = p_tenant;
    IF NOT FOUND OR NOT scope_sees(t.ancestors, t.id, sc, ex) THEN
        RETURN;
    END IF;
    -- (The tree's companies below a root, the parent's below an MSP: each
    -- through its own index, hence the column named in the statement.)
    RETURN QUERY EXECUTE format($q$
        SELECT x.tenant_id, x.name, x.exposure, x.risk, x.vuln_critical, x.vuln_high, x.vuln_medium, x.vuln_low,
               x.incidents_open
          FROM tenant_stats x
          JOIN LATERAL (SELECT 1 FROM tenants c WHERE c.id = x.tenant_id AND c.status = 'active'
                           AND scope_sees(c.ancestors, c.id, $2, $3) OFFSET 0) v ON true
         WHERE x.%I = $1 AND x.exposure > 0 AND x.is_company
         ORDER BY x.exposure DESC, x.name, x.tenant_id LIMIT 15$q$,
        CASE WHEN t.parent_id IS NULL THEN 'root_id' ELSE 'parent_id' END) USING t.id, sc, ex;
END $_$;

ALTER FUNCTION public.exposure_top(p_tenant bigint) OWNER TO portal_owner;

CREATE FUNCTION public.growth_top(p_tenant bigint) RETURNS TABLE(id bigint, name text, this_week bigint, last_week bigint)
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $_$
DECLARE
    sc bigint[] := app_scope();
    ex bigint[] := app_exact();
    t tenants%ROWTYPE;
BEGIN
    SELECT * INTO t FROM tenants WHERE tenants.id = p_tenant;
    IF NOT FOUND OR NOT scope_sees(t.ancestors, t.id, sc, ex) THEN
        RETURN;
    END IF;
    -- (The condition picks the index: a root's companies, an MSP's, or
    -- for an MSSP Analyst on the MSSP the visible ones of the tree.)
    RETURN QUERY EXECUTE format($q$
        SELECT c.id, c.name, w.this_week, w.last_week
          FROM tenants c JOIN incident_recent r ON r.tenant_id = c.id CROSS JOIN LATERAL incident_weeks(r) w
         WHERE c.kind = 'company' AND c.status = 'active' AND %s AND w.this_week > w.last_week
         ORDER BY w.this_week - w.last_week DESC, c.name, c.id LIMIT 15$q$,
        CASE WHEN NOT t.ancestors && sc THEN 'c.ancestors @> ARRAY[$1] AND scope_sees(c.ancestors, c.id, $2, $3)'
             WHEN t.parent_id IS NULL THEN 'c.root_id = $1'
             ELSE 'c.parent_id = $1' END) USING t.id, sc, ex;
END $_$;

ALTER FUNCTION public.growth_top(p_tenant bigint) OWNER TO portal_owner;

CREATE FUNCTION public.identity_keep(p_token text, p_user bigint, p_api_tenant bigint) RETURNS void
    LANGUAGE plpgsql
    AS $$
DECLARE
    v bigint;
BEGIN
    IF pg_is_in_recovery() THEN
        RETURN;
    END IF;
    IF to_regclass('pg_temp.app_identity_stamp') IS NULL THEN
        CREATE TEMP SEQUENCE IF NOT EXISTS app_identity_stamp MINVALUE -9223372036854775808;
        CREATE TEMP SEQUENCE IF NOT EXISTS app_identity_who MINVALUE -9223372036854775808;
        GRANT SELECT ON SEQUENCE pg_temp.app_identity_stamp, pg_temp.app_identity_who TO portal_app;
    END IF;
    -- Assigned, not PERFORMed: an assignment is a simple expression,
    -- evaluated without going through SPI.
    v := setval('pg_temp.app_identity_who', coalesce(p_user, -p_api_tenant, 0));
    v := setval('pg_temp.app_identity_stamp', identity_stamp(p_token));
END $$;

ALTER FUNCTION public.identity_keep(p_token text, p_user bigint, p_api_tenant bigint) OWNER TO portal_owner;

CREATE FUNCTION public.identity_kept(p_token text) RETURNS bigint
    LANGUAGE plpgsql STABLE
    AS $$
BEGIN
    IF to_regclass('pg_temp.app_identity_stamp') IS NULL THEN
        RETURN NULL;   -- (a statement of its own: the name below is looked up when its statement is planned)
    END IF;
    IF pg_sequence_last_value('pg_temp.app_identity_stamp') IS DISTINCT FROM identity_stamp(p_token) THEN
        RETURN NULL;
    END IF;
    RETURN pg_sequence_last_value('pg_temp.app_identity_who');
END $$;

ALTER FUNCTION public.identity_kept(p_token text) OWNER TO portal_owner;

CREATE FUNCTION public.identity_of(p_token text) RETURNS bigint
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
BEGIN
    IF NOT token_shaped(p_token) THEN
        RETURN NULL;
    END IF;
    RETURN (SELECT s.user_id FROM sessions s JOIN users u ON u.id = s.user_id
             WHERE s.token_hash = token_digest(p_token) AND s.expires_at > now() AND u.status = 'active');
END $$;

ALTER FUNCTION public.identity_of(p_token text) OWNER TO portal_owner;

CREATE FUNCTION public.identity_stamp(p_token text) RETURNS bigint
    LANGUAGE sql STABLE
    AS $$
    SELECT hashtextextended(coalesce(p_token, ''), (extract(epoch FROM now()) * 1000000)::bigint)
$$;

ALTER FUNCTION public.identity_stamp(p_token text) OWNER TO portal_owner;

CREATE FUNCTION public.incident_detail(p_tenant bigint, p_incident bigint) RETURNS jsonb
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
DECLARE
    sc bigint[] := app_scope();
    ex bigint[] := app_exact();
    i incidents%ROWTYPE;
    c tenants%ROWTYPE;
    ack record;
    res record;
BEGIN
    SELECT x.* INTO i FROM incidents x JOIN tenants t ON t.id = x.tenant_id
     WHERE x.id = p_incident AND p_tenant = ANY (t.ancestors) AND scope_sees(t.ancestors, t.id, sc, ex);
    IF NOT FOUND THEN
        RETURN NULL;
    END IF;
    SELECT * INTO c FROM tenants WHERE id = i.tenant_id;
    SELECT a.at, u.name INTO ack FROM audit_log a LEFT JOIN users u ON u.id = a.user_id
     WHERE a.target = 'incident:' || i.id AND a.action = 'incident.acknowledged' ORDER BY a.at LIMIT 1;
    SELECT a.at, u.name INTO res FROM audit_log a LEFT JOIN users u ON u.id = a.user_id
     WHERE a.target = 'incident:' || i.id AND a.action = 'incident.resolved' ORDER BY a.at DESC LIMIT 1;
    RETURN jsonb_strip_nulls(jsonb_build_object(
        'id', i.id, 'external_id', i.external_id, 'severity', i.severity, 'title', i.title,
        'indicator', i.indicator, 'indicator_kind', i.indicator_kind,
        -- (archived: named, not linked, its page is not found: docs/dashboards.md)
        'customer', jsonb_build_object('id', c.id, 'name', c.name, 'kind', c.kind, 'archived', c.status <> 'active'),
        'open', i.closed_at IS NULL, 'acknowledged', i.acknowledged_at IS NOT NULL,
        'note', i.resolution_note,
        'timeline', (SELECT jsonb_agg(e ORDER BY e->>'at_sort') FROM (
            SELECT jsonb_build_object('what', 'opened', 'label', 'Opened', 'at', to_char(i.opened_at, 'YYYY-MM-DD HH24:MI'),
                                      'at_sort', to_char(i.opened_at, 'YYYY-MM-DD HH24:MI:SS.US'),
                                      'by', 'reported by a probe or agent') AS e
            UNION ALL
            SELECT jsonb_build_object('what', 'acknowledged', 'label', 'Acknowledged',
                                      'at', to_char(i.acknowledged_at, 'YYYY-MM-DD HH24:MI'),
                                      'at_sort', to_char(i.acknowledged_at, 'YYYY-MM-DD HH24:MI:SS.US'),
                                      'by', coalesce(ack.name, 'reported by a probe or agent'))
             WHERE i.acknowledged_at IS NOT NULL
            UNION ALL
            SELECT jsonb_build_object('what', 'resolved', 'label', 'Resolved', 'at', to_char(i.closed_at, 'YYYY-MM-DD HH24:MI'),
                                      'at_sort', to_char(i.closed_at, 'YYYY-MM-DD HH24:MI:SS.US'),
                                      'by', coalesce(res.name, 'reported by a probe or agent'), 'note', i.resolution_note)
             WHERE i.closed_at IS NOT NULL) s),
        'elsewhere', (SELECT jsonb_agg(jsonb_build_object('id', o.tenant_id, 'name', o.name, 'archived', o.archived,
                                                         'incidents', o.n,
                                                         'last', to_char(o.last_at, 'YYYY-MM-DD HH24:MI'))
                                       ORDER BY o.last_at DESC, o.tenant_id DESC)
                        FROM (SELECT x.tenant_id, x.last_at, v.name, v.status <> 'active' AS archived,
                                     -- (the customer's incidents, fenced: read with
                                     -- the indicator's index too, a popular one's
                                     -- 411,000 entries were read for each customer)
                                     (SELECT count(*) FROM (SELECT y.indicator, y.opened_at FROM incidents y
                                                             WHERE y.tenant_id = x.tenant_id OFFSET 0) y
                                       WHERE y.indicator = x.indicator
                                         AND y.opened_at > now() - interval '30 days') AS n
                                FROM indicator_customers x JOIN tenants v ON v.id = x.tenant_id
                               WHERE i.indicator IS NOT NULL AND x.root_id = i.root_id AND x.indicator = i.indicator
                                 AND x.last_at > now() - interval '30 days' AND x.tenant_id <> i.tenant_id
                                 AND scope_sees(v.ancestors, v.id, sc, ex)
                               ORDER BY x.last_at DESC, x.tenant_id DESC LIMIT 10) o)));
END $$;

ALTER FUNCTION public.incident_detail(p_tenant bigint, p_incident bigint) OWNER TO portal_owner;

CREATE FUNCTION public.incident_page(p_tenant bigint, p_status text, p_severity text, p_after bigint, p_before bigint) RETURNS TABLE(meta text, id bigint, customer text, customer_id bigint, severity text, title text, indicator text, opened text, acknowledged text, closed text, note text)
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
#variable_conflict use_column
DECLARE
    w int := severity_weight(nullif(p_severity, ''));
    total bigint;
    p record;
BEGIN
    IF p_status = 'open' AND (w IS NULL OR w = 4) THEN   -- from the rollups, if the viewer sees the whole subtree
        SELECT CASE WHEN w = 4 THEN s.incidents_open_critical ELSE s.incidents_open END INTO total
          FROM tenants t LEFT JOIN tenant_stats s ON s.tenant_id = t.id
         WHERE t.id = p_tenant AND t.ancestors && app_scope();
        total := CASE WHEN FOUND THEN coalesce(total, 0) END;
    END IF;
    p := list_page(p_tenant, 'incident_reader', CASE WHEN p_status IN ('open', 'closed', 'new') THEN p_status ELSE 'all' END,
                   ARRAY[coalesce(w, 1)::text, coalesce(w, 4)::text], p_after, p_before, total IS NULL);
    IF p.ids IS NULL THEN
        RETURN;
    END IF;
    RETURN QUERY
    SELECT CASE WHEN r.n IS NULL OR r.n = 1 THEN list_meta(p.ids, p.has_prev, p.has_next, total, p.counted)::text END,
           r.id, r.customer, r.customer_id, r.severity, r.title, r.indicator, r.opened, r.acknowledged, r.closed, r.note
      FROM (SELECT 1) one LEFT JOIN LATERAL (
            SELECT u.n, i.id, c.name AS customer,
                   -- an archived customer's page is not found: no id, the row names it
                   CASE WHEN c.status = 'active' THEN c.id END AS customer_id, i.severity, i.title,
                   coalesce(i.indicator, '') AS indicator, to_char(i.opened_at, 'YYYY-MM-DD HH24:MI') AS opened,
                   to_char(i.acknowledged_at, 'YYYY-MM-DD HH24:MI') AS acknowledged,
                   to_char(i.closed_at, 'YYYY-MM-DD HH24:MI') AS closed,
                   CASE WHEN i.closed_at IS NOT NULL THEN coalesce(i.resolution_note, '') END AS note
              FROM unnest(p.ids) WITH ORDINALITY AS u(id, n)
              JOIN incidents i ON i.id = u.id JOIN tenants c ON c.id = i.tenant_id) r ON true
     ORDER BY r.n;
END $$;

ALTER FUNCTION public.incident_page(p_tenant bigint, p_status text, p_severity text, p_after bigint, p_before bigint) OWNER TO portal_owner;

CREATE FUNCTION public.incident_reader(p_tids bigint[], p_root bigint, p_tenant bigint, p_sc bigint[], p_ex bigint[], p_args text[], p_how text, p_set text, p_cursor bigint, p_back boolean, p_count boolean, OUT ids bigint[], OUT cursor_found boolean, OUT counted bigint) RETURNS record
    LANGUAGE plpgsql STABLE
    SET plan_cache_mode TO 'force_generic_plan'
    AS $_$
DECLARE
    cur record;
BEGIN
    IF p_cursor IS NOT NULL THEN
        SELECT severity_weight(x.severity) AS k1, x.opened_at AS k2, x.id AS k3 INTO cur FROM incidents x JOIN tenants c ON c.id = x.tenant_id
         WHERE x.id = p_cursor AND c.ancestors @> ARRAY[$3] AND scope_sees(c.ancestors, c.id, $4, $5);
    END IF;
    cursor_found := p_cursor IS NOT NULL AND FOUND;
    IF p_how = 'tenants' AND cardinality(p_tids) = 1 THEN
        IF p_set = 'open' THEN
            IF NOT cursor_found THEN
                SELECT ARRAY(SELECT x.id FROM incidents x WHERE x.tenant_id = $1[1] AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.closed_at IS NULL) ORDER BY severity_weight(x.severity) DESC, x.opened_at DESC, x.id DESC LIMIT 51) INTO ids;
            ELSIF NOT p_back THEN
                SELECT ARRAY(SELECT x.id FROM incidents x WHERE x.tenant_id = $1[1] AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.closed_at IS NULL) AND (severity_weight(x.severity), x.opened_at, x.id) < (cur.k1, cur.k2, cur.k3) AND severity_weight(x.severity) <= cur.k1 ORDER BY severity_weight(x.severity) DESC, x.opened_at DESC, x.id DESC LIMIT 51) INTO ids;
            ELSE
                SELECT ARRAY(SELECT x.id FROM incidents x WHERE x.tenant_id = $1[1] AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.closed_at IS NULL) AND (severity_weight(x.severity), x.opened_at, x.id) > (cur.k1, cur.k2, cur.k3) AND severity_weight(x.severity) >= cur.k1 ORDER BY severity_weight(x.severity) ASC, x.opened_at ASC, x.id ASC LIMIT 51) INTO ids;
            END IF;
            IF p_count THEN
                SELECT count(*) FROM (SELECT 1 FROM ((SELECT 1 FROM incidents x WHERE x.tenant_id = $1[1] AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.closed_at IS NULL) LIMIT 1001)) x LIMIT 1001) x INTO counted;
            END IF;
        ELSIF p_set = 'closed' THEN
            IF NOT cursor_found THEN
                SELECT ARRAY(SELECT x.id FROM incidents x WHERE x.tenant_id = $1[1] AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.closed_at IS NOT NULL) ORDER BY severity_weight(x.severity) DESC, x.opened_at DESC, x.id DESC LIMIT 51) INTO ids;
            ELSIF NOT p_back THEN
                SELECT ARRAY(SELECT x.id FROM incidents x WHERE x.tenant_id = $1[1] AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.closed_at IS NOT NULL) AND (severity_weight(x.severity), x.opened_at, x.id) < (cur.k1, cur.k2, cur.k3) AND severity_weight(x.severity) <= cur.k1 ORDER BY severity_weight(x.severity) DESC, x.opened_at DESC, x.id DESC LIMIT 51) INTO ids;
            ELSE
                SELECT ARRAY(SELECT x.id FROM incidents x WHERE x.tenant_id = $1[1] AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.closed_at IS NOT NULL) AND (severity_weight(x.severity), x.opened_at, x.id) > (cur.k1, cur.k2, cur.k3) AND severity_weight(x.severity) >= cur.k1 ORDER BY severity_weight(x.severity) ASC, x.opened_at ASC, x.id ASC LIMIT 51) INTO ids;
            END IF;
            IF p_count THEN
                SELECT count(*) FROM (SELECT 1 FROM ((SELECT 1 FROM incidents x WHERE x.tenant_id = $1[1] AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.closed_at IS NOT NULL) LIMIT 1001)) x LIMIT 1001) x INTO counted;
            END IF;
        ELSIF p_set = 'new' THEN
            IF NOT cursor_found THEN
                SELECT ARRAY(SELECT x.id FROM ((SELECT x.id, severity_weight(x.severity) AS k1, x.opened_at AS k2, x.id AS k3 FROM incidents x WHERE x.tenant_id = $1[1] AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.closed_at IS NULL AND severity_weight(x.severity) = 4 AND x.opened_at >= date_trunc('hour', now(), 'UTC') - interval '24 hours') ORDER BY severity_weight(x.severity) DESC, x.opened_at DESC, x.id DESC LIMIT 51) UNION ALL (SELECT x.id, severity_weight(x.severity) AS k1, x.opened_at AS k2, x.id AS k3 FROM incidents x WHERE x.tenant_id = $1[1] AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.closed_at IS NULL AND severity_weight(x.severity) = 3 AND x.opened_at >= date_trunc('hour', now(), 'UTC') - interval '24 hours') ORDER BY severity_weight(x.severity) DESC, x.opened_at DESC, x.id DESC LIMIT 51) UNION ALL (SELECT x.id, severity_weight(x.severity) AS k1, x.opened_at AS k2, x.id AS k3 FROM incidents x WHERE x.tenant_id = $1[1] AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.closed_at IS NULL AND severity_weight(x.severity) = 2 AND x.opened_at >= date_trunc('hour', now(), 'UTC') - interval '24 hours') ORDER BY severity_weight(x.severity) DESC, x.opened_at DESC, x.id DESC LIMIT 51) UNION ALL (SELECT x.id, severity_weight(x.severity) AS k1, x.opened_at AS k2, x.id AS k3 FROM incidents x WHERE x.tenant_id = $1[1] AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.closed_at IS NULL AND severity_weight(x.severity) = 1 AND x.opened_at >= date_trunc('hour', now(), 'UTC') - interval '24 hours') ORDER BY severity_weight(x.severity) DESC, x.opened_at DESC, x.id DESC LIMIT 51) UNION ALL (SELECT x.id, severity_weight(x.severity) AS k1, x.opened_at AS k2, x.id AS k3 FROM incidents x WHERE x.tenant_id = $1[1] AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.closed_at IS NOT NULL AND severity_weight(x.severity) = 4 AND x.opened_at >= date_trunc('hour', now(), 'UTC') - interval '24 hours') ORDER BY severity_weight(x.severity) DESC, x.opened_at DESC, x.id DESC LIMIT 51) UNION ALL (SELECT x.id, severity_weight(x.severity) AS k1, x.opened_at AS k2, x.id AS k3 FROM incidents x WHERE x.tenant_id = $1[1] AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.closed_at IS NOT NULL AND severity_weight(x.severity) = 3 AND x.opened_at >= date_trunc('hour', now(), 'UTC') - interval '24 hours') ORDER BY severity_weight(x.severity) DESC, x.opened_at DESC, x.id DESC LIMIT 51) UNION ALL (SELECT x.id, severity_weight(x.severity) AS k1, x.opened_at AS k2, x.id AS k3 FROM incidents x WHERE x.tenant_id = $1[1] AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.closed_at IS NOT NULL AND severity_weight(x.severity) = 2 AND x.opened_at >= date_trunc('hour', now(), 'UTC') - interval '24 hours') ORDER BY severity_weight(x.severity) DESC, x.opened_at DESC, x.id DESC LIMIT 51) UNION ALL (SELECT x.id, severity_weight(x.severity) AS k1, x.opened_at AS k2, x.id AS k3 FROM incidents x WHERE x.tenant_id = $1[1] AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.closed_at IS NOT NULL AND severity_weight(x.severity) = 1 AND x.opened_at >= date_trunc('hour', now(), 'UTC') - interval '24 hours') ORDER BY severity_weight(x.severity) DESC, x.opened_at DESC, x.id DESC LIMIT 51)) x ORDER BY x.k1 DESC, x.k2 DESC, x.k3 DESC LIMIT 51) INTO ids;
            ELSIF NOT p_back THEN
                SELECT ARRAY(SELECT x.id FROM ((SELECT x.id, severity_weight(x.severity) AS k1, x.opened_at AS k2, x.id AS k3 FROM incidents x WHERE x.tenant_id = $1[1] AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.closed_at IS NULL AND severity_weight(x.severity) = 4 AND x.opened_at >= date_trunc('hour', now(), 'UTC') - interval '24 hours') AND (severity_weight(x.severity), x.opened_at, x.id) < (cur.k1, cur.k2, cur.k3) AND severity_weight(x.severity) <= cur.k1 ORDER BY severity_weight(x.severity) DESC, x.opened_at DESC, x.id DESC LIMIT 51) UNION ALL (SELECT x.id, severity_weight(x.severity) AS k1, x.opened_at AS k2, x.id AS k3 FROM incidents x WHERE x.tenant_id = $1[1] AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.closed_at IS NULL AND severity_weight(x.severity) = 3 AND x.opened_at >= date_trunc('hour', now(), 'UTC') - interval '24 hours') AND (severity_weight(x.severity), x.opened_at, x.id) < (cur.k1, cur.k2, cur.k3) AND severity_weight(x.severity) <= cur.k1 ORDER BY severity_weight(x.severity) DESC, x.opened_at DESC, x.id DESC LIMIT 51) UNION ALL (SELECT x.id, severity_weight(x.severity) AS k1, x.opened_at AS k2, x.id AS k3 FROM incidents x WHERE x.tenant_id = $1[1] AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.closed_at IS NULL AND severity_weight(x.severity) = 2 AND x.opened_at >= date_trunc('hour', now(), 'UTC') - interval '24 hours') AND (severity_weight(x.severity), x.opened_at, x.id) < (cur.k1, cur.k2, cur.k3) AND severity_weight(x.severity) <= cur.k1 ORDER BY severity_weight(x.severity) DESC, x.opened_at DESC, x.id DESC LIMIT 51) UNION ALL (SELECT x.id, severity_weight(x.severity) AS k1, x.opened_at AS k2, x.id AS k3 FROM incidents x WHERE x.tenant_id = $1[1] AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.closed_at IS NULL AND severity_weight(x.severity) = 1 AND x.opened_at >= date_trunc('hour', now(), 'UTC') - interval '24 hours') AND (severity_weight(x.severity), x.opened_at, x.id) < (cur.k1, cur.k2, cur.k3) AND severity_weight(x.severity) <= cur.k1 ORDER BY severity_weight(x.severity) DESC, x.opened_at DESC, x.id DESC LIMIT 51) UNION ALL (SELECT x.id, severity_weight(x.severity) AS k1, x.opened_at AS k2, x.id AS k3 FROM incidents x WHERE x.tenant_id = $1[1] AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.closed_at IS NOT NULL AND severity_weight(x.severity) = 4 AND x.opened_at >= date_trunc('hour', now(), 'UTC') - interval '24 hours') AND (severity_weight(x.severity), x.opened_at, x.id) < (cur.k1, cur.k2, cur.k3) AND severity_weight(x.severity) <= cur.k1 ORDER BY severity_weight(x.severity) DESC, x.opened_at DESC, x.id DESC LIMIT 51) UNION ALL (SELECT x.id, severity_weight(x.severity) AS k1, x.opened_at AS k2, x.id AS k3 FROM incidents x WHERE x.tenant_id = $1[1] AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.closed_at IS NOT NULL AND severity_weight(x.severity) = 3 AND x.opened_at >= date_trunc('hour', now(), 'UTC') - interval '24 hours') AND (severity_weight(x.severity), x.opened_at, x.id) < (cur.k1, cur.k2, cur.k3) AND severity_weight(x.severity) <= cur.k1 ORDER BY severity_weight(x.severity) DESC, x.opened_at DESC, x.id DESC LIMIT 51) UNION ALL (SELECT x.id, severity_weight(x.severity) AS k1, x.opened_at AS k2, x.id AS k3 FROM incidents x WHERE x.tenant_id = $1[1] AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.closed_at IS NOT NULL AND severity_weight(x.severity) = 2 AND x.opened_at >= date_trunc('hour', now(), 'UTC') - interval '24 hours') AND (severity_weight(x.severity), x.opened_at, x.id) < (cur.k1, cur.k2, cur.k3) AND severity_weight(x.severity) <= cur.k1 ORDER BY severity_weight(x.severity) DESC, x.opened_at DESC, x.id DESC LIMIT 51) UNION ALL (SELECT x.id, severity_weight(x.severity) AS k1, x.opened_at AS k2, x.id AS k3 FROM incidents x WHERE x.tenant_id = $1[1] AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.closed_at IS NOT NULL AND severity_weight(x.severity) = 1 AND x.opened_at >= date_trunc('hour', now(), 'UTC') - interval '24 hours') AND (severity_weight(x.severity), x.opened_at, x.id) < (cur.k1, cur.k2, cur.k3) AND severity_weight(x.severity) <= cur.k1 ORDER BY severity_weight(x.severity) DESC, x.opened_at DESC, x.id DESC LIMIT 51)) x ORDER BY x.k1 DESC, x.k2 DESC, x.k3 DESC LIMIT 51) INTO ids;
            ELSE
                SELECT ARRAY(SELECT x.id FROM ((SELECT x.id, severity_weight(x.severity) AS k1, x.opened_at AS k2, x.id AS k3 FROM incidents x WHERE x.tenant_id = $1[1] AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.closed_at IS NULL AND severity_weight(x.severity) = 4 AND x.opened_at >= date_trunc('hour', now(), 'UTC') - interval '24 hours') AND (severity_weight(x.severity), x.opened_at, x.id) > (cur.k1, cur.k2, cur.k3) AND severity_weight(x.severity) >= cur.k1 ORDER BY severity_weight(x.severity) ASC, x.opened_at ASC, x.id ASC LIMIT 51) UNION ALL (SELECT x.id, severity_weight(x.severity) AS k1, x.opened_at AS k2, x.id AS k3 FROM incidents x WHERE x.tenant_id = $1[1] AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.closed_at IS NULL AND severity_weight(x.severity) = 3 AND x.opened_at >= date_trunc('hour', now(), 'UTC') - interval '24 hours') AND (severity_weight(x.severity), x.opened_at, x.id) > (cur.k1, cur.k2, cur.k3) AND severity_weight(x.severity) >= cur.k1 ORDER BY severity_weight(x.severity) ASC, x.opened_at ASC, x.id ASC LIMIT 51) UNION ALL (SELECT x.id, severity_weight(x.severity) AS k1, x.opened_at AS k2, x.id AS k3 FROM incidents x WHERE x.tenant_id = $1[1] AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.closed_at IS NULL AND severity_weight(x.severity) = 2 AND x.opened_at >= date_trunc('hour', now(), 'UTC') - interval '24 hours') AND (severity_weight(x.severity), x.opened_at, x.id) > (cur.k1, cur.k2, cur.k3) AND severity_weight(x.severity) >= cur.k1 ORDER BY severity_weight(x.severity) ASC, x.opened_at ASC, x.id ASC LIMIT 51) UNION ALL (SELECT x.id, severity_weight(x.severity) AS k1, x.opened_at AS k2, x.id AS k3 FROM incidents x WHERE x.tenant_id = $1[1] AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.closed_at IS NULL AND severity_weight(x.severity) = 1 AND x.opened_at >= date_trunc('hour', now(), 'UTC') - interval '24 hours') AND (severity_weight(x.severity), x.opened_at, x.id) > (cur.k1, cur.k2, cur.k3) AND severity_weight(x.severity) >= cur.k1 ORDER BY severity_weight(x.severity) ASC, x.opened_at ASC, x.id ASC LIMIT 51) UNION ALL (SELECT x.id, severity_weight(x.severity) AS k1, x.opened_at AS k2, x.id AS k3 FROM incidents x WHERE x.tenant_id = $1[1] AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.closed_at IS NOT NULL AND severity_weight(x.severity) = 4 AND x.opened_at >= date_trunc('hour', now(), 'UTC') - interval '24 hours') AND (severity_weight(x.severity), x.opened_at, x.id) > (cur.k1, cur.k2, cur.k3) AND severity_weight(x.severity) >= cur.k1 ORDER BY severity_weight(x.severity) ASC, x.opened_at ASC, x.id ASC LIMIT 51) UNION ALL (SELECT x.id, severity_weight(x.severity) AS k1, x.opened_at AS k2, x.id AS k3 FROM incidents x WHERE x.tenant_id = $1[1] AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.closed_at IS NOT NULL AND severity_weight(x.severity) = 3 AND x.opened_at >= date_trunc('hour', now(), 'UTC') - interval '24 hours') AND (severity_weight(x.severity), x.opened_at, x.id) > (cur.k1, cur.k2, cur.k3) AND severity_weight(x.severity) >= cur.k1 ORDER BY severity_weight(x.severity) ASC, x.opened_at ASC, x.id ASC LIMIT 51) UNION ALL (SELECT x.id, severity_weight(x.severity) AS k1, x.opened_at AS k2, x.id AS k3 FROM incidents x WHERE x.tenant_id = $1[1] AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.closed_at IS NOT NULL AND severity_weight(x.severity) = 2 AND x.opened_at >= date_trunc('hour', now(), 'UTC') - interval '24 hours') AND (severity_weight(x.severity), x.opened_at, x.id) > (cur.k1, cur.k2, cur.k3) AND severity_weight(x.severity) >= cur.k1 ORDER BY severity_weight(x.severity) ASC, x.opened_at ASC, x.id ASC LIMIT 51) UNION ALL (SELECT x.id, severity_weight(x.severity) AS k1, x.opened_at AS k2, x.id AS k3 FROM incidents x WHERE x.tenant_id = $1[1] AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.closed_at IS NOT NULL AND severity_weight(x.severity) = 1 AND x.opened_at >= date_trunc('hour', now(), 'UTC') - interval '24 hours') AND (severity_weight(x.severity), x.opened_at, x.id) > (cur.k1, cur.k2, cur.k3) AND severity_weight(x.severity) >= cur.k1 ORDER BY severity_weight(x.severity) ASC, x.opened_at ASC, x.id ASC LIMIT 51)) x ORDER BY x.k1 ASC, x.k2 ASC, x.k3 ASC LIMIT 51) INTO ids;
            END IF;
            IF p_count THEN
                SELECT count(*) FROM (SELECT 1 FROM ((SELECT 1 FROM incidents x WHERE x.tenant_id = $1[1] AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.closed_at IS NULL AND severity_weight(x.severity) = 4 AND x.opened_at >= date_trunc('hour', now(), 'UTC') - interval '24 hours') LIMIT 1001) UNION ALL (SELECT 1 FROM incidents x WHERE x.tenant_id = $1[1] AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.closed_at IS NULL AND severity_weight(x.severity) = 3 AND x.opened_at >= date_trunc('hour', now(), 'UTC') - interval '24 hours') LIMIT 1001) UNION ALL (SELECT 1 FROM incidents x WHERE x.tenant_id = $1[1] AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.closed_at IS NULL AND severity_weight(x.severity) = 2 AND x.opened_at >= date_trunc('hour', now(), 'UTC') - interval '24 hours') LIMIT 1001) UNION ALL (SELECT 1 FROM incidents x WHERE x.tenant_id = $1[1] AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.closed_at IS NULL AND severity_weight(x.severity) = 1 AND x.opened_at >= date_trunc('hour', now(), 'UTC') - interval '24 hours') LIMIT 1001) UNION ALL (SELECT 1 FROM incidents x WHERE x.tenant_id = $1[1] AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.closed_at IS NOT NULL AND severity_weight(x.severity) = 4 AND x.opened_at >= date_trunc('hour', now(), 'UTC') - interval '24 hours') LIMIT 1001) UNION ALL (SELECT 1 FROM incidents x WHERE x.tenant_id = $1[1] AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.closed_at IS NOT NULL AND severity_weight(x.severity) = 3 AND x.opened_at >= date_trunc('hour', now(), 'UTC') - interval '24 hours') LIMIT 1001) UNION ALL (SELECT 1 FROM incidents x WHERE x.tenant_id = $1[1] AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.closed_at IS NOT NULL AND severity_weight(x.severity) = 2 AND x.opened_at >= date_trunc('hour', now(), 'UTC') - interval '24 hours') LIMIT 1001) UNION ALL (SELECT 1 FROM incidents x WHERE x.tenant_id = $1[1] AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.closed_at IS NOT NULL AND severity_weight(x.severity) = 1 AND x.opened_at >= date_trunc('hour', now(), 'UTC') - interval '24 hours') LIMIT 1001)) x LIMIT 1001) x INTO counted;
            END IF;
        ELSIF p_set = 'all' THEN
            IF NOT cursor_found THEN
                SELECT ARRAY(SELECT x.id FROM ((SELECT x.id, severity_weight(x.severity) AS k1, x.opened_at AS k2, x.id AS k3 FROM incidents x WHERE x.tenant_id = $1[1] AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.closed_at IS NULL) ORDER BY severity_weight(x.severity) DESC, x.opened_at DESC, x.id DESC LIMIT 51) UNION ALL (SELECT x.id, severity_weight(x.severity) AS k1, x.opened_at AS k2, x.id AS k3 FROM incidents x WHERE x.tenant_id = $1[1] AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.closed_at IS NOT NULL) ORDER BY severity_weight(x.severity) DESC, x.opened_at DESC, x.id DESC LIMIT 51)) x ORDER BY x.k1 DESC, x.k2 DESC, x.k3 DESC LIMIT 51) INTO ids;
            ELSIF NOT p_back THEN
                SELECT ARRAY(SELECT x.id FROM ((SELECT x.id, severity_weight(x.severity) AS k1, x.opened_at AS k2, x.id AS k3 FROM incidents x WHERE x.tenant_id = $1[1] AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.closed_at IS NULL) AND (severity_weight(x.severity), x.opened_at, x.id) < (cur.k1, cur.k2, cur.k3) AND severity_weight(x.severity) <= cur.k1 ORDER BY severity_weight(x.severity) DESC, x.opened_at DESC, x.id DESC LIMIT 51) UNION ALL (SELECT x.id, severity_weight(x.severity) AS k1, x.opened_at AS k2, x.id AS k3 FROM incidents x WHERE x.tenant_id = $1[1] AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.closed_at IS NOT NULL) AND (severity_weight(x.severity), x.opened_at, x.id) < (cur.k1, cur.k2, cur.k3) AND severity_weight(x.severity) <= cur.k1 ORDER BY severity_weight(x.severity) DESC, x.opened_at DESC, x.id DESC LIMIT 51)) x ORDER BY x.k1 DESC, x.k2 DESC, x.k3 DESC LIMIT 51) INTO ids;
            ELSE
                SELECT ARRAY(SELECT x.id FROM ((SELECT x.id, severity_weight(x.severity) AS k1, x.opened_at AS k2, x.id AS k3 FROM incidents x WHERE x.tenant_id = $1[1] AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.closed_at IS NULL) AND (severity_weight(x.severity), x.opened_at, x.id) > (cur.k1, cur.k2, cur.k3) AND severity_weight(x.severity) >= cur.k1 ORDER BY severity_weight(x.severity) ASC, x.opened_at ASC, x.id ASC LIMIT 51) UNION ALL (SELECT x.id, severity_weight(x.severity) AS k1, x.opened_at AS k2, x.id AS k3 FROM incidents x WHERE x.tenant_id = $1[1] AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.closed_at IS NOT NULL) AND (severity_weight(x.severity), x.opened_at, x.id) > (cur.k1, cur.k2, cur.k3) AND severity_weight(x.severity) >= cur.k1 ORDER BY severity_weight(x.severity) ASC, x.opened_at ASC, x.id ASC LIMIT 51)) x ORDER BY x.k1 ASC, x.k2 ASC, x.k3 ASC LIMIT 51) INTO ids;
            END IF;
            IF p_count THEN
                SELECT count(*) FROM (SELECT 1 FROM ((SELECT 1 FROM incidents x WHERE x.tenant_id = $1[1] AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.closed_at IS NULL) LIMIT 1001) UNION ALL (SELECT 1 FROM incidents x WHERE x.tenant_id = $1[1] AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.closed_at IS NOT NULL) LIMIT 1001)) x LIMIT 1001) x INTO counted;
            END IF;
        ELSE
            RAISE EXCEPTION 'list_reader: no set %', p_set;
        END IF;
    ELSIF p_how = 'tenants' THEN
        IF p_set = 'open' THEN
            IF NOT cursor_found THEN
                SELECT ARRAY(SELECT x.id FROM unnest($1) AS u(tid) CROSS JOIN LATERAL (SELECT x.* FROM incidents x WHERE x.tenant_id = u.tid AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.closed_at IS NULL) ORDER BY severity_weight(x.severity) DESC, x.opened_at DESC, x.id DESC LIMIT 51) x ORDER BY severity_weight(x.severity) DESC, x.opened_at DESC, x.id DESC LIMIT 51) INTO ids;
            ELSIF NOT p_back THEN
                SELECT ARRAY(SELECT x.id FROM unnest($1) AS u(tid) CROSS JOIN LATERAL (SELECT x.* FROM incidents x WHERE x.tenant_id = u.tid AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.closed_at IS NULL) AND (severity_weight(x.severity), x.opened_at, x.id) < (cur.k1, cur.k2, cur.k3) AND severity_weight(x.severity) <= cur.k1 ORDER BY severity_weight(x.severity) DESC, x.opened_at DESC, x.id DESC LIMIT 51) x ORDER BY severity_weight(x.severity) DESC, x.opened_at DESC, x.id DESC LIMIT 51) INTO ids;
            ELSE
                SELECT ARRAY(SELECT x.id FROM unnest($1) AS u(tid) CROSS JOIN LATERAL (SELECT x.* FROM incidents x WHERE x.tenant_id = u.tid AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.closed_at IS NULL) AND (severity_weight(x.severity), x.opened_at, x.id) > (cur.k1, cur.k2, cur.k3) AND severity_weight(x.severity) >= cur.k1 ORDER BY severity_weight(x.severity) ASC, x.opened_at ASC, x.id ASC LIMIT 51) x ORDER BY severity_weight(x.severity) ASC, x.opened_at ASC, x.id ASC LIMIT 51) INTO ids;
            END IF;
            IF p_count THEN
                SELECT count(*) FROM (SELECT 1 FROM ((SELECT 1 FROM unnest($1) AS u(tid) CROSS JOIN LATERAL (SELECT x.* FROM incidents x WHERE x.tenant_id = u.tid AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.closed_at IS NULL) LIMIT 1001) x LIMIT 1001)) x LIMIT 1001) x INTO counted;
            END IF;
        ELSIF p_set = 'closed' THEN
            IF NOT cursor_found THEN
                SELECT ARRAY(SELECT x.id FROM unnest($1) AS u(tid) CROSS JOIN LATERAL (SELECT x.* FROM incidents x WHERE x.tenant_id = u.tid AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.closed_at IS NOT NULL) ORDER BY severity_weight(x.severity) DESC, x.opened_at DESC, x.id DESC LIMIT 51) x ORDER BY severity_weight(x.severity) DESC, x.opened_at DESC, x.id DESC LIMIT 51) INTO ids;
            ELSIF NOT p_back THEN
                SELECT ARRAY(SELECT x.id FROM unnest($1) AS u(tid) CROSS JOIN LATERAL (SELECT x.* FROM incidents x WHERE x.tenant_id = u.tid AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.closed_at IS NOT NULL) AND (severity_weight(x.severity), x.opened_at, x.id) < (cur.k1, cur.k2, cur.k3) AND severity_weight(x.severity) <= cur.k1 ORDER BY severity_weight(x.severity) DESC, x.opened_at DESC, x.id DESC LIMIT 51) x ORDER BY severity_weight(x.severity) DESC, x.opened_at DESC, x.id DESC LIMIT 51) INTO ids;
            ELSE
                SELECT ARRAY(SELECT x.id FROM unnest($1) AS u(tid) CROSS JOIN LATERAL (SELECT x.* FROM incidents x WHERE x.tenant_id = u.tid AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.closed_at IS NOT NULL) AND (severity_weight(x.severity), x.opened_at, x.id) > (cur.k1, cur.k2, cur.k3) AND severity_weight(x.severity) >= cur.k1 ORDER BY severity_weight(x.severity) ASC, x.opened_at ASC, x.id ASC LIMIT 51) x ORDER BY severity_weight(x.severity) ASC, x.opened_at ASC, x.id ASC LIMIT 51) INTO ids;
            END IF;
            IF p_count THEN
                SELECT count(*) FROM (SELECT 1 FROM ((SELECT 1 FROM unnest($1) AS u(tid) CROSS JOIN LATERAL (SELECT x.* FROM incidents x WHERE x.tenant_id = u.tid AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.closed_at IS NOT NULL) LIMIT 1001) x LIMIT 1001)) x LIMIT 1001) x INTO counted;
            END IF;
        ELSIF p_set = 'new' THEN
            IF NOT cursor_found THEN
                SELECT ARRAY(SELECT x.id FROM ((SELECT x.id, severity_weight(x.severity) AS k1, x.opened_at AS k2, x.id AS k3 FROM unnest($1) AS u(tid) CROSS JOIN LATERAL (SELECT x.* FROM incidents x WHERE x.tenant_id = u.tid AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.closed_at IS NULL AND severity_weight(x.severity) = 4 AND x.opened_at >= date_trunc('hour', now(), 'UTC') - interval '24 hours') ORDER BY severity_weight(x.severity) DESC, x.opened_at DESC, x.id DESC LIMIT 51) x ORDER BY severity_weight(x.severity) DESC, x.opened_at DESC, x.id DESC LIMIT 51) UNION ALL (SELECT x.id, severity_weight(x.severity) AS k1, x.opened_at AS k2, x.id AS k3 FROM unnest($1) AS u(tid) CROSS JOIN LATERAL (SELECT x.* FROM incidents x WHERE x.tenant_id = u.tid AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.closed_at IS NULL AND severity_weight(x.severity) = 3 AND x.opened_at >= date_trunc('hour', now(), 'UTC') - interval '24 hours') ORDER BY severity_weight(x.severity) DESC, x.opened_at DESC, x.id DESC LIMIT 51) x ORDER BY severity_weight(x.severity) DESC, x.opened_at DESC, x.id DESC LIMIT 51) UNION ALL (SELECT x.id, severity_weight(x.severity) AS k1, x.opened_at AS k2, x.id AS k3 FROM unnest($1) AS u(tid) CROSS JOIN LATERAL (SELECT x.* FROM incidents x WHERE x.tenant_id = u.tid AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.closed_at IS NULL AND severity_weight(x.severity) = 2 AND x.opened_at >= date_trunc('hour', now(), 'UTC') - interval '24 hours') ORDER BY severity_weight(x.severity) DESC, x.opened_at DESC, x.id DESC LIMIT 51) x ORDER BY severity_weight(x.severity) DESC, x.opened_at DESC, x.id DESC LIMIT 51) UNION ALL (SELECT x.id, severity_weight(x.severity) AS k1, x.opened_at AS k2, x.id AS k3 FROM unnest($1) AS u(tid) CROSS JOIN LATERAL (SELECT x.* FROM incidents x WHERE x.tenant_id = u.tid AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.closed_at IS NULL AND severity_weight(x.severity) = 1 AND x.opened_at >= date_trunc('hour', now(), 'UTC') - interval '24 hours') ORDER BY severity_weight(x.severity) DESC, x.opened_at DESC, x.id DESC LIMIT 51) x ORDER BY severity_weight(x.severity) DESC, x.opened_at DESC, x.id DESC LIMIT 51) UNION ALL (SELECT x.id, severity_weight(x.severity) AS k1, x.opened_at AS k2, x.id AS k3 FROM unnest($1) AS u(tid) CROSS JOIN LATERAL (SELECT x.* FROM incidents x WHERE x.tenant_id = u.tid AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.closed_at IS NOT NULL AND severity_weight(x.severity) = 4 AND x.opened_at >= date_trunc('hour', now(), 'UTC') - interval '24 hours') ORDER BY severity_weight(x.severity) DESC, x.opened_at DESC, x.id DESC LIMIT 51) x ORDER BY severity_weight(x.severity) DESC, x.opened_at DESC, x.id DESC LIMIT 51) UNION ALL (SELECT x.id, severity_weight(x.severity) AS k1, x.opened_at AS k2, x.id AS k3 FROM unnest($1) AS u(tid) CROSS JOIN LATERAL (SELECT x.* FROM incidents x WHERE x.tenant_id = u.tid AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.closed_at IS NOT NULL AND severity_weight(x.severity) = 3 AND x.opened_at >= date_trunc('hour', now(), 'UTC') - interval '24 hours') ORDER BY severity_weight(x.severity) DESC, x.opened_at DESC, x.id DESC LIMIT 51) x ORDER BY severity_weight(x.severity) DESC, x.opened_at DESC, x.id DESC LIMIT 51) UNION ALL (SELECT x.id, severity_weight(x.severity) AS k1, x.opened_at AS k2, x.id AS k3 FROM unnest($1) AS u(tid) CROSS JOIN LATERAL (SELECT x.* FROM incidents x WHERE x.tenant_id = u.tid AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.closed_at IS NOT NULL AND severity_weight(x.severity) = 2 AND x.opened_at >= date_trunc('hour', now(), 'UTC') - interval '24 hours') ORDER BY severity_weight(x.severity) DESC, x.opened_at DESC, x.id DESC LIMIT 51) x ORDER BY severity_weight(x.severity) DESC, x.opened_at DESC, x.id DESC LIMIT 51) UNION ALL (SELECT x.id, severity_weight(x.severity) AS k1, x.opened_at AS k2, x.id AS k3 FROM unnest($1) AS u(tid) CROSS JOIN LATERAL (SELECT x.* FROM incidents x WHERE x.tenant_id = u.tid AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.closed_at IS NOT NULL AND severity_weight(x.severity) = 1 AND x.opened_at >= date_trunc('hour', now(), 'UTC') - interval '24 hours') ORDER BY severity_weight(x.severity) DESC, x.opened_at DESC, x.id DESC LIMIT 51) x ORDER BY severity_weight(x.severity) DESC, x.opened_at DESC, x.id DESC LIMIT 51)) x ORDER BY x.k1 DESC, x.k2 DESC, x.k3 DESC LIMIT 51) INTO ids;
            ELSIF NOT p_back THEN
                SELECT ARRAY(SELECT x.id FROM ((SELECT x.id, severity_weight(x.severity) AS k1, x.opened_at AS k2, x.id AS k3 FROM unnest($1) AS u(tid) CROSS JOIN LATERAL (SELECT x.* FROM incidents x WHERE x.tenant_id = u.tid AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.closed_at IS NULL AND severity_weight(x.severity) = 4 AND x.opened_at >= date_trunc('hour', now(), 'UTC') - interval '24 hours') AND (severity_weight(x.severity), x.opened_at, x.id) < (cur.k1, cur.k2, cur.k3) AND severity_weight(x.severity) <= cur.k1 ORDER BY severity_weight(x.severity) DESC, x.opened_at DESC, x.id DESC LIMIT 51) x ORDER BY severity_weight(x.severity) DESC, x.opened_at DESC, x.id DESC LIMIT 51) UNION ALL (SELECT x.id, severity_weight(x.severity) AS k1, x.opened_at AS k2, x.id AS k3 FROM unnest($1) AS u(tid) CROSS JOIN LATERAL (SELECT x.* FROM incidents x WHERE x.tenant_id = u.tid AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.closed_at IS NULL AND severity_weight(x.severity) = 3 AND x.opened_at >= date_trunc('hour', now(), 'UTC') - interval '24 hours') AND (severity_weight(x.severity), x.opened_at, x.id) < (cur.k1, cur.k2, cur.k3) AND severity_weight(x.severity) <= cur.k1 ORDER BY severity_weight(x.severity) DESC, x.opened_at DESC, x.id DESC LIMIT 51) x ORDER BY severity_weight(x.severity) DESC, x.opened_at DESC, x.id DESC LIMIT 51) UNION ALL (SELECT x.id, severity_weight(x.severity) AS k1, x.opened_at AS k2, x.id AS k3 FROM unnest($1) AS u(tid) CROSS JOIN LATERAL (SELECT x.* FROM incidents x WHERE x.tenant_id = u.tid AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.closed_at IS NULL AND severity_weight(x.severity) = 2 AND x.opened_at >= date_trunc('hour', now(), 'UTC') - interval '24 hours') AND (severity_weight(x.severity), x.opened_at, x.id) < (cur.k1, cur.k2, cur.k3) AND severity_weight(x.severity) <= cur.k1 ORDER BY severity_weight(x.severity) DESC, x.opened_at DESC, x.id DESC LIMIT 51) x ORDER BY severity_weight(x.severity) DESC, x.opened_at DESC, x.id DESC LIMIT 51) UNION ALL (SELECT x.id, severity_weight(x.severity) AS k1, x.opened_at AS k2, x.id AS k3 FROM unnest($1) AS u(tid) CROSS JOIN LATERAL (SELECT x.* FROM incidents x WHERE x.tenant_id = u.tid AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.closed_at IS NULL AND severity_weight(x.severity) = 1 AND x.opened_at >= date_trunc('hour', now(), 'UTC') - interval '24 hours') AND (severity_weight(x.severity), x.opened_at, x.id) < (cur.k1, cur.k2, cur.k3) AND severity_weight(x.severity) <= cur.k1 ORDER BY severity_weight(x.severity) DESC, x.opened_at DESC, x.id DESC LIMIT 51) x ORDER BY severity_weight(x.severity) DESC, x.opened_at DESC, x.id DESC LIMIT 51) UNION ALL (SELECT x.id, severity_weight(x.severity) AS k1, x.opened_at AS k2, x.id AS k3 FROM unnest($1) AS u(tid) CROSS JOIN LATERAL (SELECT x.* FROM incidents x WHERE x.tenant_id = u.tid AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.closed_at IS NOT NULL AND severity_weight(x.severity) = 4 AND x.opened_at >= date_trunc('hour', now(), 'UTC') - interval '24 hours') AND (severity_weight(x.severity), x.opened_at, x.id) < (cur.k1, cur.k2, cur.k3) AND severity_weight(x.severity) <= cur.k1 ORDER BY severity_weight(x.severity) DESC, x.opened_at DESC, x.id DESC LIMIT 51) x ORDER BY severity_weight(x.severity) DESC, x.opened_at DESC, x.id DESC LIMIT 51) UNION ALL (SELECT x.id, severity_weight(x.severity) AS k1, x.opened_at AS k2, x.id AS k3 FROM unnest($1) AS u(tid) CROSS JOIN LATERAL (SELECT x.* FROM incidents x WHERE x.tenant_id = u.tid AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.closed_at IS NOT NULL AND severity_weight(x.severity) = 3 AND x.opened_at >= date_trunc('hour', now(), 'UTC') - interval '24 hours') AND (severity_weight(x.severity), x.opened_at, x.id) < (cur.k1, cur.k2, cur.k3) AND severity_weight(x.severity) <= cur.k1 ORDER BY severity_weight(x.severity) DESC, x.opened_at DESC, x.id DESC LIMIT 51) x ORDER BY severity_weight(x.severity) DESC, x.opened_at DESC, x.id DESC LIMIT 51) UNION ALL (SELECT x.id, severity_weight(x.severity) AS k1, x.opened_at AS k2, x.id AS k3 FROM unnest($1) AS u(tid) CROSS JOIN LATERAL (SELECT x.* FROM incidents x WHERE x.tenant_id = u.tid AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.closed_at IS NOT NULL AND severity_weight(x.severity) = 2 AND x.opened_at >= date_trunc('hour', now(), 'UTC') - interval '24 hours') AND (severity_weight(x.severity), x.opened_at, x.id) < (cur.k1, cur.k2, cur.k3) AND severity_weight(x.severity) <= cur.k1 ORDER BY severity_weight(x.severity) DESC, x.opened_at DESC, x.id DESC LIMIT 51) x ORDER BY severity_weight(x.severity) DESC, x.opened_at DESC, x.id DESC LIMIT 51) UNION ALL (SELECT x.id, severity_weight(x.severity) AS k1, x.opened_at AS k2, x.id AS k3 FROM unnest($1) AS u(tid) CROSS JOIN LATERAL (SELECT x.* FROM incidents x WHERE x.tenant_id = u.tid AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.closed_at IS NOT NULL AND severity_weight(x.severity) = 1 AND x.opened_at >= date_trunc('hour', now(), 'UTC') - interval '24 hours') AND (severity_weight(x.severity), x.opened_at, x.id) < (cur.k1, cur.k2, cur.k3) AND severity_weight(x.severity) <= cur.k1 ORDER BY severity_weight(x.severity) DESC, x.opened_at DESC, x.id DESC LIMIT 51) x ORDER BY severity_weight(x.severity) DESC, x.opened_at DESC, x.id DESC LIMIT 51)) x ORDER BY x.k1 DESC, x.k2 DESC, x.k3 DESC LIMIT 51) INTO ids;
            ELSE
                SELECT ARRAY(SELECT x.id FROM ((SELECT x.id, severity_weight(x.severity) AS k1, x.opened_at AS k2, x.id AS k3 FROM unnest($1) AS u(tid) CROSS JOIN LATERAL (SELECT x.* FROM incidents x WHERE x.tenant_id = u.tid AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.closed_at IS NULL AND severity_weight(x.severity) = 4 AND x.opened_at >= date_trunc('hour', now(), 'UTC') - interval '24 hours') AND (severity_weight(x.severity), x.opened_at, x.id) > (cur.k1, cur.k2, cur.k3) AND severity_weight(x.severity) >= cur.k1 ORDER BY severity_weight(x.severity) ASC, x.opened_at ASC, x.id ASC LIMIT 51) x ORDER BY severity_weight(x.severity) ASC, x.opened_at ASC, x.id ASC LIMIT 51) UNION ALL (SELECT x.id, severity_weight(x.severity) AS k1, x.opened_at AS k2, x.id AS k3 FROM unnest($1) AS u(tid) CROSS JOIN LATERAL (SELECT x.* FROM incidents x WHERE x.tenant_id = u.tid AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.closed_at IS NULL AND severity_weight(x.severity) = 3 AND x.opened_at >= date_trunc('hour', now(), 'UTC') - interval '24 hours') AND (severity_weight(x.severity), x.opened_at, x.id) > (cur.k1, cur.k2, cur.k3) AND severity_weight(x.severity) >= cur.k1 ORDER BY severity_weight(x.severity) ASC, x.opened_at ASC, x.id ASC LIMIT 51) x ORDER BY severity_weight(x.severity) ASC, x.opened_at ASC, x.id ASC LIMIT 51) UNION ALL (SELECT x.id, severity_weight(x.severity) AS k1, x.opened_at AS k2, x.id AS k3 FROM unnest($1) AS u(tid) CROSS JOIN LATERAL (SELECT x.* FROM incidents x WHERE x.tenant_id = u.tid AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.closed_at IS NULL AND severity_weight(x.severity) = 2 AND x.opened_at >= date_trunc('hour', now(), 'UTC') - interval '24 hours') AND (severity_weight(x.severity), x.opened_at, x.id) > (cur.k1, cur.k2, cur.k3) AND severity_weight(x.severity) >= cur.k1 ORDER BY severity_weight(x.severity) ASC, x.opened_at ASC, x.id ASC LIMIT 51) x ORDER BY severity_weight(x.severity) ASC, x.opened_at ASC, x.id ASC LIMIT 51) UNION ALL (SELECT x.id, severity_weight(x.severity) AS k1, x.opened_at AS k2, x.id AS k3 FROM unnest($1) AS u(tid) CROSS JOIN LATERAL (SELECT x.* FROM incidents x WHERE x.tenant_id = u.tid AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.closed_at IS NULL AND severity_weight(x.severity) = 1 AND x.opened_at >= date_trunc('hour', now(), 'UTC') - interval '24 hours') AND (severity_weight(x.severity), x.opened_at, x.id) > (cur.k1, cur.k2, cur.k3) AND severity_weight(x.severity) >= cur.k1 ORDER BY severity_weight(x.severity) ASC, x.opened_at ASC, x.id ASC LIMIT 51) x ORDER BY severity_weight(x.severity) ASC, x.opened_at ASC, x.id ASC LIMIT 51) UNION ALL (SELECT x.id, severity_weight(x.severity) AS k1, x.opened_at AS k2, x.id AS k3 FROM unnest($1) AS u(tid) CROSS JOIN LATERAL (SELECT x.* FROM incidents x WHERE x.tenant_id = u.tid AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.closed_at IS NOT NULL AND severity_weight(x.severity) = 4 AND x.opened_at >= date_trunc('hour', now(), 'UTC') - interval '24 hours') AND (severity_weight(x.severity), x.opened_at, x.id) > (cur.k1, cur.k2, cur.k3) AND severity_weight(x.severity) >= cur.k1 ORDER BY severity_weight(x.severity) ASC, x.opened_at ASC, x.id ASC LIMIT 51) x ORDER BY severity_weight(x.severity) ASC, x.opened_at ASC, x.id ASC LIMIT 51) UNION ALL (SELECT x.id, severity_weight(x.severity) AS k1, x.opened_at AS k2, x.id AS k3 FROM unnest($1) AS u(tid) CROSS JOIN LATERAL (SELECT x.* FROM incidents x WHERE x.tenant_id = u.tid AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.closed_at IS NOT NULL AND severity_weight(x.severity) = 3 AND x.opened_at >= date_trunc('hour', now(), 'UTC') - interval '24 hours') AND (severity_weight(x.severity), x.opened_at, x.id) > (cur.k1, cur.k2, cur.k3) AND severity_weight(x.severity) >= cur.k1 ORDER BY severity_weight(x.severity) ASC, x.opened_at ASC, x.id ASC LIMIT 51) x ORDER BY severity_weight(x.severity) ASC, x.opened_at ASC, x.id ASC LIMIT 51) UNION ALL (SELECT x.id, severity_weight(x.severity) AS k1, x.opened_at AS k2, x.id AS k3 FROM unnest($1) AS u(tid) CROSS JOIN LATERAL (SELECT x.* FROM incidents x WHERE x.tenant_id = u.tid AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.closed_at IS NOT NULL AND severity_weight(x.severity) = 2 AND x.opened_at >= date_trunc('hour', now(), 'UTC') - interval '24 hours') AND (severity_weight(x.severity), x.opened_at, x.id) > (cur.k1, cur.k2, cur.k3) AND severity_weight(x.severity) >= cur.k1 ORDER BY severity_weight(x.severity) ASC, x.opened_at ASC, x.id ASC LIMIT 51) x ORDER BY severity_weight(x.severity) ASC, x.opened_at ASC, x.id ASC LIMIT 51) UNION ALL (SELECT x.id, severity_weight(x.severity) AS k1, x.opened_at AS k2, x.id AS k3 FROM unnest($1) AS u(tid) CROSS JOIN LATERAL (SELECT x.* FROM incidents x WHERE x.tenant_id = u.tid AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.closed_at IS NOT NULL AND severity_weight(x.severity) = 1 AND x.opened_at >= date_trunc('hour', now(), 'UTC') - interval '24 hours') AND (severity_weight(x.severity), x.opened_at, x.id) > (cur.k1, cur.k2, cur.k3) AND severity_weight(x.severity) >= cur.k1 ORDER BY severity_weight(x.severity) ASC, x.opened_at ASC, x.id ASC LIMIT 51) x ORDER BY severity_weight(x.severity) ASC, x.opened_at ASC, x.id ASC LIMIT 51)) x ORDER BY x.k1 ASC, x.k2 ASC, x.k3 ASC LIMIT 51) INTO ids;
            END IF;
            IF p_count THEN
                SELECT count(*) FROM (SELECT 1 FROM ((SELECT 1 FROM unnest($1) AS u(tid) CROSS JOIN LATERAL (SELECT x.* FROM incidents x WHERE x.tenant_id = u.tid AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.closed_at IS NULL AND severity_weight(x.severity) = 4 AND x.opened_at >= date_trunc('hour', now(), 'UTC') - interval '24 hours') LIMIT 1001) x LIMIT 1001) UNION ALL (SELECT 1 FROM unnest($1) AS u(tid) CROSS JOIN LATERAL (SELECT x.* FROM incidents x WHERE x.tenant_id = u.tid AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.closed_at IS NULL AND severity_weight(x.severity) = 3 AND x.opened_at >= date_trunc('hour', now(), 'UTC') - interval '24 hours') LIMIT 1001) x LIMIT 1001) UNION ALL (SELECT 1 FROM unnest($1) AS u(tid) CROSS JOIN LATERAL (SELECT x.* FROM incidents x WHERE x.tenant_id = u.tid AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.closed_at IS NULL AND severity_weight(x.severity) = 2 AND x.opened_at >= date_trunc('hour', now(), 'UTC') - interval '24 hours') LIMIT 1001) x LIMIT 1001) UNION ALL (SELECT 1 FROM unnest($1) AS u(tid) CROSS JOIN LATERAL (SELECT x.* FROM incidents x WHERE x.tenant_id = u.tid AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.closed_at IS NULL AND severity_weight(x.severity) = 1 AND x.opened_at >= date_trunc('hour', now(), 'UTC') - interval '24 hours') LIMIT 1001) x LIMIT 1001) UNION ALL (SELECT 1 FROM unnest($1) AS u(tid) CROSS JOIN LATERAL (SELECT x.* FROM incidents x WHERE x.tenant_id = u.tid AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.closed_at IS NOT NULL AND severity_weight(x.severity) = 4 AND x.opened_at >= date_trunc('hour', now(), 'UTC') - interval '24 hours') LIMIT 1001) x LIMIT 1001) UNION ALL (SELECT 1 FROM unnest($1) AS u(tid) CROSS JOIN LATERAL (SELECT x.* FROM incidents x WHERE x.tenant_id = u.tid AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.closed_at IS NOT NULL AND severity_weight(x.severity) = 3 AND x.opened_at >= date_trunc('hour', now(), 'UTC') - interval '24 hours') LIMIT 1001) x LIMIT 1001) UNION ALL (SELECT 1 FROM unnest($1) AS u(tid) CROSS JOIN LATERAL (SELECT x.* FROM incidents x WHERE x.tenant_id = u.tid AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.closed_at IS NOT NULL AND severity_weight(x.severity) = 2 AND x.opened_at >= date_trunc('hour', now(), 'UTC') - interval '24 hours') LIMIT 1001) x LIMIT 1001) UNION ALL (SELECT 1 FROM unnest($1) AS u(tid) CROSS JOIN LATERAL (SELECT x.* FROM incidents x WHERE x.tenant_id = u.tid AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.closed_at IS NOT NULL AND severity_weight(x.severity) = 1 AND x.opened_at >= date_trunc('hour', now(), 'UTC') - interval '24 hours') LIMIT 1001) x LIMIT 1001)) x LIMIT 1001) x INTO counted;
            END IF;
        ELSIF p_set = 'all' THEN
            IF NOT cursor_found THEN
                SELECT ARRAY(SELECT x.id FROM ((SELECT x.id, severity_weight(x.severity) AS k1, x.opened_at AS k2, x.id AS k3 FROM unnest($1) AS u(tid) CROSS JOIN LATERAL (SELECT x.* FROM incidents x WHERE x.tenant_id = u.tid AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.closed_at IS NULL) ORDER BY severity_weight(x.severity) DESC, x.opened_at DESC, x.id DESC LIMIT 51) x ORDER BY severity_weight(x.severity) DESC, x.opened_at DESC, x.id DESC LIMIT 51) UNION ALL (SELECT x.id, severity_weight(x.severity) AS k1, x.opened_at AS k2, x.id AS k3 FROM unnest($1) AS u(tid) CROSS JOIN LATERAL (SELECT x.* FROM incidents x WHERE x.tenant_id = u.tid AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.closed_at IS NOT NULL) ORDER BY severity_weight(x.severity) DESC, x.opened_at DESC, x.id DESC LIMIT 51) x ORDER BY severity_weight(x.severity) DESC, x.opened_at DESC, x.id DESC LIMIT 51)) x ORDER BY x.k1 DESC, x.k2 DESC, x.k3 DESC LIMIT 51) INTO ids;
            ELSIF NOT p_back THEN
                SELECT ARRAY(SELECT x.id FROM ((SELECT x.id, severity_weight(x.severity) AS k1, x.opened_at AS k2, x.id AS k3 FROM unnest($1) AS u(tid) CROSS JOIN LATERAL (SELECT x.* FROM incidents x WHERE x.tenant_id = u.tid AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.closed_at IS NULL) AND (severity_weight(x.severity), x.opened_at, x.id) < (cur.k1, cur.k2, cur.k3) AND severity_weight(x.severity) <= cur.k1 ORDER BY severity_weight(x.severity) DESC, x.opened_at DESC, x.id DESC LIMIT 51) x ORDER BY severity_weight(x.severity) DESC, x.opened_at DESC, x.id DESC LIMIT 51) UNION ALL (SELECT x.id, severity_weight(x.severity) AS k1, x.opened_at AS k2, x.id AS k3 FROM unnest($1) AS u(tid) CROSS JOIN LATERAL (SELECT x.* FROM incidents x WHERE x.tenant_id = u.tid AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.closed_at IS NOT NULL) AND (severity_weight(x.severity), x.opened_at, x.id) < (cur.k1, cur.k2, cur.k3) AND severity_weight(x.severity) <= cur.k1 ORDER BY severity_weight(x.severity) DESC, x.opened_at DESC, x.id DESC LIMIT 51) x ORDER BY severity_weight(x.severity) DESC, x.opened_at DESC, x.id DESC LIMIT 51)) x ORDER BY x.k1 DESC, x.k2 DESC, x.k3 DESC LIMIT 51) INTO ids;
            ELSE
                SELECT ARRAY(SELECT x.id FROM ((SELECT x.id, severity_weight(x.severity) AS k1, x.opened_at AS k2, x.id AS k3 FROM unnest($1) AS u(tid) CROSS JOIN LATERAL (SELECT x.* FROM incidents x WHERE x.tenant_id = u.tid AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.closed_at IS NULL) AND (severity_weight(x.severity), x.opened_at, x.id) > (cur.k1, cur.k2, cur.k3) AND severity_weight(x.severity) >= cur.k1 ORDER BY severity_weight(x.severity) ASC, x.opened_at ASC, x.id ASC LIMIT 51) x ORDER BY severity_weight(x.severity) ASC, x.opened_at ASC, x.id ASC LIMIT 51) UNION ALL (SELECT x.id, severity_weight(x.severity) AS k1, x.opened_at AS k2, x.id AS k3 FROM unnest($1) AS u(tid) CROSS JOIN LATERAL (SELECT x.* FROM incidents x WHERE x.tenant_id = u.tid AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.closed_at IS NOT NULL) AND (severity_weight(x.severity), x.opened_at, x.id) > (cur.k1, cur.k2, cur.k3) AND severity_weight(x.severity) >= cur.k1 ORDER BY severity_weight(x.severity) ASC, x.opened_at ASC, x.id ASC LIMIT 51) x ORDER BY severity_weight(x.severity) ASC, x.opened_at ASC, x.id ASC LIMIT 51)) x ORDER BY x.k1 ASC, x.k2 ASC, x.k3 ASC LIMIT 51) INTO ids;
            END IF;
            IF p_count THEN
                SELECT count(*) FROM (SELECT 1 FROM ((SELECT 1 FROM unnest($1) AS u(tid) CROSS JOIN LATERAL (SELECT x.* FROM incidents x WHERE x.tenant_id = u.tid AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.closed_at IS NULL) LIMIT 1001) x LIMIT 1001) UNION ALL (SELECT 1 FROM unnest($1) AS u(tid) CROSS JOIN LATERAL (SELECT x.* FROM incidents x WHERE x.tenant_id = u.tid AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.closed_at IS NOT NULL) LIMIT 1001) x LIMIT 1001)) x LIMIT 1001) x INTO counted;
            END IF;
        ELSE
            RAISE EXCEPTION 'list_reader: no set %', p_set;
        END IF;
    ELSIF p_how = 'root' THEN
        IF p_set = 'open' THEN
            IF NOT cursor_found THEN
                SELECT ARRAY(SELECT x.id FROM incidents x WHERE x.root_id = $2 AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.closed_at IS NULL) ORDER BY severity_weight(x.severity) DESC, x.opened_at DESC, x.id DESC LIMIT 51) INTO ids;
            ELSIF NOT p_back THEN
                SELECT ARRAY(SELECT x.id FROM incidents x WHERE x.root_id = $2 AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.closed_at IS NULL) AND (severity_weight(x.severity), x.opened_at, x.id) < (cur.k1, cur.k2, cur.k3) AND severity_weight(x.severity) <= cur.k1 ORDER BY severity_weight(x.severity) DESC, x.opened_at DESC, x.id DESC LIMIT 51) INTO ids;
            ELSE
                SELECT ARRAY(SELECT x.id FROM incidents x WHERE x.root_id = $2 AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.closed_at IS NULL) AND (severity_weight(x.severity), x.opened_at, x.id) > (cur.k1, cur.k2, cur.k3) AND severity_weight(x.severity) >= cur.k1 ORDER BY severity_weight(x.severity) ASC, x.opened_at ASC, x.id ASC LIMIT 51) INTO ids;
            END IF;
            IF p_count THEN
                SELECT count(*) FROM (SELECT 1 FROM ((SELECT 1 FROM incidents x WHERE x.root_id = $2 AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.closed_at IS NULL) LIMIT 1001)) x LIMIT 1001) x INTO counted;
            END IF;
        ELSIF p_set = 'closed' THEN
            IF NOT cursor_found THEN
                SELECT ARRAY(SELECT x.id FROM incidents x WHERE x.root_id = $2 AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.closed_at IS NOT NULL) ORDER BY severity_weight(x.severity) DESC, x.opened_at DESC, x.id DESC LIMIT 51) INTO ids;
            ELSIF NOT p_back THEN
                SELECT ARRAY(SELECT x.id FROM incidents x WHERE x.root_id = $2 AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.closed_at IS NOT NULL) AND (severity_weight(x.severity), x.opened_at, x.id) < (cur.k1, cur.k2, cur.k3) AND severity_weight(x.severity) <= cur.k1 ORDER BY severity_weight(x.severity) DESC, x.opened_at DESC, x.id DESC LIMIT 51) INTO ids;
            ELSE
                SELECT ARRAY(SELECT x.id FROM incidents x WHERE x.root_id = $2 AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.closed_at IS NOT NULL) AND (severity_weight(x.severity), x.opened_at, x.id) > (cur.k1, cur.k2, cur.k3) AND severity_weight(x.severity) >= cur.k1 ORDER BY severity_weight(x.severity) ASC, x.opened_at ASC, x.id ASC LIMIT 51) INTO ids;
            END IF;
            IF p_count THEN
                SELECT count(*) FROM (SELECT 1 FROM ((SELECT 1 FROM incidents x WHERE x.root_id = $2 AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.closed_at IS NOT NULL) LIMIT 1001)) x LIMIT 1001) x INTO counted;
            END IF;
        ELSIF p_set = 'new' THEN
            IF NOT cursor_found THEN
                SELECT ARRAY(SELECT x.id FROM ((SELECT x.id, severity_weight(x.severity) AS k1, x.opened_at AS k2, x.id AS k3 FROM incidents x WHERE x.root_id = $2 AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.closed_at IS NULL AND severity_weight(x.severity) = 4 AND x.opened_at >= date_trunc('hour', now(), 'UTC') - interval '24 hours') ORDER BY severity_weight(x.severity) DESC, x.opened_at DESC, x.id DESC LIMIT 51) UNION ALL (SELECT x.id, severity_weight(x.severity) AS k1, x.opened_at AS k2, x.id AS k3 FROM incidents x WHERE x.root_id = $2 AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.closed_at IS NULL AND severity_weight(x.severity) = 3 AND x.opened_at >= date_trunc('hour', now(), 'UTC') - interval '24 hours') ORDER BY severity_weight(x.severity) DESC, x.opened_at DESC, x.id DESC LIMIT 51) UNION ALL (SELECT x.id, severity_weight(x.severity) AS k1, x.opened_at AS k2, x.id AS k3 FROM incidents x WHERE x.root_id = $2 AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.closed_at IS NULL AND severity_weight(x.severity) = 2 AND x.opened_at >= date_trunc('hour', now(), 'UTC') - interval '24 hours') ORDER BY severity_weight(x.severity) DESC, x.opened_at DESC, x.id DESC LIMIT 51) UNION ALL (SELECT x.id, severity_weight(x.severity) AS k1, x.opened_at AS k2, x.id AS k3 FROM incidents x WHERE x.root_id = $2 AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.closed_at IS NULL AND severity_weight(x.severity) = 1 AND x.opened_at >= date_trunc('hour', now(), 'UTC') - interval '24 hours') ORDER BY severity_weight(x.severity) DESC, x.opened_at DESC, x.id DESC LIMIT 51) UNION ALL (SELECT x.id, severity_weight(x.severity) AS k1, x.opened_at AS k2, x.id AS k3 FROM incidents x WHERE x.root_id = $2 AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.closed_at IS NOT NULL AND severity_weight(x.severity) = 4 AND x.opened_at >= date_trunc('hour', now(), 'UTC') - interval '24 hours') ORDER BY severity_weight(x.severity) DESC, x.opened_at DESC, x.id DESC LIMIT 51) UNION ALL (SELECT x.id, severity_weight(x.severity) AS k1, x.opened_at AS k2, x.id AS k3 FROM incidents x WHERE x.root_id = $2 AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.closed_at IS NOT NULL AND severity_weight(x.severity) = 3 AND x.opened_at >= date_trunc('hour', now(), 'UTC') - interval '24 hours') ORDER BY severity_weight(x.severity) DESC, x.opened_at DESC, x.id DESC LIMIT 51) UNION ALL (SELECT x.id, severity_weight(x.severity) AS k1, x.opened_at AS k2, x.id AS k3 FROM incidents x WHERE x.root_id = $2 AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.closed_at IS NOT NULL AND severity_weight(x.severity) = 2 AND x.opened_at >= date_trunc('hour', now(), 'UTC') - interval '24 hours') ORDER BY severity_weight(x.severity) DESC, x.opened_at DESC, x.id DESC LIMIT 51) UNION ALL (SELECT x.id, severity_weight(x.severity) AS k1, x.opened_at AS k2, x.id AS k3 FROM incidents x WHERE x.root_id = $2 AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.closed_at IS NOT NULL AND severity_weight(x.severity) = 1 AND x.opened_at >= date_trunc('hour', now(), 'UTC') - interval '24 hours') ORDER BY severity_weight(x.severity) DESC, x.opened_at DESC, x.id DESC LIMIT 51)) x ORDER BY x.k1 DESC, x.k2 DESC, x.k3 DESC LIMIT 51) INTO ids;
            ELSIF NOT p_back THEN
                SELECT ARRAY(SELECT x.id FROM ((SELECT x.id, severity_weight(x.severity) AS k1, x.opened_at AS k2, x.id AS k3 FROM incidents x WHERE x.root_id = $2 AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.closed_at IS NULL AND severity_weight(x.severity) = 4 AND x.opened_at >= date_trunc('hour', now(), 'UTC') - interval '24 hours') AND (severity_weight(x.severity), x.opened_at, x.id) < (cur.k1, cur.k2, cur.k3) AND severity_weight(x.severity) <= cur.k1 ORDER BY severity_weight(x.severity) DESC, x.opened_at DESC, x.id DESC LIMIT 51) UNION ALL (SELECT x.id, severity_weight(x.severity) AS k1, x.opened_at AS k2, x.id AS k3 FROM incidents x WHERE x.root_id = $2 AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.closed_at IS NULL AND severity_weight(x.severity) = 3 AND x.opened_at >= date_trunc('hour', now(), 'UTC') - interval '24 hours') AND (severity_weight(x.severity), x.opened_at, x.id) < (cur.k1, cur.k2, cur.k3) AND severity_weight(x.severity) <= cur.k1 ORDER BY severity_weight(x.severity) DESC, x.opened_at DESC, x.id DESC LIMIT 51) UNION ALL (SELECT x.id, severity_weight(x.severity) AS k1, x.opened_at AS k2, x.id AS k3 FROM incidents x WHERE x.root_id = $2 AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.closed_at IS NULL AND severity_weight(x.severity) = 2 AND x.opened_at >= date_trunc('hour', now(), 'UTC') - interval '24 hours') AND (severity_weight(x.severity), x.opened_at, x.id) < (cur.k1, cur.k2, cur.k3) AND severity_weight(x.severity) <= cur.k1 ORDER BY severity_weight(x.severity) DESC, x.opened_at DESC, x.id DESC LIMIT 51) UNION ALL (SELECT x.id, severity_weight(x.severity) AS k1, x.opened_at AS k2, x.id AS k3 FROM incidents x WHERE x.root_id = $2 AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.closed_at IS NULL AND severity_weight(x.severity) = 1 AND x.opened_at >= date_trunc('hour', now(), 'UTC') - interval '24 hours') AND (severity_weight(x.severity), x.opened_at, x.id) < (cur.k1, cur.k2, cur.k3) AND severity_weight(x.severity) <= cur.k1 ORDER BY severity_weight(x.severity) DESC, x.opened_at DESC, x.id DESC LIMIT 51) UNION ALL (SELECT x.id, severity_weight(x.severity) AS k1, x.opened_at AS k2, x.id AS k3 FROM incidents x WHERE x.root_id = $2 AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.closed_at IS NOT NULL AND severity_weight(x.severity) = 4 AND x.opened_at >= date_trunc('hour', now(), 'UTC') - interval '24 hours') AND (severity_weight(x.severity), x.opened_at, x.id) < (cur.k1, cur.k2, cur.k3) AND severity_weight(x.severity) <= cur.k1 ORDER BY severity_weight(x.severity) DESC, x.opened_at DESC, x.id DESC LIMIT 51) UNION ALL (SELECT x.id, severity_weight(x.severity) AS k1, x.opened_at AS k2, x.id AS k3 FROM incidents x WHERE x.root_id = $2 AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.closed_at IS NOT NULL AND severity_weight(x.severity) = 3 AND x.opened_at >= date_trunc('hour', now(), 'UTC') - interval '24 hours') AND (severity_weight(x.severity), x.opened_at, x.id) < (cur.k1, cur.k2, cur.k3) AND severity_weight(x.severity) <= cur.k1 ORDER BY severity_weight(x.severity) DESC, x.opened_at DESC, x.id DESC LIMIT 51) UNION ALL (SELECT x.id, severity_weight(x.severity) AS k1, x.opened_at AS k2, x.id AS k3 FROM incidents x WHERE x.root_id = $2 AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.closed_at IS NOT NULL AND severity_weight(x.severity) = 2 AND x.opened_at >= date_trunc('hour', now(), 'UTC') - interval '24 hours') AND (severity_weight(x.severity), x.opened_at, x.id) < (cur.k1, cur.k2, cur.k3) AND severity_weight(x.severity) <= cur.k1 ORDER BY severity_weight(x.severity) DESC, x.opened_at DESC, x.id DESC LIMIT 51) UNION ALL (SELECT x.id, severity_weight(x.severity) AS k1, x.opened_at AS k2, x.id AS k3 FROM incidents x WHERE x.root_id = $2 AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.closed_at IS NOT NULL AND severity_weight(x.severity) = 1 AND x.opened_at >= date_trunc('hour', now(), 'UTC') - interval '24 hours') AND (severity_weight(x.severity), x.opened_at, x.id) < (cur.k1, cur.k2, cur.k3) AND severity_weight(x.severity) <= cur.k1 ORDER BY severity_weight(x.severity) DESC, x.opened_at DESC, x.id DESC LIMIT 51)) x ORDER BY x.k1 DESC, x.k2 DESC, x.k3 DESC LIMIT 51) INTO ids;
            ELSE
                SELECT ARRAY(SELECT x.id FROM ((SELECT x.id, severity_weight(x.severity) AS k1, x.opened_at AS k2, x.id AS k3 FROM incidents x WHERE x.root_id = $2 AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.closed_at IS NULL AND severity_weight(x.severity) = 4 AND x.opened_at >= date_trunc('hour', now(), 'UTC') - interval '24 hours') AND (severity_weight(x.severity), x.opened_at, x.id) > (cur.k1, cur.k2, cur.k3) AND severity_weight(x.severity) >= cur.k1 ORDER BY severity_weight(x.severity) ASC, x.opened_at ASC, x.id ASC LIMIT 51) UNION ALL (SELECT x.id, severity_weight(x.severity) AS k1, x.opened_at AS k2, x.id AS k3 FROM incidents x WHERE x.root_id = $2 AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.closed_at IS NULL AND severity_weight(x.severity) = 3 AND x.opened_at >= date_trunc('hour', now(), 'UTC') - interval '24 hours') AND (severity_weight(x.severity), x.opened_at, x.id) > (cur.k1, cur.k2, cur.k3) AND severity_weight(x.severity) >= cur.k1 ORDER BY severity_weight(x.severity) ASC, x.opened_at ASC, x.id ASC LIMIT 51) UNION ALL (SELECT x.id, severity_weight(x.severity) AS k1, x.opened_at AS k2, x.id AS k3 FROM incidents x WHERE x.root_id = $2 AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.closed_at IS NULL AND severity_weight(x.severity) = 2 AND x.opened_at >= date_trunc('hour', now(), 'UTC') - interval '24 hours') AND (severity_weight(x.severity), x.opened_at, x.id) > (cur.k1, cur.k2, cur.k3) AND severity_weight(x.severity) >= cur.k1 ORDER BY severity_weight(x.severity) ASC, x.opened_at ASC, x.id ASC LIMIT 51) UNION ALL (SELECT x.id, severity_weight(x.severity) AS k1, x.opened_at AS k2, x.id AS k3 FROM incidents x WHERE x.root_id = $2 AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.closed_at IS NULL AND severity_weight(x.severity) = 1 AND x.opened_at >= date_trunc('hour', now(), 'UTC') - interval '24 hours') AND (severity_weight(x.severity), x.opened_at, x.id) > (cur.k1, cur.k2, cur.k3) AND severity_weight(x.severity) >= cur.k1 ORDER BY severity_weight(x.severity) ASC, x.opened_at ASC, x.id ASC LIMIT 51) UNION ALL (SELECT x.id, severity_weight(x.severity) AS k1, x.opened_at AS k2, x.id AS k3 FROM incidents x WHERE x.root_id = $2 AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.closed_at IS NOT NULL AND severity_weight(x.severity) = 4 AND x.opened_at >= date_trunc('hour', now(), 'UTC') - interval '24 hours') AND (severity_weight(x.severity), x.opened_at, x.id) > (cur.k1, cur.k2, cur.k3) AND severity_weight(x.severity) >= cur.k1 ORDER BY severity_weight(x.severity) ASC, x.opened_at ASC, x.id ASC LIMIT 51) UNION ALL (SELECT x.id, severity_weight(x.severity) AS k1, x.opened_at AS k2, x.id AS k3 FROM incidents x WHERE x.root_id = $2 AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.closed_at IS NOT NULL AND severity_weight(x.severity) = 3 AND x.opened_at >= date_trunc('hour', now(), 'UTC') - interval '24 hours') AND (severity_weight(x.severity), x.opened_at, x.id) > (cur.k1, cur.k2, cur.k3) AND severity_weight(x.severity) >= cur.k1 ORDER BY severity_weight(x.severity) ASC, x.opened_at ASC, x.id ASC LIMIT 51) UNION ALL (SELECT x.id, severity_weight(x.severity) AS k1, x.opened_at AS k2, x.id AS k3 FROM incidents x WHERE x.root_id = $2 AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.closed_at IS NOT NULL AND severity_weight(x.severity) = 2 AND x.opened_at >= date_trunc('hour', now(), 'UTC') - interval '24 hours') AND (severity_weight(x.severity), x.opened_at, x.id) > (cur.k1, cur.k2, cur.k3) AND severity_weight(x.severity) >= cur.k1 ORDER BY severity_weight(x.severity) ASC, x.opened_at ASC, x.id ASC LIMIT 51) UNION ALL (SELECT x.id, severity_weight(x.severity) AS k1, x.opened_at AS k2, x.id AS k3 FROM incidents x WHERE x.root_id = $2 AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.closed_at IS NOT NULL AND severity_weight(x.severity) = 1 AND x.opened_at >= date_trunc('hour', now(), 'UTC') - interval '24 hours') AND (severity_weight(x.severity), x.opened_at, x.id) > (cur.k1, cur.k2, cur.k3) AND severity_weight(x.severity) >= cur.k1 ORDER BY severity_weight(x.severity) ASC, x.opened_at ASC, x.id ASC LIMIT 51)) x ORDER BY x.k1 ASC, x.k2 ASC, x.k3 ASC LIMIT 51) INTO ids;
            END IF;
            IF p_count THEN
                SELECT count(*) FROM (SELECT 1 FROM ((SELECT 1 FROM incidents x WHERE x.root_id = $2 AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.closed_at IS NULL AND severity_weight(x.severity) = 4 AND x.opened_at >= date_trunc('hour', now(), 'UTC') - interval '24 hours') LIMIT 1001) UNION ALL (SELECT 1 FROM incidents x WHERE x.root_id = $2 AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.closed_at IS NULL AND severity_weight(x.severity) = 3 AND x.opened_at >= date_trunc('hour', now(), 'UTC') - interval '24 hours') LIMIT 1001) UNION ALL (SELECT 1 FROM incidents x WHERE x.root_id = $2 AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.closed_at IS NULL AND severity_weight(x.severity) = 2 AND x.opened_at >= date_trunc('hour', now(), 'UTC') - interval '24 hours') LIMIT 1001) UNION ALL (SELECT 1 FROM incidents x WHERE x.root_id = $2 AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.closed_at IS NULL AND severity_weight(x.severity) = 1 AND x.opened_at >= date_trunc('hour', now(), 'UTC') - interval '24 hours') LIMIT 1001) UNION ALL (SELECT 1 FROM incidents x WHERE x.root_id = $2 AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.closed_at IS NOT NULL AND severity_weight(x.severity) = 4 AND x.opened_at >= date_trunc('hour', now(), 'UTC') - interval '24 hours') LIMIT 1001) UNION ALL (SELECT 1 FROM incidents x WHERE x.root_id = $2 AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.closed_at IS NOT NULL AND severity_weight(x.severity) = 3 AND x.opened_at >= date_trunc('hour', now(), 'UTC') - interval '24 hours') LIMIT 1001) UNION ALL (SELECT 1 FROM incidents x WHERE x.root_id = $2 AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.closed_at IS NOT NULL AND severity_weight(x.severity) = 2 AND x.opened_at >= date_trunc('hour', now(), 'UTC') - interval '24 hours') LIMIT 1001) UNION ALL (SELECT 1 FROM incidents x WHERE x.root_id = $2 AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.closed_at IS NOT NULL AND severity_weight(x.severity) = 1 AND x.opened_at >= date_trunc('hour', now(), 'UTC') - interval '24 hours') LIMIT 1001)) x LIMIT 1001) x INTO counted;
            END IF;
        ELSIF p_set = 'all' THEN
            IF NOT cursor_found THEN
                SELECT ARRAY(SELECT x.id FROM ((SELECT x.id, severity_weight(x.severity) AS k1, x.opened_at AS k2, x.id AS k3 FROM incidents x WHERE x.root_id = $2 AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.closed_at IS NULL) ORDER BY severity_weight(x.severity) DESC, x.opened_at DESC, x.id DESC LIMIT 51) UNION ALL (SELECT x.id, severity_weight(x.severity) AS k1, x.opened_at AS k2, x.id AS k3 FROM incidents x WHERE x.root_id = $2 AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.closed_at IS NOT NULL) ORDER BY severity_weight(x.severity) DESC, x.opened_at DESC, x.id DESC LIMIT 51)) x ORDER BY x.k1 DESC, x.k2 DESC, x.k3 DESC LIMIT 51) INTO ids;
            ELSIF NOT p_back THEN
                SELECT ARRAY(SELECT x.id FROM ((SELECT x.id, severity_weight(x.severity) AS k1, x.opened_at AS k2, x.id AS k3 FROM incidents x WHERE x.root_id = $2 AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.closed_at IS NULL) AND (severity_weight(x.severity), x.opened_at, x.id) < (cur.k1, cur.k2, cur.k3) AND severity_weight(x.severity) <= cur.k1 ORDER BY severity_weight(x.severity) DESC, x.opened_at DESC, x.id DESC LIMIT 51) UNION ALL (SELECT x.id, severity_weight(x.severity) AS k1, x.opened_at AS k2, x.id AS k3 FROM incidents x WHERE x.root_id = $2 AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.closed_at IS NOT NULL) AND (severity_weight(x.severity), x.opened_at, x.id) < (cur.k1, cur.k2, cur.k3) AND severity_weight(x.severity) <= cur.k1 ORDER BY severity_weight(x.severity) DESC, x.opened_at DESC, x.id DESC LIMIT 51)) x ORDER BY x.k1 DESC, x.k2 DESC, x.k3 DESC LIMIT 51) INTO ids;
            ELSE
                SELECT ARRAY(SELECT x.id FROM ((SELECT x.id, severity_weight(x.severity) AS k1, x.opened_at AS k2, x.id AS k3 FROM incidents x WHERE x.root_id = $2 AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.closed_at IS NULL) AND (severity_weight(x.severity), x.opened_at, x.id) > (cur.k1, cur.k2, cur.k3) AND severity_weight(x.severity) >= cur.k1 ORDER BY severity_weight(x.severity) ASC, x.opened_at ASC, x.id ASC LIMIT 51) UNION ALL (SELECT x.id, severity_weight(x.severity) AS k1, x.opened_at AS k2, x.id AS k3 FROM incidents x WHERE x.root_id = $2 AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.closed_at IS NOT NULL) AND (severity_weight(x.severity), x.opened_at, x.id) > (cur.k1, cur.k2, cur.k3) AND severity_weight(x.severity) >= cur.k1 ORDER BY severity_weight(x.severity) ASC, x.opened_at ASC, x.id ASC LIMIT 51)) x ORDER BY x.k1 ASC, x.k2 ASC, x.k3 ASC LIMIT 51) INTO ids;
            END IF;
            IF p_count THEN
                SELECT count(*) FROM (SELECT 1 FROM ((SELECT 1 FROM incidents x WHERE x.root_id = $2 AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.closed_at IS NULL) LIMIT 1001) UNION ALL (SELECT 1 FROM incidents x WHERE x.root_id = $2 AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.closed_at IS NOT NULL) LIMIT 1001)) x LIMIT 1001) x INTO counted;
            END IF;
        ELSE
            RAISE EXCEPTION 'list_reader: no set %', p_set;
        END IF;
    ELSIF p_how = 'check' THEN
        IF p_set = 'open' THEN
            IF NOT cursor_found THEN
                SELECT ARRAY(SELECT x.id FROM incidents x WHERE x.root_id = $2 AND EXISTS (SELECT 1 FROM tenants c WHERE c.id = x.tenant_id AND c.ancestors @> ARRAY[$3] AND scope_sees(c.ancestors, c.id, $4, $5) OFFSET 0) AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.closed_at IS NULL) ORDER BY severity_weight(x.severity) DESC, x.opened_at DESC, x.id DESC LIMIT 51) INTO ids;
            ELSIF NOT p_back THEN
                SELECT ARRAY(SELECT x.id FROM incidents x WHERE x.root_id = $2 AND EXISTS (SELECT 1 FROM tenants c WHERE c.id = x.tenant_id AND c.ancestors @> ARRAY[$3] AND scope_sees(c.ancestors, c.id, $4, $5) OFFSET 0) AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.closed_at IS NULL) AND (severity_weight(x.severity), x.opened_at, x.id) < (cur.k1, cur.k2, cur.k3) AND severity_weight(x.severity) <= cur.k1 ORDER BY severity_weight(x.severity) DESC, x.opened_at DESC, x.id DESC LIMIT 51) INTO ids;
            ELSE
                SELECT ARRAY(SELECT x.id FROM incidents x WHERE x.root_id = $2 AND EXISTS (SELECT 1 FROM tenants c WHERE c.id = x.tenant_id AND c.ancestors @> ARRAY[$3] AND scope_sees(c.ancestors, c.id, $4, $5) OFFSET 0) AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.closed_at IS NULL) AND (severity_weight(x.severity), x.opened_at, x.id) > (cur.k1, cur.k2, cur.k3) AND severity_weight(x.severity) >= cur.k1 ORDER BY severity_weight(x.severity) ASC, x.opened_at ASC, x.id ASC LIMIT 51) INTO ids;
            END IF;
            IF p_count THEN
                SELECT count(*) FROM (SELECT 1 FROM ((SELECT 1 FROM incidents x WHERE x.root_id = $2 AND EXISTS (SELECT 1 FROM tenants c WHERE c.id = x.tenant_id AND c.ancestors @> ARRAY[$3] AND scope_sees(c.ancestors, c.id, $4, $5) OFFSET 0) AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.closed_at IS NULL) LIMIT 1001)) x LIMIT 1001) x INTO counted;
            END IF;
        ELSIF p_set = 'closed' THEN
            IF NOT cursor_found THEN
                SELECT ARRAY(SELECT x.id FROM incidents x WHERE x.root_id = $2 AND EXISTS (SELECT 1 FROM tenants c WHERE c.id = x.tenant_id AND c.ancestors @> ARRAY[$3] AND scope_sees(c.ancestors, c.id, $4, $5) OFFSET 0) AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.closed_at IS NOT NULL) ORDER BY severity_weight(x.severity) DESC, x.opened_at DESC, x.id DESC LIMIT 51) INTO ids;
            ELSIF NOT p_back THEN
                SELECT ARRAY(SELECT x.id FROM incidents x WHERE x.root_id = $2 AND EXISTS (SELECT 1 FROM tenants c WHERE c.id = x.tenant_id AND c.ancestors @> ARRAY[$3] AND scope_sees(c.ancestors, c.id, $4, $5) OFFSET 0) AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.closed_at IS NOT NULL) AND (severity_weight(x.severity), x.opened_at, x.id) < (cur.k1, cur.k2, cur.k3) AND severity_weight(x.severity) <= cur.k1 ORDER BY severity_weight(x.severity) DESC, x.opened_at DESC, x.id DESC LIMIT 51) INTO ids;
            ELSE
                SELECT ARRAY(SELECT x.id FROM incidents x WHERE x.root_id = $2 AND EXISTS (SELECT 1 FROM tenants c WHERE c.id = x.tenant_id AND c.ancestors @> ARRAY[$3] AND scope_sees(c.ancestors, c.id, $4, $5) OFFSET 0) AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.closed_at IS NOT NULL) AND (severity_weight(x.severity), x.opened_at, x.id) > (cur.k1, cur.k2, cur.k3) AND severity_weight(x.severity) >= cur.k1 ORDER BY severity_weight(x.severity) ASC, x.opened_at ASC, x.id ASC LIMIT 51) INTO ids;
            END IF;
            IF p_count THEN
                SELECT count(*) FROM (SELECT 1 FROM ((SELECT 1 FROM incidents x WHERE x.root_id = $2 AND EXISTS (SELECT 1 FROM tenants c WHERE c.id = x.tenant_id AND c.ancestors @> ARRAY[$3] AND scope_sees(c.ancestors, c.id, $4, $5) OFFSET 0) AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.closed_at IS NOT NULL) LIMIT 1001)) x LIMIT 1001) x INTO counted;
            END IF;
        ELSIF p_set = 'new' THEN
            IF NOT cursor_found THEN
                SELECT ARRAY(SELECT x.id FROM ((SELECT x.id, severity_weight(x.severity) AS k1, x.opened_at AS k2, x.id AS k3 FROM incidents x WHERE x.root_id = $2 AND EXISTS (SELECT 1 FROM tenants c WHERE c.id = x.tenant_id AND c.ancestors @> ARRAY[$3] AND scope_sees(c.ancestors, c.id, $4, $5) OFFSET 0) AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.closed_at IS NULL AND severity_weight(x.severity) = 4 AND x.opened_at >= date_trunc('hour', now(), 'UTC') - interval '24 hours') ORDER BY severity_weight(x.severity) DESC, x.opened_at DESC, x.id DESC LIMIT 51) UNION ALL (SELECT x.id, severity_weight(x.severity) AS k1, x.opened_at AS k2, x.id AS k3 FROM incidents x WHERE x.root_id = $2 AND EXISTS (SELECT 1 FROM tenants c WHERE c.id = x.tenant_id AND c.ancestors @> ARRAY[$3] AND scope_sees(c.ancestors, c.id, $4, $5) OFFSET 0) AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.closed_at IS NULL AND severity_weight(x.severity) = 3 AND x.opened_at >= date_trunc('hour', now(), 'UTC') - interval '24 hours') ORDER BY severity_weight(x.severity) DESC, x.opened_at DESC, x.id DESC LIMIT 51) UNION ALL (SELECT x.id, severity_weight(x.severity) AS k1, x.opened_at AS k2, x.id AS k3 FROM incidents x WHERE x.root_id = $2 AND EXISTS (SELECT 1 FROM tenants c WHERE c.id = x.tenant_id AND c.ancestors @> ARRAY[$3] AND scope_sees(c.ancestors, c.id, $4, $5) OFFSET 0) AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.closed_at IS NULL AND severity_weight(x.severity) = 2 AND x.opened_at >= date_trunc('hour', now(), 'UTC') - interval '24 hours') ORDER BY severity_weight(x.severity) DESC, x.opened_at DESC, x.id DESC LIMIT 51) UNION ALL (SELECT x.id, severity_weight(x.severity) AS k1, x.opened_at AS k2, x.id AS k3 FROM incidents x WHERE x.root_id = $2 AND EXISTS (SELECT 1 FROM tenants c WHERE c.id = x.tenant_id AND c.ancestors @> ARRAY[$3] AND scope_sees(c.ancestors, c.id, $4, $5) OFFSET 0) AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.closed_at IS NULL AND severity_weight(x.severity) = 1 AND x.opened_at >= date_trunc('hour', now(), 'UTC') - interval '24 hours') ORDER BY severity_weight(x.severity) DESC, x.opened_at DESC, x.id DESC LIMIT 51) UNION ALL (SELECT x.id, severity_weight(x.severity) AS k1, x.opened_at AS k2, x.id AS k3 FROM incidents x WHERE x.root_id = $2 AND EXISTS (SELECT 1 FROM tenants c WHERE c.id = x.tenant_id AND c.ancestors @> ARRAY[$3] AND scope_sees(c.ancestors, c.id, $4, $5) OFFSET 0) AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.closed_at IS NOT NULL AND severity_weight(x.severity) = 4 AND x.opened_at >= date_trunc('hour', now(), 'UTC') - interval '24 hours') ORDER BY severity_weight(x.severity) DESC, x.opened_at DESC, x.id DESC LIMIT 51) UNION ALL (SELECT x.id, severity_weight(x.severity) AS k1, x.opened_at AS k2, x.id AS k3 FROM incidents x WHERE x.root_id = $2 AND EXISTS (SELECT 1 FROM tenants c WHERE c.id = x.tenant_id AND c.ancestors @> ARRAY[$3] AND scope_sees(c.ancestors, c.id, $4, $5) OFFSET 0) AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.closed_at IS NOT NULL AND severity_weight(x.severity) = 3 AND x.opened_at >= date_trunc('hour', now(), 'UTC') - interval '24 hours') ORDER BY severity_weight(x.severity) DESC, x.opened_at DESC, x.id DESC LIMIT 51) UNION ALL (SELECT x.id, severity_weight(x.severity) AS k1, x.opened_at AS k2, x.id AS k3 FROM incidents x WHERE x.root_id = $2 AND EXISTS (SELECT 1 FROM tenants c WHERE c.id = x.tenant_id AND c.ancestors @> ARRAY[$3] AND scope_sees(c.ancestors, c.id, $4, $5) OFFSET 0) AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.closed_at IS NOT NULL AND severity_weight(x.severity) = 2 AND x.opened_at >= date_trunc('hour', now(), 'UTC') - interval '24 hours') ORDER BY severity_weight(x.severity) DESC, x.opened_at DESC, x.id DESC LIMIT 51) UNION ALL (SELECT x.id, severity_weight(x.severity) AS k1, x.opened_at AS k2, x.id AS k3 FROM incidents x WHERE x.root_id = $2 AND EXISTS (SELECT 1 FROM tenants c WHERE c.id = x.tenant_id AND c.ancestors @> ARRAY[$3] AND scope_sees(c.ancestors, c.id, $4, $5) OFFSET 0) AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.closed_at IS NOT NULL AND severity_weight(x.severity) = 1 AND x.opened_at >= date_trunc('hour', now(), 'UTC') - interval '24 hours') ORDER BY severity_weight(x.severity) DESC, x.opened_at DESC, x.id DESC LIMIT 51)) x ORDER BY x.k1 DESC, x.k2 DESC, x.k3 DESC LIMIT 51) INTO ids;
            ELSIF NOT p_back THEN
                SELECT ARRAY(SELECT x.id FROM ((SELECT x.id, severity_weight(x.severity) AS k1, x.opened_at AS k2, x.id AS k3 FROM incidents x WHERE x.root_id = $2 AND EXISTS (SELECT 1 FROM tenants c WHERE c.id = x.tenant_id AND c.ancestors @> ARRAY[$3] AND scope_sees(c.ancestors, c.id, $4, $5) OFFSET 0) AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.closed_at IS NULL AND severity_weight(x.severity) = 4 AND x.opened_at >= date_trunc('hour', now(), 'UTC') - interval '24 hours') AND (severity_weight(x.severity), x.opened_at, x.id) < (cur.k1, cur.k2, cur.k3) AND severity_weight(x.severity) <= cur.k1 ORDER BY severity_weight(x.severity) DESC, x.opened_at DESC, x.id DESC LIMIT 51) UNION ALL (SELECT x.id, severity_weight(x.severity) AS k1, x.opened_at AS k2, x.id AS k3 FROM incidents x WHERE x.root_id = $2 AND EXISTS (SELECT 1 FROM tenants c WHERE c.id = x.tenant_id AND c.ancestors @> ARRAY[$3] AND scope_sees(c.ancestors, c.id, $4, $5) OFFSET 0) AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.closed_at IS NULL AND severity_weight(x.severity) = 3 AND x.opened_at >= date_trunc('hour', now(), 'UTC') - interval '24 hours') AND (severity_weight(x.severity), x.opened_at, x.id) < (cur.k1, cur.k2, cur.k3) AND severity_weight(x.severity) <= cur.k1 ORDER BY severity_weight(x.severity) DESC, x.opened_at DESC, x.id DESC LIMIT 51) UNION ALL (SELECT x.id, severity_weight(x.severity) AS k1, x.opened_at AS k2, x.id AS k3 FROM incidents x WHERE x.root_id = $2 AND EXISTS (SELECT 1 FROM tenants c WHERE c.id = x.tenant_id AND c.ancestors @> ARRAY[$3] AND scope_sees(c.ancestors, c.id, $4, $5) OFFSET 0) AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.closed_at IS NULL AND severity_weight(x.severity) = 2 AND x.opened_at >= date_trunc('hour', now(), 'UTC') - interval '24 hours') AND (severity_weight(x.severity), x.opened_at, x.id) < (cur.k1, cur.k2, cur.k3) AND severity_weight(x.severity) <= cur.k1 ORDER BY severity_weight(x.severity) DESC, x.opened_at DESC, x.id DESC LIMIT 51) UNION ALL (SELECT x.id, severity_weight(x.severity) AS k1, x.opened_at AS k2, x.id AS k3 FROM incidents x WHERE x.root_id = $2 AND EXISTS (SELECT 1 FROM tenants c WHERE c.id = x.tenant_id AND c.ancestors @> ARRAY[$3] AND scope_sees(c.ancestors, c.id, $4, $5) OFFSET 0) AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.closed_at IS NULL AND severity_weight(x.severity) = 1 AND x.opened_at >= date_trunc('hour', now(), 'UTC') - interval '24 hours') AND (severity_weight(x.severity), x.opened_at, x.id) < (cur.k1, cur.k2, cur.k3) AND severity_weight(x.severity) <= cur.k1 ORDER BY severity_weight(x.severity) DESC, x.opened_at DESC, x.id DESC LIMIT 51) UNION ALL (SELECT x.id, severity_weight(x.severity) AS k1, x.opened_at AS k2, x.id AS k3 FROM incidents x WHERE x.root_id = $2 AND EXISTS (SELECT 1 FROM tenants c WHERE c.id = x.tenant_id AND c.ancestors @> ARRAY[$3] AND scope_sees(c.ancestors, c.id, $4, $5) OFFSET 0) AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.closed_at IS NOT NULL AND severity_weight(x.severity) = 4 AND x.opened_at >= date_trunc('hour', now(), 'UTC') - interval '24 hours') AND (severity_weight(x.severity), x.opened_at, x.id) < (cur.k1, cur.k2, cur.k3) AND severity_weight(x.severity) <= cur.k1 ORDER BY severity_weight(x.severity) DESC, x.opened_at DESC, x.id DESC LIMIT 51) UNION ALL (SELECT x.id, severity_weight(x.severity) AS k1, x.opened_at AS k2, x.id AS k3 FROM incidents x WHERE x.root_id = $2 AND EXISTS (SELECT 1 FROM tenants c WHERE c.id = x.tenant_id AND c.ancestors @> ARRAY[$3] AND scope_sees(c.ancestors, c.id, $4, $5) OFFSET 0) AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.closed_at IS NOT NULL AND severity_weight(x.severity) = 3 AND x.opened_at >= date_trunc('hour', now(), 'UTC') - interval '24 hours') AND (severity_weight(x.severity), x.opened_at, x.id) < (cur.k1, cur.k2, cur.k3) AND severity_weight(x.severity) <= cur.k1 ORDER BY severity_weight(x.severity) DESC, x.opened_at DESC, x.id DESC LIMIT 51) UNION ALL (SELECT x.id, severity_weight(x.severity) AS k1, x.opened_at AS k2, x.id AS k3 FROM incidents x WHERE x.root_id = $2 AND EXISTS (SELECT 1 FROM tenants c WHERE c.id = x.tenant_id AND c.ancestors @> ARRAY[$3] AND scope_sees(c.ancestors, c.id, $4, $5) OFFSET 0) AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.closed_at IS NOT NULL AND severity_weight(x.severity) = 2 AND x.opened_at >= date_trunc('hour', now(), 'UTC') - interval '24 hours') AND (severity_weight(x.severity), x.opened_at, x.id) < (cur.k1, cur.k2, cur.k3) AND severity_weight(x.severity) <= cur.k1 ORDER BY severity_weight(x.severity) DESC, x.opened_at DESC, x.id DESC LIMIT 51) UNION ALL (SELECT x.id, severity_weight(x.severity) AS k1, x.opened_at AS k2, x.id AS k3 FROM incidents x WHERE x.root_id = $2 AND EXISTS (SELECT 1 FROM tenants c WHERE c.id = x.tenant_id AND c.ancestors @> ARRAY[$3] AND scope_sees(c.ancestors, c.id, $4, $5) OFFSET 0) AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.closed_at IS NOT NULL AND severity_weight(x.severity) = 1 AND x.opened_at >= date_trunc('hour', now(), 'UTC') - interval '24 hours') AND (severity_weight(x.severity), x.opened_at, x.id) < (cur.k1, cur.k2, cur.k3) AND severity_weight(x.severity) <= cur.k1 ORDER BY severity_weight(x.severity) DESC, x.opened_at DESC, x.id DESC LIMIT 51)) x ORDER BY x.k1 DESC, x.k2 DESC, x.k3 DESC LIMIT 51) INTO ids;
            ELSE
                SELECT ARRAY(SELECT x.id FROM ((SELECT x.id, severity_weight(x.severity) AS k1, x.opened_at AS k2, x.id AS k3 FROM incidents x WHERE x.root_id = $2 AND EXISTS (SELECT 1 FROM tenants c WHERE c.id = x.tenant_id AND c.ancestors @> ARRAY[$3] AND scope_sees(c.ancestors, c.id, $4, $5) OFFSET 0) AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.closed_at IS NULL AND severity_weight(x.severity) = 4 AND x.opened_at >= date_trunc('hour', now(), 'UTC') - interval '24 hours') AND (severity_weight(x.severity), x.opened_at, x.id) > (cur.k1, cur.k2, cur.k3) AND severity_weight(x.severity) >= cur.k1 ORDER BY severity_weight(x.severity) ASC, x.opened_at ASC, x.id ASC LIMIT 51) UNION ALL (SELECT x.id, severity_weight(x.severity) AS k1, x.opened_at AS k2, x.id AS k3 FROM incidents x WHERE x.root_id = $2 AND EXISTS (SELECT 1 FROM tenants c WHERE c.id = x.tenant_id AND c.ancestors @> ARRAY[$3] AND scope_sees(c.ancestors, c.id, $4, $5) OFFSET 0) AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.closed_at IS NULL AND severity_weight(x.severity) = 3 AND x.opened_at >= date_trunc('hour', now(), 'UTC') - interval '24 hours') AND (severity_weight(x.severity), x.opened_at, x.id) > (cur.k1, cur.k2, cur.k3) AND severity_weight(x.severity) >= cur.k1 ORDER BY severity_weight(x.severity) ASC, x.opened_at ASC, x.id ASC LIMIT 51) UNION ALL (SELECT x.id, severity_weight(x.severity) AS k1, x.opened_at AS k2, x.id AS k3 FROM incidents x WHERE x.root_id = $2 AND EXISTS (SELECT 1 FROM tenants c WHERE c.id = x.tenant_id AND c.ancestors @> ARRAY[$3] AND scope_sees(c.ancestors, c.id, $4, $5) OFFSET 0) AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.closed_at IS NULL AND severity_weight(x.severity) = 2 AND x.opened_at >= date_trunc('hour', now(), 'UTC') - interval '24 hours') AND (severity_weight(x.severity), x.opened_at, x.id) > (cur.k1, cur.k2, cur.k3) AND severity_weight(x.severity) >= cur.k1 ORDER BY severity_weight(x.severity) ASC, x.opened_at ASC, x.id ASC LIMIT 51) UNION ALL (SELECT x.id, severity_weight(x.severity) AS k1, x.opened_at AS k2, x.id AS k3 FROM incidents x WHERE x.root_id = $2 AND EXISTS (SELECT 1 FROM tenants c WHERE c.id = x.tenant_id AND c.ancestors @> ARRAY[$3] AND scope_sees(c.ancestors, c.id, $4, $5) OFFSET 0) AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.closed_at IS NULL AND severity_weight(x.severity) = 1 AND x.opened_at >= date_trunc('hour', now(), 'UTC') - interval '24 hours') AND (severity_weight(x.severity), x.opened_at, x.id) > (cur.k1, cur.k2, cur.k3) AND severity_weight(x.severity) >= cur.k1 ORDER BY severity_weight(x.severity) ASC, x.opened_at ASC, x.id ASC LIMIT 51) UNION ALL (SELECT x.id, severity_weight(x.severity) AS k1, x.opened_at AS k2, x.id AS k3 FROM incidents x WHERE x.root_id = $2 AND EXISTS (SELECT 1 FROM tenants c WHERE c.id = x.tenant_id AND c.ancestors @> ARRAY[$3] AND scope_sees(c.ancestors, c.id, $4, $5) OFFSET 0) AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.closed_at IS NOT NULL AND severity_weight(x.severity) = 4 AND x.opened_at >= date_trunc('hour', now(), 'UTC') - interval '24 hours') AND (severity_weight(x.severity), x.opened_at, x.id) > (cur.k1, cur.k2, cur.k3) AND severity_weight(x.severity) >= cur.k1 ORDER BY severity_weight(x.severity) ASC, x.opened_at ASC, x.id ASC LIMIT 51) UNION ALL (SELECT x.id, severity_weight(x.severity) AS k1, x.opened_at AS k2, x.id AS k3 FROM incidents x WHERE x.root_id = $2 AND EXISTS (SELECT 1 FROM tenants c WHERE c.id = x.tenant_id AND c.ancestors @> ARRAY[$3] AND scope_sees(c.ancestors, c.id, $4, $5) OFFSET 0) AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.closed_at IS NOT NULL AND severity_weight(x.severity) = 3 AND x.opened_at >= date_trunc('hour', now(), 'UTC') - interval '24 hours') AND (severity_weight(x.severity), x.opened_at, x.id) > (cur.k1, cur.k2, cur.k3) AND severity_weight(x.severity) >= cur.k1 ORDER BY severity_weight(x.severity) ASC, x.opened_at ASC, x.id ASC LIMIT 51) UNION ALL (SELECT x.id, severity_weight(x.severity) AS k1, x.opened_at AS k2, x.id AS k3 FROM incidents x WHERE x.root_id = $2 AND EXISTS (SELECT 1 FROM tenants c WHERE c.id = x.tenant_id AND c.ancestors @> ARRAY[$3] AND scope_sees(c.ancestors, c.id, $4, $5) OFFSET 0) AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.closed_at IS NOT NULL AND severity_weight(x.severity) = 2 AND x.opened_at >= date_trunc('hour', now(), 'UTC') - interval '24 hours') AND (severity_weight(x.severity), x.opened_at, x.id) > (cur.k1, cur.k2, cur.k3) AND severity_weight(x.severity) >= cur.k1 ORDER BY severity_weight(x.severity) ASC, x.opened_at ASC, x.id ASC LIMIT 51) UNION ALL (SELECT x.id, severity_weight(x.severity) AS k1, x.opened_at AS k2, x.id AS k3 FROM incidents x WHERE x.root_id = $2 AND EXISTS (SELECT 1 FROM tenants c WHERE c.id = x.tenant_id AND c.ancestors @> ARRAY[$3] AND scope_sees(c.ancestors, c.id, $4, $5) OFFSET 0) AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.closed_at IS NOT NULL AND severity_weight(x.severity) = 1 AND x.opened_at >= date_trunc('hour', now(), 'UTC') - interval '24 hours') AND (severity_weight(x.severity), x.opened_at, x.id) > (cur.k1, cur.k2, cur.k3) AND severity_weight(x.severity) >= cur.k1 ORDER BY severity_weight(x.severity) ASC, x.opened_at ASC, x.id ASC LIMIT 51)) x ORDER BY x.k1 ASC, x.k2 ASC, x.k3 ASC LIMIT 51) INTO ids;
            END IF;
            IF p_count THEN
                SELECT count(*) FROM (SELECT 1 FROM ((SELECT 1 FROM incidents x WHERE x.root_id = $2 AND EXISTS (SELECT 1 FROM tenants c WHERE c.id = x.tenant_id AND c.ancestors @> ARRAY[$3] AND scope_sees(c.ancestors, c.id, $4, $5) OFFSET 0) AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.closed_at IS NULL AND severity_weight(x.severity) = 4 AND x.opened_at >= date_trunc('hour', now(), 'UTC') - interval '24 hours') LIMIT 1001) UNION ALL (SELECT 1 FROM incidents x WHERE x.root_id = $2 AND EXISTS (SELECT 1 FROM tenants c WHERE c.id = x.tenant_id AND c.ancestors @> ARRAY[$3] AND scope_sees(c.ancestors, c.id, $4, $5) OFFSET 0) AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.closed_at IS NULL AND severity_weight(x.severity) = 3 AND x.opened_at >= date_trunc('hour', now(), 'UTC') - interval '24 hours') LIMIT 1001) UNION ALL (SELECT 1 FROM incidents x WHERE x.root_id = $2 AND EXISTS (SELECT 1 FROM tenants c WHERE c.id = x.tenant_id AND c.ancestors @> ARRAY[$3] AND scope_sees(c.ancestors, c.id, $4, $5) OFFSET 0) AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.closed_at IS NULL AND severity_weight(x.severity) = 2 AND x.opened_at >= date_trunc('hour', now(), 'UTC') - interval '24 hours') LIMIT 1001) UNION ALL (SELECT 1 FROM incidents x WHERE x.root_id = $2 AND EXISTS (SELECT 1 FROM tenants c WHERE c.id = x.tenant_id AND c.ancestors @> ARRAY[$3] AND scope_sees(c.ancestors, c.id, $4, $5) OFFSET 0) AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.closed_at IS NULL AND severity_weight(x.severity) = 1 AND x.opened_at >= date_trunc('hour', now(), 'UTC') - interval '24 hours') LIMIT 1001) UNION ALL (SELECT 1 FROM incidents x WHERE x.root_id = $2 AND EXISTS (SELECT 1 FROM tenants c WHERE c.id = x.tenant_id AND c.ancestors @> ARRAY[$3] AND scope_sees(c.ancestors, c.id, $4, $5) OFFSET 0) AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.closed_at IS NOT NULL AND severity_weight(x.severity) = 4 AND x.opened_at >= date_trunc('hour', now(), 'UTC') - interval '24 hours') LIMIT 1001) UNION ALL (SELECT 1 FROM incidents x WHERE x.root_id = $2 AND EXISTS (SELECT 1 FROM tenants c WHERE c.id = x.tenant_id AND c.ancestors @> ARRAY[$3] AND scope_sees(c.ancestors, c.id, $4, $5) OFFSET 0) AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.closed_at IS NOT NULL AND severity_weight(x.severity) = 3 AND x.opened_at >= date_trunc('hour', now(), 'UTC') - interval '24 hours') LIMIT 1001) UNION ALL (SELECT 1 FROM incidents x WHERE x.root_id = $2 AND EXISTS (SELECT 1 FROM tenants c WHERE c.id = x.tenant_id AND c.ancestors @> ARRAY[$3] AND scope_sees(c.ancestors, c.id, $4, $5) OFFSET 0) AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.closed_at IS NOT NULL AND severity_weight(x.severity) = 2 AND x.opened_at >= date_trunc('hour', now(), 'UTC') - interval '24 hours') LIMIT 1001) UNION ALL (SELECT 1 FROM incidents x WHERE x.root_id = $2 AND EXISTS (SELECT 1 FROM tenants c WHERE c.id = x.tenant_id AND c.ancestors @> ARRAY[$3] AND scope_sees(c.ancestors, c.id, $4, $5) OFFSET 0) AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.closed_at IS NOT NULL AND severity_weight(x.severity) = 1 AND x.opened_at >= date_trunc('hour', now(), 'UTC') - interval '24 hours') LIMIT 1001)) x LIMIT 1001) x INTO counted;
            END IF;
        ELSIF p_set = 'all' THEN
            IF NOT cursor_found THEN
                SELECT ARRAY(SELECT x.id FROM ((SELECT x.id, severity_weight(x.severity) AS k1, x.opened_at AS k2, x.id AS k3 FROM incidents x WHERE x.root_id = $2 AND EXISTS (SELECT 1 FROM tenants c WHERE c.id = x.tenant_id AND c.ancestors @> ARRAY[$3] AND scope_sees(c.ancestors, c.id, $4, $5) OFFSET 0) AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.closed_at IS NULL) ORDER BY severity_weight(x.severity) DESC, x.opened_at DESC, x.id DESC LIMIT 51) UNION ALL (SELECT x.id, severity_weight(x.severity) AS k1, x.opened_at AS k2, x.id AS k3 FROM incidents x WHERE x.root_id = $2 AND EXISTS (SELECT 1 FROM tenants c WHERE c.id = x.tenant_id AND c.ancestors @> ARRAY[$3] AND scope_sees(c.ancestors, c.id, $4, $5) OFFSET 0) AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.closed_at IS NOT NULL) ORDER BY severity_weight(x.severity) DESC, x.opened_at DESC, x.id DESC LIMIT 51)) x ORDER BY x.k1 DESC, x.k2 DESC, x.k3 DESC LIMIT 51) INTO ids;
            ELSIF NOT p_back THEN
                SELECT ARRAY(SELECT x.id FROM ((SELECT x.id, severity_weight(x.severity) AS k1, x.opened_at AS k2, x.id AS k3 FROM incidents x WHERE x.root_id = $2 AND EXISTS (SELECT 1 FROM tenants c WHERE c.id = x.tenant_id AND c.ancestors @> ARRAY[$3] AND scope_sees(c.ancestors, c.id, $4, $5) OFFSET 0) AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.closed_at IS NULL) AND (severity_weight(x.severity), x.opened_at, x.id) < (cur.k1, cur.k2, cur.k3) AND severity_weight(x.severity) <= cur.k1 ORDER BY severity_weight(x.severity) DESC, x.opened_at DESC, x.id DESC LIMIT 51) UNION ALL (SELECT x.id, severity_weight(x.severity) AS k1, x.opened_at AS k2, x.id AS k3 FROM incidents x WHERE x.root_id = $2 AND EXISTS (SELECT 1 FROM tenants c WHERE c.id = x.tenant_id AND c.ancestors @> ARRAY[$3] AND scope_sees(c.ancestors, c.id, $4, $5) OFFSET 0) AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.closed_at IS NOT NULL) AND (severity_weight(x.severity), x.opened_at, x.id) < (cur.k1, cur.k2, cur.k3) AND severity_weight(x.severity) <= cur.k1 ORDER BY severity_weight(x.severity) DESC, x.opened_at DESC, x.id DESC LIMIT 51)) x ORDER BY x.k1 DESC, x.k2 DESC, x.k3 DESC LIMIT 51) INTO ids;
            ELSE
                SELECT ARRAY(SELECT x.id FROM ((SELECT x.id, severity_weight(x.severity) AS k1, x.opened_at AS k2, x.id AS k3 FROM incidents x WHERE x.root_id = $2 AND EXISTS (SELECT 1 FROM tenants c WHERE c.id = x.tenant_id AND c.ancestors @> ARRAY[$3] AND scope_sees(c.ancestors, c.id, $4, $5) OFFSET 0) AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.closed_at IS NULL) AND (severity_weight(x.severity), x.opened_at, x.id) > (cur.k1, cur.k2, cur.k3) AND severity_weight(x.severity) >= cur.k1 ORDER BY severity_weight(x.severity) ASC, x.opened_at ASC, x.id ASC LIMIT 51) UNION ALL (SELECT x.id, severity_weight(x.severity) AS k1, x.opened_at AS k2, x.id AS k3 FROM incidents x WHERE x.root_id = $2 AND EXISTS (SELECT 1 FROM tenants c WHERE c.id = x.tenant_id AND c.ancestors @> ARRAY[$3] AND scope_sees(c.ancestors, c.id, $4, $5) OFFSET 0) AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.closed_at IS NOT NULL) AND (severity_weight(x.severity), x.opened_at, x.id) > (cur.k1, cur.k2, cur.k3) AND severity_weight(x.severity) >= cur.k1 ORDER BY severity_weight(x.severity) ASC, x.opened_at ASC, x.id ASC LIMIT 51)) x ORDER BY x.k1 ASC, x.k2 ASC, x.k3 ASC LIMIT 51) INTO ids;
            END IF;
            IF p_count THEN
                SELECT count(*) FROM (SELECT 1 FROM ((SELECT 1 FROM incidents x WHERE x.root_id = $2 AND EXISTS (SELECT 1 FROM tenants c WHERE c.id = x.tenant_id AND c.ancestors @> ARRAY[$3] AND scope_sees(c.ancestors, c.id, $4, $5) OFFSET 0) AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.closed_at IS NULL) LIMIT 1001) UNION ALL (SELECT 1 FROM incidents x WHERE x.root_id = $2 AND EXISTS (SELECT 1 FROM tenants c WHERE c.id = x.tenant_id AND c.ancestors @> ARRAY[$3] AND scope_sees(c.ancestors, c.id, $4, $5) OFFSET 0) AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.closed_at IS NOT NULL) LIMIT 1001)) x LIMIT 1001) x INTO counted;
            END IF;
        ELSE
            RAISE EXCEPTION 'list_reader: no set %', p_set;
        END IF;
    END IF;
END $_$;

ALTER FUNCTION public.incident_reader(p_tids bigint[], p_root bigint, p_tenant bigint, p_sc bigint[], p_ex bigint[], p_args text[], p_how text, p_set text, p_cursor bigint, p_back boolean, p_count boolean, OUT ids bigint[], OUT cursor_found boolean, OUT counted bigint) OWNER TO portal_owner;

CREATE FUNCTION public.incident_recent_apply(p_deltas jsonb) RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
BEGIN
    -- A row for every customer, then each locked in id order (no
    -- deadlock); its days are read after the lock, so a concurrent batch's
    -- are included.
    INSERT INTO incident_recent (tenant_id, day0, opened)
    SELECT DISTINCT d.tenant_id, least(d.day, current_date + 7), array_fill(0, ARRAY[28])
      FROM jsonb_to_recordset(p_deltas) AS d(tenant_id bigint, day date, n int)
     ORDER BY 1
    ON CONFLICT (tenant_id) DO NOTHING;
    PERFORM 1 FROM incident_recent r
     WHERE r.tenant_id IN (SELECT d.tenant_id FROM jsonb_to_recordset(p_deltas) AS d(tenant_id bigint, day date, n int))
     ORDER BY r.tenant_id FOR UPDATE;
    WITH dd AS MATERIALIZED (
        SELECT d.tenant_id, d.day, sum(d.n) AS n
          FROM jsonb_to_recordset(p_deltas) AS d(tenant_id bigint, day date, n int) GROUP BY 1, 2
    ), x AS (
        SELECT o.tenant_id, g.day0,
               array_agg(coalesce(o.opened[k - (g.day0 - o.day0)], 0) + coalesce(dd.n, 0) ORDER BY k) AS opened
          FROM incident_recent o
          JOIN (SELECT tenant_id, max(day) AS day FROM dd GROUP BY 1) m ON m.tenant_id = o.tenant_id
         CROSS JOIN LATERAL (SELECT least(greatest(o.day0, m.day), current_date + 7) AS day0) g
         CROSS JOIN generate_series(1, 28) k
          LEFT JOIN dd ON dd.tenant_id = o.tenant_id AND dd.day = g.day0 - (k - 1)
         GROUP BY o.tenant_id, g.day0
    )
    UPDATE incident_recent r SET day0 = x.day0, opened = x.opened FROM x WHERE r.tenant_id = x.tenant_id;
END $$;

ALTER FUNCTION public.incident_recent_apply(p_deltas jsonb) OWNER TO portal_owner;

CREATE FUNCTION public.prefix_sums(a integer[]) RETURNS integer[]
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$
    SELECT ARRAY[0] || ARRAY(SELECT sum(v) OVER (ORDER BY k)::int FROM unnest(a) WITH ORDINALITY AS x(v, k) ORDER BY k)
$$;

ALTER FUNCTION public.prefix_sums(a integer[]) OWNER TO portal_owner;

CREATE TABLE public.incident_recent (
    tenant_id bigint NOT NULL,
    day0 date NOT NULL,
    opened integer[] NOT NULL,
    sums integer[] GENERATED ALWAYS AS (public.prefix_sums(opened)) STORED,
    CONSTRAINT incident_recent_opened_check CHECK ((cardinality(opened) = 28))
);

ALTER TABLE ONLY public.incident_recent FORCE ROW LEVEL SECURITY;

ALTER TABLE public.incident_recent OWNER TO portal_owner;

CREATE FUNCTION public.incident_weeks(r public.incident_recent) RETURNS TABLE(this_week bigint, last_week bigint)
    LANGUAGE sql STABLE
    AS $$
    SELECT CASE WHEN least(x.a + 6, 28) < greatest(x.a, 1) THEN 0
                ELSE r.sums[least(x.a + 6, 28) + 1] - r.sums[greatest(x.a, 1)] END::bigint,
           CASE WHEN least(x.a + 13, 28) < greatest(x.a + 7, 1) THEN 0
                ELSE r.sums[least(x.a + 13, 28) + 1] - r.sums[greatest(x.a + 7, 1)] END::bigint
      FROM (SELECT 1 + (r.day0 - current_date) AS a) x
$$;

ALTER FUNCTION public.incident_weeks(r public.incident_recent) OWNER TO portal_owner;

CREATE FUNCTION public.incidents_indicators() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
BEGIN
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        PERFORM 1 FROM tenant_stats s WHERE s.tenant_id IN (SELECT DISTINCT n.root_id FROM new_rows n)
         ORDER BY s.tenant_id FOR UPDATE;
    END IF;
    IF TG_OP IN ('DELETE', 'UPDATE') THEN
        PERFORM 1 FROM tenant_stats s WHERE s.tenant_id IN (SELECT DISTINCT o.root_id FROM old_rows o)
         ORDER BY s.tenant_id FOR UPDATE;
    END IF;
    IF TG_OP = 'INSERT' THEN
        INSERT INTO indicator_hourly AS h (root_id, indicator, hour, incidents, first_at, last_at, kind)
        SELECT n.root_id, n.indicator, date_trunc('hour', n.opened_at, 'UTC'), count(*), min(n.opened_at),
               max(n.opened_at), min(n.indicator_kind)
          FROM new_rows n JOIN tenants c ON c.id = n.tenant_id AND c.kind = 'company'
         WHERE n.indicator IS NOT NULL
         GROUP BY 1, 2, 3 ORDER BY 1, 3, 2
        ON CONFLICT (root_id, hour, indicator) DO UPDATE SET incidents = h.incidents + excluded.incidents,
            first_at = least(h.first_at, excluded.first_at), last_at = greatest(h.last_at, excluded.last_at),
            kind = CASE WHEN h.kind IS NULL OR excluded.kind < h.kind THEN excluded.kind ELSE h.kind END;
        -- Each customer's latest sighting, and the hours' count of the
        -- customers whose latest sighting they hold: a customer whose
        -- latest moves to another hour leaves the one it was in.
        WITH k AS (
            SELECT n.root_id, n.indicator, n.tenant_id, max(n.opened_at) AS last_at
              FROM new_rows n JOIN tenants c ON c.id = n.tenant_id AND c.kind = 'company'
             WHERE n.indicator IS NOT NULL
             GROUP BY 1, 2, 3),
        was AS (  -- (before the upsert below: one snapshot for the statement)
            SELECT x.root_id, x.indicator, x.tenant_id, date_trunc('hour', x.last_at, 'UTC') AS hour
              FROM k JOIN indicator_customers x
                ON x.root_id = k.root_id AND x.indicator = k.indicator AND x.tenant_id = k.tenant_id),
        up AS (
            INSERT INTO indicator_customers AS x (root_id, indicator, tenant_id, last_at)
            SELECT k.root_id, k.indicator, k.tenant_id, k.last_at FROM k ORDER BY 1, 2, 3
            ON CONFLICT (root_id, indicator, tenant_id) DO UPDATE SET last_at = greatest(x.last_at, excluded.last_at)
            RETURNING x.root_id, x.indicator, x.tenant_id, date_trunc('hour', x.last_at, 'UTC') AS hour),
        moved AS (
            SELECT up.root_id, up.indicator, up.hour, 1 AS n
              FROM up LEFT JOIN was ON was.root_id = up.root_id AND was.indicator = up.indicator
                                   AND was.tenant_id = up.tenant_id
             WHERE was.hour IS DISTINCT FROM up.hour
            UNION ALL
            SELECT was.root_id, was.indicator, was.hour, -1
              FROM was JOIN up ON up.root_id = was.root_id AND up.indicator = was.indicator
                              AND up.tenant_id = was.tenant_id
             WHERE was.hour <> up.hour)
        UPDATE indicator_hourly h SET customers = h.customers + d.n
          FROM (SELECT m.root_id, m.indicator, m.hour, sum(m.n) AS n FROM moved m GROUP BY 1, 2, 3) d
         WHERE h.root_id = d.root_id AND h.hour = d.hour AND h.indicator = d.indicator AND d.n <> 0;
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM indicator_recount((SELECT jsonb_agg(DISTINCT jsonb_build_object(
                    'root_id', o.root_id, 'indicator', o.indicator, 'tenant_id', o.tenant_id,
                    'hour', date_trunc('hour', o.opened_at, 'UTC')))
                  FROM old_rows o WHERE o.indicator IS NOT NULL))
          WHERE EXISTS (SELECT 1 FROM old_rows o WHERE o.indicator IS NOT NULL);
    ELSE
        PERFORM indicator_recount((SELECT jsonb_agg(DISTINCT k) FROM (
                    SELECT jsonb_build_object('root_id', o.root_id, 'indicator', o.indicator, 'tenant_id', o.tenant_id,
                                              'hour', date_trunc('hour', o.opened_at, 'UTC')) AS a,
                           jsonb_build_object('root_id', n.root_id, 'indicator', n.indicator, 'tenant_id', n.tenant_id,
                                              'hour', date_trunc('hour', n.opened_at, 'UTC')) AS b,
                           o.indicator AS oi, n.indicator AS ni
                      FROM old_rows o JOIN new_rows n ON n.id = o.id
                     WHERE (o.indicator, o.indicator_kind, o.opened_at, o.tenant_id, o.root_id)
                           IS DISTINCT FROM (n.indicator, n.indicator_kind, n.opened_at, n.tenant_id, n.root_id)) c,
                  LATERAL (SELECT c.a WHERE c.oi IS NOT NULL UNION ALL SELECT c.b WHERE c.ni IS NOT NULL) AS x(k)))
          WHERE EXISTS (SELECT 1 FROM old_rows o JOIN new_rows n ON n.id = o.id
                         WHERE (o.indicator, o.indicator_kind, o.opened_at, o.tenant_id, o.root_id)
                               IS DISTINCT FROM (n.indicator, n.indicator_kind, n.opened_at, n.tenant_id, n.root_id)
                           AND coalesce(o.indicator, n.indicator) IS NOT NULL);
    END IF;
    RETURN NULL;
END $$;

ALTER FUNCTION public.incidents_indicators() OWNER TO portal_owner;

CREATE FUNCTION public.incidents_recent() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
DECLARE
    d jsonb;
BEGIN
    IF TG_OP = 'INSERT' THEN
        SELECT jsonb_agg(x) INTO d FROM (
            SELECT n.tenant_id, (n.opened_at AT TIME ZONE 'UTC')::date AS day, count(*) AS n
              FROM new_rows n JOIN tenants c ON c.id = n.tenant_id AND c.kind = 'company' GROUP BY 1, 2) x;
    ELSIF TG_OP = 'DELETE' THEN
        SELECT jsonb_agg(x) INTO d FROM (
            SELECT o.tenant_id, (o.opened_at AT TIME ZONE 'UTC')::date AS day, -count(*) AS n
              FROM old_rows o JOIN tenants c ON c.id = o.tenant_id AND c.kind = 'company' GROUP BY 1, 2) x;
    ELSE   -- only updates that move an incident to another day or customer
        SELECT jsonb_agg(x) INTO d FROM (
            SELECT y.tenant_id, y.day, sum(y.n) AS n
              FROM old_rows o JOIN new_rows n ON n.id = o.id
             CROSS JOIN LATERAL (VALUES (o.tenant_id, (o.opened_at AT TIME ZONE 'UTC')::date, -1),
                                        (n.tenant_id, (n.opened_at AT TIME ZONE 'UTC')::date, 1)) AS y(tenant_id, day, n)
              JOIN tenants c ON c.id = y.tenant_id AND c.kind = 'company'
             WHERE (o.tenant_id, (o.opened_at AT TIME ZONE 'UTC')::date)
                   IS DISTINCT FROM (n.tenant_id, (n.opened_at AT TIME ZONE 'UTC')::date)
             GROUP BY 1, 2 HAVING sum(y.n) <> 0) x;
    END IF;
    IF d IS NOT NULL THEN
        PERFORM incident_recent_apply(d);
    END IF;
    RETURN NULL;
END $$;

ALTER FUNCTION public.incidents_recent() OWNER TO portal_owner;

CREATE FUNCTION public.incidents_series() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    SET client_min_messages TO 'warning'
    AS $_$
DECLARE touched bigint[];
BEGIN
    EXECUTE format($q$
    WITH r AS MATERIALIZED (%s),
    leaf AS (
        SELECT tenant_id, hour, sum(opened) AS opened, sum(closed) AS closed
          FROM (SELECT tenant_id, opened AS hour, n AS opened, 0 AS closed FROM r
                UNION ALL
                SELECT tenant_id, closed, 0, n FROM r WHERE closed IS NOT NULL) x
         GROUP BY tenant_id, hour),
    hourly AS (
        INSERT INTO incident_hourly AS h (tenant_id, hour, opened, closed)
        SELECT a.id, l.hour, sum(l.opened), sum(l.closed)
          FROM leaf l JOIN tenants t ON t.id = l.tenant_id JOIN tenants a ON a.id = ANY (t.ancestors)
         GROUP BY a.id, l.hour
        HAVING sum(l.opened) <> 0 OR sum(l.closed) <> 0
         ORDER BY a.id, l.hour
        ON CONFLICT (tenant_id, hour) DO UPDATE SET opened = h.opened + excluded.opened,
            closed = h.closed + excluded.closed)
    SELECT ARRAY(SELECT DISTINCT tenant_id FROM r ORDER BY 1)$q$,
        delta_rows(TG_OP, $c$tenant_id, date_trunc('hour', opened_at, 'UTC') AS opened,
                              date_trunc('hour', closed_at, 'UTC') AS closed$c$)) INTO touched;
    PERFORM stats_touch(touched);
    RETURN NULL;
END $_$;

ALTER FUNCTION public.incidents_series() OWNER TO portal_owner;

CREATE FUNCTION public.incidents_stats() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    SET client_min_messages TO 'warning'
    AS $_$
DECLARE d jsonb;
BEGIN
    EXECUTE stats_deltas_sql(TG_OP, 'tenant_id, severity, closed_at', 'closed_at IS NULL', $f$
        'incidents_open', sum(n),
        'incidents_open_critical', coalesce(sum(n) FILTER (WHERE severity = 'critical'), 0)$f$) INTO d;
    PERFORM stats_apply(d) WHERE d IS NOT NULL;
    RETURN NULL;
END $_$;

ALTER FUNCTION public.incidents_stats() OWNER TO portal_owner;

CREATE FUNCTION public.indicator_recount(p_keys jsonb) RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
BEGIN
    DELETE FROM indicator_hourly h
     USING (SELECT DISTINCT root_id, indicator, hour
              FROM jsonb_to_recordset(p_keys) AS k(root_id bigint, indicator text, hour timestamptz)) k
     WHERE h.root_id = k.root_id AND h.indicator = k.indicator AND h.hour = k.hour;
    INSERT INTO indicator_hourly (root_id, indicator, hour, incidents, first_at, last_at, kind)
    SELECT k.root_id, k.indicator, k.hour, count(*), min(i.opened_at), max(i.opened_at), min(i.indicator_kind)
      FROM (SELECT DISTINCT root_id, indicator, hour
              FROM jsonb_to_recordset(p_keys) AS k(root_id bigint, indicator text, hour timestamptz)) k
      JOIN incidents i ON i.indicator = k.indicator AND i.opened_at >= k.hour
                      AND i.opened_at < k.hour + interval '1 hour' AND i.root_id = k.root_id
      JOIN tenants c ON c.id = i.tenant_id AND c.kind = 'company'
     GROUP BY k.root_id, k.indicator, k.hour
     ORDER BY 1, 3, 2;
    DELETE FROM indicator_customers x
     USING (SELECT DISTINCT root_id, indicator, tenant_id
              FROM jsonb_to_recordset(p_keys) AS k(root_id bigint, indicator text, tenant_id bigint)) k
     WHERE x.root_id = k.root_id AND x.indicator = k.indicator AND x.tenant_id = k.tenant_id;
    INSERT INTO indicator_customers (root_id, indicator, tenant_id, last_at)
    SELECT k.root_id, k.indicator, k.tenant_id, max(i.opened_at)
      FROM (SELECT DISTINCT root_id, indicator, tenant_id
              FROM jsonb_to_recordset(p_keys) AS k(root_id bigint, indicator text, tenant_id bigint)) k
      JOIN incidents i ON i.tenant_id = k.tenant_id AND i.indicator = k.indicator AND i.root_id = k.root_id
      JOIN tenants c ON c.id = i.tenant_id AND c.kind = 'company'
     GROUP BY k.root_id, k.indicator, k.tenant_id
     ORDER BY 1, 2, 3;
    -- Each hour's count of the customers whose latest sighting it holds,
    -- for the keys' indicators (their customers may have moved hours).
    UPDATE indicator_hourly h SET customers = n.customers
      FROM (SELECT y.root_id, y.indicator, y.hour, count(x.tenant_id) AS customers
              FROM (SELECT DISTINCT root_id, indicator
                      FROM jsonb_to_recordset(p_keys) AS k(root_id bigint, indicator text)) k
              JOIN indicator_hourly y ON y.root_id = k.root_id AND y.indicator = k.indicator
              LEFT JOIN indicator_customers x ON x.root_id = y.root_id AND x.indicator = y.indicator
                                             AND x.last_at >= y.hour AND x.last_at < y.hour + interval '1 hour'
             GROUP BY 1, 2, 3) n
     WHERE h.root_id = n.root_id AND h.hour = n.hour AND h.indicator = n.indicator
       AND h.customers <> n.customers;
END $$;

ALTER FUNCTION public.indicator_recount(p_keys jsonb) OWNER TO portal_owner;

CREATE FUNCTION public.ingest_assets(p_items jsonb) RETURNS TABLE(i integer, error text)
    LANGUAGE sql
    SET search_path TO 'public', 'pg_temp'
    AS $$
    -- The dashboards above are rebuilt after the answer, not at this
    -- commit (dashboard_doc_keep(), dashboard_docs_stale()).
    SELECT set_config('portal.docs_later', 'on', true);
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
           SET kind = excluded.kind, name = excluded.name, address = excluded.address,
               updated_at = CASE WHEN (a.kind, a.name, a.address) IS DISTINCT FROM
                                      (excluded.kind, excluded.name, excluded.address)
                                 THEN now() ELSE a.updated_at END,
               last_seen_on = excluded.last_seen_on
         -- A row is written when it changes, or on its first report of
         -- the (UTC) day: billing's activity window reads last_seen_on.
         WHERE (a.kind, a.name, a.address) IS DISTINCT FROM (excluded.kind, excluded.name, excluded.address)
            OR a.last_seen_on < excluded.last_seen_on
        RETURNING 1)
    SELECT bad.i, bad.error FROM bad ORDER BY bad.i
$$;

ALTER FUNCTION public.ingest_assets(p_items jsonb) OWNER TO portal_owner;

CREATE FUNCTION public.ingest_incidents(p_items jsonb) RETURNS TABLE(i integer, error text)
    LANGUAGE sql
    SET search_path TO 'public', 'pg_temp'
    AS $$
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

ALTER FUNCTION public.ingest_incidents(p_items jsonb) OWNER TO portal_owner;

CREATE FUNCTION public.ingest_vulnerabilities(p_items jsonb) RETURNS TABLE(i integer, error text)
    LANGUAGE sql
    SET search_path TO 'public', 'pg_temp'
    AS $$
    -- The dashboards above are rebuilt after the answer, not at this
    -- commit (dashboard_doc_keep(), dashboard_docs_stale()).
    SELECT set_config('portal.docs_later', 'on', true);
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

ALTER FUNCTION public.ingest_vulnerabilities(p_items jsonb) OWNER TO portal_owner;

CREATE FUNCTION public.invitation_accept(p_token_hash text, p_name text, p_password_hash text, p_ip text, p_ua text, p_max_seconds integer) RETURNS TABLE(user_id bigint, token text)
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $_$
DECLARE
    i invitations%ROWTYPE;
    st text;
BEGIN
    SELECT * INTO i FROM invitations x
     WHERE x.token_hash = p_token_hash AND x.accepted_at IS NULL AND x.expires_at > now()
       FOR UPDATE;
    IF NOT FOUND THEN
        RETURN;
    END IF;
    SELECT u.status INTO st FROM users u WHERE u.id = i.user_id;
    IF st <> 'invited' AND app_user_id() IS DISTINCT FROM i.user_id THEN
        RAISE EXCEPTION 'sign_in_first' USING ERRCODE = 'P0001';
    END IF;
    IF st = 'invited' AND (p_password_hash IS NULL OR p_password_hash !~ '^scrypt\$') THEN
        RAISE EXCEPTION 'not a password hash' USING ERRCODE = 'check_violation';
    END IF;
    UPDATE invitations x SET accepted_at = now() WHERE x.id = i.id;
    IF st = 'invited' THEN
        -- The account becomes usable through this invitation: memberships
        -- other tenants gave it by inviting it earlier are not consented
        -- to; their invitations stay pending, to accept signed in.
        DELETE FROM memberships m
         WHERE m.user_id = i.user_id AND m.tenant_id <> i.tenant_id
           AND EXISTS (SELECT 1 FROM invitations x WHERE x.user_id = i.user_id AND x.tenant_id = m.tenant_id
                          AND x.accepted_at IS NULL);
    END IF;
    UPDATE users u SET name = coalesce(nullif(btrim(p_name), ''), u.name),
                       password_hash = CASE WHEN st = 'invited' THEN p_password_hash ELSE u.password_hash END,
                       password_changed_at = CASE WHEN st = 'invited' THEN now() ELSE u.password_changed_at END,
                       status = CASE WHEN u.status = 'invited' THEN 'active' ELSE u.status END
     WHERE u.id = i.user_id;
    IF NOT EXISTS (SELECT 1 FROM memberships m JOIN tenants t ON m.tenant_id = ANY (t.ancestors)
                    WHERE t.id = i.tenant_id AND m.user_id = i.user_id) THEN
        INSERT INTO memberships (user_id, tenant_id, role) VALUES (i.user_id, i.tenant_id, i.role);
    END IF;
    INSERT INTO audit_log (tenant_id, root_id, user_id, action, target)
    VALUES (i.tenant_id, i.root_id, i.user_id, 'team.invite_accepted', 'user:' || i.user_id);
    user_id := i.user_id;
    IF st = 'invited' THEN
        token := session_open(i.user_id, p_ip, p_ua, p_max_seconds);
    END IF;
    RETURN NEXT;
END $_$;

ALTER FUNCTION public.invitation_accept(p_token_hash text, p_name text, p_password_hash text, p_ip text, p_ua text, p_max_seconds integer) OWNER TO portal_owner;

CREATE FUNCTION public.invitation_lookup(p_token_hash text) RETURNS TABLE(invitation_id bigint, user_id bigint, email text, name text, user_status text, tenant_id bigint, tenant_name text, role text, expired boolean, accepted boolean)
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
    SELECT i.id, u.id, u.email, u.name, u.status, t.id, t.name, i.role, i.expires_at < now(), i.accepted_at IS NOT NULL
      FROM invitations i JOIN users u ON u.id = i.user_id JOIN tenants t ON t.id = i.tenant_id
     WHERE i.token_hash = p_token_hash
$$;

ALTER FUNCTION public.invitation_lookup(p_token_hash text) OWNER TO portal_owner;

CREATE FUNCTION public.list_meta(p_ids bigint[], p_has_prev boolean, p_has_next boolean, p_total bigint, p_counted bigint) RETURNS jsonb
    LANGUAGE sql STABLE
    AS $$
    SELECT jsonb_strip_nulls(jsonb_build_object(
        'total', coalesce(p_total, least(p_counted, 1000)), 'more', p_total IS NULL AND p_counted > 1000,
        'prev', CASE WHEN p_has_prev AND cardinality(p_ids) > 0 THEN p_ids[1] END,
        'next', CASE WHEN p_has_next AND cardinality(p_ids) > 0 THEN p_ids[cardinality(p_ids)] END))
$$;

ALTER FUNCTION public.list_meta(p_ids bigint[], p_has_prev boolean, p_has_next boolean, p_total bigint, p_counted bigint) OWNER TO portal_owner;

CREATE FUNCTION public.list_page(p_tenant bigint, p_reader text, p_set text, p_args text[], p_after bigint, p_before bigint, p_count boolean, OUT ids bigint[], OUT has_prev boolean, OUT has_next boolean, OUT counted bigint) RETURNS record
    LANGUAGE plpgsql STABLE
    AS $$
DECLARE
    sc bigint[] := app_scope();
    ex bigint[] := app_exact();
    t tenants%ROWTYPE;
    pl record;           -- read_plan()
    r record;            -- the reader's
    back boolean;
BEGIN
    SELECT * INTO t FROM tenants WHERE tenants.id = p_tenant;
    IF NOT FOUND OR NOT scope_sees(t.ancestors, t.id, sc, ex) THEN
        RETURN;
    END IF;
    pl := read_plan(t, sc, ex);
    -- Each reader called by its name, not through EXECUTE, which would
    -- plan a statement at every call (10-23 us; the readers' own are
    -- planned once per connection). A reader not named here is an error.
    CASE p_reader
    WHEN 'incident_reader' THEN
        r := incident_reader(pl.tids, t.root_id, t.id, sc, ex, p_args, pl.how, p_set, coalesce(p_before, p_after),
                             p_before IS NOT NULL, p_count);
    WHEN 'vulnerability_reader' THEN
        r := vulnerability_reader(pl.tids, t.root_id, t.id, sc, ex, p_args, pl.how, p_set, coalesce(p_before, p_after),
                                  p_before IS NOT NULL, p_count);
    WHEN 'asset_reader' THEN
        r := asset_reader(pl.tids, t.root_id, t.id, sc, ex, p_args, pl.how, p_set, coalesce(p_before, p_after),
                          p_before IS NOT NULL, p_count);
    END CASE;
    ids := r.ids;
    counted := r.counted;
    back := p_before IS NOT NULL AND r.cursor_found;
    IF back AND cardinality(ids) = 0 THEN
        -- Nothing before the cursor any more (rows left the list): the first page.
        SELECT * INTO ids, has_prev, has_next, counted FROM list_page(p_tenant, p_reader, p_set, p_args, NULL, NULL, p_count);
        RETURN;
    END IF;
    IF back THEN
        has_prev := cardinality(ids) > 50;
        has_next := true;
        ids := ARRAY(SELECT i FROM unnest(ids[1:50]) WITH ORDINALITY AS u(i, n) ORDER BY n DESC);
    ELSE
        has_prev := r.cursor_found;
        has_next := cardinality(ids) > 50;
        ids := ids[1:50];
    END IF;
END $$;

ALTER FUNCTION public.list_page(p_tenant bigint, p_reader text, p_set text, p_args text[], p_after bigint, p_before bigint, p_count boolean, OUT ids bigint[], OUT has_prev boolean, OUT has_next boolean, OUT counted bigint) OWNER TO portal_owner;

CREATE FUNCTION public.list_reader(p_name text, p_table text, p_keys text[], p_desc boolean, p_filter text, p_sets text[], p_parts text[]) RETURNS void
    LANGUAGE plpgsql
    AS $_$
DECLARE
    body text := '';
    how text;
    src text;            -- where a part's rows come from: %1$s the part's condition (and the cursor's),
                         -- %2$s what ends each tenant's read (a page per tenant)
    mode text;
    cond text;
    dir text;
    op text;             -- the cursor's comparison: > or <
    sel text;            -- the keys named k1, k2, ... (for the merge of several parts)
    ord text;            -- the keys in the page's order
    merged text;         -- the same order on k1, k2, ...
    curk text := '';     -- the cursor's keys, cur.k1, cur.k2, ...
    q text;
    c text;
    parts text[];        -- the set's parts (its row of p_parts without the padding)
    s int;
    kn int;
BEGIN
    FOR kn IN 1 .. cardinality(p_keys) LOOP
        curk := curk || CASE WHEN kn = 1 THEN '' ELSE ', ' END || 'cur.k' || kn;
    END LOOP;
    -- 'one': a 'tenants' plan of one tenant (a company's lists), read
    -- from its order index without the merge of the tenants' pages.
    FOREACH how IN ARRAY ARRAY['one', 'tenants', 'root', 'check'] LOOP
        IF how = 'one' THEN
            src := format('%I x WHERE x.tenant_id = $1[1] AND (%s) AND %%1$s', p_table, p_filter);
        ELSIF how = 'tenants' THEN
            src := format('unnest($1) AS u(tid) CROSS JOIN LATERAL (SELECT x.* FROM %I x WHERE x.tenant_id = u.tid'
                          ' AND (%s) AND %%1$s %%2$s) x', p_table, p_filter);
        ELSE
            src := format('%I x WHERE %s AND (%s) AND %%1$s', p_table, read_plan_rows(how, 'x'), p_filter);
        END IF;
        body := body || CASE WHEN how = 'one' THEN E'    IF p_how = ''tenants'' AND cardinality(p_tids) = 1 THEN\n'
                             ELSE format(E'    ELSIF p_how = %L THEN\n', how) END;
        FOR s IN 1 .. cardinality(p_sets) LOOP
            body := body || format(E'        %s p_set = %L THEN\n', CASE WHEN s = 1 THEN 'IF' ELSE 'ELSIF' END, p_sets[s]);
            parts := ARRAY(SELECT u.part FROM unnest(p_parts[s:s]) WITH ORDINALITY AS u(part, n) WHERE u.part IS NOT NULL ORDER BY u.n);
            -- The page: the first (no cursor), the one after the cursor, the one before it.
            FOREACH mode IN ARRAY ARRAY['first', 'after', 'before'] LOOP
                -- After the cursor's keys, and so the first key on the
                -- cursor's side of it (implied, not a filter): the index
                -- scan of a part whose first key is fixed on the other side
                -- ("new", a severity each) knows at once it has no row,
                -- where the row comparison alone read the part's every
                -- entry in the window (docs/performance.md, "Session 45").
                op := CASE WHEN (mode = 'before') = p_desc THEN '>' ELSE '<' END;
                cond := CASE mode WHEN 'first' THEN ''
                              ELSE format(' AND (%s) %s (%s) AND %s %s= cur.k1', array_to_string(p_keys, ', '), op,
                                          curk, p_keys[1], op) END;
                dir := CASE WHEN (mode = 'before') = p_desc THEN ' ASC' ELSE ' DESC' END;
                sel := '';
                ord := '';
                merged := '';
                FOR kn IN 1 .. cardinality(p_keys) LOOP
                    sel := sel || ', ' || p_keys[kn] || ' AS k' || kn;
                    ord := ord || CASE WHEN kn = 1 THEN '' ELSE ', ' END || p_keys[kn] || dir;
                    merged := merged || CASE WHEN kn = 1 THEN '' ELSE ', ' END || 'x.k' || kn || dir;
                END LOOP;
                IF cardinality(parts) = 1 THEN   -- one part: its rows
                    q := format('SELECT ARRAY(SELECT x.id FROM %s ORDER BY %s LIMIT 51)',
                                format(src, '(' || parts[1] || ')' || cond, 'ORDER BY ' || ord || ' LIMIT 51'), ord);
                ELSE                             -- several: each part's first rows, merged
                    q := NULL;
                    FOREACH c IN ARRAY parts LOOP
                        q := CASE WHEN q IS NULL THEN '' ELSE q || ' UNION ALL ' END
                             || format('(SELECT x.id%s FROM %s ORDER BY %s LIMIT 51)', sel,
                                       format(src, '(' || c || ')' || cond, 'ORDER BY ' || ord || ' LIMIT 51'), ord);
                    END LOOP;
                    q := format('SELECT ARRAY(SELECT x.id FROM (%s) x ORDER BY %s LIMIT 51)', q, merged);
                END IF;
                body := body || format(E'            %s\n                %s INTO ids;\n',
                                       CASE mode WHEN 'first' THEN 'IF NOT cursor_found THEN' WHEN 'after' THEN 'ELSIF NOT p_back THEN'
                                                 ELSE 'ELSE' END, q);
            END LOOP;
            q := NULL;
            FOREACH c IN ARRAY parts LOOP
                q := CASE WHEN q IS NULL THEN '' ELSE q || ' UNION ALL ' END
                     || format('(SELECT 1 FROM %s LIMIT 1001)', format(src, '(' || c || ')', 'LIMIT 1001'));
            END LOOP;
            body := body || format(E'            END IF;\n            IF p_count THEN\n'
                                   '                SELECT count(*) FROM (SELECT 1 FROM (%s) x LIMIT 1001) x INTO counted;\n'
                                   '            END IF;\n', q);
        END LOOP;
        body := body || E'        ELSE\n            RAISE EXCEPTION ''list_reader: no set %'', p_set;\n        END IF;\n';
    END LOOP;
    body := body || E'    END IF;\n';
    EXECUTE format(
        E'CREATE OR REPLACE FUNCTION %1$I(p_tids bigint[], p_root bigint, p_tenant bigint, p_sc bigint[], p_ex bigint[],\n'
        '    p_args text[], p_how text, p_set text, p_cursor bigint, p_back boolean, p_count boolean,\n'
        '    OUT ids bigint[], OUT cursor_found boolean, OUT counted bigint)\n'
        -- A generic plan: planned once, the tenants and the cursor as parameters.
        'LANGUAGE plpgsql STABLE SET plan_cache_mode = force_generic_plan AS $reader$\n'
        '-- Made by list_reader() (sql/functions/lists/list_reader.sql); the list is in %2$s.sql.\n'
        'DECLARE\n'
        '    cur record;\n'
        'BEGIN\n'
        '    IF p_cursor IS NOT NULL THEN\n'
        '        SELECT %3$s INTO cur FROM %4$I x JOIN tenants c ON c.id = x.tenant_id\n'
        '         WHERE x.id = p_cursor AND c.ancestors @> ARRAY[$3] AND scope_sees(c.ancestors, c.id, $4, $5);\n'
        '    END IF;\n'
        '    cursor_found := p_cursor IS NOT NULL AND FOUND;\n'
        '%5$s'
        'END $reader$', p_name, p_name,
        (SELECT string_agg(k || ' AS k' || n, ', ' ORDER BY n) FROM unnest(p_keys) WITH ORDINALITY AS u(k, n)),
        p_table, body);
    EXECUTE format('REVOKE ALL ON FUNCTION %I(bigint[], bigint, bigint, bigint[], bigint[], text[], text, text, bigint,'
                   ' boolean, boolean) FROM PUBLIC', p_name);
END $_$;

ALTER FUNCTION public.list_reader(p_name text, p_table text, p_keys text[], p_desc boolean, p_filter text, p_sets text[], p_parts text[]) OWNER TO portal_owner;

CREATE FUNCTION public.login_failed(p_user bigint, p_email text, p_ip text, p_device text, p_action text) RETURNS TABLE(locked boolean, retry_seconds integer, scope text)
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
DECLARE
    mail text := left(lower(btrim(p_email)), 320);
    g record;
BEGIN
    DELETE FROM login_failures WHERE ctid IN (SELECT ctid FROM login_failures WHERE at < now() - interval '1 day'
                                               LIMIT 100);
    INSERT INTO login_failures (email, ip, device)
    VALUES (mail, left(coalesce(p_ip, ''), 64),
            CASE WHEN token_shaped(p_device) THEN token_digest(p_device) END);
    PERFORM audit_account(p_user, p_action, p_ip, jsonb_build_object('email', btrim(p_email)));
    SELECT * INTO g FROM login_gate(mail, p_ip, p_device);
    IF g.locked THEN
        PERFORM login_locked_audit(p_user, p_email, p_ip, g.scope, g.retry_seconds, false);
    END IF;
    RETURN QUERY SELECT g.locked, g.retry_seconds, g.scope;
END $$;

ALTER FUNCTION public.login_failed(p_user bigint, p_email text, p_ip text, p_device text, p_action text) OWNER TO portal_owner;

CREATE FUNCTION public.login_gate(p_email text, p_ip text, p_device text) RETURNS TABLE(locked boolean, retry_seconds integer, scope text, known_device boolean, known_address boolean)
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
DECLARE
    mail text := left(lower(btrim(p_email)), 320);
    v_ip text := left(coalesce(p_ip, ''), 64);
    dev text := CASE WHEN token_shaped(p_device) THEN token_digest(p_device) END;
    since timestamptz := now() - interval '15 minutes';
    uid bigint;
    n int;
    last timestamptz;
    wait int := 0;
    why text;
    w int;
BEGIN
    SELECT u.id INTO uid FROM users u WHERE lower(u.email) = mail;
    known_device := dev IS NOT NULL AND uid IS NOT NULL
                    AND EXISTS (SELECT 1 FROM known_signins k
                                 WHERE k.user_id = uid AND k.kind = 'device' AND k.value = dev);
    known_address := uid IS NOT NULL
                     AND EXISTS (SELECT 1 FROM known_signins k WHERE k.user_id = uid AND k.kind = 'address'
                                    AND k.value = v_ip AND k.last_at > now() - interval '90 days');
    -- The pair: this account from this device (known) or this address.
    IF known_device THEN
        SELECT count(*), max(f.at) INTO n, last FROM login_failures f
         WHERE f.email = mail AND f.device = dev AND f.at > since;
    ELSE
        SELECT count(*), max(f.at) INTO n, last FROM login_failures f
         WHERE f.email = mail AND f.ip = v_ip AND f.at > since;
    END IF;
    IF n >= 5 THEN
        w := ceil(extract(epoch FROM last + make_interval(secs => least(900, 30 * 2 ^ least(n - 5, 10)))
                                    - now()))::int;
        IF w > wait THEN
            wait := w; why := 'account';
        END IF;
    END IF;
    IF NOT known_device THEN
        SELECT count(*), max(f.at) INTO n, last FROM login_failures f WHERE f.ip = v_ip AND f.at > since;
        IF n >= 20 THEN
            w := ceil(extract(epoch FROM last + interval '15 minutes' - now()))::int;
            IF w > wait THEN
                wait := w; why := 'address';
            END IF;
        END IF;
        IF NOT known_address THEN
            SELECT count(*), max(f.at) INTO n, last FROM login_failures f WHERE f.email = mail AND f.at > since;
            IF n >= 50 THEN
                w := ceil(extract(epoch FROM last + interval '15 minutes' - now()))::int;
                IF w > wait THEN
                    wait := w; why := 'account_attacked';
                END IF;
            END IF;
        END IF;
    END IF;
    locked := wait > 0;
    retry_seconds := greatest(wait, 0);
    scope := why;
    RETURN NEXT;
END $$;

ALTER FUNCTION public.login_gate(p_email text, p_ip text, p_device text) OWNER TO portal_owner;

CREATE FUNCTION public.login_locked_audit(p_user bigint, p_email text, p_ip text, p_scope text, p_retry_seconds integer, p_refused boolean) RETURNS void
    LANGUAGE sql SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
    SELECT audit_account(p_user, 'auth.locked', p_ip,
                         jsonb_build_object('email', btrim(p_email), 'scope', p_scope,
                                            'retry_after', p_retry_seconds, 'refused', p_refused));
$$;

ALTER FUNCTION public.login_locked_audit(p_user bigint, p_email text, p_ip text, p_scope text, p_retry_seconds integer, p_refused boolean) OWNER TO portal_owner;

CREATE FUNCTION public.login_remember(p_user bigint, p_mail text, p_ip text, p_device text) RETURNS text
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
DECLARE
    dev text := CASE WHEN token_shaped(p_device) THEN p_device ELSE random_token() END;
BEGIN
    DELETE FROM login_failures f WHERE f.email = p_mail AND (f.ip = left(coalesce(p_ip, ''), 64)
                                                             OR f.device = token_digest(dev));
    INSERT INTO known_signins (user_id, kind, value) VALUES (p_user, 'device', token_digest(dev)),
                                                            (p_user, 'address', left(coalesce(p_ip, ''), 64))
    ON CONFLICT (user_id, kind, value) DO UPDATE SET last_at = now();
    DELETE FROM known_signins k WHERE k.user_id = p_user AND k.last_at < now() - interval '180 days';
    RETURN dev;
END $$;

ALTER FUNCTION public.login_remember(p_user bigint, p_mail text, p_ip text, p_device text) OWNER TO portal_owner;

CREATE FUNCTION public.login_setting(p_mail text) RETURNS text
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $_$
DECLARE
    h text;
BEGIN
    SELECT u.password_hash INTO h FROM users u WHERE lower(u.email) = lower(btrim(p_mail));
    IF h ~ '^scrypt\$[0-9]+\$[0-9]+\$[0-9]+\$[0-9a-f]+\$[0-9a-f]+$' THEN
        RETURN regexp_replace(h, '\$[0-9a-f]+$', '') || '$' || (length(substring(h FROM '\$([0-9a-f]+)$')) / 2)::text;
    END IF;
    RETURN 'scrypt$32768$8$1$'
           || left(token_digest((SELECT s.value FROM portal_secrets s WHERE s.name = 'login_salt')
                                || lower(btrim(p_mail))), 32) || '$32';
END $_$;

ALTER FUNCTION public.login_setting(p_mail text) OWNER TO portal_owner;

CREATE FUNCTION public.logo_get(p_id bigint, p_sha12 text) RETURNS TABLE(content_type text, bytes bytea, sha256 text)
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
    SELECT l.content_type, l.bytes, l.sha256 FROM branding_logos l
     WHERE l.id = p_id AND left(l.sha256, 12) = p_sha12 AND length(p_sha12) = 12
$$;

ALTER FUNCTION public.logo_get(p_id bigint, p_sha12 text) OWNER TO portal_owner;

CREATE TABLE public.branding_logos (
    id bigint NOT NULL,
    tenant_id bigint NOT NULL,
    root_id bigint NOT NULL,
    variant text NOT NULL,
    content_type text NOT NULL,
    bytes bytea NOT NULL,
    sha256 text NOT NULL,
    width integer NOT NULL,
    height integer NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT branding_logos_bytes_check CHECK (((octet_length(bytes) >= 1) AND (octet_length(bytes) <= 524288))),
    CONSTRAINT branding_logos_content_type_check CHECK ((content_type = ANY (ARRAY['image/png'::text, 'image/jpeg'::text, 'image/webp'::text]))),
    CONSTRAINT branding_logos_height_check CHECK (((height >= 1) AND (height <= 1024))),
    CONSTRAINT branding_logos_sha256_check CHECK ((sha256 ~ '^[0-9a-f]{64}$'::text)),
    CONSTRAINT branding_logos_variant_check CHECK ((variant = ANY (ARRAY['light'::text, 'dark'::text]))),
    CONSTRAINT branding_logos_width_check CHECK (((width >= 1) AND (width <= 1024)))
);

ALTER TABLE ONLY public.branding_logos FORCE ROW LEVEL SECURITY;

ALTER TABLE public.branding_logos OWNER TO portal_owner;

CREATE FUNCTION public.logo_url(l public.branding_logos) RETURNS text
    LANGUAGE sql STABLE
    AS $$
    SELECT '/logo/' || l.id || '-' || left(l.sha256, 12) || '.' ||
           CASE l.content_type WHEN 'image/png' THEN 'png' WHEN 'image/jpeg' THEN 'jpg' ELSE 'webp' END
$$;

ALTER FUNCTION public.logo_url(l public.branding_logos) OWNER TO portal_owner;

CREATE FUNCTION public.mail_limit_take(p_key text, p_max integer, p_window interval) RETURNS boolean
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
BEGIN
    IF p_max < 1 OR p_window <= interval '0' OR p_window > interval '7 days' THEN
        RAISE EXCEPTION 'mail_limit_take: max and window out of range' USING ERRCODE = '22023';
    END IF;
    -- One key at a time, so concurrent requests cannot all pass the count.
    PERFORM pg_advisory_xact_lock(hashtextextended('mail_limits:' || p_key, 0));
    DELETE FROM mail_limits WHERE key = p_key AND at < now() - p_window;
    -- Keys used once (a /forgot for a made-up address) are not seen again:
    -- each call also clears a few rows older than any window.
    DELETE FROM mail_limits WHERE ctid IN (SELECT ctid FROM mail_limits WHERE at < now() - interval '7 days' LIMIT 20);
    IF (SELECT count(*) FROM mail_limits WHERE key = p_key) >= p_max THEN
        RETURN false;
    END IF;
    INSERT INTO mail_limits (key) VALUES (p_key);
    RETURN true;
END $$;

ALTER FUNCTION public.mail_limit_take(p_key text, p_max integer, p_window interval) OWNER TO portal_owner;

CREATE FUNCTION public.mail_messages(p_tenant bigint, p_status text, p_limit integer, p_offset integer) RETURNS TABLE(id bigint, created_at timestamp with time zone, tenant_id bigint, tenant_name text, to_addr text, subject text, status text, attempts integer, last_error text, next_attempt_at timestamp with time zone, sent_at timestamp with time zone, total bigint)
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
    SELECT o.id, o.created_at, o.tenant_id, t.name, o.to_addr, o.subject, o.status, o.attempts, o.last_error,
           o.next_attempt_at, o.sent_at, count(*) OVER ()
      FROM mail_outbox o JOIN tenants t ON t.id = o.tenant_id
     WHERE p_tenant = ANY (t.ancestors) AND (SELECT tenant_visible(p_tenant))
       AND o.status = p_status
     ORDER BY o.created_at DESC, o.id DESC
     LIMIT p_limit OFFSET p_offset
$$;

ALTER FUNCTION public.mail_messages(p_tenant bigint, p_status text, p_limit integer, p_offset integer) OWNER TO portal_owner;

CREATE FUNCTION public.mail_retry(p_tenant bigint, p_id bigint) RETURNS TABLE(outcome text, old_status text, old_attempts integer, to_addr text)
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
#variable_conflict use_column
DECLARE
    o mail_outbox%ROWTYPE;
BEGIN
    IF p_tenant IS NULL OR NOT tenant_visible(p_tenant) THEN
        RETURN QUERY SELECT 'not_found'::text, NULL::text, NULL::int, NULL::text;
        RETURN;
    END IF;
    PERFORM 1 FROM mail_outbox m JOIN tenants t ON t.id = m.tenant_id
      WHERE m.id = p_id AND p_tenant = ANY (t.ancestors);
    IF NOT FOUND THEN
        RETURN QUERY SELECT 'not_found'::text, NULL::text, NULL::int, NULL::text;
        RETURN;
    END IF;
    -- The mailer holds the row lock while it sends: do not wait for it.
    SELECT m.* INTO o FROM mail_outbox m WHERE m.id = p_id FOR UPDATE SKIP LOCKED;
    IF NOT FOUND THEN
        RETURN QUERY SELECT 'busy'::text, NULL::text, NULL::int, NULL::text;
        RETURN;
    END IF;
    IF o.status = 'sent' THEN
        RETURN QUERY SELECT 'sent'::text, o.status, o.attempts, o.to_addr;
        RETURN;
    END IF;
    UPDATE mail_outbox SET status = 'queued', next_attempt_at = now(), attempts = 0 WHERE id = p_id;
    RETURN QUERY SELECT 'retried'::text, o.status, o.attempts, o.to_addr;
END $$;

ALTER FUNCTION public.mail_retry(p_tenant bigint, p_id bigint) OWNER TO portal_owner;

CREATE FUNCTION public.membership_leave(p_tenant bigint, p_ip text) RETURNS text
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
DECLARE
    m memberships%ROWTYPE;
    t tenants%ROWTYPE;
BEGIN
    DELETE FROM memberships x WHERE x.user_id = app_user_id() AND x.tenant_id = p_tenant RETURNING * INTO m;
    IF NOT FOUND THEN
        RETURN NULL;
    END IF;
    SELECT * INTO t FROM tenants WHERE id = p_tenant;
    INSERT INTO audit_log (tenant_id, root_id, user_id, action, target, ip, details)
    VALUES (t.id, t.root_id, m.user_id, 'team.left', 'user:' || m.user_id, left(p_ip, 64),
            jsonb_build_object('role', m.role, 'status', m.status));
    RETURN t.name;
END $$;

ALTER FUNCTION public.membership_leave(p_tenant bigint, p_ip text) OWNER TO portal_owner;

CREATE FUNCTION public.memberships_drop_assignments() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
BEGIN
    IF OLD.role = 'mssp_analyst' AND (TG_OP = 'DELETE' OR NEW.role <> 'mssp_analyst') THEN
        DELETE FROM analyst_assignments a USING tenants t
         WHERE a.user_id = OLD.user_id AND t.id = a.tenant_id AND t.root_id = OLD.tenant_id;
    END IF;
    RETURN NULL;
END $$;

ALTER FUNCTION public.memberships_drop_assignments() OWNER TO portal_owner;

CREATE FUNCTION public.memberships_keep_owner() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
DECLARE
    top text;
BEGIN
    IF OLD.role NOT IN ('owner', 'mssp_admin') OR OLD.status <> 'active' THEN
        RETURN NULL;
    END IF;
    IF TG_OP = 'UPDATE' AND NEW.role = OLD.role AND NEW.status = 'active' THEN
        RETURN NULL;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM tenants WHERE id = OLD.tenant_id) THEN
        RETURN NULL; -- the tenant itself is being deleted
    END IF;
    IF NOT EXISTS (SELECT 1 FROM memberships m JOIN users u ON u.id = m.user_id
                    WHERE m.tenant_id = OLD.tenant_id AND m.role = OLD.role AND m.status = 'active'
                      AND u.status = 'active') THEN
        top := CASE OLD.role WHEN 'owner' THEN 'Owner' ELSE 'MSSP Admin' END;
        RAISE EXCEPTION 'a tenant must keep at least one active %', top
            USING ERRCODE = 'check_violation', CONSTRAINT = 'last_owner';
    END IF;
    RETURN NULL;
END $$;

ALTER FUNCTION public.memberships_keep_owner() OWNER TO portal_owner;

CREATE FUNCTION public.metrics_queues() RETURNS TABLE(name text, help text, type text, labels text, value double precision)
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
BEGIN
    RETURN QUERY
    SELECT 'portal_mail_outbox', 'Messages in the mail outbox, by status (queued: waiting to be sent or retried)',
           'gauge', '{status="queued"}', (SELECT count(*) FROM mail_outbox WHERE status = 'queued')::float8
    UNION ALL
    SELECT 'portal_mail_outbox', NULL, NULL, '{status="failed"}',
           (SELECT count(*) FROM mail_outbox WHERE status = 'failed')::float8
    UNION ALL
    SELECT 'portal_mail_outbox_oldest_seconds', 'Age of the oldest message waiting to be sent (0: none)', 'gauge', '',
           coalesce((SELECT extract(epoch FROM now() - min(created_at)) FROM mail_outbox WHERE status = 'queued'), 0)
    UNION ALL
    SELECT 'portal_report_jobs', 'Reports waiting to be made or being made, by state', 'gauge', '{state="queued"}',
           (SELECT count(*) FROM report_jobs WHERE state = 'queued')::float8
    UNION ALL
    SELECT 'portal_report_jobs', NULL, NULL, '{state="running"}',
           (SELECT count(*) FROM report_jobs WHERE state = 'running')::float8;
END $$;

ALTER FUNCTION public.metrics_queues() OWNER TO portal_owner;

CREATE FUNCTION public.msp_request_addressee(p_token_hash text) RETURNS text
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
    SELECT q.email FROM msp_requests q WHERE q.token_hash = p_token_hash
$$;

ALTER FUNCTION public.msp_request_addressee(p_token_hash text) OWNER TO portal_owner;

CREATE FUNCTION public.msp_request_by_token(p_token_hash text) RETURNS bigint
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
    SELECT q.id FROM msp_requests q
     WHERE q.token_hash = p_token_hash
       AND (tenant_visible(q.msp_tenant_id) OR tenant_visible(q.mssp_id))
$$;

ALTER FUNCTION public.msp_request_by_token(p_token_hash text) OWNER TO portal_owner;

CREATE FUNCTION public.msp_request_create(p_mssp bigint, p_email text, p_name text, p_token_hash text, p_days integer) RETURNS TABLE(outcome text, request_id bigint, msp_id bigint, msp_name text)
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
DECLARE
    mssp tenants%ROWTYPE;
    msp tenants%ROWTYPE;
    rid bigint;
BEGIN
    SELECT * INTO mssp FROM tenants WHERE id = p_mssp AND kind = 'mssp';
    IF NOT FOUND OR effective_role(p_mssp) IS DISTINCT FROM 'mssp_admin' THEN
        RAISE EXCEPTION 'not allowed' USING ERRCODE = '42501';
    END IF;
    SELECT t.* INTO msp FROM tenants t
     WHERE t.kind = 'msp' AND t.status = 'active' AND lower(t.name) = lower(btrim(p_name))
       AND EXISTS (SELECT 1 FROM memberships m JOIN users u ON u.id = m.user_id
                    WHERE m.tenant_id = t.id AND m.role = 'owner' AND lower(u.email) = lower(btrim(p_email)))
     LIMIT 1;
    IF NOT FOUND THEN
        RETURN QUERY SELECT 'not_found'::text, NULL::bigint, NULL::bigint, NULL::text;
        RETURN;
    END IF;
    IF msp.parent_id IS NOT NULL THEN
        RETURN QUERY SELECT 'associated'::text, NULL::bigint, msp.id, msp.name;
        RETURN;
    END IF;
    IF msp.region <> mssp.region THEN
        RETURN QUERY SELECT 'region'::text, NULL::bigint, msp.id, msp.name;
        RETURN;
    END IF;
    -- A pending request that has run out is expired now, making room.
    UPDATE msp_requests SET status = 'expired'
     WHERE msp_tenant_id = msp.id AND status = 'pending' AND expires_at <= now();
    IF EXISTS (SELECT 1 FROM msp_requests WHERE msp_tenant_id = msp.id AND status = 'pending') THEN
        RETURN QUERY SELECT 'pending'::text, NULL::bigint, msp.id, msp.name;
        RETURN;
    END IF;
    INSERT INTO msp_requests (mssp_id, msp_tenant_id, root_id, email, token_hash, expires_at, requested_by)
    VALUES (p_mssp, msp.id, mssp.root_id, btrim(p_email), p_token_hash, now() + make_interval(days => p_days),
            app_user_id())
    RETURNING id INTO rid;
    INSERT INTO audit_log (tenant_id, root_id, user_id, action, target, details)
    VALUES (p_mssp, mssp.root_id, app_user_id(), 'msp.request_created', 'tenant:' || msp.id,
            jsonb_build_object('msp', msp.name, 'email', btrim(p_email), 'request', rid));
    RETURN QUERY SELECT 'created'::text, rid, msp.id, msp.name;
END $$;

ALTER FUNCTION public.msp_request_create(p_mssp bigint, p_email text, p_name text, p_token_hash text, p_days integer) OWNER TO portal_owner;

CREATE FUNCTION public.msp_request_decide(p_request bigint, p_approve boolean, p_reason text) RETURNS TABLE(outcome text, mssp_id bigint, msp_id bigint, msp_name text, mssp_name text)
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
DECLARE
    r msp_requests%ROWTYPE;
    role text;
BEGIN
    IF p_reason IS NULL OR length(btrim(p_reason)) = 0 THEN
        RAISE EXCEPTION 'a reason is required' USING ERRCODE = 'check_violation';
    END IF;
    SELECT * INTO r FROM msp_requests WHERE id = p_request;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'request not found' USING ERRCODE = 'P0002';
    END IF;
    role := effective_role(r.msp_tenant_id);
    IF role IS NULL OR role NOT IN ('owner', 'admin') THEN
        RAISE EXCEPTION 'not allowed' USING ERRCODE = '42501';
    END IF;
    UPDATE msp_requests SET status = CASE WHEN p_approve THEN 'approved' ELSE 'rejected' END,
                            decided_by = app_user_id(), decided_at = now(), decision_reason = p_reason
     WHERE id = p_request AND status = 'pending' AND expires_at > now()
    RETURNING * INTO r;
    IF NOT FOUND THEN
        RETURN QUERY SELECT 'already'::text, NULL::bigint, NULL::bigint, NULL::text, NULL::text;
        RETURN;
    END IF;
    PERFORM request_asks_settle(r.id);
    IF p_approve THEN
        -- billed on its own until today: its account ends while its tree
        -- is still its own (billing_account_end())
        PERFORM billing_account_end(r.msp_tenant_id);
        UPDATE tenants SET parent_id = r.mssp_id WHERE id = r.msp_tenant_id;
        UPDATE branding SET root_id = r.root_id
         WHERE tenant_id IN (SELECT id FROM tenants WHERE r.msp_tenant_id = ANY (ancestors));
    END IF;
    INSERT INTO audit_log (tenant_id, root_id, user_id, action, target, details)
    SELECT t.id, t.root_id, app_user_id(), CASE WHEN p_approve THEN 'msp.request_approved' ELSE 'msp.request_rejected' END,
           'request:' || r.id, jsonb_build_object('reason', p_reason, 'mssp', r.mssp_id)
      FROM tenants t WHERE t.id IN (r.msp_tenant_id, r.mssp_id);
    RETURN QUERY SELECT CASE WHEN p_approve THEN 'approved' ELSE 'rejected' END, r.mssp_id, r.msp_tenant_id,
                        (SELECT name FROM tenants WHERE id = r.msp_tenant_id),
                        (SELECT name FROM tenants WHERE id = r.mssp_id);
END $$;

ALTER FUNCTION public.msp_request_decide(p_request bigint, p_approve boolean, p_reason text) OWNER TO portal_owner;

CREATE TABLE public.msp_requests (
    id bigint NOT NULL,
    mssp_id bigint NOT NULL,
    msp_tenant_id bigint NOT NULL,
    root_id bigint NOT NULL,
    email text NOT NULL,
    status text DEFAULT 'pending'::text NOT NULL,
    token_hash text NOT NULL,
    expires_at timestamp with time zone NOT NULL,
    requested_by bigint,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    decided_by bigint,
    decided_at timestamp with time zone,
    decision_reason text,
    CONSTRAINT msp_requests_check CHECK (((status = ANY (ARRAY['approved'::text, 'rejected'::text])) = (decision_reason IS NOT NULL))),
    CONSTRAINT msp_requests_decision_reason_check CHECK (((decision_reason IS NULL) OR ((length(btrim(decision_reason)) >= 1) AND (length(btrim(decision_reason)) <= 1000)))),
    CONSTRAINT msp_requests_status_check CHECK ((status = ANY (ARRAY['pending'::text, 'approved'::text, 'rejected'::text, 'cancelled'::text, 'superseded'::text, 'expired'::text]))),
    CONSTRAINT msp_requests_token_hash_check CHECK ((token_hash ~ '^[0-9a-f]{64}$'::text))
);

ALTER TABLE ONLY public.msp_requests FORCE ROW LEVEL SECURITY;

ALTER TABLE public.msp_requests OWNER TO portal_owner;

CREATE FUNCTION public.msp_request_status(r public.msp_requests) RETURNS text
    LANGUAGE sql STABLE
    AS $$
    SELECT CASE WHEN r.status = 'pending' AND r.expires_at <= now() THEN 'expired' ELSE r.status END
$$;

ALTER FUNCTION public.msp_request_status(r public.msp_requests) OWNER TO portal_owner;

CREATE FUNCTION public.msp_request_withdraw(p_mssp bigint, p_request bigint, p_new_token text, p_days integer) RETURNS bigint
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
DECLARE
    r msp_requests%ROWTYPE;
    rid bigint;
BEGIN
    IF effective_role(p_mssp) IS DISTINCT FROM 'mssp_admin' THEN
        RAISE EXCEPTION 'not allowed' USING ERRCODE = '42501';
    END IF;
    UPDATE msp_requests SET status = CASE WHEN p_new_token IS NULL THEN 'cancelled' ELSE 'superseded' END
     WHERE id = p_request AND mssp_id = p_mssp AND status = 'pending' AND expires_at > now()
    RETURNING * INTO r;
    IF NOT FOUND THEN
        RETURN NULL;
    END IF;
    PERFORM request_asks_settle(r.id);
    IF p_new_token IS NULL THEN
        INSERT INTO audit_log (tenant_id, root_id, user_id, action, target, details)
        VALUES (p_mssp, r.root_id, app_user_id(), 'msp.request_cancelled', 'tenant:' || r.msp_tenant_id,
                jsonb_build_object('request', r.id));
        RETURN r.id;
    END IF;
    INSERT INTO msp_requests (mssp_id, msp_tenant_id, root_id, email, token_hash, expires_at, requested_by)
    VALUES (r.mssp_id, r.msp_tenant_id, r.root_id, r.email, p_new_token, now() + make_interval(days => p_days),
            app_user_id())
    RETURNING id INTO rid;
    INSERT INTO audit_log (tenant_id, root_id, user_id, action, target, details)
    VALUES (p_mssp, r.root_id, app_user_id(), 'msp.request_resent', 'tenant:' || r.msp_tenant_id,
            jsonb_build_object('request', rid, 'replaces', r.id));
    RETURN rid;
END $$;

ALTER FUNCTION public.msp_request_withdraw(p_mssp bigint, p_request bigint, p_new_token text, p_days integer) OWNER TO portal_owner;

CREATE FUNCTION public.msp_requests_list(p_tenant bigint) RETURNS TABLE(id bigint, mssp_id bigint, mssp_name text, msp_id bigint, msp_name text, email text, status text, created_at timestamp with time zone, expires_at timestamp with time zone, decided_at timestamp with time zone, decided_by text, reason text, companies bigint)
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
    SELECT q.id, q.mssp_id, s.name, q.msp_tenant_id, m.name, q.email, msp_request_status(q), q.created_at,
           q.expires_at, q.decided_at, d.name, q.decision_reason,
           (SELECT count(*) FROM tenants c WHERE c.parent_id = q.msp_tenant_id AND c.status = 'active')
      FROM msp_requests q JOIN tenants s ON s.id = q.mssp_id JOIN tenants m ON m.id = q.msp_tenant_id
      LEFT JOIN users d ON d.id = q.decided_by
     WHERE (q.mssp_id = p_tenant OR q.msp_tenant_id = p_tenant)
       AND (SELECT tenant_visible(p_tenant))
       AND (EXISTS (SELECT 1 FROM tenants t WHERE t.id = p_tenant AND t.ancestors && app_scope())
            OR tenant_visible(q.msp_tenant_id))
     ORDER BY q.created_at DESC, q.id DESC
$$;

ALTER FUNCTION public.msp_requests_list(p_tenant bigint) OWNER TO portal_owner;

CREATE FUNCTION public.msp_requests_touch_stats() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
BEGIN
    PERFORM stats_touch(ARRAY[NEW.mssp_id]);
    RETURN NULL;
END $$;

ALTER FUNCTION public.msp_requests_touch_stats() OWNER TO portal_owner;

CREATE FUNCTION public.my_memberships() RETURNS TABLE(tenant_id bigint, tenant_name text, kind text, role text)
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
    SELECT t.id, t.name, t.kind, m.role FROM memberships m JOIN tenants t ON t.id = m.tenant_id
     WHERE m.user_id = app_user_id() AND m.status = 'active'
     ORDER BY array_position(ARRAY['mssp','msp','company'], t.kind), t.name
$$;

ALTER FUNCTION public.my_memberships() OWNER TO portal_owner;

CREATE FUNCTION public.my_tenant_crumbs(p_tenant bigint) RETURNS json
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
    SELECT tenant_crumbs(app_user_id(), p_tenant)
$$;

ALTER FUNCTION public.my_tenant_crumbs(p_tenant bigint) OWNER TO portal_owner;

CREATE FUNCTION public.notify_request(p_request bigint, p_side text, p_kind text, p_title text, p_body text, p_link text) RETURNS integer
    LANGUAGE sql SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
    WITH r AS (
        INSERT INTO notifications (user_id, tenant_id, root_id, kind, title, body, link, request_id)
        SELECT p.user_id, p.tenant_id, t.root_id, p_kind, left(p_title, 200), left(p_body, 2000), p_link, p_request
          FROM request_people(p_request, p_side) p JOIN tenants t ON t.id = p.tenant_id
        RETURNING 1)
    SELECT count(*)::int FROM r
$$;

ALTER FUNCTION public.notify_request(p_request bigint, p_side text, p_kind text, p_title text, p_body text, p_link text) OWNER TO portal_owner;

CREATE FUNCTION public.order_page(p_orders smallint[], p_key integer, p_n integer, p_dir text, p_limit integer, p_offset integer) RETURNS smallint[]
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$
    -- (the bounds within 0 .. p_n + 1 of the order's start, whatever the offset)
    SELECT CASE WHEN p_dir = 'desc'
                THEN p_orders[p_key * p_n + greatest(1, p_n - p_offset::bigint - p_limit + 1)::int
                              : p_key * p_n + greatest(0, p_n - p_offset::bigint)::int]
                ELSE p_orders[p_key * p_n + least(p_n, p_offset::bigint)::int + 1
                              : p_key * p_n + least(p_n, p_offset::bigint + p_limit)::int] END
$$;

ALTER FUNCTION public.order_page(p_orders smallint[], p_key integer, p_n integer, p_dir text, p_limit integer, p_offset integer) OWNER TO portal_owner;

CREATE FUNCTION public.plan_clone(p_tenant bigint, p_plan bigint, p_name text) RETURNS TABLE(outcome text, plan_id bigint, message text)
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
DECLARE
    t tenants%ROWTYPE := plan_writer(p_tenant);
    src plans%ROWTYPE;
    id bigint;
    err text;
BEGIN
    SELECT * INTO src FROM plans x
     WHERE x.id = p_plan AND (x.tenant_id = t.id OR x.id = (SELECT f.plan_id FROM plan_followed(t.ancestors) f));
    IF t.id IS NULL OR (p_plan IS NOT NULL AND src.id IS NULL) THEN
        RETURN QUERY SELECT 'not_found', NULL::bigint, NULL::text;
        RETURN;
    END IF;
    err := plan_name_error(t, p_name);
    IF err IS NOT NULL THEN
        RETURN QUERY SELECT 'invalid', NULL::bigint, err;
        RETURN;
    END IF;
    INSERT INTO plans (tenant_id, root_id, name, cloned_from, cloned_version, created_by)
    VALUES (t.id, t.root_id, btrim(p_name), src.id, src.version, app_user_id()) RETURNING plans.id INTO id;
    WITH s AS (SELECT c.section, coalesce(ps.doc, c.default_doc) AS doc
                 FROM config_sections c LEFT JOIN plan_sections ps ON ps.plan_id = src.id AND ps.section = c.section
                WHERE c.shared),
         made AS (INSERT INTO plan_sections (plan_id, tenant_id, root_id, section, doc, version, updated_by)
                  SELECT id, t.id, t.root_id, s.section, s.doc, 1, app_user_id() FROM s)
    INSERT INTO config_history (tenant_id, root_id, plan_id, section, version, action, doc, actor)
    SELECT t.id, t.root_id, id, s.section, 1, CASE WHEN src.id IS NULL THEN 'create' ELSE 'clone' END, s.doc,
           app_user_id()
      FROM s;
    RETURN QUERY SELECT 'ok', id, NULL::text;
END $$;

ALTER FUNCTION public.plan_clone(p_tenant bigint, p_plan bigint, p_name text) OWNER TO portal_owner;

CREATE FUNCTION public.plan_create(p_tenant bigint, p_name text) RETURNS TABLE(outcome text, plan_id bigint, message text)
    LANGUAGE sql SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
    SELECT * FROM plan_clone(p_tenant, NULL, p_name)
$$;

ALTER FUNCTION public.plan_create(p_tenant bigint, p_name text) OWNER TO portal_owner;

CREATE FUNCTION public.plan_followed(p_ancestors bigint[]) RETURNS TABLE(plan_id bigint, owner_id bigint, shared_with bigint, shared_at timestamp with time zone)
    LANGUAGE sql STABLE
    AS $$
    SELECT s.plan_id, s.owner_id, s.tenant_id, s.shared_at
      FROM public.plan_shares s
     WHERE s.tenant_id = ANY (p_ancestors)
       AND pg_catalog.array_position(p_ancestors, s.owner_id) < pg_catalog.array_position(p_ancestors, s.tenant_id)
     ORDER BY pg_catalog.array_position(p_ancestors, s.tenant_id) DESC,
              pg_catalog.array_position(p_ancestors, s.owner_id) DESC
     LIMIT 1
$$;

ALTER FUNCTION public.plan_followed(p_ancestors bigint[]) OWNER TO portal_owner;

CREATE FUNCTION public.plan_name_error(p_tenant public.tenants, p_name text) RETURNS text
    LANGUAGE sql STABLE
    SET search_path TO 'public', 'pg_temp'
    AS $$
    SELECT CASE
        WHEN p_tenant.kind = 'company' THEN 'A company has no accounts below it to share a plan with.'
        WHEN length(btrim(coalesce(p_name, ''))) NOT BETWEEN 1 AND 120 THEN 'Give the plan a name of 1 to 120 characters.'
        WHEN EXISTS (SELECT 1 FROM plans x WHERE x.tenant_id = p_tenant.id AND x.name = btrim(p_name))
            THEN format('%s already has a plan called %s.', p_tenant.name, btrim(p_name))
        WHEN (SELECT count(*) FROM plans x WHERE x.tenant_id = p_tenant.id) >= 50
            THEN 'A tenant has at most 50 plans: rename and reuse one.'
    END
$$;

ALTER FUNCTION public.plan_name_error(p_tenant public.tenants, p_name text) OWNER TO portal_owner;

CREATE FUNCTION public.plan_page(p_tenant bigint, p_plan bigint, p_section text, p_find text) RETURNS jsonb
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
DECLARE
    t tenants%ROWTYPE;
    p plans%ROWTYPE;
    reach bigint[];
    above bigint[];  -- those of reach that are not companies
    cands jsonb;     -- the candidates listed
    cands_total bigint;
    lf text := lower(coalesce(p_find, ''));
BEGIN
    SELECT * INTO t FROM tenants x WHERE x.id = p_tenant AND x.status = 'active' AND x.ancestors && app_scope();
    SELECT * INTO p FROM plans x WHERE x.id = p_plan AND x.tenant_id = t.id;
    IF t.id IS NULL OR p.id IS NULL THEN
        RETURN NULL;
    END IF;
    SELECT coalesce(array_agg(r.tenant_id), '{}'),
           coalesce(array_agg(r.tenant_id) FILTER (WHERE NOT r.is_company), '{}')
      INTO reach, above FROM plan_reach(p.id) r;
    IF p_section IS NULL THEN
        SELECT coalesce(jsonb_agg(jsonb_build_object('id', c.id, 'name', c.name, 'kind', c.kind, 'parent', c.parent)
                                  ORDER BY c.o1, c.o2, c.id), '[]'),
               coalesce(max(c.total), 0)
          INTO cands, cands_total
          FROM (SELECT x.id, x.name, x.kind, pp.name AS parent, lower(coalesce(pp.name, x.name)) AS o1,
                       CASE WHEN x.parent_id = t.id THEN '' ELSE lower(x.name) END AS o2,
                       count(*) OVER () AS total
                  FROM tenants x LEFT JOIN tenants pp ON pp.id = x.parent_id AND x.parent_id <> t.id
                 WHERE x.ancestors @> ARRAY[t.id] AND x.id <> t.id AND x.status = 'active'
                   AND (lf = '' OR strpos(lower(x.name), lf) > 0 OR strpos(lower(pp.name), lf) > 0)
                   AND NOT EXISTS (SELECT 1 FROM plan_shares s WHERE s.tenant_id = x.id
                                      AND s.owner_id = t.id AND s.plan_id = p.id)
                 ORDER BY o1, o2, x.id LIMIT 500) c;
    END IF;
    RETURN jsonb_build_object(
        'plan', jsonb_build_object('id', p.id, 'name', p.name, 'version', p.version,
                                   'updated_at', to_char(p.updated_at, 'YYYY-MM-DD HH24:MI'),
                                   'cloned_from', (SELECT jsonb_build_object('id', c.id, 'name', c.name,
                                                                             'version', p.cloned_version)
                                                     FROM plans c WHERE c.id = p.cloned_from)),
        'sections', (SELECT jsonb_agg(jsonb_build_object('section', c.section, 'title', c.title, 'doc', s.doc,
                                                         'version', s.version, 'by', u.name,
                                                         'at', to_char(s.updated_at, 'YYYY-MM-DD HH24:MI'))
                                      ORDER BY c.position)
                       FROM config_sections c JOIN plan_sections s ON s.plan_id = p.id AND s.section = c.section
                       LEFT JOIN users u ON u.id = s.updated_by),
        'local_sections', (SELECT string_agg(c.title, ', ' ORDER BY c.position) FROM config_sections c WHERE NOT c.shared),
        'shares', (SELECT coalesce(jsonb_agg(jsonb_build_object('id', a.id, 'name', a.name, 'kind', a.kind,
                                                                'at', to_char(s.shared_at, 'YYYY-MM-DD HH24:MI'),
                                                                'by', u.name) ORDER BY lower(a.name), a.id), '[]')
                     FROM plan_shares s JOIN tenants a ON a.id = s.tenant_id LEFT JOIN users u ON u.id = s.shared_by
                    WHERE s.plan_id = p.id AND s.owner_id = t.id),
        'candidates', cands,
        'candidates_total', cands_total,
        'reach', jsonb_build_object(
            'accounts', cardinality(reach),
            -- A company's devices from its rollup row, an MSP's (or the
            -- MSSP's) own counted: not every asset of the tree read
            -- (626,573 devices at L: 200-600 ms, now 20-45).
            'devices', (SELECT coalesce(sum(s.probes + s.agents + s.gateways), 0)
                          FROM tenant_stats s WHERE s.tenant_id = ANY (reach) AND s.is_company)
                       + (SELECT count(*) FROM assets a WHERE a.tenant_id = ANY (above) AND asset_is_device(a.kind))),
        'overrides', (SELECT coalesce(jsonb_agg(o ORDER BY o->>'at' DESC), '[]') FROM (
            SELECT jsonb_build_object('account_id', a.id, 'account', a.name, 'device_id', d.id, 'device', d.name,
                                      'section', c.section, 'title', c.title, 'version', x.version, 'by', u.name,
                                      'at', to_char(x.updated_at, 'YYYY-MM-DD HH24:MI'),
                                      'diff', config_diff(s.doc, x.doc)) AS o
              FROM config_overrides x
              JOIN config_sections c ON c.section = x.section AND c.shared
              JOIN tenants a ON a.id = x.tenant_id
              JOIN plan_sections s ON s.plan_id = p.id AND s.section = x.section
              LEFT JOIN assets d ON d.id = x.device_id
              LEFT JOIN users u ON u.id = x.updated_by
             WHERE x.tenant_id = ANY (reach) AND (p_section IS NULL OR x.section = p_section)
             ORDER BY x.updated_at DESC LIMIT 200) z),
        'history', CASE WHEN p_section IS NULL THEN (SELECT coalesce(jsonb_agg(h ORDER BY (h->>'id')::bigint DESC), '[]') FROM (
            SELECT jsonb_build_object('id', x.id, 'section', x.section, 'title', c.title, 'version', x.version,
                                      'action', x.action, 'target', a.name, 'by', u.name,
                                      'at', to_char(x.at, 'YYYY-MM-DD HH24:MI'),
                                      'restorable', x.doc IS NOT NULL AND x.section IS NOT NULL,
                                      'base', (SELECT s.version FROM plan_sections s
                                                WHERE s.plan_id = p.id AND s.section = x.section),
                                      'diff', CASE WHEN x.section IS NOT NULL THEN config_diff(x.before, x.doc) END) AS h
              FROM config_history x
              LEFT JOIN config_sections c ON c.section = x.section
              LEFT JOIN tenants a ON a.id = x.target
              LEFT JOIN users u ON u.id = x.actor
             WHERE x.plan_id = p.id
             ORDER BY x.id DESC LIMIT 50) z) END);
END $$;

ALTER FUNCTION public.plan_page(p_tenant bigint, p_plan bigint, p_section text, p_find text) OWNER TO portal_owner;

CREATE FUNCTION public.plan_party(p_ancestors bigint[], p_id bigint, p_name text, p_scope bigint[], p_exact bigint[]) RETURNS jsonb
    LANGUAGE sql STABLE
    AS $$
    SELECT CASE WHEN public.scope_sees(p_ancestors, p_id, p_scope, p_exact)
                THEN pg_catalog.jsonb_build_object('id', p_id, 'name', p_name)
                ELSE pg_catalog.jsonb_build_object('id', NULL, 'name', 'your provider') END
$$;

ALTER FUNCTION public.plan_party(p_ancestors bigint[], p_id bigint, p_name text, p_scope bigint[], p_exact bigint[]) OWNER TO portal_owner;

CREATE FUNCTION public.plan_reach(p_plan bigint) RETURNS TABLE(tenant_id bigint, is_company boolean)
    LANGUAGE sql STABLE
    SET search_path TO 'public', 'pg_temp'
    AS $$
    WITH won AS MATERIALIZED (
        SELECT DISTINCT ON (s.tenant_id) s.tenant_id, s.plan_id
          FROM plan_shares s JOIN tenants h ON h.id = s.tenant_id
         WHERE s.root_id IN (SELECT r.root_id FROM plan_shares r WHERE r.plan_id = p_plan)
           AND array_position(h.ancestors, s.owner_id) < array_position(h.ancestors, s.tenant_id)
         ORDER BY s.tenant_id, array_position(h.ancestors, s.owner_id) DESC),
    holders AS (SELECT array_agg(w.tenant_id) AS ids FROM won w)
    SELECT x.id, x.kind = 'company'
      FROM won w CROSS JOIN holders
      JOIN tenants x ON x.ancestors @> ARRAY[w.tenant_id] AND x.status = 'active'
     WHERE w.plan_id = p_plan
       AND NOT (x.ancestors[array_position(x.ancestors, w.tenant_id) + 1:] && holders.ids)
$$;

ALTER FUNCTION public.plan_reach(p_plan bigint) OWNER TO portal_owner;

CREATE FUNCTION public.plan_restore(p_tenant bigint, p_plan bigint, p_history bigint, p_base bigint) RETURNS TABLE(outcome text, version bigint, doc jsonb, by text, at timestamp with time zone, message text)
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
DECLARE h config_history%ROWTYPE;
BEGIN
    SELECT * INTO h FROM config_history x
     WHERE x.id = p_history AND x.plan_id = p_plan AND x.tenant_id = p_tenant AND x.doc IS NOT NULL
       AND x.section IS NOT NULL;
    IF NOT FOUND THEN
        RETURN QUERY SELECT 'not_found', NULL::bigint, NULL::jsonb, NULL::text, NULL::timestamptz, NULL::text;
        RETURN;
    END IF;
    RETURN QUERY SELECT * FROM plan_section_save(p_tenant, p_plan, h.section, h.doc, p_base, 'restore');
END $$;

ALTER FUNCTION public.plan_restore(p_tenant bigint, p_plan bigint, p_history bigint, p_base bigint) OWNER TO portal_owner;

CREATE FUNCTION public.plan_section_save(p_tenant bigint, p_plan bigint, p_section text, p_doc jsonb, p_base bigint, p_action text) RETURNS TABLE(outcome text, version bigint, doc jsonb, by text, at timestamp with time zone, message text)
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
DECLARE
    t tenants%ROWTYPE := plan_writer(p_tenant);
    c config_sections%ROWTYPE;
    cur plan_sections%ROWTYPE;
    v bigint;
    err text;
BEGIN
    PERFORM 1 FROM plans x WHERE x.id = p_plan AND x.tenant_id = t.id FOR UPDATE;
    IF t.id IS NULL OR NOT FOUND THEN
        RETURN QUERY SELECT 'not_found', NULL::bigint, NULL::jsonb, NULL::text, NULL::timestamptz, NULL::text;
        RETURN;
    END IF;
    SELECT * INTO c FROM config_sections x WHERE x.section = p_section;
    IF NOT FOUND THEN
        RETURN QUERY SELECT 'not_found', NULL::bigint, NULL::jsonb, NULL::text, NULL::timestamptz, NULL::text;
        RETURN;
    ELSIF NOT c.shared THEN
        RETURN QUERY SELECT 'invalid', NULL::bigint, NULL::jsonb, NULL::text, NULL::timestamptz,
            format('%s is never shared: it stays local to each account and device.', c.title);
        RETURN;
    END IF;
    err := config_doc_error(p_section, p_doc);
    IF err IS NOT NULL THEN
        RETURN QUERY SELECT 'invalid', NULL::bigint, NULL::jsonb, NULL::text, NULL::timestamptz, err;
        RETURN;
    END IF;
    SELECT * INTO cur FROM plan_sections s WHERE s.plan_id = p_plan AND s.section = p_section;
    RETURN QUERY SELECT * FROM config_save_gate(p_base, p_doc, cur.version, cur.doc, cur.updated_by, cur.updated_at);
    IF FOUND THEN
        RETURN;
    END IF;
    UPDATE plans x SET version = x.version + 1, updated_at = now() WHERE x.id = p_plan RETURNING x.version INTO v;
    UPDATE plan_sections s SET doc = p_doc, version = v, updated_by = app_user_id(), updated_at = now()
     WHERE s.plan_id = p_plan AND s.section = p_section;
    INSERT INTO config_history (tenant_id, root_id, plan_id, section, version, action, doc, before, actor)
    VALUES (t.id, t.root_id, p_plan, p_section, v, CASE p_action WHEN 'restore' THEN 'restore' ELSE 'edit' END, p_doc,
            cur.doc, app_user_id());
    RETURN QUERY SELECT 'ok', v, p_doc, NULL::text, now(), NULL::text;
END $$;

ALTER FUNCTION public.plan_section_save(p_tenant bigint, p_plan bigint, p_section text, p_doc jsonb, p_base bigint, p_action text) OWNER TO portal_owner;

CREATE FUNCTION public.plan_share(p_tenant bigint, p_plan bigint, p_target bigint, p_on boolean) RETURNS TABLE(outcome text, message text)
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
DECLARE
    t tenants%ROWTYPE := plan_writer(p_tenant);
    a tenants%ROWTYPE;
    p plans%ROWTYPE;
    old bigint;
BEGIN
    SELECT * INTO p FROM plans x WHERE x.id = p_plan AND x.tenant_id = t.id;
    SELECT * INTO a FROM tenants x WHERE x.id = p_target AND x.status = 'active' AND t.id = ANY (x.ancestors)
                                     AND x.id <> t.id;
    IF t.id IS NULL OR p.id IS NULL OR a.id IS NULL THEN
        RETURN QUERY SELECT 'not_found', NULL::text;
        RETURN;
    END IF;
    SELECT s.plan_id INTO old FROM plan_shares s WHERE s.tenant_id = a.id AND s.owner_id = t.id FOR UPDATE;
    IF p_on THEN
        IF old = p.id THEN
            RETURN QUERY SELECT 'unchanged', NULL::text;
            RETURN;
        END IF;
        INSERT INTO plan_shares AS s (tenant_id, owner_id, root_id, plan_id, shared_by)
        VALUES (a.id, t.id, t.root_id, p.id, app_user_id())
        ON CONFLICT (tenant_id, owner_id) DO UPDATE SET plan_id = excluded.plan_id, shared_by = excluded.shared_by,
                                                       shared_at = now();
        INSERT INTO config_history (tenant_id, root_id, plan_id, version, action, target, actor)
        VALUES (t.id, t.root_id, p.id, p.version, 'share', a.id, app_user_id());
    ELSE
        IF old IS DISTINCT FROM p.id THEN
            RETURN QUERY SELECT 'unchanged', NULL::text;
            RETURN;
        END IF;
        DELETE FROM plan_shares s WHERE s.tenant_id = a.id AND s.owner_id = t.id;
        INSERT INTO config_history (tenant_id, root_id, plan_id, version, action, target, actor)
        VALUES (t.id, t.root_id, p.id, p.version, 'unshare', a.id, app_user_id());
    END IF;
    RETURN QUERY SELECT 'ok', NULL::text;
END $$;

ALTER FUNCTION public.plan_share(p_tenant bigint, p_plan bigint, p_target bigint, p_on boolean) OWNER TO portal_owner;

CREATE FUNCTION public.plan_writer(p_tenant bigint) RETURNS public.tenants
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
DECLARE t tenants%ROWTYPE;
BEGIN
    IF app_user_id() IS NULL THEN
        RETURN NULL;
    END IF;
    SELECT * INTO t FROM tenants x WHERE x.id = p_tenant AND x.status = 'active' AND x.ancestors && app_scope();
    IF NOT FOUND THEN
        RETURN NULL;
    END IF;
    RETURN t;
END $$;

ALTER FUNCTION public.plan_writer(p_tenant bigint) OWNER TO portal_owner;

CREATE FUNCTION public.plans_page(p_tenant bigint) RETURNS jsonb
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
DECLARE
    t tenants%ROWTYPE;
    sc bigint[] := app_scope();
    ex bigint[] := app_exact();
    f record;
BEGIN
    SELECT * INTO t FROM tenants x WHERE x.id = p_tenant AND x.status = 'active';
    IF NOT FOUND OR NOT scope_sees(t.ancestors, t.id, sc, ex) THEN
        RETURN NULL;
    END IF;
    SELECT * INTO f FROM plan_followed(t.ancestors);
    RETURN jsonb_build_object(
        'following', (SELECT jsonb_build_object('id', p.id, 'name', p.name, 'version', p.version,
                                                'updated_at', to_char(p.updated_at, 'YYYY-MM-DD HH24:MI'),
                                                'owner', plan_party(o.ancestors, o.id, o.name, sc, ex),
                                                'shared_with', plan_party(w.ancestors, w.id, w.name, sc, ex),
                                                'shared_at', to_char(f.shared_at, 'YYYY-MM-DD HH24:MI'),
                                                'own', p.tenant_id = t.id)
                        FROM plans p JOIN tenants o ON o.id = p.tenant_id JOIN tenants w ON w.id = f.shared_with
                       WHERE p.id = f.plan_id),
        'owned', CASE WHEN t.ancestors && sc THEN (
            SELECT coalesce(jsonb_agg(jsonb_build_object(
                       'id', p.id, 'name', p.name, 'version', p.version,
                       'updated_at', to_char(p.updated_at, 'YYYY-MM-DD HH24:MI'),
                       'cloned_from', (SELECT jsonb_build_object('id', c.id, 'name', c.name, 'version', p.cloned_version,
                                                                 'owner', (SELECT o.name FROM tenants o WHERE o.id = c.tenant_id))
                                         FROM plans c WHERE c.id = p.cloned_from),
                       'shares', (SELECT coalesce(jsonb_agg(jsonb_build_object('id', a.id, 'name', a.name, 'kind', a.kind)
                                                            ORDER BY lower(a.name), a.id), '[]')
                                    FROM plan_shares s JOIN tenants a ON a.id = s.tenant_id
                                   WHERE s.plan_id = p.id AND s.owner_id = t.id))
                       ORDER BY lower(p.name), p.id), '[]')
              FROM plans p WHERE p.tenant_id = t.id) END);
END $$;

ALTER FUNCTION public.plans_page(p_tenant bigint) OWNER TO portal_owner;

CREATE FUNCTION public.random_token() RETURNS text
    LANGUAGE sql
    SET search_path TO 'public', 'pg_temp'
    AS $$
    SELECT encode(sha256(convert_to(gen_random_uuid()::text || gen_random_uuid()::text, 'UTF8')), 'hex')
$$;

ALTER FUNCTION public.random_token() OWNER TO portal_owner;

CREATE FUNCTION public.read_plan(t public.tenants, sc bigint[], ex bigint[], OUT how text, OUT tids bigint[]) RETURNS record
    LANGUAGE plpgsql STABLE
    AS $$
BEGIN
    IF t.kind = 'company' THEN
        -- A leaf (tenants_tree_check()): itself, when the viewer may see it,
        -- without looking for tenants below it (a company's lists, the
        -- ones an analyst drills into, read their plan in a tenth of the time).
        tids := CASE WHEN scope_sees(t.ancestors, t.id, sc, ex) THEN ARRAY[t.id] ELSE '{}' END;
    ELSIF NOT (t.ancestors && sc AND (SELECT s.msps + s.companies FROM tenant_stats s WHERE s.tenant_id = t.id) >= 200) THEN
        tids := ARRAY(SELECT c.id FROM tenants c
                       WHERE c.ancestors @> ARRAY[t.id] AND scope_sees(c.ancestors, c.id, sc, ex) LIMIT 201);
    END IF;
    how := CASE WHEN cardinality(tids) <= 200 THEN 'tenants'
                WHEN t.parent_id IS NULL AND t.ancestors && sc THEN 'root' ELSE 'check' END;
    IF how <> 'tenants' THEN
        tids := NULL;
    END IF;
END $$;

ALTER FUNCTION public.read_plan(t public.tenants, sc bigint[], ex bigint[], OUT how text, OUT tids bigint[]) OWNER TO portal_owner;

CREATE FUNCTION public.read_plan_rows(p_how text, p_alias text) RETURNS text
    LANGUAGE sql STABLE
    AS $_$
    SELECT format('%1$I.root_id = $2', p_alias)
           || CASE WHEN p_how = 'check' THEN
                  format(' AND EXISTS (SELECT 1 FROM tenants c WHERE c.id = %1$I.tenant_id'
                         ' AND c.ancestors @> ARRAY[$3] AND scope_sees(c.ancestors, c.id, $4, $5) OFFSET 0)', p_alias)
              ELSE '' END
$_$;

ALTER FUNCTION public.read_plan_rows(p_how text, p_alias text) OWNER TO portal_owner;

CREATE FUNCTION public.remediation_velocity(p_tenant bigint, p_page integer) RETURNS TABLE(tenant_id bigint, name text, severity text, median_days numeric, fixed bigint, total bigint, paged boolean)
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
    WITH pg AS MATERIALIZED (
        SELECT * FROM customer_page(p_tenant, p_page)
    )
    SELECT c.id, c.name, v.severity, v.median_days, v.fixed, pg.total, pg.paged
      FROM pg CROSS JOIN unnest(pg.ids) WITH ORDINALITY AS u(id, n)
      JOIN tenants c ON c.id = u.id
      LEFT JOIN LATERAL (
        SELECT x.severity,
               round((percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM x.fixed_at - x.first_seen) / 86400))
                     ::numeric, 1) AS median_days,
               count(*) AS fixed
          FROM vulnerabilities x
         WHERE x.tenant_id = c.id AND x.fixed_at IS NOT NULL AND x.fixed_at > now() - interval '90 days'
           AND x.fixed_at >= x.first_seen
         GROUP BY x.severity) v ON true
     ORDER BY u.n, severity_weight(v.severity) DESC
$$;

ALTER FUNCTION public.remediation_velocity(p_tenant bigint, p_page integer) OWNER TO portal_owner;

CREATE FUNCTION public.report_document(p_tenant bigint, p_from date, p_to date, p_scope bigint[], p_exact bigint[]) RETURNS jsonb
    LANGUAGE plpgsql STABLE
    SET search_path TO 'public', 'pg_temp'
    SET max_parallel_workers_per_gather TO '0'
    SET work_mem TO '32MB'
    SET plan_cache_mode TO 'force_custom_plan'
    AS $$
DECLARE
    sc bigint[] := p_scope;
    ex bigint[] := p_exact;
    t tenants%ROWTYPE;
    tids bigint[];
    t0 timestamptz;  -- the period: [t0, t1)
    t1 timestamptz;
    p0 timestamptz;  -- the period before: [p0, t0)
    risk_now bigint;
    risk_before bigint;
    coverage jsonb;
    vulns jsonb;
    incidents jsonb;
    threats jsonb;
    customers jsonb;
    recs jsonb := '[]';
    v record;
BEGIN
    IF p_from IS NULL OR p_to IS NULL OR p_to < p_from OR p_to - p_from > 365 THEN
        RETURN NULL;
    END IF;
    SELECT * INTO t FROM tenants x WHERE x.id = p_tenant AND x.status = 'active';
    IF NOT FOUND OR NOT scope_sees(t.ancestors, t.id, sc, ex) THEN
        RETURN NULL;
    END IF;
    tids := ARRAY(SELECT x.id FROM tenants x WHERE x.ancestors @> ARRAY[t.id] AND x.status = 'active'
                                               AND scope_sees(x.ancestors, x.id, sc, ex));
    t0 := p_from::timestamp AT TIME ZONE 'UTC';
    t1 := (p_to + 1)::timestamp AT TIME ZONE 'UTC';
    p0 := t0 - (t1 - t0);

    -- The risk score (docs/dashboards.md: 10 x open critical incidents + 3
    -- x other open incidents + open critical vulnerabilities) at the end of
    -- each period.
    SELECT sum(CASE WHEN i.opened_at < t1 AND (i.closed_at IS NULL OR i.closed_at >= t1)
                    THEN CASE WHEN i.severity = 'critical' THEN 10 ELSE 3 END ELSE 0 END),
           sum(CASE WHEN i.opened_at < t0 AND (i.closed_at IS NULL OR i.closed_at >= t0)
                    THEN CASE WHEN i.severity = 'critical' THEN 10 ELSE 3 END ELSE 0 END)
      INTO risk_now, risk_before
      FROM incidents i WHERE i.tenant_id = ANY (tids) AND i.opened_at < t1;
    -- (The critical vulnerabilities open at the end and at the start are
    -- added below, from the vulnerabilities' figures.)

    -- Coverage: the assets by kind at the end, and those new in the period.
    SELECT jsonb_object_agg(k.kind, jsonb_build_object(
               'total', coalesce(a.total, 0), 'new', coalesce(a.added, 0)) ORDER BY k.n)
      INTO coverage
      FROM unnest(ARRAY['probe', 'agent', 'gateway', 'discovered', 'external']) WITH ORDINALITY AS k(kind, n)
      LEFT JOIN (SELECT x.kind, count(*) AS total, count(*) FILTER (WHERE x.created_at >= t0) AS added
                   FROM assets x WHERE x.tenant_id = ANY (tids) AND x.created_at < t1 GROUP BY x.kind) a
        ON a.kind = k.kind;

    -- Vulnerabilities: opened, fixed, open at the end by severity; the
    -- open ones by age; the median days to fix of those fixed; the top CVEs.
    -- The rows are read once for the counts, by severity and CVE (an
    -- aggregate that hashes: no sort of the period's rows), which then add
    -- up by severity and by CVE; the median reads those fixed in the
    -- period only; the assets are counted for the top ten CVEs only.
    WITH g AS MATERIALIZED (
        SELECT x.severity, x.cve,
               count(*) FILTER (WHERE x.first_seen >= t0) AS opened,
               count(*) FILTER (WHERE x.fixed_at >= t0 AND x.fixed_at < t1) AS fixed,
               count(*) FILTER (WHERE x.fixed_at IS NULL OR x.fixed_at >= t1) AS open_end,
               count(*) FILTER (WHERE x.first_seen < t0 AND (x.fixed_at IS NULL OR x.fixed_at >= t0)) AS open_start,
               count(*) FILTER (WHERE (x.fixed_at IS NULL OR x.fixed_at >= t1)
                                  AND x.first_seen < t1 - interval '30 days') AS over_30,
               count(*) FILTER (WHERE (x.fixed_at IS NULL OR x.fixed_at >= t1)
                                  AND x.first_seen < t1 - interval '60 days') AS over_60,
               count(*) FILTER (WHERE (x.fixed_at IS NULL OR x.fixed_at >= t1)
                                  AND x.first_seen < t1 - interval '90 days') AS over_90
          FROM vulnerabilities x
         WHERE x.tenant_id = ANY (tids) AND x.first_seen < t1 AND (x.fixed_at IS NULL OR x.fixed_at >= p0)
         GROUP BY x.severity, x.cve)
    SELECT jsonb_build_object(
        'by_severity', (SELECT jsonb_agg(jsonb_build_object(
                            'severity', s.sev, 'opened', coalesce(b.opened, 0), 'fixed', coalesce(b.fixed, 0),
                            'open_end', coalesce(b.open_end, 0), 'open_start', coalesce(b.open_start, 0),
                            'median_days_to_fix', m.median_days, 'over_30', coalesce(b.over_30, 0),
                            'over_60', coalesce(b.over_60, 0), 'over_90', coalesce(b.over_90, 0)) ORDER BY s.n)
                          FROM unnest(ARRAY['critical', 'high', 'medium', 'low']) WITH ORDINALITY AS s(sev, n)
                          LEFT JOIN (
                            SELECT g.severity, sum(g.opened) AS opened, sum(g.fixed) AS fixed,
                                   sum(g.open_end) AS open_end, sum(g.open_start) AS open_start,
                                   sum(g.over_30) AS over_30, sum(g.over_60) AS over_60, sum(g.over_90) AS over_90
                              FROM g GROUP BY g.severity) b ON b.severity = s.sev
                          LEFT JOIN (
                            SELECT x.severity,
                                   round((percentile_cont(0.5) WITHIN GROUP (ORDER BY
                                       extract(epoch FROM x.fixed_at - x.first_seen) / 86400))::numeric, 1) AS median_days
                              FROM vulnerabilities x
                             WHERE x.tenant_id = ANY (tids) AND x.fixed_at >= t0 AND x.fixed_at < t1
                               AND x.fixed_at >= x.first_seen
                             GROUP BY x.severity) m ON m.severity = s.sev),
        'top_cves', (SELECT coalesce(jsonb_agg(jsonb_build_object('cve', c.cve, 'severity', c.severity, 'open', c.open,
                                                                  'assets', d.assets)
                                               ORDER BY c.open DESC, c.cve), '[]')
                       FROM (SELECT g.cve, sum(g.open_end) AS open,
                                    (array_agg(g.severity ORDER BY severity_weight(g.severity) DESC)
                                         FILTER (WHERE g.open_end > 0))[1] AS severity
                               FROM g GROUP BY g.cve HAVING sum(g.open_end) > 0
                              ORDER BY sum(g.open_end) DESC, g.cve LIMIT 10) c
                       CROSS JOIN LATERAL (
                             SELECT count(DISTINCT x.asset_id) AS assets
                               FROM vulnerabilities x
                              WHERE x.cve = c.cve AND x.root_id = t.root_id AND x.tenant_id = ANY (tids)
                                AND x.first_seen < t1 AND (x.fixed_at IS NULL OR x.fixed_at >= t1)) d),
        'critical_old_assets', (SELECT count(DISTINCT x.asset_id) FROM vulnerabilities x
                                 WHERE x.tenant_id = ANY (tids) AND x.severity = 'critical'
                                   AND x.first_seen < t1 - interval '30 days'
                                   AND (x.fixed_at IS NULL OR x.fixed_at >= t1)))
      INTO vulns;
    SELECT coalesce(risk_now, 0) + (e.value->>'open_end')::bigint, coalesce(risk_before, 0) + (e.value->>'open_start')::bigint
      INTO risk_now, risk_before
      FROM jsonb_array_elements(vulns->'by_severity') e WHERE e.value->>'severity' = 'critical';

    -- Incidents opened in the period: by severity, opened and resolved,
    -- the minutes to acknowledge and resolve (mean, 90th percentile), and
    -- the SLA judged at the period's end against each tenant's targets
    -- (sla_targets_for()): met within target; due when acknowledged
    -- (resolved), or its target passed by the end unacknowledged
    -- (unresolved).
    SELECT jsonb_build_object(
        'by_severity', (SELECT jsonb_agg(jsonb_build_object(
                            'severity', s.sev, 'opened', coalesce(b.opened, 0), 'resolved', coalesce(b.resolved, 0),
                            'open_end', coalesce(o.open_end, 0),
                            'ack_mean', b.ack_mean, 'ack_p90', b.ack_p90, 'resolve_mean', b.res_mean,
                            'resolve_p90', b.res_p90,
                            'ack_met', coalesce(b.ack_met, 0), 'ack_due', coalesce(b.ack_due, 0),
                            'resolve_met', coalesce(b.res_met, 0), 'resolve_due', coalesce(b.res_due, 0))
                            ORDER BY s.n)
                          FROM unnest(ARRAY['critical', 'high', 'medium', 'low']) WITH ORDINALITY AS s(sev, n)
                          LEFT JOIN (
                            SELECT j.severity, count(*) AS opened,
                                   count(*) FILTER (WHERE j.closed_at < t1) AS resolved,
                                   round(avg(j.ack_min) FILTER (WHERE j.acknowledged_at < t1)) AS ack_mean,
                                   round((percentile_cont(0.9) WITHIN GROUP (ORDER BY j.ack_min)
                                         FILTER (WHERE j.acknowledged_at < t1))::numeric) AS ack_p90,
                                   round(avg(j.res_min) FILTER (WHERE j.closed_at < t1)) AS res_mean,
                                   round((percentile_cont(0.9) WITHIN GROUP (ORDER BY j.res_min)
                                         FILTER (WHERE j.closed_at < t1))::numeric) AS res_p90,
                                   count(*) FILTER (WHERE j.acknowledged_at < t1 AND j.ack_min <= j.ack_target) AS ack_met,
                                   count(*) FILTER (WHERE j.acknowledged_at < t1
                                                       OR j.opened_at + make_interval(mins => j.ack_target) < t1) AS ack_due,
                                   count(*) FILTER (WHERE j.closed_at < t1 AND j.res_min <= j.res_target) AS res_met,
                                   count(*) FILTER (WHERE j.closed_at < t1
                                                       OR j.opened_at + make_interval(mins => j.res_target) < t1) AS res_due
                              FROM (SELECT i.severity, i.opened_at, i.acknowledged_at, i.closed_at,
                                           e.ack_minutes AS ack_target, e.resolve_minutes AS res_target,
                                           extract(epoch FROM i.acknowledged_at - i.opened_at) / 60 AS ack_min,
                                           extract(epoch FROM i.closed_at - i.opened_at) / 60 AS res_min
                                      FROM incidents i
                                      JOIN sla_targets_for(tids) e ON e.tenant_id = i.tenant_id AND e.severity = i.severity
                                     WHERE i.tenant_id = ANY (tids) AND i.opened_at >= t0 AND i.opened_at < t1) j
                             GROUP BY j.severity) b ON b.severity = s.sev
                          LEFT JOIN (
                            SELECT i.severity, count(*) AS open_end FROM incidents i
                             WHERE i.tenant_id = ANY (tids) AND i.opened_at < t1 AND (i.closed_at IS NULL OR i.closed_at >= t1)
                             GROUP BY i.severity) o ON o.severity = s.sev),
        'serious', (SELECT coalesce(jsonb_agg(jsonb_build_object(
                               'id', z.id, 'tenant_id', z.tenant_id, 'customer', z.customer, 'severity', z.severity,
                               'title', z.title, 'opened_at', to_char(z.opened_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI'),
                               'status', CASE WHEN z.closed_at < t1 THEN 'resolved'
                                              WHEN z.acknowledged_at < t1 THEN 'acknowledged' ELSE 'new' END,
                               'note', CASE WHEN z.closed_at < t1 THEN z.resolution_note END)
                               ORDER BY severity_weight(z.severity) DESC, z.opened_at, z.id), '[]')
                      FROM (SELECT i.*, c.name AS customer FROM incidents i JOIN tenants c ON c.id = i.tenant_id
                             WHERE i.tenant_id = ANY (tids) AND i.opened_at >= t0 AND i.opened_at < t1
                             ORDER BY severity_weight(i.severity) DESC, i.opened_at, i.id LIMIT 5) z))
      INTO incidents;

    -- Threats: the indicators of the period's incidents here, with how
    -- many of the tenants in scope saw them and how many others of the same
    -- provider's tree saw them in the period (counted, never named).
    SELECT coalesce(jsonb_agg(jsonb_build_object('indicator', w.indicator, 'kind', w.kind, 'incidents', w.n,
                                                 'customers', w.customers, 'elsewhere', w.elsewhere)
                              ORDER BY w.elsewhere DESC, w.n DESC, w.indicator), '[]')
      INTO threats
      FROM (SELECT i.indicator, min(i.indicator_kind) AS kind, count(*) AS n, count(DISTINCT i.tenant_id) AS customers,
                   (SELECT count(DISTINCT o.tenant_id) FROM incidents o
                     WHERE o.indicator = i.indicator AND o.opened_at >= t0 AND o.opened_at < t1
                       AND o.root_id = t.root_id AND NOT (o.tenant_id = ANY (tids))) AS elsewhere
              FROM incidents i
             WHERE i.tenant_id = ANY (tids) AND i.opened_at >= t0 AND i.opened_at < t1 AND i.indicator IS NOT NULL
             GROUP BY i.indicator ORDER BY 5 DESC, 3 DESC, 1 LIMIT 10) w;

    -- The customers (an MSSP's or MSP's report), ranked by risk at the end.
    IF t.kind <> 'company' THEN
        SELECT coalesce(jsonb_agg(jsonb_build_object('id', c.id, 'name', c.name, 'risk', c.risk_end,
                                                     'risk_before', c.risk_start, 'critical_open', c.crit_open,
                                                     'resolve_met', c.res_met, 'resolve_due', c.res_due)
                                  ORDER BY c.risk_end DESC, lower(c.name), c.id), '[]')
          INTO customers
          FROM (SELECT c.id, c.name,
                       coalesce(ir.r_end, 0) + coalesce(vr.v_end, 0) AS risk_end,
                       coalesce(ir.r_start, 0) + coalesce(vr.v_start, 0) AS risk_start,
                       coalesce(vr.v_end, 0) AS crit_open, coalesce(ir.res_met, 0) AS res_met,
                       coalesce(ir.res_due, 0) AS res_due
                  FROM tenants c
                  LEFT JOIN (
                    SELECT i.tenant_id,
                           sum(CASE WHEN i.closed_at IS NULL OR i.closed_at >= t1
                                    THEN CASE WHEN i.severity = 'critical' THEN 10 ELSE 3 END ELSE 0 END) AS r_end,
                           sum(CASE WHEN i.opened_at < t0 AND (i.closed_at IS NULL OR i.closed_at >= t0)
                                    THEN CASE WHEN i.severity = 'critical' THEN 10 ELSE 3 END ELSE 0 END) AS r_start,
                           count(*) FILTER (WHERE i.opened_at >= t0 AND i.closed_at < t1
                                              AND i.closed_at - i.opened_at <= make_interval(mins => e.resolve_minutes))
                               AS res_met,
                           count(*) FILTER (WHERE i.opened_at >= t0
                                              AND (i.closed_at < t1
                                                   OR i.opened_at + make_interval(mins => e.resolve_minutes) < t1))
                               AS res_due
                      FROM incidents i
                      JOIN sla_targets_for(tids) e ON e.tenant_id = i.tenant_id AND e.severity = i.severity
                     WHERE i.tenant_id = ANY (tids) AND i.opened_at < t1
                     GROUP BY i.tenant_id) ir ON ir.tenant_id = c.id
                  LEFT JOIN (
                    SELECT x.tenant_id,
                           count(*) FILTER (WHERE x.fixed_at IS NULL OR x.fixed_at >= t1) AS v_end,
                           count(*) FILTER (WHERE x.first_seen < t0 AND (x.fixed_at IS NULL OR x.fixed_at >= t0)) AS v_start
                      FROM vulnerabilities x
                     WHERE x.tenant_id = ANY (tids) AND x.severity = 'critical' AND x.first_seen < t1
                     GROUP BY x.tenant_id) vr ON vr.tenant_id = c.id
                 WHERE c.id = ANY (tids) AND c.kind = 'company') c;
    END IF;

    -- Recommendations, from the figures above.
    SELECT e.value AS b INTO v FROM jsonb_array_elements(vulns->'by_severity') e WHERE e.value->>'severity' = 'critical';
    IF (v.b->>'over_30')::bigint > 0 THEN
        recs := recs || jsonb_build_array(format(
            '%s critical vulnerabilit%s open over 30 days on %s asset%s: patch %s first.',
            v.b->>'over_30', CASE WHEN (v.b->>'over_30')::bigint = 1 THEN 'y' ELSE 'ies' END,
            vulns->>'critical_old_assets', CASE WHEN (vulns->>'critical_old_assets')::bigint = 1 THEN '' ELSE 's' END,
            CASE WHEN (v.b->>'over_30')::bigint = 1 THEN 'it' ELSE 'them' END));
    END IF;
    IF (v.b->>'median_days_to_fix')::numeric > 7 THEN
        recs := recs || jsonb_build_array(format(
            'Critical vulnerabilities took a median of %s days to fix; aim for 7 or fewer.', v.b->>'median_days_to_fix'));
    END IF;
    FOR v IN SELECT e.value AS b FROM jsonb_array_elements(incidents->'by_severity') e
              WHERE (e.value->>'ack_due')::bigint > 0
                AND (e.value->>'ack_met')::numeric / (e.value->>'ack_due')::numeric < 0.9 LOOP
        recs := recs || jsonb_build_array(format(
            '%s incidents were acknowledged within target %s%% of the time (%s of %s): review the on-call cover for them.',
            initcap(v.b->>'severity'), floor(100 * (v.b->>'ack_met')::numeric / (v.b->>'ack_due')::numeric),
            v.b->>'ack_met', v.b->>'ack_due'));
    END LOOP;
    SELECT e.value AS b INTO v FROM jsonb_array_elements(incidents->'by_severity') e WHERE e.value->>'severity' = 'critical';
    IF (v.b->>'open_end')::bigint > 0 THEN
        recs := recs || jsonb_build_array(format('%s critical incident%s still open at the end of the period.',
                                                 v.b->>'open_end',
                                                 CASE WHEN (v.b->>'open_end')::bigint = 1 THEN ' was' ELSE 's were' END));
    END IF;
    IF (coverage->'probe'->>'total')::bigint + (coverage->'agent'->>'total')::bigint
       + (coverage->'gateway'->>'total')::bigint = 0 THEN
        recs := recs || jsonb_build_array('No probe, agent or gateway reports here: deploy one to see this network.');
    END IF;
    IF risk_now > risk_before THEN
        recs := recs || jsonb_build_array(format('The risk score rose from %s to %s over the period.', risk_before,
                                                 risk_now));
    END IF;

    RETURN jsonb_build_object(
        'tenant', jsonb_build_object('id', t.id, 'name', t.name, 'kind', t.kind),
        'period', jsonb_build_object('from', p_from, 'to', p_to, 'days', p_to - p_from + 1,
                                     'before_from', p_from - (p_to - p_from + 1), 'before_to', p_from - 1),
        'tenants', cardinality(tids),
        'risk', jsonb_build_object('now', risk_now, 'before', risk_before, 'change', risk_now - risk_before),
        'coverage', coverage,
        'vulnerabilities', vulns,
        'incidents', incidents,
        'threats', threats,
        'customers', customers,
        'recommendations', recs);
END $$;

ALTER FUNCTION public.report_document(p_tenant bigint, p_from date, p_to date, p_scope bigint[], p_exact bigint[]) OWNER TO portal_owner;

CREATE FUNCTION public.report_executive(p_tenant bigint, p_from date, p_to date) RETURNS jsonb
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
    SELECT report_document(p_tenant, p_from, p_to, app_scope(), app_exact())
$$;

ALTER FUNCTION public.report_executive(p_tenant bigint, p_from date, p_to date) OWNER TO portal_owner;

CREATE FUNCTION public.report_job_claim(p_lease_seconds integer, p_max_attempts integer) RETURNS TABLE(id bigint, tenant_id bigint, kind text, paper text, period_from date, period_to date, attempts integer, cadence text)
    LANGUAGE sql SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
    UPDATE report_jobs j
       SET state = 'running', attempts = j.attempts + 1, started_at = now(),
           lease_until = now() + make_interval(secs => p_lease_seconds)
     WHERE j.id = (SELECT d.id FROM report_jobs d
                    WHERE ((d.state = 'queued' AND d.next_try_at <= now())
                           OR (d.state = 'running' AND d.lease_until < now()))
                      AND d.attempts < p_max_attempts
                    ORDER BY d.next_try_at, d.id LIMIT 1 FOR UPDATE SKIP LOCKED)
    RETURNING j.id, j.tenant_id, j.kind, j.paper, j.period_from, j.period_to, j.attempts,
              (SELECT s.cadence FROM report_schedules s WHERE s.id = j.schedule_id)
$$;

ALTER FUNCTION public.report_job_claim(p_lease_seconds integer, p_max_attempts integer) OWNER TO portal_owner;

CREATE FUNCTION public.report_job_finish(p_job bigint, p_pdf bytea, p_error text, p_max_attempts integer, p_backoff_seconds integer) RETURNS text
    LANGUAGE sql SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
    UPDATE report_jobs j
       SET state = CASE WHEN p_pdf IS NOT NULL THEN 'done'
                        WHEN j.attempts >= p_max_attempts THEN 'failed' ELSE 'queued' END,
           pdf = p_pdf, pdf_bytes = octet_length(p_pdf), lease_until = NULL,
           error = CASE WHEN p_pdf IS NULL THEN left(coalesce(p_error, 'failed'), 500) END,
           finished_at = CASE WHEN p_pdf IS NOT NULL OR j.attempts >= p_max_attempts THEN now() END,
           expires_at = CASE WHEN p_pdf IS NOT NULL
                             THEN now() + make_interval(days => report_retention_days(j.tenant_id)) END,
           next_try_at = CASE WHEN p_pdf IS NULL
                              THEN now() + make_interval(secs => least(3600, p_backoff_seconds * power(2, j.attempts - 1)))
                              ELSE j.next_try_at END
     WHERE j.id = p_job AND j.state = 'running'
    RETURNING j.state
$$;

ALTER FUNCTION public.report_job_finish(p_job bigint, p_pdf bytea, p_error text, p_max_attempts integer, p_backoff_seconds integer) OWNER TO portal_owner;

CREATE FUNCTION public.report_job_identify(p_job bigint) RETURNS bigint
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
DECLARE
    uid bigint;
    tok text := 'report-job:' || p_job;
BEGIN
    SELECT u.id INTO uid FROM report_jobs j JOIN users u ON u.id = j.requested_by
     WHERE j.id = p_job AND j.state = 'running' AND u.status = 'active';
    PERFORM set_config('app.token', tok, true);
    PERFORM identity_keep(tok, uid, NULL);
    RETURN uid;
END $$;

ALTER FUNCTION public.report_job_identify(p_job bigint) OWNER TO portal_owner;

CREATE FUNCTION public.report_job_recipients(p_job bigint) RETURNS TABLE(recipient text, delivery text, pdf_bytes integer, expires_at text)
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
    SELECT r, s.delivery, j.pdf_bytes, to_char(j.expires_at AT TIME ZONE 'UTC', 'YYYY-MM-DD')
      FROM report_jobs j JOIN report_schedules s ON s.id = j.schedule_id, unnest(s.recipients) r
     WHERE j.id = p_job AND j.state = 'done'
$$;

ALTER FUNCTION public.report_job_recipients(p_job bigint) OWNER TO portal_owner;

CREATE FUNCTION public.report_job_visible(p_tenant bigint, p_requested_by bigint, p_kind text) RETURNS boolean
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
    SELECT (SELECT tenant_visible(p_tenant))
           AND CASE WHEN p_kind = 'billing' THEN billing_may_see(p_tenant)
                    ELSE p_requested_by = app_user_id()
                         OR coalesce(effective_role(p_tenant), '') IN ('owner', 'admin', 'mssp_admin') END
$$;

ALTER FUNCTION public.report_job_visible(p_tenant bigint, p_requested_by bigint, p_kind text) OWNER TO portal_owner;

CREATE FUNCTION public.report_jobs_expire(p_max_attempts integer) RETURNS integer
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
DECLARE
    a int;
    b int;
BEGIN
    UPDATE report_jobs SET state = 'expired', pdf = NULL
     WHERE state = 'done' AND expires_at <= now();
    GET DIAGNOSTICS a = ROW_COUNT;
    UPDATE report_jobs SET state = 'failed', finished_at = now(), lease_until = NULL,
           error = coalesce(error, 'the reporter stopped while making it')
     WHERE state = 'running' AND lease_until < now() AND attempts >= p_max_attempts;
    GET DIAGNOSTICS b = ROW_COUNT;
    RETURN a + b;
END $$;

ALTER FUNCTION public.report_jobs_expire(p_max_attempts integer) OWNER TO portal_owner;

CREATE FUNCTION public.report_jobs_of(p_tenant bigint, p_limit integer) RETURNS TABLE(id bigint, kind text, paper text, period_from date, period_to date, state text, attempts integer, requested_by text, mine boolean, created_at timestamp with time zone, started_at timestamp with time zone, finished_at timestamp with time zone, next_try_at timestamp with time zone, error text, pdf_bytes integer, expires_at timestamp with time zone, cadence text, mails_sent integer, mails_queued integer, mails_failed integer)
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
    SELECT j.id, j.kind, j.paper, j.period_from, j.period_to, j.state, j.attempts,
           coalesce(u.name, u.email, 'deleted user'), j.requested_by IS NOT DISTINCT FROM app_user_id(),
           j.created_at, j.started_at, j.finished_at, j.next_try_at, j.error, j.pdf_bytes, j.expires_at,
           s.cadence, coalesce(m.sent, 0), coalesce(m.queued, 0), coalesce(m.failed, 0)
      FROM report_jobs j
      LEFT JOIN users u ON u.id = j.requested_by
      LEFT JOIN report_schedules s ON s.id = j.schedule_id
      LEFT JOIN LATERAL (SELECT (count(*) FILTER (WHERE o.status = 'sent'))::int AS sent,
                                (count(*) FILTER (WHERE o.status = 'queued'))::int AS queued,
                                (count(*) FILTER (WHERE o.status = 'failed'))::int AS failed
                           FROM mail_outbox o WHERE o.report_job_id = j.id) m ON j.schedule_id IS NOT NULL
     WHERE j.tenant_id = p_tenant AND report_job_visible(j.tenant_id, j.requested_by, j.kind)
     ORDER BY j.created_at DESC, j.id DESC
     LIMIT p_limit
$$;

ALTER FUNCTION public.report_jobs_of(p_tenant bigint, p_limit integer) OWNER TO portal_owner;

CREATE FUNCTION public.report_link_file(p_token text) RETURNS TABLE(pdf bytea, kind text, period_from date, period_to date, tenant_id bigint)
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
    SELECT j.pdf, j.kind, j.period_from, j.period_to, j.tenant_id
      FROM report_links l JOIN report_jobs j ON j.id = l.job_id
     WHERE token_shaped(p_token) AND l.token_hash = token_digest(p_token)
       AND l.expires_at > now() AND j.state = 'done'
$$;

ALTER FUNCTION public.report_link_file(p_token text) OWNER TO portal_owner;

CREATE FUNCTION public.report_mail_queue(p_job bigint, p_to text, p_subject text, p_text text, p_html text, p_attach boolean) RETURNS boolean
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
DECLARE
    j report_jobs;
    t text;
BEGIN
    SELECT * INTO j FROM report_jobs WHERE id = p_job AND state = 'done';
    IF NOT FOUND OR NOT mail_limit_take('report-mail:' || j.tenant_id, 500, interval '1 day') THEN
        RETURN false;
    END IF;
    IF p_attach THEN
        INSERT INTO mail_outbox (tenant_id, root_id, to_addr, subject, body_text, body_html, report_job_id,
                                 attachment_name, attachment)
        VALUES (j.tenant_id, j.root_id, p_to, p_subject, p_text, p_html, j.id,
                CASE j.kind WHEN 'billing' THEN 'billing-statement-' ELSE j.kind || '-report-' END || j.period_from || '-' || j.period_to || '.pdf', j.pdf);
    ELSE
        t := random_token();
        INSERT INTO report_links (token_hash, job_id, tenant_id, root_id, recipient, expires_at)
        VALUES (token_digest(t), j.id, j.tenant_id, j.root_id, p_to, j.expires_at);
        INSERT INTO mail_outbox (tenant_id, root_id, to_addr, subject, body_text, body_html, report_job_id)
        VALUES (j.tenant_id, j.root_id, p_to, p_subject, replace(p_text, '@@link-token@@', t),
                replace(p_html, '@@link-token@@', t), j.id);
    END IF;
    RETURN true;
END $$;

ALTER FUNCTION public.report_mail_queue(p_job bigint, p_to text, p_subject text, p_text text, p_html text, p_attach boolean) OWNER TO portal_owner;

CREATE FUNCTION public.report_next_run(p_cadence text, p_after timestamp with time zone) RETURNS timestamp with time zone
    LANGUAGE sql IMMUTABLE
    SET search_path TO 'public', 'pg_temp'
    AS $$
    SELECT CASE WHEN b > p_after THEN b ELSE b + CASE p_cadence WHEN 'monthly' THEN interval '1 month'
                                                                ELSE interval '7 days' END END
      FROM (SELECT (date_trunc(CASE p_cadence WHEN 'monthly' THEN 'month' ELSE 'week' END,
                               p_after AT TIME ZONE 'UTC') + interval '6 hours') AT TIME ZONE 'UTC' AS b) x
$$;

ALTER FUNCTION public.report_next_run(p_cadence text, p_after timestamp with time zone) OWNER TO portal_owner;

CREATE FUNCTION public.report_request(p_tenant bigint, p_kind text, p_paper text, p_from date, p_to date) RETURNS bigint
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
DECLARE
    uid bigint := app_user_id();
    t tenants;
    job bigint;
BEGIN
    IF uid IS NULL OR NOT tenant_visible(p_tenant) THEN
        RETURN -1;
    END IF;
    SELECT * INTO t FROM tenants WHERE id = p_tenant;
    IF p_kind = 'consolidated' AND t.kind = 'company' THEN
        RAISE EXCEPTION 'A consolidated report covers the customers of an MSP or MSSP.' USING ERRCODE = '22023';
    END IF;
    IF p_kind = 'billing' THEN
        IF NOT billing_may_see(p_tenant) THEN
            RETURN -1;
        END IF;
        IF p_from <> date_trunc('month', p_from)::date
           OR p_to <> (date_trunc('month', p_from) + interval '1 month - 1 day')::date THEN
            RAISE EXCEPTION 'A billing statement covers one calendar month, from its first day to its last.'
                USING ERRCODE = '22023';
        END IF;
        IF NOT EXISTS (SELECT 1 FROM billing_statements s WHERE s.account_id = p_tenant AND s.month = p_from) THEN
            RAISE EXCEPTION 'There is no statement for %.', to_char(p_from, 'FMMonth YYYY') USING ERRCODE = '22023';
        END IF;
    END IF;
    -- one request at a time per person, so the count below holds
    PERFORM pg_advisory_xact_lock(hashtextextended('report_request:' || uid, 0));
    IF (SELECT count(*) FROM report_jobs WHERE requested_by = uid AND state IN ('queued', 'running')) >= 5 THEN
        RETURN NULL;
    END IF;
    INSERT INTO report_jobs (tenant_id, root_id, requested_by, kind, paper, period_from, period_to)
    VALUES (p_tenant, t.root_id, uid, p_kind, p_paper, p_from, p_to) RETURNING id INTO job;
    RETURN job;
END $$;

ALTER FUNCTION public.report_request(p_tenant bigint, p_kind text, p_paper text, p_from date, p_to date) OWNER TO portal_owner;

CREATE FUNCTION public.report_retention_days(p_tenant bigint) RETURNS integer
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
    SELECT coalesce((SELECT s.retention_days FROM tenants t JOIN report_settings s ON s.tenant_id = ANY (t.ancestors)
                      WHERE t.id = p_tenant ORDER BY array_position(t.ancestors, s.tenant_id) DESC LIMIT 1), 90)
$$;

ALTER FUNCTION public.report_retention_days(p_tenant bigint) OWNER TO portal_owner;

CREATE FUNCTION public.report_retention_set(p_tenant bigint, p_days integer) RETURNS boolean
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
BEGIN
    IF NOT tenant_visible(p_tenant)
       OR coalesce(effective_role(p_tenant), '') NOT IN ('owner', 'admin', 'mssp_admin') THEN
        RETURN false;
    END IF;
    INSERT INTO report_settings (tenant_id, root_id, retention_days, updated_by)
    SELECT id, root_id, p_days, app_user_id() FROM tenants WHERE id = p_tenant
    ON CONFLICT (tenant_id) DO UPDATE SET retention_days = excluded.retention_days,
        updated_by = excluded.updated_by, updated_at = now();
    UPDATE report_jobs j SET expires_at = j.finished_at + make_interval(days => report_retention_days(j.tenant_id))
      FROM tenants t
     WHERE t.id = j.tenant_id AND p_tenant = ANY (t.ancestors) AND j.state = 'done';
    RETURN true;
END $$;

ALTER FUNCTION public.report_retention_set(p_tenant bigint, p_days integer) OWNER TO portal_owner;

CREATE FUNCTION public.report_schedule_delete(p_tenant bigint, p_id bigint) RETURNS TABLE(kind text, cadence text)
    LANGUAGE sql SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
    DELETE FROM report_schedules s
     WHERE s.id = p_id AND s.tenant_id = p_tenant AND (SELECT tenant_visible(p_tenant))
       AND coalesce(effective_role(p_tenant), '') IN ('owner', 'admin', 'mssp_admin')
       AND (s.kind <> 'billing' OR billing_may_see(p_tenant))
    RETURNING s.kind, s.cadence
$$;

ALTER FUNCTION public.report_schedule_delete(p_tenant bigint, p_id bigint) OWNER TO portal_owner;

CREATE FUNCTION public.report_schedule_save(p_tenant bigint, p_kind text, p_paper text, p_cadence text, p_delivery text, p_recipients text[]) RETURNS bigint
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
DECLARE
    t tenants;
    id bigint;
BEGIN
    IF NOT tenant_visible(p_tenant)
       OR coalesce(effective_role(p_tenant), '') NOT IN ('owner', 'admin', 'mssp_admin')
       OR (p_kind = 'billing' AND NOT billing_may_see(p_tenant)) THEN
        RETURN -1;
    END IF;
    SELECT * INTO t FROM tenants WHERE tenants.id = p_tenant FOR UPDATE;
    IF p_kind = 'consolidated' AND t.kind = 'company' THEN
        RAISE EXCEPTION 'A consolidated report covers the customers of an MSP or MSSP.' USING ERRCODE = '22023';
    END IF;
    IF p_kind = 'billing' AND p_cadence <> 'monthly' THEN
        RAISE EXCEPTION 'A billing statement is made once a month.' USING ERRCODE = '22023';
    END IF;
    IF (SELECT count(*) FROM report_schedules s WHERE s.tenant_id = p_tenant) >= 10 THEN
        RETURN NULL;
    END IF;
    INSERT INTO report_schedules (tenant_id, root_id, created_by, kind, paper, cadence, delivery, recipients,
                                  next_run_at)
    VALUES (p_tenant, t.root_id, app_user_id(), p_kind, p_paper, p_cadence, p_delivery, p_recipients,
            report_next_run(p_cadence, now()))
    RETURNING report_schedules.id INTO id;
    RETURN id;
END $$;

ALTER FUNCTION public.report_schedule_save(p_tenant bigint, p_kind text, p_paper text, p_cadence text, p_delivery text, p_recipients text[]) OWNER TO portal_owner;

CREATE FUNCTION public.report_schedules_fire() RETURNS integer
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
DECLARE
    s report_schedules;
    run timestamptz;
    f date;
    k int;
    n int := 0;
BEGIN
    FOR s IN SELECT * FROM report_schedules WHERE next_run_at <= now()
              ORDER BY next_run_at LIMIT 50 FOR UPDATE SKIP LOCKED LOOP
        -- the latest run due: an outage of several periods makes one report
        run := s.next_run_at;
        WHILE report_next_run(s.cadence, run) <= now() LOOP
            run := report_next_run(s.cadence, run);
        END LOOP;
        f := CASE s.cadence WHEN 'monthly' THEN (date_trunc('month', run AT TIME ZONE 'UTC') - interval '1 month')::date
                            ELSE (date_trunc('week', run AT TIME ZONE 'UTC'))::date - 7 END;
        -- A billing statement waits for its month to end in the account's
        -- time zone (06:00 there on the 1st), when the reporter closes it.
        INSERT INTO report_jobs (tenant_id, root_id, requested_by, kind, paper, period_from, period_to, schedule_id,
                                 next_try_at)
        VALUES (s.tenant_id, s.root_id, s.created_by, s.kind, s.paper, f,
                CASE s.cadence WHEN 'monthly' THEN (date_trunc('month', run AT TIME ZONE 'UTC'))::date - 1
                               ELSE f + 6 END, s.id,
                CASE WHEN s.kind = 'billing'
                     THEN greatest(now(), ((f + interval '1 month' + interval '6 hours')
                                           AT TIME ZONE coalesce((SELECT a.time_zone FROM billing_accounts a
                                                                   WHERE a.tenant_id = s.tenant_id), 'UTC')))
                     ELSE now() END)
        ON CONFLICT (schedule_id, period_from) WHERE schedule_id IS NOT NULL DO NOTHING;
        GET DIAGNOSTICS k = ROW_COUNT;
        n := n + k;
        UPDATE report_schedules SET next_run_at = report_next_run(s.cadence, run) WHERE id = s.id;
    END LOOP;
    RETURN n;
END $$;

ALTER FUNCTION public.report_schedules_fire() OWNER TO portal_owner;

CREATE FUNCTION public.report_schedules_of(p_tenant bigint) RETURNS TABLE(id bigint, kind text, paper text, cadence text, delivery text, recipients text[], created_by text, next_run_at timestamp with time zone, last_job bigint, last_state text, last_from date, last_to date)
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
    SELECT s.id, s.kind, s.paper, s.cadence, s.delivery, s.recipients, coalesce(u.name, u.email, 'deleted user'),
           s.next_run_at, j.id, j.state, j.period_from, j.period_to
      FROM report_schedules s
      LEFT JOIN users u ON u.id = s.created_by
      LEFT JOIN LATERAL (SELECT * FROM report_jobs x WHERE x.schedule_id = s.id
                          ORDER BY x.period_from DESC LIMIT 1) j ON true
     WHERE s.tenant_id = p_tenant AND (SELECT tenant_visible(p_tenant))
       AND coalesce(effective_role(p_tenant), '') IN ('owner', 'admin', 'mssp_admin')
       AND (s.kind <> 'billing' OR billing_may_see(p_tenant))
     ORDER BY s.created_at, s.id
$$;

ALTER FUNCTION public.report_schedules_of(p_tenant bigint) OWNER TO portal_owner;

CREATE FUNCTION public.request_asks_settle(p_request bigint) RETURNS void
    LANGUAGE sql
    SET search_path TO 'public', 'pg_temp'
    AS $$
    UPDATE notifications SET read_at = now()
     WHERE request_id = p_request AND kind = 'msp_request' AND read_at IS NULL;
$$;

ALTER FUNCTION public.request_asks_settle(p_request bigint) OWNER TO portal_owner;

CREATE FUNCTION public.request_context(p_token text, p_idle integer, p_tenant bigint, p_host text) RETURNS TABLE(brand_tenant_id bigint, page_title text, footer text, logo_light text, logo_dark text, host text, session_id bigint, user_id bigint, email text, name text, unread bigint, bell json, t_parent bigint, t_root bigint, t_name text, t_kind text, t_region text, t_role text, t_version bigint, t_hour bigint, t_scope text, t_until bigint, t_path json)
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
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

ALTER FUNCTION public.request_context(p_token text, p_idle integer, p_tenant bigint, p_host text) OWNER TO portal_owner;

CREATE FUNCTION public.request_people(p_request bigint, p_side text) RETURNS TABLE(user_id bigint, email text, name text, tenant_id bigint)
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
    SELECT u.id, u.email, u.name, m.tenant_id
      FROM msp_requests q
      JOIN memberships m ON m.tenant_id = CASE p_side WHEN 'mssp' THEN q.mssp_id ELSE q.msp_tenant_id END
      JOIN users u ON u.id = m.user_id
     WHERE q.id = p_request AND u.status = 'active' AND m.status = 'active'
       AND m.role = ANY (CASE p_side WHEN 'mssp' THEN ARRAY['mssp_admin'] ELSE ARRAY['owner', 'admin'] END)
       AND (tenant_visible(q.mssp_id) OR tenant_visible(q.msp_tenant_id))
     ORDER BY u.id
$$;

ALTER FUNCTION public.request_people(p_request bigint, p_side text) OWNER TO portal_owner;

CREATE FUNCTION public.risk_top(p_tenant bigint, p_limit integer) RETURNS TABLE(id bigint, name text, risk bigint, incidents_open bigint, incidents_open_critical bigint, vuln_critical bigint, rest_count bigint, rest_risk bigint, rest_max bigint)
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $_$
DECLARE
    sc bigint[] := app_scope();
    ex bigint[] := app_exact();
    t tenants%ROWTYPE;
    lim int := greatest(least(p_limit, 50), 1);
    below text;  -- the column of tenant_stats naming the tenant's companies
BEGIN
    SELECT * INTO t FROM tenants WHERE tenants.id = p_tenant;
    IF NOT FOUND OR NOT scope_sees(t.ancestors, t.id, sc, ex) THEN
        RETURN;
    END IF;
    below := CASE WHEN t.parent_id IS NULL THEN 'root_id' ELSE 'parent_id' END;
    IF t.ancestors && sc THEN
        RETURN QUERY EXECUTE format($q$
            WITH top AS MATERIALIZED (
                SELECT x.tenant_id, x.name, x.risk, x.incidents_open, x.incidents_open_critical, x.vuln_critical
                  FROM tenant_stats x JOIN tenants c ON c.id = x.tenant_id AND c.status = 'active'
                 WHERE x.%1$I = $1 AND x.risk > 0 AND x.is_company
                 ORDER BY x.risk DESC, x.name, x.tenant_id LIMIT $2 + 1
            ), shown AS MATERIALIZED (
                SELECT * FROM top ORDER BY top.risk DESC, top.name, top.tenant_id LIMIT $2
            ), every AS (
                SELECT count(*) AS n, coalesce(sum(x.risk), 0)::bigint AS r
                  FROM tenant_stats x WHERE x.%1$I = $1 AND x.risk > 0 AND x.is_company
            ), gone AS (
                SELECT count(*) AS n, coalesce(sum(x.risk), 0)::bigint AS r
                  FROM tenants c JOIN tenant_stats x ON x.tenant_id = c.id
                 WHERE c.root_id = $3 AND c.status <> 'active' AND x.%1$I = $1 AND x.risk > 0 AND x.is_company
            ), listed AS (
                SELECT count(*) AS n, coalesce(sum(s.risk), 0)::bigint AS r FROM shown s
            )
            SELECT s.tenant_id, s.name, s.risk, s.incidents_open, s.incidents_open_critical, s.vuln_critical,
                   every.n - gone.n - listed.n, every.r - gone.r - listed.r,
                   coalesce((SELECT top.risk FROM top ORDER BY top.risk DESC, top.name, top.tenant_id
                              OFFSET $2 LIMIT 1), 0)
              FROM shown s CROSS JOIN every CROSS JOIN gone CROSS JOIN listed
             ORDER BY s.risk DESC, s.name, s.tenant_id$q$, below) USING t.id, lim, t.root_id;
        RETURN;
    END IF;
    RETURN QUERY EXECUTE format($q$
        WITH seen AS (
            SELECT x.tenant_id, x.name, x.risk, x.incidents_open, x.incidents_open_critical, x.vuln_critical
              FROM tenant_stats x
              JOIN tenants c ON c.id = x.tenant_id AND c.status = 'active' AND scope_sees(c.ancestors, c.id, $2, $3)
             WHERE x.%I = $1 AND x.risk > 0 AND x.is_company
        ), top AS MATERIALIZED (
            SELECT * FROM seen s ORDER BY s.risk DESC, s.name, s.tenant_id LIMIT $4
        ), rest AS (
            SELECT count(*) AS n, coalesce(sum(s.risk), 0)::bigint AS r, coalesce(max(s.risk), 0) AS m
              FROM seen s WHERE s.tenant_id NOT IN (SELECT top.tenant_id FROM top)
        )
        SELECT top.tenant_id, top.name, top.risk, top.incidents_open, top.incidents_open_critical, top.vuln_critical,
               rest.n, rest.r, rest.m
          FROM top CROSS JOIN rest
         ORDER BY top.risk DESC, top.name, top.tenant_id$q$, below) USING t.id, sc, ex, lim;
END $_$;

ALTER FUNCTION public.risk_top(p_tenant bigint, p_limit integer) OWNER TO portal_owner;

CREATE FUNCTION public.role_on_path(p_ancestors bigint[], p_tenants bigint[], p_roles text[], p_assigned bigint[]) RETURNS text
    LANGUAGE plpgsql IMMUTABLE
    AS $$
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

ALTER FUNCTION public.role_on_path(p_ancestors bigint[], p_tenants bigint[], p_roles text[], p_assigned bigint[]) OWNER TO portal_owner;

CREATE FUNCTION public.roots_follow(p_subtree bigint) RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $_$
DECLARE tbl text;
BEGIN
    FOREACH tbl IN ARRAY ARRAY['audit_log', 'mail_outbox', 'notifications', 'invitations', 'sla_targets',
                               'branding_logos', 'plans', 'plan_sections', 'plan_shares', 'config_overrides',
                               'config_history'] LOOP
        EXECUTE format('UPDATE %I x SET root_id = t.root_id FROM tenants t'
                       ' WHERE t.id = x.tenant_id AND ($1 IS NULL OR $1 = ANY (t.ancestors))'
                       '   AND x.root_id IS DISTINCT FROM t.root_id', tbl) USING p_subtree;
    END LOOP;
END $_$;

ALTER FUNCTION public.roots_follow(p_subtree bigint) OWNER TO portal_owner;

CREATE FUNCTION public.scope_sees(p_ancestors bigint[], p_id bigint, p_scope bigint[], p_exact bigint[]) RETURNS boolean
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT p_ancestors && p_scope OR p_id = ANY (p_exact) $$;

ALTER FUNCTION public.scope_sees(p_ancestors bigint[], p_id bigint, p_scope bigint[], p_exact bigint[]) OWNER TO portal_owner;

CREATE FUNCTION public.scope_tops(p_id bigint, p_ancestors bigint[], p_scope bigint[]) RETURNS bigint[]
    LANGUAGE sql STABLE
    AS $$
    SELECT CASE WHEN p_ancestors && p_scope THEN ARRAY[p_id]
                ELSE ARRAY(SELECT a.id FROM tenants a
                            WHERE a.id = ANY (p_scope) AND a.id <> p_id AND a.ancestors @> ARRAY[p_id]
                              AND NOT (a.ancestors[1:cardinality(a.ancestors) - 1] && p_scope)
                            ORDER BY a.id) END
$$;

ALTER FUNCTION public.scope_tops(p_id bigint, p_ancestors bigint[], p_scope bigint[]) OWNER TO portal_owner;

CREATE FUNCTION public.session_check(p_id bigint, p_expires timestamp with time zone, p_last_seen timestamp with time zone, p_idle integer) RETURNS boolean
    LANGUAGE plpgsql
    SET search_path TO 'public', 'pg_temp'
    AS $$
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

ALTER FUNCTION public.session_check(p_id bigint, p_expires timestamp with time zone, p_last_seen timestamp with time zone, p_idle integer) OWNER TO portal_owner;

CREATE FUNCTION public.session_open(p_user bigint, p_ip text, p_ua text, p_max_seconds integer) RETURNS text
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
DECLARE t text := random_token();
BEGIN
    DELETE FROM sessions WHERE user_id = p_user AND expires_at < now();
    INSERT INTO sessions (token_hash, user_id, expires_at, ip, user_agent)
    VALUES (token_digest(t), p_user, now() + make_interval(secs => least(greatest(p_max_seconds, 60), 30 * 86400)),
            left(p_ip, 64), left(p_ua, 256));
    RETURN t;
END $$;

ALTER FUNCTION public.session_open(p_user bigint, p_ip text, p_ua text, p_max_seconds integer) OWNER TO portal_owner;

CREATE FUNCTION public.severity_weight(text) RETURNS integer
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $_$
    SELECT CASE $1 WHEN 'critical' THEN 4 WHEN 'high' THEN 3 WHEN 'medium' THEN 2 WHEN 'low' THEN 1 END
$_$;

ALTER FUNCTION public.severity_weight(text) OWNER TO portal_owner;

CREATE FUNCTION public.sla_breaching(p_tenant bigint) RETURNS TABLE(incident_id bigint, tenant_id bigint, name text, severity text, title text, opened_at timestamp with time zone, late_for text, minutes_over numeric)
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $_$
DECLARE
    sc bigint[] := app_scope();
    ex bigint[] := app_exact();
    t tenants%ROWTYPE;
    pl record;       -- read_plan()
    src text;
BEGIN
    SELECT * INTO t FROM tenants WHERE tenants.id = p_tenant;
    IF NOT FOUND OR NOT scope_sees(t.ancestors, t.id, sc, ex) THEN
        RETURN;
    END IF;
    pl := read_plan(t, sc, ex);
    src := CASE WHEN pl.how = 'tenants' THEN 'i.tenant_id = ANY ($1)' ELSE read_plan_rows(pl.how, 'i') END;
    -- Per severity: its open incidents oldest first, from before the
    -- least target of the tree for it (the root's, which every customer
    -- without targets of its own inherits, or any set below it), judged
    -- against their customer's targets, the first 200 late ones. A few
    -- customers (200 at most) have their targets read once, for all their
    -- incidents (an MSP's at L: 2,600 open incidents judged, each looking
    -- its customer's up, 18 ms); more, each incident's customer's.
    RETURN QUERY EXECUTE format($q$
        WITH eff AS MATERIALIZED (
            SELECT e.tenant_id, e.severity, e.ack_minutes, e.resolve_minutes
              FROM sla_targets_for($1) e)
        SELECT x.id, c.id, c.name, x.severity, x.title, x.opened_at, x.late_for, x.minutes_over
          FROM (SELECT d.severity, severity_weight(d.severity) AS w,
                       least(d.ack_minutes, d.resolve_minutes,
                             (SELECT min(least(s.ack_minutes, s.resolve_minutes))
                                FROM sla_targets s JOIN tenants a ON a.id = s.tenant_id
                               WHERE a.root_id = $2 AND s.severity = d.severity)) AS least_minutes
                  FROM sla_targets_for(ARRAY[$2::bigint]) d) d
         CROSS JOIN LATERAL (
            SELECT i.id, i.tenant_id, i.severity, i.title, i.opened_at, j.late_for, j.minutes_over
              FROM incidents i
             %s
             CROSS JOIN LATERAL (
                SELECT CASE WHEN i.acknowledged_at IS NULL AND now() - i.opened_at > make_interval(mins => e.ack_minutes)
                            THEN 'acknowledge' ELSE 'resolve' END AS late_for,
                       round((extract(epoch FROM now() - i.opened_at) / 60 -
                              CASE WHEN i.acknowledged_at IS NULL AND now() - i.opened_at > make_interval(mins => e.ack_minutes)
                                   THEN e.ack_minutes ELSE e.resolve_minutes END)::numeric, 0) AS minutes_over) j
             WHERE %s AND i.closed_at IS NULL AND severity_weight(i.severity) = d.w
               AND i.opened_at < now() - make_interval(mins => d.least_minutes)
               AND ((i.acknowledged_at IS NULL AND now() - i.opened_at > make_interval(mins => e.ack_minutes))
                    OR now() - i.opened_at > make_interval(mins => e.resolve_minutes))
             ORDER BY i.opened_at, i.id LIMIT 200) x
          JOIN tenants c ON c.id = x.tenant_id
         ORDER BY d.w DESC, x.opened_at, x.id
         LIMIT 200 $q$,
        CASE WHEN pl.how = 'tenants' THEN 'JOIN eff e ON e.tenant_id = i.tenant_id AND e.severity = i.severity'
             ELSE 'CROSS JOIN LATERAL (SELECT e.ack_minutes, e.resolve_minutes FROM sla_targets_for(ARRAY[i.tenant_id]) e'
                  ' WHERE e.severity = i.severity) e' END, src)
        USING pl.tids, t.root_id, t.id, sc, ex;
END $_$;

ALTER FUNCTION public.sla_breaching(p_tenant bigint) OWNER TO portal_owner;

CREATE FUNCTION public.sla_effective(p_tenant bigint) RETURNS TABLE(severity text, ack_minutes integer, resolve_minutes integer, source_id bigint, source_name text)
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
    SELECT e.severity, e.ack_minutes, e.resolve_minutes, e.source_id, e.source_name
      FROM sla_targets_for(ARRAY[p_tenant]) e
     WHERE (SELECT tenant_visible(p_tenant))
     ORDER BY array_position(ARRAY['critical','high','medium','low'], e.severity)
$$;

ALTER FUNCTION public.sla_effective(p_tenant bigint) OWNER TO portal_owner;

CREATE FUNCTION public.sla_report(p_tenant bigint, p_days integer, p_page integer) RETURNS TABLE(tenant_id bigint, name text, severity text, incidents bigint, ack_p50 numeric, ack_p90 numeric, resolve_p50 numeric, resolve_p90 numeric, breaches bigint, ack_met bigint, ack_due bigint, resolve_met bigint, resolve_due bigint, total bigint, paged boolean)
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
    WITH pg AS MATERIALIZED (
        SELECT * FROM customer_page(p_tenant, p_page)
    ), scope AS MATERIALIZED (
        SELECT c.id, c.name FROM pg CROSS JOIN unnest(pg.ids) AS u(id) JOIN tenants c ON c.id = u.id
    ), eff AS MATERIALIZED (
        SELECT e.tenant_id, e.severity, e.ack_minutes, e.resolve_minutes
          FROM sla_targets_for(ARRAY(SELECT id FROM scope)) e
    ), judged AS MATERIALIZED (
        SELECT i.tenant_id, i.severity, i.acknowledged_at, i.closed_at, e.ack_minutes, e.resolve_minutes,
               extract(epoch FROM coalesce(i.acknowledged_at, now()) - i.opened_at) / 60 AS ack_min,
               extract(epoch FROM coalesce(i.closed_at, now()) - i.opened_at) / 60 AS res_min
          FROM eff e JOIN incidents i ON i.tenant_id = e.tenant_id AND i.severity = e.severity
         WHERE i.opened_at > now() - make_interval(days => least(greatest(p_days, 1), 90))
    ), customers AS (
        SELECT s.id, s.name, count(j.tenant_id) AS incidents,
               round((percentile_cont(0.5) WITHIN GROUP (ORDER BY j.ack_min) FILTER (WHERE j.acknowledged_at IS NOT NULL))::numeric, 1) AS ack_p50,
               round((percentile_cont(0.9) WITHIN GROUP (ORDER BY j.ack_min) FILTER (WHERE j.acknowledged_at IS NOT NULL))::numeric, 1) AS ack_p90,
               round((percentile_cont(0.5) WITHIN GROUP (ORDER BY j.res_min) FILTER (WHERE j.closed_at IS NOT NULL))::numeric, 1) AS resolve_p50,
               round((percentile_cont(0.9) WITHIN GROUP (ORDER BY j.res_min) FILTER (WHERE j.closed_at IS NOT NULL))::numeric, 1) AS resolve_p90,
               count(*) FILTER (WHERE j.ack_min > j.ack_minutes OR j.res_min > j.resolve_minutes) AS breaches
          FROM scope s LEFT JOIN judged j ON j.tenant_id = s.id
         GROUP BY s.id, s.name
    )
    SELECT u.tenant_id, u.name, u.severity, u.incidents, u.ack_p50, u.ack_p90, u.resolve_p50, u.resolve_p90,
           u.breaches, u.ack_met, u.ack_due, u.resolve_met, u.resolve_due, pg.total, pg.paged
      FROM (SELECT c.id AS tenant_id, c.name, NULL::text AS severity, c.incidents, c.ack_p50, c.ack_p90,
                   c.resolve_p50, c.resolve_p90, c.breaches, NULL::bigint AS ack_met, NULL::bigint AS ack_due,
                   NULL::bigint AS resolve_met, NULL::bigint AS resolve_due
              FROM customers c
             WHERE c.incidents > 0 OR (SELECT paged FROM pg)
            UNION ALL
            SELECT j.tenant_id, NULL, j.severity, count(*), NULL, NULL, NULL, NULL, NULL,
                   count(*) FILTER (WHERE j.acknowledged_at IS NOT NULL AND j.ack_min <= j.ack_minutes),
                   count(*) FILTER (WHERE j.acknowledged_at IS NOT NULL OR j.ack_min > j.ack_minutes),
                   count(*) FILTER (WHERE j.closed_at IS NOT NULL AND j.res_min <= j.resolve_minutes),
                   count(*) FILTER (WHERE j.closed_at IS NOT NULL OR j.res_min > j.resolve_minutes)
              FROM judged j
             GROUP BY j.tenant_id, j.severity) u
      CROSS JOIN pg
     ORDER BY u.severity IS NOT NULL,
              CASE WHEN pg.paged THEN 0 ELSE -u.breaches END, lower(u.name), u.tenant_id, u.severity
$$;

ALTER FUNCTION public.sla_report(p_tenant bigint, p_days integer, p_page integer) OWNER TO portal_owner;

CREATE TABLE public.sla_targets (
    tenant_id bigint NOT NULL,
    root_id bigint NOT NULL,
    severity text NOT NULL,
    ack_minutes integer NOT NULL,
    resolve_minutes integer NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT sla_targets_ack_minutes_check CHECK (((ack_minutes >= 1) AND (ack_minutes <= 43200))),
    CONSTRAINT sla_targets_check CHECK ((resolve_minutes >= ack_minutes)),
    CONSTRAINT sla_targets_resolve_minutes_check CHECK (((resolve_minutes >= 1) AND (resolve_minutes <= 525600))),
    CONSTRAINT sla_targets_severity_check CHECK ((severity = ANY (ARRAY['critical'::text, 'high'::text, 'medium'::text, 'low'::text])))
);

ALTER TABLE ONLY public.sla_targets FORCE ROW LEVEL SECURITY;

ALTER TABLE public.sla_targets OWNER TO portal_owner;

CREATE FUNCTION public.sla_targets_for(p_tenants bigint[]) RETURNS TABLE(tenant_id bigint, severity text, ack_minutes integer, resolve_minutes integer, source_id bigint, source_name text)
    LANGUAGE sql STABLE
    BEGIN ATOMIC
 SELECT t.id,
     d.severity,
     COALESCE(x.ack_minutes, d.ack) AS "coalesce",
     COALESCE(x.resolve_minutes, d.res) AS "coalesce",
     x.tenant_id,
     x.name
    FROM ((public.tenants t
      CROSS JOIN ( VALUES ('critical'::text,15,240), ('high'::text,60,1440), ('medium'::text,240,4320), ('low'::text,1440,10080)) d(severity, ack, res))
      LEFT JOIN LATERAL ( SELECT s.ack_minutes,
             s.resolve_minutes,
             s.tenant_id,
             a.name
            FROM (public.sla_targets s
              JOIN public.tenants a ON ((a.id = s.tenant_id)))
           WHERE ((s.tenant_id = ANY (t.ancestors)) AND (s.severity = d.severity))
           ORDER BY (array_position(t.ancestors, s.tenant_id)) DESC
          LIMIT 1) x ON (true))
   WHERE (t.id = ANY (sla_targets_for.p_tenants));
END;

ALTER FUNCTION public.sla_targets_for(p_tenants bigint[]) OWNER TO portal_owner;

CREATE FUNCTION public.stats_apply(d jsonb) RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
BEGIN
    INSERT INTO tenant_stats AS s (tenant_id, version, is_company, root_id, parent_id, name, probes, agents,
                                   gateways, discovered, external, vuln_critical, vuln_high, vuln_medium, vuln_low,
                                   incidents_open, incidents_open_critical, msps, companies)
    SELECT a.id, 1, a.kind = 'company', a.root_id, a.parent_id, a.name, coalesce(sum(x.probes), 0),
           coalesce(sum(x.agents), 0), coalesce(sum(x.gateways), 0), coalesce(sum(x.discovered), 0),
           coalesce(sum(x.external), 0), coalesce(sum(x.vuln_critical), 0), coalesce(sum(x.vuln_high), 0),
           coalesce(sum(x.vuln_medium), 0), coalesce(sum(x.vuln_low), 0), coalesce(sum(x.incidents_open), 0),
           coalesce(sum(x.incidents_open_critical), 0), coalesce(sum(x.msps), 0), coalesce(sum(x.companies), 0)
      FROM jsonb_to_recordset(d) AS x(tenant_id bigint, probes bigint, agents bigint, gateways bigint, discovered bigint,
                                      external bigint, vuln_critical bigint, vuln_high bigint, vuln_medium bigint,
                                      vuln_low bigint, incidents_open bigint, incidents_open_critical bigint,
                                      msps bigint, companies bigint)
      JOIN tenants t ON t.id = x.tenant_id
      JOIN tenants a ON a.id = ANY (t.ancestors)
     GROUP BY a.id, a.kind, a.root_id, a.parent_id, a.name
     ORDER BY a.id   -- a fixed order: concurrent batches lock rows alike, no deadlock
    ON CONFLICT (tenant_id) DO UPDATE SET
        probes = s.probes + excluded.probes, agents = s.agents + excluded.agents,
        gateways = s.gateways + excluded.gateways,
        discovered = s.discovered + excluded.discovered, external = s.external + excluded.external,
        vuln_critical = s.vuln_critical + excluded.vuln_critical, vuln_high = s.vuln_high + excluded.vuln_high,
        vuln_medium = s.vuln_medium + excluded.vuln_medium, vuln_low = s.vuln_low + excluded.vuln_low,
        incidents_open = s.incidents_open + excluded.incidents_open,
        incidents_open_critical = s.incidents_open_critical + excluded.incidents_open_critical,
        msps = s.msps + excluded.msps, companies = s.companies + excluded.companies,
        version = s.version + 1, is_company = excluded.is_company,
        root_id = excluded.root_id, parent_id = excluded.parent_id, name = excluded.name;
END $$;

ALTER FUNCTION public.stats_apply(d jsonb) OWNER TO portal_owner;

CREATE FUNCTION public.stats_deltas_sql(p_op text, p_cols text, p_where text, p_fields text) RETURNS text
    LANGUAGE sql STABLE
    AS $$
    SELECT format('SELECT jsonb_agg(g) FROM (SELECT jsonb_build_object(''tenant_id'', tenant_id, %s) AS g'
                  ' FROM (%s) r WHERE %s GROUP BY tenant_id) x', p_fields, delta_rows(p_op, p_cols), p_where)
$$;

ALTER FUNCTION public.stats_deltas_sql(p_op text, p_cols text, p_where text, p_fields text) OWNER TO portal_owner;

CREATE FUNCTION public.stats_touch(p_tenants bigint[]) RETURNS void
    LANGUAGE sql SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
    SELECT stats_apply(jsonb_agg(jsonb_build_object('tenant_id', t))) FROM unnest(p_tenants) t
     HAVING count(*) > 0
$$;

ALTER FUNCTION public.stats_touch(p_tenants bigint[]) OWNER TO portal_owner;

CREATE FUNCTION public.team_invitation_renew(p_tenant bigint, p_invitation bigint, p_token_hash text, p_days integer) RETURNS TABLE(email text, name text, role text)
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
BEGIN
    IF NOT tenant_visible(p_tenant) THEN
        RETURN;
    END IF;
    RETURN QUERY
    UPDATE invitations i SET token_hash = p_token_hash, sent_at = now(),
                             expires_at = now() + make_interval(days => p_days)
      FROM users u
     WHERE i.id = p_invitation AND i.tenant_id = p_tenant AND i.accepted_at IS NULL AND u.id = i.user_id
    RETURNING u.email, u.name, i.role;
END $$;

ALTER FUNCTION public.team_invitation_renew(p_tenant bigint, p_invitation bigint, p_token_hash text, p_days integer) OWNER TO portal_owner;

CREATE FUNCTION public.team_invitation_revoke(p_tenant bigint, p_invitation bigint) RETURNS TABLE(email text, role text)
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
DECLARE
    i invitations%ROWTYPE;
BEGIN
    IF NOT tenant_visible(p_tenant) THEN
        RETURN;
    END IF;
    DELETE FROM invitations x WHERE x.id = p_invitation AND x.tenant_id = p_tenant AND x.accepted_at IS NULL
    RETURNING * INTO i;
    IF NOT FOUND THEN
        RETURN;
    END IF;
    DELETE FROM memberships m USING users u
     WHERE m.user_id = i.user_id AND m.tenant_id = p_tenant AND u.id = m.user_id AND u.status = 'invited'
       AND NOT EXISTS (SELECT 1 FROM invitations x WHERE x.user_id = i.user_id AND x.tenant_id = p_tenant
                          AND x.accepted_at IS NULL);
    RETURN QUERY SELECT u.email, i.role FROM users u WHERE u.id = i.user_id;
END $$;

ALTER FUNCTION public.team_invitation_revoke(p_tenant bigint, p_invitation bigint) OWNER TO portal_owner;

CREATE FUNCTION public.team_invitations(p_tenant bigint) RETURNS TABLE(invitation_id bigint, email text, role text, invited_by text, sent_at timestamp with time zone, expires_at timestamp with time zone, expired boolean, total bigint)
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
    SELECT i.id, u.email, i.role, coalesce(b.name, ''), i.sent_at, i.expires_at, i.expires_at <= now(),
           count(*) OVER ()
      FROM invitations i JOIN users u ON u.id = i.user_id LEFT JOIN users b ON b.id = i.invited_by
     WHERE i.tenant_id = p_tenant AND i.accepted_at IS NULL AND (SELECT tenant_visible(p_tenant))
     ORDER BY i.sent_at DESC, i.id DESC
$$;

ALTER FUNCTION public.team_invitations(p_tenant bigint) OWNER TO portal_owner;

CREATE FUNCTION public.team_invite(p_tenant bigint, p_email text, p_name text, p_role text, p_token_hash text, p_days integer) RETURNS TABLE(user_id bigint, is_new boolean)
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
DECLARE
    u users%ROWTYPE;
    fresh boolean := false;
BEGIN
    IF NOT tenant_visible(p_tenant) THEN
        RAISE EXCEPTION 'tenant not found' USING ERRCODE = 'P0002';
    END IF;
    SELECT * INTO u FROM users WHERE lower(email) = lower(btrim(p_email));
    IF FOUND AND EXISTS (SELECT 1 FROM memberships m JOIN tenants t ON m.tenant_id = ANY (t.ancestors)
                          WHERE t.id = p_tenant AND m.user_id = u.id) THEN
        RAISE EXCEPTION 'already_member' USING ERRCODE = 'P0001';
    END IF;
    IF NOT FOUND THEN
        INSERT INTO users (email, name, status) VALUES (btrim(p_email), btrim(p_name), 'invited') RETURNING * INTO u;
        fresh := true;
        -- Listed in the team as invited; it signs in only by accepting.
        INSERT INTO memberships (user_id, tenant_id, role) VALUES (u.id, p_tenant, p_role);
    END IF;
    INSERT INTO invitations (tenant_id, root_id, user_id, role, token_hash, invited_by, expires_at)
    SELECT p_tenant, t.root_id, u.id, p_role, p_token_hash, app_user_id(), now() + make_interval(days => p_days)
      FROM tenants t WHERE t.id = p_tenant;
    RETURN QUERY SELECT u.id, fresh;
END $$;

ALTER FUNCTION public.team_invite(p_tenant bigint, p_email text, p_name text, p_role text, p_token_hash text, p_days integer) OWNER TO portal_owner;

CREATE FUNCTION public.team_members(p_tenant bigint) RETURNS TABLE(user_id bigint, email text, name text, status text, role text, created_at timestamp with time zone, membership_status text, account_ours boolean, operator_disabled boolean)
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
    SELECT u.id, u.email, u.name, u.status, m.role, m.created_at, m.status,
           NOT EXISTS (SELECT 1 FROM memberships o WHERE o.user_id = u.id
                        AND NOT tenant_visible(o.tenant_id)),
           u.disabled_by_operator
      FROM memberships m JOIN users u ON u.id = m.user_id
     WHERE m.tenant_id = p_tenant AND (SELECT tenant_visible(p_tenant))
     ORDER BY array_position(ARRAY['mssp_admin','owner','admin','mssp_analyst','analyst','viewer'], m.role), lower(u.name)
$$;

ALTER FUNCTION public.team_members(p_tenant bigint) OWNER TO portal_owner;

CREATE FUNCTION public.team_set_status(p_tenant bigint, p_user bigint, p_status text) RETURNS boolean
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
DECLARE
    changed boolean;
BEGIN
    IF NOT tenant_visible(p_tenant) OR p_status NOT IN ('active', 'disabled')
       OR NOT EXISTS (SELECT 1 FROM memberships WHERE tenant_id = p_tenant AND user_id = p_user) THEN
        RETURN false;
    END IF;
    IF EXISTS (SELECT 1 FROM users WHERE id = p_user AND disabled_by_operator) THEN
        RAISE EXCEPTION 'operator_disabled' USING ERRCODE = 'P0001';
    END IF;
    IF EXISTS (SELECT 1 FROM memberships m WHERE m.user_id = p_user
                AND NOT tenant_visible(m.tenant_id)) THEN
        RAISE EXCEPTION 'other_tenants' USING ERRCODE = 'P0001';
    END IF;
    IF p_status = 'disabled' AND EXISTS (
        SELECT 1 FROM memberships m WHERE m.user_id = p_user AND m.role IN ('owner', 'mssp_admin')
           AND m.status = 'active'
           AND NOT EXISTS (SELECT 1 FROM memberships o JOIN users u ON u.id = o.user_id
                            WHERE o.tenant_id = m.tenant_id AND o.role = m.role AND o.user_id <> p_user
                              AND o.status = 'active' AND u.status = 'active')) THEN
        RAISE EXCEPTION 'a tenant must keep at least one active Owner'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'last_owner';
    END IF;
    UPDATE users SET status = p_status WHERE id = p_user AND status NOT IN ('invited', p_status);
    changed := FOUND;
    IF changed AND p_status = 'disabled' THEN
        DELETE FROM sessions WHERE user_id = p_user;
    END IF;
    RETURN changed;
END $$;

ALTER FUNCTION public.team_set_status(p_tenant bigint, p_user bigint, p_status text) OWNER TO portal_owner;

CREATE FUNCTION public.tenant_brand_refresh(p_tenants bigint[]) RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
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

ALTER FUNCTION public.tenant_brand_refresh(p_tenants bigint[]) OWNER TO portal_owner;

CREATE FUNCTION public.tenant_children_rows(p_tenant bigint, p_q text, p_sort text, p_dir text, p_limit integer, p_offset integer) RETURNS TABLE(id bigint, name text, kind text, region text, companies bigint, probes bigint, agents bigint, discovered bigint, external bigint, vulns bigint, critical bigint, high bigint, medium bigint, low bigint, open_critical bigint, request text, request_expires bigint, total bigint)
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
BEGIN
    RETURN QUERY SELECT * FROM tenant_children_rows_as(p_tenant, p_q, p_sort, p_dir, p_limit, p_offset, app_scope(),
                                                       app_exact());
END $$;

ALTER FUNCTION public.tenant_children_rows(p_tenant bigint, p_q text, p_sort text, p_dir text, p_limit integer, p_offset integer) OWNER TO portal_owner;

CREATE FUNCTION public.tenant_children_rows_as(p_tenant bigint, p_q text, p_sort text, p_dir text, p_limit integer, p_offset integer, sc bigint[], ex bigint[]) RETURNS TABLE(id bigint, name text, kind text, region text, companies bigint, probes bigint, agents bigint, discovered bigint, external bigint, vulns bigint, critical bigint, high bigint, medium bigint, low bigint, open_critical bigint, request text, request_expires bigint, total bigint)
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    SET plan_cache_mode TO 'force_generic_plan'
    AS $$
DECLARE
    p tenants%ROWTYPE;
    ids bigint[];
    pos bigint[];    -- children_order()'s
    n bigint;
BEGIN
    SELECT * INTO p FROM tenants x WHERE x.id = p_tenant;
    IF NOT FOUND OR NOT scope_sees(p.ancestors, p.id, sc, ex) THEN
        RETURN;
    END IF;
    IF p_sort = 'name' AND p_q = '' AND p.ancestors && sc THEN
        SELECT CASE p.kind WHEN 'mssp' THEN s.msps WHEN 'msp' THEN s.companies ELSE 0 END INTO n
          FROM tenant_stats s WHERE s.tenant_id = p.id;
        IF p_dir = 'asc' THEN
            ids := ARRAY(SELECT c.id FROM tenants c WHERE c.parent_id = p.id AND c.status = 'active'
                          ORDER BY lower(c.name), c.id LIMIT p_limit OFFSET p_offset);
        ELSE
            ids := ARRAY(SELECT c.id FROM tenants c WHERE c.parent_id = p.id AND c.status = 'active'
                          ORDER BY lower(c.name) DESC, c.id DESC LIMIT p_limit OFFSET p_offset);
        END IF;
    ELSE
        SELECT children_order(array_agg(ROW(c.id, c.name, NULL, NULL, k.companies, k.probes, k.agents, k.discovered,
                                            k.external, k.vuln_critical + k.vuln_high + k.vuln_medium + k.vuln_low,
                                            k.vuln_critical, k.vuln_high, k.vuln_medium, k.vuln_low,
                                            k.incidents_open_critical, NULL, NULL, NULL)::dashboard_row
                                        ORDER BY lower(c.name), c.id),
                              p_sort, p_dir, p_limit, p_offset),
               array_agg(c.id ORDER BY lower(c.name), c.id), count(*)
          INTO pos, ids, n
          FROM tenants c
          -- The counters of each child: a primary-key probe per child
          -- (OFFSET 0: never a scan of every tenant's row).
          LEFT JOIN LATERAL (SELECT x.* FROM tenant_stats x WHERE x.tenant_id = c.id AND p_sort <> 'name' OFFSET 0) k ON true
         WHERE c.parent_id = p.id AND c.status = 'active' AND scope_sees(c.ancestors, c.id, sc, ex)
           AND (p_q = '' OR strpos(lower(c.name), lower(p_q)) > 0);
        -- The page's ids, from their positions (both aggregates in the order by name).
        ids := ARRAY(SELECT ids[u.i] FROM unnest(pos) WITH ORDINALITY AS u(i, n) ORDER BY u.n);
    END IF;
    RETURN QUERY
    SELECT c.id, c.name, c.kind, c.region,
           coalesce(s.companies, 0), coalesce(s.probes, 0), coalesce(s.agents, 0), coalesce(s.discovered, 0),
           coalesce(s.external, 0), coalesce(s.vuln_critical + s.vuln_high + s.vuln_medium + s.vuln_low, 0),
           coalesce(s.vuln_critical, 0), coalesce(s.vuln_high, 0), coalesce(s.vuln_medium, 0),
           coalesce(s.vuln_low, 0), coalesce(s.incidents_open_critical, 0),
           q.status, q.expires, coalesce(n, 0)
      FROM unnest(ids) WITH ORDINALITY AS i(id, ord)
      JOIN LATERAL (SELECT y.* FROM tenants y WHERE y.id = i.id OFFSET 0) c ON true
      LEFT JOIN LATERAL (SELECT x.* FROM tenant_stats x WHERE x.tenant_id = i.id OFFSET 0) s ON true
      -- The latest request; while pending, when it expires (epoch).
      LEFT JOIN LATERAL (SELECT msp_request_status(x) AS status,
                                CASE WHEN x.status = 'pending' THEN extract(epoch FROM x.expires_at)::bigint END AS expires
                           FROM msp_requests x WHERE x.msp_tenant_id = i.id
                          ORDER BY x.created_at DESC, x.id DESC LIMIT 1) q ON true
     ORDER BY i.ord;
END $$;

ALTER FUNCTION public.tenant_children_rows_as(p_tenant bigint, p_q text, p_sort text, p_dir text, p_limit integer, p_offset integer, sc bigint[], ex bigint[]) OWNER TO portal_owner;

CREATE FUNCTION public.tenant_crumbs(p_user bigint, p_tenant bigint) RETURNS json
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    SET plan_cache_mode TO 'force_generic_plan'
    AS $$
DECLARE
    t tenants%ROWTYPE;
    a user_access%ROWTYPE;
BEGIN
    SELECT * INTO t FROM tenants WHERE id = p_tenant;
    IF NOT FOUND THEN
        RETURN NULL;
    END IF;
    SELECT * INTO a FROM user_access WHERE user_id = p_user;   -- none: no role anywhere
    -- The k-th tenant on the path has the path's first k ids as its own
    -- ancestors: its role (tenant_role()) without reading it again.
    RETURN (SELECT json_agg(json_build_object('id', p.id, 'name', p.name) ORDER BY x.n)
              FROM unnest(t.ancestors[1:cardinality(t.ancestors) - 1]) WITH ORDINALITY AS x(id, n)
              JOIN tenants p ON p.id = x.id AND p.status = 'active'
             WHERE role_on_path(t.ancestors[1:x.n], a.tenants, a.roles, a.assigned) IS NOT NULL);
END $$;

ALTER FUNCTION public.tenant_crumbs(p_user bigint, p_tenant bigint) OWNER TO portal_owner;

CREATE FUNCTION public.tenant_pick_counts() RETURNS TABLE(mssps bigint, msps bigint, companies bigint)
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
#variable_conflict use_column
DECLARE
    sc bigint[] := app_scope();
    ex bigint[] := app_exact();
    top tenants%ROWTYPE := tenant_pick_top(sc, ex);
BEGIN
    IF top.id IS NOT NULL THEN
        RETURN QUERY
        SELECT CASE top.kind WHEN 'mssp' THEN 1 ELSE 0 END::bigint,
               CASE top.kind WHEN 'mssp' THEN coalesce(s.msps, 0) WHEN 'msp' THEN 1 ELSE 0 END,
               CASE top.kind WHEN 'company' THEN 1 ELSE coalesce(s.companies, 0) END
          FROM (SELECT 1) o LEFT JOIN tenant_stats s ON s.tenant_id = top.id;
        RETURN;
    END IF;
    RETURN QUERY
    SELECT count(*) FILTER (WHERE t.kind = 'mssp'), count(*) FILTER (WHERE t.kind = 'msp'), count(*) FILTER (WHERE t.kind = 'company')
      FROM tenants t
     WHERE t.status = 'active' AND (t.ancestors && sc OR t.id = ANY (ex));
END $$;

ALTER FUNCTION public.tenant_pick_counts() OWNER TO portal_owner;

CREATE FUNCTION public.tenant_pick_top(sc bigint[], ex bigint[]) RETURNS public.tenants
    LANGUAGE plpgsql STABLE
    AS $$
DECLARE
    t tenants%ROWTYPE;
BEGIN
    IF cardinality(ex) > 0 THEN
        RETURN NULL;
    END IF;
    SELECT x.* INTO t FROM tenants x
     WHERE x.id = ANY (sc) AND x.status = 'active'
       AND NOT EXISTS (SELECT 1 FROM tenants u WHERE u.id = ANY (sc) AND NOT x.id = ANY (u.ancestors));
    RETURN t;
END $$;

ALTER FUNCTION public.tenant_pick_top(sc bigint[], ex bigint[]) OWNER TO portal_owner;

CREATE FUNCTION public.tenant_picks(p_q text, p_kind text, p_limit integer, p_offset integer) RETURNS TABLE(n bigint, id bigint, name text, kind text, region text, parent_name text)
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
#variable_conflict use_column
DECLARE
    sc bigint[] := app_scope();
    ex bigint[] := app_exact();
    top tenants%ROWTYPE;
    q text := coalesce(p_q, '');
    lq text := lower(coalesce(p_q, ''));
    -- (the same test as a LIKE pattern, which the trigram index serves)
    pat text := '%' || replace(replace(replace(lq, '\', '\\'), '%', '\%'), '_', '\_') || '%';
    k text := coalesce(p_kind, '');
    lim bigint := p_limit;  -- rows still to return
    off bigint := p_offset; -- rows still to skip
    got bigint := 0;        -- rows returned
    r bigint;
    kid text;
BEGIN
    IF p_limit < 0 OR p_offset < 0 THEN  -- as LIMIT and OFFSET would
        RAISE EXCEPTION 'tenant_picks: negative limit or offset' USING ERRCODE = '2201W';
    END IF;
    top := tenant_pick_top(sc, ex);
    IF top.id IS NULL THEN
        -- (a parent's name only when the viewer sees the parent)
        RETURN QUERY
        SELECT p_offset + row_number() OVER (ORDER BY array_position(ARRAY['mssp', 'msp', 'company'], t.kind),
                                                      lower(t.name), t.id),
               t.id, t.name, t.kind, t.region, p.name
          FROM (SELECT x.id, x.name, x.kind, x.region, x.parent_id FROM tenants x
                 WHERE x.status = 'active' AND scope_sees(x.ancestors, x.id, sc, ex)
                   AND (q = '' OR strpos(lower(x.name), lq) > 0) AND (k = '' OR x.kind = k)
                 ORDER BY array_position(ARRAY['mssp', 'msp', 'company'], x.kind), lower(x.name), x.id
                 LIMIT p_limit OFFSET p_offset) t
          LEFT JOIN tenants p ON p.id = t.parent_id AND scope_sees(p.ancestors, p.id, sc, ex)
         ORDER BY 1;
        RETURN;
    END IF;
    -- The top itself (its parent is above what the viewer sees).
    IF (q = '' OR strpos(lower(top.name), lq) > 0) AND (k = '' OR top.kind = k) THEN
        IF off > 0 THEN
            off := off - 1;
        ELSIF lim > 0 THEN
            RETURN QUERY SELECT p_offset + 1::bigint, top.id, top.name, top.kind, top.region, NULL::text;
            lim := lim - 1;
            got := 1;
        END IF;
    END IF;
    -- Its children: an MSSP's MSPs, an MSP's companies. A page past them
    -- all skips them: counted (hundreds, not thousands).
    kid := CASE top.kind WHEN 'mssp' THEN 'msp' WHEN 'msp' THEN 'company' END;
    IF kid IS NOT NULL AND lim > 0 AND (k = '' OR k = kid) THEN
        RETURN QUERY
        SELECT p_offset + got + row_number() OVER (ORDER BY lower(y.name), y.id), y.id, y.name, y.kind, y.region,
               top.name
          FROM (SELECT x.id, x.name, x.kind, x.region FROM tenants x
                 WHERE x.parent_id = top.id AND x.kind = kid AND x.status = 'active'
                   AND (q = '' OR strpos(lower(x.name), lq) > 0)
                 ORDER BY lower(x.name), x.id LIMIT lim OFFSET off) y
         ORDER BY 1;
        GET DIAGNOSTICS r = ROW_COUNT;
        IF r = 0 AND off > 0 THEN
            off := off - (SELECT count(*) FROM tenants y
                           WHERE y.parent_id = top.id AND y.kind = kid AND y.status = 'active'
                             AND (q = '' OR strpos(lower(y.name), lq) > 0));
        ELSE
            off := 0;
        END IF;
        got := got + r;
        lim := lim - r;
    END IF;
    -- An MSSP's companies, its root's: read in name order
    -- (tenants_companies_by_name) until the page is full; a term of three
    -- letters or more is looked up in tenants_companies_by_trigram first
    -- (a rare one would otherwise read every company in name order to
    -- find none), then sorted.
    IF top.kind = 'mssp' AND lim > 0 AND (k = '' OR k = 'company') AND length(q) < 3 THEN
        RETURN QUERY
        SELECT p_offset + got + row_number() OVER (ORDER BY lower(y.name), y.id), y.id, y.name, y.kind, y.region,
               p.name
          FROM (SELECT x.id, x.name, x.kind, x.region, x.parent_id FROM tenants x
                 WHERE x.root_id = top.id AND x.kind = 'company' AND x.status = 'active'
                   AND (q = '' OR strpos(lower(x.name), lq) > 0)
                 ORDER BY lower(x.name), x.id LIMIT lim OFFSET off) y
          LEFT JOIN tenants p ON p.id = y.parent_id
         ORDER BY 1;
    ELSIF top.kind = 'mssp' AND lim > 0 AND (k = '' OR k = 'company') THEN
        RETURN QUERY
        SELECT p_offset + got + row_number() OVER (ORDER BY lower(y.name), y.id), y.id, y.name, y.kind, y.region,
               p.name
          FROM (SELECT x.id, x.name, x.kind, x.region, x.parent_id FROM tenants x
                 WHERE lower(x.name) LIKE pat AND x.root_id = top.id AND x.kind = 'company' AND x.status = 'active'
                 ORDER BY lower(x.name), x.id LIMIT lim OFFSET off) y
          LEFT JOIN tenants p ON p.id = y.parent_id
         ORDER BY 1;
    END IF;
END $$;

ALTER FUNCTION public.tenant_picks(p_q text, p_kind text, p_limit integer, p_offset integer) OWNER TO portal_owner;

CREATE FUNCTION public.tenant_role(p_user bigint, p_tenant bigint) RETURNS text
    LANGUAGE plpgsql STABLE
    SET search_path TO 'public', 'pg_temp'
    AS $$
DECLARE r text;
BEGIN
    SELECT role_on_path(t.ancestors, a.tenants, a.roles, a.assigned) INTO r
      FROM tenants t LEFT JOIN user_access a ON a.user_id = p_user
     WHERE t.id = p_tenant;
    RETURN r;
END $$;

ALTER FUNCTION public.tenant_role(p_user bigint, p_tenant bigint) OWNER TO portal_owner;

CREATE FUNCTION public.tenant_visible(p_tenant bigint) RETURNS boolean
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
BEGIN
    RETURN EXISTS (SELECT 1 FROM tenants t
                    WHERE t.id = p_tenant AND scope_sees(t.ancestors, t.id, app_scope(), app_exact()));
END $$;

ALTER FUNCTION public.tenant_visible(p_tenant bigint) OWNER TO portal_owner;

CREATE FUNCTION public.tenants_brand() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
BEGIN
    IF TG_OP = 'INSERT' OR NEW.ancestors IS DISTINCT FROM OLD.ancestors THEN
        PERFORM tenant_brand_refresh(ARRAY[NEW.id]);
    END IF;
    RETURN NULL;
END $$;

ALTER FUNCTION public.tenants_brand() OWNER TO portal_owner;

CREATE FUNCTION public.tenants_changed() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path TO 'public', 'pg_temp'
    AS $$
DECLARE
    ids text;
BEGIN
    SELECT string_agg(DISTINCT tenant_id::text, ',') INTO ids FROM changed;
    IF ids IS NOT NULL THEN
        PERFORM pg_notify('portal_context', CASE WHEN length(ids) <= 7000
            THEN 'x:' || pg_current_xact_id()
                 || CASE WHEN current_setting('portal.docs_later', true) = 'on' THEN ';i' ELSE '' END
                 || ';t:' || ids ELSE '' END);
    END IF;
    RETURN NULL;
END $$;

ALTER FUNCTION public.tenants_changed() OWNER TO portal_owner;

CREATE FUNCTION public.tenants_count_stats() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
DECLARE n int := 0;
BEGIN
    IF NEW.parent_id IS NULL THEN
        RETURN NULL;
    END IF;
    IF TG_OP = 'INSERT' OR NEW.parent_id IS DISTINCT FROM OLD.parent_id THEN
        n := CASE WHEN NEW.status = 'active' THEN 1 ELSE 0 END;
    ELSIF NEW.status <> OLD.status THEN
        n := CASE WHEN NEW.status = 'active' THEN 1 ELSE -1 END;
    END IF;
    IF n <> 0 THEN
        PERFORM stats_apply(jsonb_build_array(jsonb_build_object('tenant_id', NEW.parent_id,
            'msps', CASE WHEN NEW.kind = 'msp' THEN n ELSE 0 END,
            'companies', CASE WHEN NEW.kind = 'company' THEN n ELSE 0 END)));
    END IF;
    RETURN NULL;
END $$;

ALTER FUNCTION public.tenants_count_stats() OWNER TO portal_owner;

CREATE FUNCTION public.tenants_delete_rollups() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
DECLARE
    s tenant_stats%ROWTYPE;
    up bigint[] := OLD.ancestors[1:cardinality(OLD.ancestors) - 1];
BEGIN
    IF OLD.parent_id IS NULL OR NOT EXISTS (SELECT 1 FROM tenants p WHERE p.id = OLD.parent_id) THEN
        RETURN OLD;
    END IF;
    SELECT * INTO s FROM tenant_stats WHERE tenant_id = OLD.id;
    PERFORM stats_apply(jsonb_build_array(jsonb_build_object('tenant_id', OLD.parent_id,
        'probes', -coalesce(s.probes, 0), 'agents', -coalesce(s.agents, 0), 'gateways', -coalesce(s.gateways, 0),
        'discovered', -coalesce(s.discovered, 0), 'external', -coalesce(s.external, 0),
        'vuln_critical', -coalesce(s.vuln_critical, 0), 'vuln_high', -coalesce(s.vuln_high, 0),
        'vuln_medium', -coalesce(s.vuln_medium, 0), 'vuln_low', -coalesce(s.vuln_low, 0),
        'incidents_open', -coalesce(s.incidents_open, 0),
        'incidents_open_critical', -coalesce(s.incidents_open_critical, 0),
        'msps', -(coalesce(s.msps, 0) + CASE WHEN OLD.kind = 'msp' AND OLD.status = 'active' THEN 1 ELSE 0 END),
        'companies', -(coalesce(s.companies, 0)
                       + CASE WHEN OLD.kind = 'company' AND OLD.status = 'active' THEN 1 ELSE 0 END))));
    UPDATE vuln_daily a SET found = a.found - o.found, fixed = a.fixed - o.fixed,
           found_critical = a.found_critical - o.found_critical, fixed_critical = a.fixed_critical - o.fixed_critical
      FROM vuln_daily o
     WHERE o.tenant_id = OLD.id AND a.tenant_id = ANY (up) AND a.day = o.day;
    UPDATE cve_open a SET open = a.open - o.open
      FROM cve_open o
     WHERE o.tenant_id = OLD.id AND a.tenant_id = ANY (up) AND a.cve = o.cve;
    UPDATE incident_hourly a SET opened = a.opened - o.opened, closed = a.closed - o.closed
      FROM incident_hourly o
     WHERE o.tenant_id = OLD.id AND a.tenant_id = ANY (up) AND a.hour = o.hour;
    RETURN OLD;
END $$;

ALTER FUNCTION public.tenants_delete_rollups() OWNER TO portal_owner;

CREATE FUNCTION public.tenants_move_children() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    IF NEW.ancestors IS DISTINCT FROM OLD.ancestors THEN
        UPDATE tenants SET parent_id = parent_id WHERE parent_id = NEW.id;
    END IF;
    RETURN NULL;
END $$;

ALTER FUNCTION public.tenants_move_children() OWNER TO portal_owner;

CREATE FUNCTION public.tenants_move_roots() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
BEGIN
    IF NEW.parent_id IS DISTINCT FROM OLD.parent_id THEN
        PERFORM roots_follow(NEW.id);   -- (tenants_move, run first, gave the subtree its root)
    END IF;
    RETURN NULL;
END $$;

ALTER FUNCTION public.tenants_move_roots() OWNER TO portal_owner;

CREATE FUNCTION public.tenants_move_series() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
BEGIN
    IF NEW.parent_id IS DISTINCT FROM OLD.parent_id AND OLD.parent_id IS NULL THEN
        INSERT INTO vuln_daily AS d (tenant_id, day, found, fixed, found_critical, fixed_critical)
        SELECT NEW.parent_id, v.day, v.found, v.fixed, v.found_critical, v.fixed_critical
          FROM vuln_daily v WHERE v.tenant_id = NEW.id
        ON CONFLICT (tenant_id, day) DO UPDATE SET found = d.found + excluded.found, fixed = d.fixed + excluded.fixed,
            found_critical = d.found_critical + excluded.found_critical,
            fixed_critical = d.fixed_critical + excluded.fixed_critical;
        INSERT INTO cve_open AS c (tenant_id, cve, open)
        SELECT NEW.parent_id, o.cve, o.open FROM cve_open o WHERE o.tenant_id = NEW.id
        ON CONFLICT (tenant_id, cve) DO UPDATE SET open = c.open + excluded.open;
        INSERT INTO incident_hourly AS h (tenant_id, hour, opened, closed)
        SELECT NEW.parent_id, i.hour, i.opened, i.closed FROM incident_hourly i WHERE i.tenant_id = NEW.id
        ON CONFLICT (tenant_id, hour) DO UPDATE SET opened = h.opened + excluded.opened,
            closed = h.closed + excluded.closed;
    END IF;
    RETURN NULL;
END $$;

ALTER FUNCTION public.tenants_move_series() OWNER TO portal_owner;

CREATE FUNCTION public.tenants_move_stats() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
BEGIN
    IF NEW.parent_id IS DISTINCT FROM OLD.parent_id THEN
        IF OLD.parent_id IS NOT NULL THEN
            RAISE EXCEPTION 'moving a tenant away from its parent is not supported' USING ERRCODE = 'check_violation';
        END IF;
        PERFORM stats_apply(jsonb_build_array(to_jsonb(s) || jsonb_build_object('tenant_id', NEW.parent_id)))
           FROM tenant_stats s WHERE s.tenant_id = NEW.id;
        -- The rows below the MSP now belong to the MSSP's tree.
        UPDATE assets SET root_id = NEW.root_id WHERE tenant_id IN (SELECT id FROM tenants WHERE NEW.id = ANY (ancestors));
        UPDATE vulnerabilities SET root_id = NEW.root_id WHERE tenant_id IN (SELECT id FROM tenants WHERE NEW.id = ANY (ancestors));
        UPDATE incidents SET root_id = NEW.root_id WHERE tenant_id IN (SELECT id FROM tenants WHERE NEW.id = ANY (ancestors));
        UPDATE api_keys SET root_id = NEW.root_id WHERE tenant_id IN (SELECT id FROM tenants WHERE NEW.id = ANY (ancestors));
    END IF;
    RETURN NULL;
END $$;

ALTER FUNCTION public.tenants_move_stats() OWNER TO portal_owner;

CREATE FUNCTION public.tenants_touch_stats() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
BEGIN
    IF NEW.name IS DISTINCT FROM OLD.name OR NEW.parent_id IS DISTINCT FROM OLD.parent_id THEN
        PERFORM stats_touch(ARRAY(SELECT d.id FROM tenants d WHERE d.ancestors @> ARRAY[NEW.id] ORDER BY d.id));
    END IF;
    RETURN NULL;
END $$;

ALTER FUNCTION public.tenants_touch_stats() OWNER TO portal_owner;

CREATE FUNCTION public.tenants_tree_check() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
DECLARE
    p tenants%ROWTYPE;
BEGIN
    IF NEW.parent_id IS NULL THEN
        IF NEW.kind = 'company' THEN
            RAISE EXCEPTION 'a company must belong to an MSP' USING ERRCODE = 'check_violation',
                CONSTRAINT = 'tenant_tree';
        END IF;
        NEW.ancestors := ARRAY[NEW.id];
    ELSE
        SELECT * INTO p FROM tenants WHERE id = NEW.parent_id;
        IF NOT FOUND THEN
            RAISE EXCEPTION 'parent tenant % does not exist', NEW.parent_id
                USING ERRCODE = 'foreign_key_violation';
        END IF;
        IF cardinality(p.ancestors) >= 3 THEN
            RAISE EXCEPTION 'the tenant tree has at most three levels (MSSP > MSP > company)'
                USING ERRCODE = 'check_violation', CONSTRAINT = 'tenant_depth';
        END IF;
        IF NOT ((NEW.kind = 'msp' AND p.kind = 'mssp') OR (NEW.kind = 'company' AND p.kind = 'msp')) THEN
            RAISE EXCEPTION 'a % cannot be placed under a %', NEW.kind, p.kind
                USING ERRCODE = 'check_violation', CONSTRAINT = 'tenant_tree';
        END IF;
        IF NEW.region <> p.region THEN
            RAISE EXCEPTION 'region % does not match the parent''s region %', NEW.region, p.region
                USING ERRCODE = 'check_violation', CONSTRAINT = 'tenant_region';
        END IF;
        NEW.ancestors := p.ancestors || NEW.id;
        IF cardinality(NEW.ancestors) > 3 THEN
            RAISE EXCEPTION 'the tenant tree has at most three levels (MSSP > MSP > company)'
                USING ERRCODE = 'check_violation', CONSTRAINT = 'tenant_depth';
        END IF;
    END IF;
    NEW.root_id := NEW.ancestors[1];
    RETURN NEW;
END $$;

ALTER FUNCTION public.tenants_tree_check() OWNER TO portal_owner;

CREATE FUNCTION public.threat_correlation(p_tenant bigint, p_days integer, p_sort text, p_dir text, p_limit integer, p_offset integer) RETURNS TABLE(indicator text, indicator_kind text, customers bigint, incidents bigint, first_seen timestamp with time zone, last_seen timestamp with time zone, visible bigint, names text[], ids bigint[], hidden bigint, total bigint)
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
DECLARE
    sc bigint[] := app_scope();
    ex bigint[] := app_exact();
    t tenants%ROWTYPE;
    r tenants%ROWTYPE;
    whole boolean;        -- the viewer sees every customer of the tree
    since timestamptz := date_trunc('hour', now(), 'UTC') - make_interval(days => least(greatest(p_days, 1), 90));
BEGIN
    IF p_sort IS NULL OR p_sort NOT IN ('customers', 'incidents', 'first_seen', 'last_seen', 'indicator', 'kind')
       OR p_dir IS NULL OR p_dir NOT IN ('asc', 'desc') THEN
        RAISE EXCEPTION 'threat_correlation: unknown order % %', p_sort, p_dir USING ERRCODE = '22023';
    END IF;
    IF p_limit < 0 OR p_offset < 0 THEN
        RAISE EXCEPTION 'threat_correlation: negative limit or offset' USING ERRCODE = '2201W';
    END IF;
    SELECT * INTO t FROM tenants WHERE tenants.id = p_tenant;
    IF NOT FOUND OR NOT scope_sees(t.ancestors, t.id, sc, ex) THEN
        RETURN;
    END IF;
    SELECT * INTO r FROM tenants WHERE tenants.id = t.root_id;
    whole := r.ancestors && sc;
    RETURN QUERY
    -- The viewer's own customers' incidents of the window, by indicator and
    -- customer, read once (for a partial view only): what they saw of each
    -- indicator, how many of them and which ten most recently, all from
    -- these rows. Not once per indicator of the tree, each time every
    -- customer the viewer sees (430-1,200 ms for an MSP's owner at L;
    -- docs/performance.md, "Session 37" and "Session 38").
    WITH mine AS MATERIALIZED (
        SELECT i.indicator, c.id AS tenant_id, c.name, CASE WHEN c.status = 'active' THEN c.id END AS link_id,
               count(*)::bigint AS incidents, min(i.opened_at) AS first_at, max(i.opened_at) AS last_at
          FROM incidents i JOIN tenants c ON c.id = i.tenant_id
         WHERE NOT whole AND i.indicator IS NOT NULL AND i.opened_at >= since AND c.root_id = r.id
           AND c.kind = 'company' AND scope_sees(c.ancestors, c.id, sc, ex)
         GROUP BY i.indicator, c.id, c.name, c.status),
    -- The tree's hours of the window and the viewer's customers, grouped
    -- once by indicator: no join, whose planner's guess of the viewer's
    -- indicators (a handful) made it compare every pair of rows.
    w AS (
        SELECT u.indicator, min(u.kind) AS kind,
               sum(u.incidents) FILTER (WHERE u.tenant_id IS NULL)::bigint AS incidents,
               min(u.first_at) FILTER (WHERE u.tenant_id IS NULL) AS first_at,
               max(u.last_at) FILTER (WHERE u.tenant_id IS NULL) AS last_at,
               sum(u.incidents) FILTER (WHERE u.tenant_id IS NOT NULL)::bigint AS own_incidents,
               min(u.first_at) FILTER (WHERE u.tenant_id IS NOT NULL) AS own_first_at,
               max(u.last_at) FILTER (WHERE u.tenant_id IS NOT NULL) AS own_last_at,
               count(u.tenant_id) AS own,
               (array_agg(u.name ORDER BY u.last_at DESC, u.tenant_id DESC)
                    FILTER (WHERE u.tenant_id IS NOT NULL))[1:10] AS own_names,
               (array_agg(u.link_id ORDER BY u.last_at DESC, u.tenant_id DESC)
                    FILTER (WHERE u.tenant_id IS NOT NULL))[1:10] AS own_ids,
               -- (a customer saw it in the window if its latest sighting,
               -- which one hour counts, is in it: sql/073)
               coalesce(sum(u.customers) FILTER (WHERE u.tenant_id IS NULL), 0)::bigint AS customers
          FROM (SELECT h.indicator, h.kind, h.incidents, h.first_at, h.last_at, h.customers,
                       NULL::bigint AS tenant_id, NULL::text AS name, NULL::bigint AS link_id
                  FROM indicator_hourly h
                 WHERE h.root_id = r.id AND h.hour >= since
                UNION ALL
                SELECT m.indicator, NULL, m.incidents, m.first_at, m.last_at, NULL, m.tenant_id, m.name, m.link_id
                  FROM mine m) u
         GROUP BY u.indicator),
    v AS (
        SELECT w.*, CASE WHEN whole THEN w.customers ELSE w.own END AS visible FROM w),
    top AS (
        SELECT v.indicator, v.kind,
               CASE WHEN whole THEN v.customers
                    ELSE v.visible + CASE WHEN v.customers - v.visible >= 3 THEN v.customers - v.visible ELSE 0 END
               END AS shown,
               CASE WHEN whole THEN v.incidents ELSE v.own_incidents END AS incidents,
               CASE WHEN whole THEN v.first_at ELSE v.own_first_at END AS first_at,
               CASE WHEN whole THEN v.last_at ELSE v.own_last_at END AS last_at,
               v.visible, v.own_names, v.own_ids,
               CASE WHEN whole OR v.customers - v.visible < 3 THEN 0 ELSE v.customers - v.visible END AS hidden
          FROM v
         WHERE v.customers >= 2 AND v.visible > 0
           AND (whole OR v.visible >= 2 OR v.customers - v.visible >= 3)),
    -- The page, in the order asked (one CASE per type of key: the
    -- others are NULL, equal on every row), ties in the default order.
    page AS (
        SELECT o.*
          FROM (SELECT top.*, count(*) OVER () AS total,
                       row_number() OVER (ORDER BY
                           CASE WHEN p_dir = 'asc' THEN CASE p_sort WHEN 'customers' THEN top.shown
                                                                     WHEN 'incidents' THEN top.incidents END END,
                           CASE WHEN p_dir = 'desc' THEN CASE p_sort WHEN 'customers' THEN top.shown
                                                                      WHEN 'incidents' THEN top.incidents END END DESC,
                           CASE WHEN p_dir = 'asc' THEN CASE p_sort WHEN 'first_seen' THEN top.first_at
                                                                     WHEN 'last_seen' THEN top.last_at END END,
                           CASE WHEN p_dir = 'desc' THEN CASE p_sort WHEN 'first_seen' THEN top.first_at
                                                                      WHEN 'last_seen' THEN top.last_at END END DESC,
                           CASE WHEN p_dir = 'asc' THEN CASE p_sort WHEN 'indicator' THEN top.indicator
                                                                     WHEN 'kind' THEN top.kind END END,
                           CASE WHEN p_dir = 'desc' THEN CASE p_sort WHEN 'indicator' THEN top.indicator
                                                                      WHEN 'kind' THEN top.kind END END DESC,
                           top.shown DESC, top.last_at DESC, top.indicator) AS n
                  FROM top) o
         ORDER BY o.n LIMIT p_limit OFFSET p_offset),
    -- Whoever sees the whole tree is shown its ten latest customers, read
    -- for the rows of the page only; a partial viewer their own.
    named AS (
        SELECT page.*, n.names, n.ids
          FROM page CROSS JOIN LATERAL (
                SELECT CASE WHEN whole THEN array_agg(y.name ORDER BY y.last_at DESC, y.tenant_id DESC)
                            ELSE page.own_names END AS names,
                       CASE WHEN whole THEN array_agg(CASE WHEN y.status = 'active' THEN y.tenant_id END
                                                      ORDER BY y.last_at DESC, y.tenant_id DESC)
                            ELSE page.own_ids END AS ids
                  FROM (SELECT x.tenant_id, x.last_at, c.name, c.status
                          FROM indicator_customers x JOIN tenants c ON c.id = x.tenant_id
                         WHERE whole AND x.root_id = r.id AND x.indicator = page.indicator AND x.last_at >= since
                         ORDER BY x.last_at DESC, x.tenant_id DESC LIMIT 10) y) n)
    SELECT named.indicator, named.kind, named.shown, named.incidents, named.first_at, named.last_at, named.visible,
           coalesce(named.names, '{}'), coalesce(named.ids, '{}'), named.hidden, named.total
      FROM named
     ORDER BY named.n;
END $$;

ALTER FUNCTION public.threat_correlation(p_tenant bigint, p_days integer, p_sort text, p_dir text, p_limit integer, p_offset integer) OWNER TO portal_owner;

CREATE FUNCTION public.threat_latest_incident(p_tenant bigint, p_indicator text) RETURNS bigint
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
DECLARE
    t tenants%ROWTYPE;
BEGIN
    SELECT * INTO t FROM tenants WHERE tenants.id = p_tenant;
    IF NOT FOUND OR NOT scope_sees(t.ancestors, t.id, app_scope(), app_exact()) THEN
        RETURN NULL;
    END IF;
    RETURN (SELECT i.id
              FROM indicator_customers x
              JOIN incidents i ON i.indicator = x.indicator AND i.opened_at = x.last_at AND i.tenant_id = x.tenant_id
             WHERE x.root_id = t.root_id AND x.indicator = p_indicator AND x.tenant_id = t.id
             ORDER BY i.id DESC LIMIT 1);
END $$;

ALTER FUNCTION public.threat_latest_incident(p_tenant bigint, p_indicator text) OWNER TO portal_owner;

CREATE FUNCTION public.token_digest(p_token text) RETURNS text
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$
    SELECT encode(sha256(convert_to(p_token, 'UTF8')), 'hex')
$$;

ALTER FUNCTION public.token_digest(p_token text) OWNER TO portal_owner;

CREATE FUNCTION public.token_shaped(p text) RETURNS boolean
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $_$
    SELECT coalesce(octet_length(p) = 64 AND p ~ '^[0-9a-f]+$', false)
$_$;

ALTER FUNCTION public.token_shaped(p text) OWNER TO portal_owner;

CREATE FUNCTION public.user_access_refresh(p_user bigint) RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
BEGIN
    INSERT INTO user_access (user_id, tenants, roles, assigned, scope)
    SELECT u.id, coalesce(m.tenants, '{}'), coalesce(m.roles, '{}'), coalesce(a.assigned, '{}'),
           coalesce(m.scope, '') || ';' || coalesce(array_to_string(a.assigned, ','), '')
      FROM users u
      CROSS JOIN LATERAL (SELECT array_agg(x.tenant_id ORDER BY x.tenant_id) AS tenants,
                                 array_agg(x.role ORDER BY x.tenant_id) AS roles,
                                 string_agg(x.tenant_id || ':' || x.role, ',' ORDER BY x.tenant_id) AS scope
                            FROM memberships x WHERE x.user_id = u.id AND x.status = 'active') m
      CROSS JOIN LATERAL (SELECT array_agg(y.tenant_id ORDER BY y.tenant_id) AS assigned
                            FROM analyst_assignments y WHERE y.user_id = u.id) a
     WHERE u.id = p_user
    ON CONFLICT (user_id) DO UPDATE
       SET tenants = EXCLUDED.tenants, roles = EXCLUDED.roles, assigned = EXCLUDED.assigned,
           scope = EXCLUDED.scope;
END $$;

ALTER FUNCTION public.user_access_refresh(p_user bigint) OWNER TO portal_owner;

CREATE FUNCTION public.user_access_sync() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        PERFORM user_access_refresh(OLD.user_id);
    END IF;
    IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND NEW.user_id <> OLD.user_id) THEN
        PERFORM user_access_refresh(NEW.user_id);
    END IF;
    RETURN NULL;
END $$;

ALTER FUNCTION public.user_access_sync() OWNER TO portal_owner;

CREATE FUNCTION public.visible_tenant_ids() RETURNS SETOF bigint
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
DECLARE
    sc bigint[] := app_scope();
    ex bigint[] := app_exact();
BEGIN
    RETURN QUERY SELECT t.id FROM tenants t WHERE scope_sees(t.ancestors, t.id, sc, ex);
END $$;

ALTER FUNCTION public.visible_tenant_ids() OWNER TO portal_owner;

CREATE FUNCTION public.vulnerabilities_series() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    SET client_min_messages TO 'warning'
    AS $_$
DECLARE src text := delta_rows(TG_OP, 'tenant_id, first_seen, fixed_at, severity, cve');
BEGIN
    -- An INSERT ... ON CONFLICT DO UPDATE runs the INSERT and the UPDATE
    -- triggers both, most often one of them with no rows (a batch of new
    -- findings updates none): nothing to plan and run then.
    IF TG_OP = 'DELETE' THEN
        IF NOT EXISTS (SELECT FROM old_rows) THEN RETURN NULL; END IF;
    ELSIF NOT EXISTS (SELECT FROM new_rows) THEN
        RETURN NULL;
    END IF;
    -- Two statements, in this order (as a move does, tenants_move_series()): the days,
    -- then the CVEs.
    EXECUTE format($q$
        WITH leaf AS (
            SELECT tenant_id, day, sum(found) AS found, sum(fixed) AS fixed, sum(fc) AS fc, sum(xc) AS xc
              FROM (SELECT tenant_id, first_seen::date AS day, n AS found, 0 AS fixed,
                           CASE WHEN severity = 'critical' THEN n ELSE 0 END AS fc, 0 AS xc FROM (%1$s) r
                    UNION ALL
                    SELECT tenant_id, fixed_at::date, 0, n, 0, CASE WHEN severity = 'critical' THEN n ELSE 0 END
                      FROM (%1$s) r WHERE fixed_at IS NOT NULL) x
             GROUP BY tenant_id, day)
        INSERT INTO vuln_daily AS d (tenant_id, day, found, fixed, found_critical, fixed_critical)
        SELECT a.id, l.day, sum(l.found), sum(l.fixed), sum(l.fc), sum(l.xc)
          FROM leaf l JOIN tenants t ON t.id = l.tenant_id JOIN tenants a ON a.id = ANY (t.ancestors)
         GROUP BY a.id, l.day
        HAVING sum(l.found) <> 0 OR sum(l.fixed) <> 0
         ORDER BY a.id, l.day
        ON CONFLICT (tenant_id, day) DO UPDATE SET found = d.found + excluded.found, fixed = d.fixed + excluded.fixed,
            found_critical = d.found_critical + excluded.found_critical,
            fixed_critical = d.fixed_critical + excluded.fixed_critical$q$, src);
    EXECUTE format($q$
        WITH cves AS (
            SELECT tenant_id, cve COLLATE "C" AS cve, sum(n) AS n FROM (%s) r WHERE fixed_at IS NULL
             GROUP BY tenant_id, cve COLLATE "C" HAVING sum(n) <> 0)
        INSERT INTO cve_open AS c (tenant_id, cve, open)
        SELECT a.id, x.cve, sum(x.n)
          FROM cves x JOIN tenants t ON t.id = x.tenant_id JOIN tenants a ON a.id = ANY (t.ancestors)
         GROUP BY a.id, x.cve HAVING sum(x.n) <> 0
         ORDER BY a.id, x.cve
        ON CONFLICT (tenant_id, cve) DO UPDATE SET open = c.open + excluded.open$q$, src);
    RETURN NULL;
END $_$;

ALTER FUNCTION public.vulnerabilities_series() OWNER TO portal_owner;

CREATE FUNCTION public.vulnerabilities_stats() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    SET client_min_messages TO 'warning'
    AS $_$
DECLARE d jsonb;
BEGIN
    EXECUTE stats_deltas_sql(TG_OP, 'tenant_id, severity, fixed_at', 'fixed_at IS NULL', $f$
        'vuln_critical', coalesce(sum(n) FILTER (WHERE severity = 'critical'), 0),
        'vuln_high', coalesce(sum(n) FILTER (WHERE severity = 'high'), 0),
        'vuln_medium', coalesce(sum(n) FILTER (WHERE severity = 'medium'), 0),
        'vuln_low', coalesce(sum(n) FILTER (WHERE severity = 'low'), 0)$f$) INTO d;
    PERFORM stats_apply(d) WHERE d IS NOT NULL;
    RETURN NULL;
END $_$;

ALTER FUNCTION public.vulnerabilities_stats() OWNER TO portal_owner;

CREATE FUNCTION public.vulnerabilities_touch() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        PERFORM stats_touch(ARRAY(SELECT DISTINCT tenant_id FROM old_rows ORDER BY 1));
    ELSE
        PERFORM stats_touch(ARRAY(SELECT DISTINCT tenant_id FROM new_rows ORDER BY 1));
    END IF;
    RETURN NULL;
END $$;

ALTER FUNCTION public.vulnerabilities_touch() OWNER TO portal_owner;

CREATE FUNCTION public.vulnerability_page(p_tenant bigint, p_severity text, p_cve text, p_status text, p_after bigint, p_before bigint) RETURNS TABLE(meta text, id bigint, customer text, customer_id bigint, cve text, severity text, asset text, first_seen text, fixed text)
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
#variable_conflict use_column
DECLARE
    w int := severity_weight(nullif(p_severity, ''));
    total bigint;
    p record;
BEGIN
    -- The count from the rollups, if they hold it and the viewer sees the
    -- whole subtree: open findings of a severity (or all), or of a CVE.
    IF p_status = 'open' AND p_cve = '' THEN
        SELECT CASE w WHEN 4 THEN s.vuln_critical WHEN 3 THEN s.vuln_high WHEN 2 THEN s.vuln_medium
                      WHEN 1 THEN s.vuln_low ELSE s.vuln_critical + s.vuln_high + s.vuln_medium + s.vuln_low END
          INTO total
          FROM tenants t LEFT JOIN tenant_stats s ON s.tenant_id = t.id
         WHERE t.id = p_tenant AND t.ancestors && app_scope();
        total := CASE WHEN FOUND THEN coalesce(total, 0) END;
    ELSIF p_status = 'open' AND w IS NULL THEN
        SELECT o.open INTO total
          FROM tenants t LEFT JOIN cve_open o ON o.tenant_id = t.id AND o.cve = p_cve
         WHERE t.id = p_tenant AND t.ancestors && app_scope();
        total := CASE WHEN FOUND THEN coalesce(total, 0) END;
    END IF;
    p := list_page(p_tenant, 'vulnerability_reader',
                   CASE WHEN p_status IN ('open', 'fixed') THEN p_status ELSE 'all' END
                   || CASE WHEN p_cve = '' THEN '' ELSE ' cve' END,
                   ARRAY[coalesce(w, 1)::text, coalesce(w, 4)::text, p_cve], p_after, p_before, total IS NULL);
    IF p.ids IS NULL THEN
        RETURN;
    END IF;
    RETURN QUERY
    SELECT CASE WHEN r.n IS NULL OR r.n = 1 THEN list_meta(p.ids, p.has_prev, p.has_next, total, p.counted)::text END,
           r.id, r.customer, r.customer_id, r.cve, r.severity, r.asset, r.first_seen, r.fixed
      FROM (SELECT 1) one LEFT JOIN LATERAL (
            SELECT u.n, v.id, c.name AS customer,
                   -- an archived customer's page is not found: no id, the row names it
                   CASE WHEN c.status = 'active' THEN c.id END AS customer_id, v.cve, v.severity,
                   coalesce(a.name, '') AS asset,
                   to_char(v.first_seen, 'YYYY-MM-DD') AS first_seen, to_char(v.fixed_at, 'YYYY-MM-DD') AS fixed
              FROM unnest(p.ids) WITH ORDINALITY AS u(id, n)
              JOIN vulnerabilities v ON v.id = u.id JOIN tenants c ON c.id = v.tenant_id
              LEFT JOIN assets a ON a.id = v.asset_id) r ON true
     ORDER BY r.n;
END $$;

ALTER FUNCTION public.vulnerability_page(p_tenant bigint, p_severity text, p_cve text, p_status text, p_after bigint, p_before bigint) OWNER TO portal_owner;

CREATE FUNCTION public.vulnerability_reader(p_tids bigint[], p_root bigint, p_tenant bigint, p_sc bigint[], p_ex bigint[], p_args text[], p_how text, p_set text, p_cursor bigint, p_back boolean, p_count boolean, OUT ids bigint[], OUT cursor_found boolean, OUT counted bigint) RETURNS record
    LANGUAGE plpgsql STABLE
    SET plan_cache_mode TO 'force_generic_plan'
    AS $_$
DECLARE
    cur record;
BEGIN
    IF p_cursor IS NOT NULL THEN
        SELECT severity_weight(x.severity) AS k1, x.first_seen AS k2, x.id AS k3 INTO cur FROM vulnerabilities x JOIN tenants c ON c.id = x.tenant_id
         WHERE x.id = p_cursor AND c.ancestors @> ARRAY[$3] AND scope_sees(c.ancestors, c.id, $4, $5);
    END IF;
    cursor_found := p_cursor IS NOT NULL AND FOUND;
    IF p_how = 'tenants' AND cardinality(p_tids) = 1 THEN
        IF p_set = 'open' THEN
            IF NOT cursor_found THEN
                SELECT ARRAY(SELECT x.id FROM vulnerabilities x WHERE x.tenant_id = $1[1] AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.fixed_at IS NULL) ORDER BY severity_weight(x.severity) DESC, x.first_seen DESC, x.id DESC LIMIT 51) INTO ids;
            ELSIF NOT p_back THEN
                SELECT ARRAY(SELECT x.id FROM vulnerabilities x WHERE x.tenant_id = $1[1] AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.fixed_at IS NULL) AND (severity_weight(x.severity), x.first_seen, x.id) < (cur.k1, cur.k2, cur.k3) AND severity_weight(x.severity) <= cur.k1 ORDER BY severity_weight(x.severity) DESC, x.first_seen DESC, x.id DESC LIMIT 51) INTO ids;
            ELSE
                SELECT ARRAY(SELECT x.id FROM vulnerabilities x WHERE x.tenant_id = $1[1] AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.fixed_at IS NULL) AND (severity_weight(x.severity), x.first_seen, x.id) > (cur.k1, cur.k2, cur.k3) AND severity_weight(x.severity) >= cur.k1 ORDER BY severity_weight(x.severity) ASC, x.first_seen ASC, x.id ASC LIMIT 51) INTO ids;
            END IF;
            IF p_count THEN
                SELECT count(*) FROM (SELECT 1 FROM ((SELECT 1 FROM vulnerabilities x WHERE x.tenant_id = $1[1] AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.fixed_at IS NULL) LIMIT 1001)) x LIMIT 1001) x INTO counted;
            END IF;
        ELSIF p_set = 'fixed' THEN
            IF NOT cursor_found THEN
                SELECT ARRAY(SELECT x.id FROM vulnerabilities x WHERE x.tenant_id = $1[1] AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.fixed_at IS NOT NULL) ORDER BY severity_weight(x.severity) DESC, x.first_seen DESC, x.id DESC LIMIT 51) INTO ids;
            ELSIF NOT p_back THEN
                SELECT ARRAY(SELECT x.id FROM vulnerabilities x WHERE x.tenant_id = $1[1] AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.fixed_at IS NOT NULL) AND (severity_weight(x.severity), x.first_seen, x.id) < (cur.k1, cur.k2, cur.k3) AND severity_weight(x.severity) <= cur.k1 ORDER BY severity_weight(x.severity) DESC, x.first_seen DESC, x.id DESC LIMIT 51) INTO ids;
            ELSE
                SELECT ARRAY(SELECT x.id FROM vulnerabilities x WHERE x.tenant_id = $1[1] AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.fixed_at IS NOT NULL) AND (severity_weight(x.severity), x.first_seen, x.id) > (cur.k1, cur.k2, cur.k3) AND severity_weight(x.severity) >= cur.k1 ORDER BY severity_weight(x.severity) ASC, x.first_seen ASC, x.id ASC LIMIT 51) INTO ids;
            END IF;
            IF p_count THEN
                SELECT count(*) FROM (SELECT 1 FROM ((SELECT 1 FROM vulnerabilities x WHERE x.tenant_id = $1[1] AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.fixed_at IS NOT NULL) LIMIT 1001)) x LIMIT 1001) x INTO counted;
            END IF;
        ELSIF p_set = 'all' THEN
            IF NOT cursor_found THEN
                SELECT ARRAY(SELECT x.id FROM ((SELECT x.id, severity_weight(x.severity) AS k1, x.first_seen AS k2, x.id AS k3 FROM vulnerabilities x WHERE x.tenant_id = $1[1] AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.fixed_at IS NULL) ORDER BY severity_weight(x.severity) DESC, x.first_seen DESC, x.id DESC LIMIT 51) UNION ALL (SELECT x.id, severity_weight(x.severity) AS k1, x.first_seen AS k2, x.id AS k3 FROM vulnerabilities x WHERE x.tenant_id = $1[1] AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.fixed_at IS NOT NULL) ORDER BY severity_weight(x.severity) DESC, x.first_seen DESC, x.id DESC LIMIT 51)) x ORDER BY x.k1 DESC, x.k2 DESC, x.k3 DESC LIMIT 51) INTO ids;
            ELSIF NOT p_back THEN
                SELECT ARRAY(SELECT x.id FROM ((SELECT x.id, severity_weight(x.severity) AS k1, x.first_seen AS k2, x.id AS k3 FROM vulnerabilities x WHERE x.tenant_id = $1[1] AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.fixed_at IS NULL) AND (severity_weight(x.severity), x.first_seen, x.id) < (cur.k1, cur.k2, cur.k3) AND severity_weight(x.severity) <= cur.k1 ORDER BY severity_weight(x.severity) DESC, x.first_seen DESC, x.id DESC LIMIT 51) UNION ALL (SELECT x.id, severity_weight(x.severity) AS k1, x.first_seen AS k2, x.id AS k3 FROM vulnerabilities x WHERE x.tenant_id = $1[1] AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.fixed_at IS NOT NULL) AND (severity_weight(x.severity), x.first_seen, x.id) < (cur.k1, cur.k2, cur.k3) AND severity_weight(x.severity) <= cur.k1 ORDER BY severity_weight(x.severity) DESC, x.first_seen DESC, x.id DESC LIMIT 51)) x ORDER BY x.k1 DESC, x.k2 DESC, x.k3 DESC LIMIT 51) INTO ids;
            ELSE
                SELECT ARRAY(SELECT x.id FROM ((SELECT x.id, severity_weight(x.severity) AS k1, x.first_seen AS k2, x.id AS k3 FROM vulnerabilities x WHERE x.tenant_id = $1[1] AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.fixed_at IS NULL) AND (severity_weight(x.severity), x.first_seen, x.id) > (cur.k1, cur.k2, cur.k3) AND severity_weight(x.severity) >= cur.k1 ORDER BY severity_weight(x.severity) ASC, x.first_seen ASC, x.id ASC LIMIT 51) UNION ALL (SELECT x.id, severity_weight(x.severity) AS k1, x.first_seen AS k2, x.id AS k3 FROM vulnerabilities x WHERE x.tenant_id = $1[1] AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.fixed_at IS NOT NULL) AND (severity_weight(x.severity), x.first_seen, x.id) > (cur.k1, cur.k2, cur.k3) AND severity_weight(x.severity) >= cur.k1 ORDER BY severity_weight(x.severity) ASC, x.first_seen ASC, x.id ASC LIMIT 51)) x ORDER BY x.k1 ASC, x.k2 ASC, x.k3 ASC LIMIT 51) INTO ids;
            END IF;
            IF p_count THEN
                SELECT count(*) FROM (SELECT 1 FROM ((SELECT 1 FROM vulnerabilities x WHERE x.tenant_id = $1[1] AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.fixed_at IS NULL) LIMIT 1001) UNION ALL (SELECT 1 FROM vulnerabilities x WHERE x.tenant_id = $1[1] AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.fixed_at IS NOT NULL) LIMIT 1001)) x LIMIT 1001) x INTO counted;
            END IF;
        ELSIF p_set = 'open cve' THEN
            IF NOT cursor_found THEN
                SELECT ARRAY(SELECT x.id FROM vulnerabilities x WHERE x.tenant_id = $1[1] AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.fixed_at IS NULL AND x.cve = $6[3]) ORDER BY severity_weight(x.severity) DESC, x.first_seen DESC, x.id DESC LIMIT 51) INTO ids;
            ELSIF NOT p_back THEN
                SELECT ARRAY(SELECT x.id FROM vulnerabilities x WHERE x.tenant_id = $1[1] AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.fixed_at IS NULL AND x.cve = $6[3]) AND (severity_weight(x.severity), x.first_seen, x.id) < (cur.k1, cur.k2, cur.k3) AND severity_weight(x.severity) <= cur.k1 ORDER BY severity_weight(x.severity) DESC, x.first_seen DESC, x.id DESC LIMIT 51) INTO ids;
            ELSE
                SELECT ARRAY(SELECT x.id FROM vulnerabilities x WHERE x.tenant_id = $1[1] AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.fixed_at IS NULL AND x.cve = $6[3]) AND (severity_weight(x.severity), x.first_seen, x.id) > (cur.k1, cur.k2, cur.k3) AND severity_weight(x.severity) >= cur.k1 ORDER BY severity_weight(x.severity) ASC, x.first_seen ASC, x.id ASC LIMIT 51) INTO ids;
            END IF;
            IF p_count THEN
                SELECT count(*) FROM (SELECT 1 FROM ((SELECT 1 FROM vulnerabilities x WHERE x.tenant_id = $1[1] AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.fixed_at IS NULL AND x.cve = $6[3]) LIMIT 1001)) x LIMIT 1001) x INTO counted;
            END IF;
        ELSIF p_set = 'fixed cve' THEN
            IF NOT cursor_found THEN
                SELECT ARRAY(SELECT x.id FROM vulnerabilities x WHERE x.tenant_id = $1[1] AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.fixed_at IS NOT NULL AND x.cve = $6[3]) ORDER BY severity_weight(x.severity) DESC, x.first_seen DESC, x.id DESC LIMIT 51) INTO ids;
            ELSIF NOT p_back THEN
                SELECT ARRAY(SELECT x.id FROM vulnerabilities x WHERE x.tenant_id = $1[1] AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.fixed_at IS NOT NULL AND x.cve = $6[3]) AND (severity_weight(x.severity), x.first_seen, x.id) < (cur.k1, cur.k2, cur.k3) AND severity_weight(x.severity) <= cur.k1 ORDER BY severity_weight(x.severity) DESC, x.first_seen DESC, x.id DESC LIMIT 51) INTO ids;
            ELSE
                SELECT ARRAY(SELECT x.id FROM vulnerabilities x WHERE x.tenant_id = $1[1] AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.fixed_at IS NOT NULL AND x.cve = $6[3]) AND (severity_weight(x.severity), x.first_seen, x.id) > (cur.k1, cur.k2, cur.k3) AND severity_weight(x.severity) >= cur.k1 ORDER BY severity_weight(x.severity) ASC, x.first_seen ASC, x.id ASC LIMIT 51) INTO ids;
            END IF;
            IF p_count THEN
                SELECT count(*) FROM (SELECT 1 FROM ((SELECT 1 FROM vulnerabilities x WHERE x.tenant_id = $1[1] AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.fixed_at IS NOT NULL AND x.cve = $6[3]) LIMIT 1001)) x LIMIT 1001) x INTO counted;
            END IF;
        ELSIF p_set = 'all cve' THEN
            IF NOT cursor_found THEN
                SELECT ARRAY(SELECT x.id FROM ((SELECT x.id, severity_weight(x.severity) AS k1, x.first_seen AS k2, x.id AS k3 FROM vulnerabilities x WHERE x.tenant_id = $1[1] AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.fixed_at IS NULL AND x.cve = $6[3]) ORDER BY severity_weight(x.severity) DESC, x.first_seen DESC, x.id DESC LIMIT 51) UNION ALL (SELECT x.id, severity_weight(x.severity) AS k1, x.first_seen AS k2, x.id AS k3 FROM vulnerabilities x WHERE x.tenant_id = $1[1] AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.fixed_at IS NOT NULL AND x.cve = $6[3]) ORDER BY severity_weight(x.severity) DESC, x.first_seen DESC, x.id DESC LIMIT 51)) x ORDER BY x.k1 DESC, x.k2 DESC, x.k3 DESC LIMIT 51) INTO ids;
            ELSIF NOT p_back THEN
                SELECT ARRAY(SELECT x.id FROM ((SELECT x.id, severity_weight(x.severity) AS k1, x.first_seen AS k2, x.id AS k3 FROM vulnerabilities x WHERE x.tenant_id = $1[1] AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.fixed_at IS NULL AND x.cve = $6[3]) AND (severity_weight(x.severity), x.first_seen, x.id) < (cur.k1, cur.k2, cur.k3) AND severity_weight(x.severity) <= cur.k1 ORDER BY severity_weight(x.severity) DESC, x.first_seen DESC, x.id DESC LIMIT 51) UNION ALL (SELECT x.id, severity_weight(x.severity) AS k1, x.first_seen AS k2, x.id AS k3 FROM vulnerabilities x WHERE x.tenant_id = $1[1] AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.fixed_at IS NOT NULL AND x.cve = $6[3]) AND (severity_weight(x.severity), x.first_seen, x.id) < (cur.k1, cur.k2, cur.k3) AND severity_weight(x.severity) <= cur.k1 ORDER BY severity_weight(x.severity) DESC, x.first_seen DESC, x.id DESC LIMIT 51)) x ORDER BY x.k1 DESC, x.k2 DESC, x.k3 DESC LIMIT 51) INTO ids;
            ELSE
                SELECT ARRAY(SELECT x.id FROM ((SELECT x.id, severity_weight(x.severity) AS k1, x.first_seen AS k2, x.id AS k3 FROM vulnerabilities x WHERE x.tenant_id = $1[1] AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.fixed_at IS NULL AND x.cve = $6[3]) AND (severity_weight(x.severity), x.first_seen, x.id) > (cur.k1, cur.k2, cur.k3) AND severity_weight(x.severity) >= cur.k1 ORDER BY severity_weight(x.severity) ASC, x.first_seen ASC, x.id ASC LIMIT 51) UNION ALL (SELECT x.id, severity_weight(x.severity) AS k1, x.first_seen AS k2, x.id AS k3 FROM vulnerabilities x WHERE x.tenant_id = $1[1] AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.fixed_at IS NOT NULL AND x.cve = $6[3]) AND (severity_weight(x.severity), x.first_seen, x.id) > (cur.k1, cur.k2, cur.k3) AND severity_weight(x.severity) >= cur.k1 ORDER BY severity_weight(x.severity) ASC, x.first_seen ASC, x.id ASC LIMIT 51)) x ORDER BY x.k1 ASC, x.k2 ASC, x.k3 ASC LIMIT 51) INTO ids;
            END IF;
            IF p_count THEN
                SELECT count(*) FROM (SELECT 1 FROM ((SELECT 1 FROM vulnerabilities x WHERE x.tenant_id = $1[1] AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.fixed_at IS NULL AND x.cve = $6[3]) LIMIT 1001) UNION ALL (SELECT 1 FROM vulnerabilities x WHERE x.tenant_id = $1[1] AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.fixed_at IS NOT NULL AND x.cve = $6[3]) LIMIT 1001)) x LIMIT 1001) x INTO counted;
            END IF;
        ELSE
            RAISE EXCEPTION 'list_reader: no set %', p_set;
        END IF;
    ELSIF p_how = 'tenants' THEN
        IF p_set = 'open' THEN
            IF NOT cursor_found THEN
                SELECT ARRAY(SELECT x.id FROM unnest($1) AS u(tid) CROSS JOIN LATERAL (SELECT x.* FROM vulnerabilities x WHERE x.tenant_id = u.tid AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.fixed_at IS NULL) ORDER BY severity_weight(x.severity) DESC, x.first_seen DESC, x.id DESC LIMIT 51) x ORDER BY severity_weight(x.severity) DESC, x.first_seen DESC, x.id DESC LIMIT 51) INTO ids;
            ELSIF NOT p_back THEN
                SELECT ARRAY(SELECT x.id FROM unnest($1) AS u(tid) CROSS JOIN LATERAL (SELECT x.* FROM vulnerabilities x WHERE x.tenant_id = u.tid AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.fixed_at IS NULL) AND (severity_weight(x.severity), x.first_seen, x.id) < (cur.k1, cur.k2, cur.k3) AND severity_weight(x.severity) <= cur.k1 ORDER BY severity_weight(x.severity) DESC, x.first_seen DESC, x.id DESC LIMIT 51) x ORDER BY severity_weight(x.severity) DESC, x.first_seen DESC, x.id DESC LIMIT 51) INTO ids;
            ELSE
                SELECT ARRAY(SELECT x.id FROM unnest($1) AS u(tid) CROSS JOIN LATERAL (SELECT x.* FROM vulnerabilities x WHERE x.tenant_id = u.tid AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.fixed_at IS NULL) AND (severity_weight(x.severity), x.first_seen, x.id) > (cur.k1, cur.k2, cur.k3) AND severity_weight(x.severity) >= cur.k1 ORDER BY severity_weight(x.severity) ASC, x.first_seen ASC, x.id ASC LIMIT 51) x ORDER BY severity_weight(x.severity) ASC, x.first_seen ASC, x.id ASC LIMIT 51) INTO ids;
            END IF;
            IF p_count THEN
                SELECT count(*) FROM (SELECT 1 FROM ((SELECT 1 FROM unnest($1) AS u(tid) CROSS JOIN LATERAL (SELECT x.* FROM vulnerabilities x WHERE x.tenant_id = u.tid AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.fixed_at IS NULL) LIMIT 1001) x LIMIT 1001)) x LIMIT 1001) x INTO counted;
            END IF;
        ELSIF p_set = 'fixed' THEN
            IF NOT cursor_found THEN
                SELECT ARRAY(SELECT x.id FROM unnest($1) AS u(tid) CROSS JOIN LATERAL (SELECT x.* FROM vulnerabilities x WHERE x.tenant_id = u.tid AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.fixed_at IS NOT NULL) ORDER BY severity_weight(x.severity) DESC, x.first_seen DESC, x.id DESC LIMIT 51) x ORDER BY severity_weight(x.severity) DESC, x.first_seen DESC, x.id DESC LIMIT 51) INTO ids;
            ELSIF NOT p_back THEN
                SELECT ARRAY(SELECT x.id FROM unnest($1) AS u(tid) CROSS JOIN LATERAL (SELECT x.* FROM vulnerabilities x WHERE x.tenant_id = u.tid AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.fixed_at IS NOT NULL) AND (severity_weight(x.severity), x.first_seen, x.id) < (cur.k1, cur.k2, cur.k3) AND severity_weight(x.severity) <= cur.k1 ORDER BY severity_weight(x.severity) DESC, x.first_seen DESC, x.id DESC LIMIT 51) x ORDER BY severity_weight(x.severity) DESC, x.first_seen DESC, x.id DESC LIMIT 51) INTO ids;
            ELSE
                SELECT ARRAY(SELECT x.id FROM unnest($1) AS u(tid) CROSS JOIN LATERAL (SELECT x.* FROM vulnerabilities x WHERE x.tenant_id = u.tid AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.fixed_at IS NOT NULL) AND (severity_weight(x.severity), x.first_seen, x.id) > (cur.k1, cur.k2, cur.k3) AND severity_weight(x.severity) >= cur.k1 ORDER BY severity_weight(x.severity) ASC, x.first_seen ASC, x.id ASC LIMIT 51) x ORDER BY severity_weight(x.severity) ASC, x.first_seen ASC, x.id ASC LIMIT 51) INTO ids;
            END IF;
            IF p_count THEN
                SELECT count(*) FROM (SELECT 1 FROM ((SELECT 1 FROM unnest($1) AS u(tid) CROSS JOIN LATERAL (SELECT x.* FROM vulnerabilities x WHERE x.tenant_id = u.tid AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.fixed_at IS NOT NULL) LIMIT 1001) x LIMIT 1001)) x LIMIT 1001) x INTO counted;
            END IF;
        ELSIF p_set = 'all' THEN
            IF NOT cursor_found THEN
                SELECT ARRAY(SELECT x.id FROM ((SELECT x.id, severity_weight(x.severity) AS k1, x.first_seen AS k2, x.id AS k3 FROM unnest($1) AS u(tid) CROSS JOIN LATERAL (SELECT x.* FROM vulnerabilities x WHERE x.tenant_id = u.tid AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.fixed_at IS NULL) ORDER BY severity_weight(x.severity) DESC, x.first_seen DESC, x.id DESC LIMIT 51) x ORDER BY severity_weight(x.severity) DESC, x.first_seen DESC, x.id DESC LIMIT 51) UNION ALL (SELECT x.id, severity_weight(x.severity) AS k1, x.first_seen AS k2, x.id AS k3 FROM unnest($1) AS u(tid) CROSS JOIN LATERAL (SELECT x.* FROM vulnerabilities x WHERE x.tenant_id = u.tid AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.fixed_at IS NOT NULL) ORDER BY severity_weight(x.severity) DESC, x.first_seen DESC, x.id DESC LIMIT 51) x ORDER BY severity_weight(x.severity) DESC, x.first_seen DESC, x.id DESC LIMIT 51)) x ORDER BY x.k1 DESC, x.k2 DESC, x.k3 DESC LIMIT 51) INTO ids;
            ELSIF NOT p_back THEN
                SELECT ARRAY(SELECT x.id FROM ((SELECT x.id, severity_weight(x.severity) AS k1, x.first_seen AS k2, x.id AS k3 FROM unnest($1) AS u(tid) CROSS JOIN LATERAL (SELECT x.* FROM vulnerabilities x WHERE x.tenant_id = u.tid AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.fixed_at IS NULL) AND (severity_weight(x.severity), x.first_seen, x.id) < (cur.k1, cur.k2, cur.k3) AND severity_weight(x.severity) <= cur.k1 ORDER BY severity_weight(x.severity) DESC, x.first_seen DESC, x.id DESC LIMIT 51) x ORDER BY severity_weight(x.severity) DESC, x.first_seen DESC, x.id DESC LIMIT 51) UNION ALL (SELECT x.id, severity_weight(x.severity) AS k1, x.first_seen AS k2, x.id AS k3 FROM unnest($1) AS u(tid) CROSS JOIN LATERAL (SELECT x.* FROM vulnerabilities x WHERE x.tenant_id = u.tid AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.fixed_at IS NOT NULL) AND (severity_weight(x.severity), x.first_seen, x.id) < (cur.k1, cur.k2, cur.k3) AND severity_weight(x.severity) <= cur.k1 ORDER BY severity_weight(x.severity) DESC, x.first_seen DESC, x.id DESC LIMIT 51) x ORDER BY severity_weight(x.severity) DESC, x.first_seen DESC, x.id DESC LIMIT 51)) x ORDER BY x.k1 DESC, x.k2 DESC, x.k3 DESC LIMIT 51) INTO ids;
            ELSE
                SELECT ARRAY(SELECT x.id FROM ((SELECT x.id, severity_weight(x.severity) AS k1, x.first_seen AS k2, x.id AS k3 FROM unnest($1) AS u(tid) CROSS JOIN LATERAL (SELECT x.* FROM vulnerabilities x WHERE x.tenant_id = u.tid AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.fixed_at IS NULL) AND (severity_weight(x.severity), x.first_seen, x.id) > (cur.k1, cur.k2, cur.k3) AND severity_weight(x.severity) >= cur.k1 ORDER BY severity_weight(x.severity) ASC, x.first_seen ASC, x.id ASC LIMIT 51) x ORDER BY severity_weight(x.severity) ASC, x.first_seen ASC, x.id ASC LIMIT 51) UNION ALL (SELECT x.id, severity_weight(x.severity) AS k1, x.first_seen AS k2, x.id AS k3 FROM unnest($1) AS u(tid) CROSS JOIN LATERAL (SELECT x.* FROM vulnerabilities x WHERE x.tenant_id = u.tid AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.fixed_at IS NOT NULL) AND (severity_weight(x.severity), x.first_seen, x.id) > (cur.k1, cur.k2, cur.k3) AND severity_weight(x.severity) >= cur.k1 ORDER BY severity_weight(x.severity) ASC, x.first_seen ASC, x.id ASC LIMIT 51) x ORDER BY severity_weight(x.severity) ASC, x.first_seen ASC, x.id ASC LIMIT 51)) x ORDER BY x.k1 ASC, x.k2 ASC, x.k3 ASC LIMIT 51) INTO ids;
            END IF;
            IF p_count THEN
                SELECT count(*) FROM (SELECT 1 FROM ((SELECT 1 FROM unnest($1) AS u(tid) CROSS JOIN LATERAL (SELECT x.* FROM vulnerabilities x WHERE x.tenant_id = u.tid AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.fixed_at IS NULL) LIMIT 1001) x LIMIT 1001) UNION ALL (SELECT 1 FROM unnest($1) AS u(tid) CROSS JOIN LATERAL (SELECT x.* FROM vulnerabilities x WHERE x.tenant_id = u.tid AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.fixed_at IS NOT NULL) LIMIT 1001) x LIMIT 1001)) x LIMIT 1001) x INTO counted;
            END IF;
        ELSIF p_set = 'open cve' THEN
            IF NOT cursor_found THEN
                SELECT ARRAY(SELECT x.id FROM unnest($1) AS u(tid) CROSS JOIN LATERAL (SELECT x.* FROM vulnerabilities x WHERE x.tenant_id = u.tid AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.fixed_at IS NULL AND x.cve = $6[3]) ORDER BY severity_weight(x.severity) DESC, x.first_seen DESC, x.id DESC LIMIT 51) x ORDER BY severity_weight(x.severity) DESC, x.first_seen DESC, x.id DESC LIMIT 51) INTO ids;
            ELSIF NOT p_back THEN
                SELECT ARRAY(SELECT x.id FROM unnest($1) AS u(tid) CROSS JOIN LATERAL (SELECT x.* FROM vulnerabilities x WHERE x.tenant_id = u.tid AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.fixed_at IS NULL AND x.cve = $6[3]) AND (severity_weight(x.severity), x.first_seen, x.id) < (cur.k1, cur.k2, cur.k3) AND severity_weight(x.severity) <= cur.k1 ORDER BY severity_weight(x.severity) DESC, x.first_seen DESC, x.id DESC LIMIT 51) x ORDER BY severity_weight(x.severity) DESC, x.first_seen DESC, x.id DESC LIMIT 51) INTO ids;
            ELSE
                SELECT ARRAY(SELECT x.id FROM unnest($1) AS u(tid) CROSS JOIN LATERAL (SELECT x.* FROM vulnerabilities x WHERE x.tenant_id = u.tid AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.fixed_at IS NULL AND x.cve = $6[3]) AND (severity_weight(x.severity), x.first_seen, x.id) > (cur.k1, cur.k2, cur.k3) AND severity_weight(x.severity) >= cur.k1 ORDER BY severity_weight(x.severity) ASC, x.first_seen ASC, x.id ASC LIMIT 51) x ORDER BY severity_weight(x.severity) ASC, x.first_seen ASC, x.id ASC LIMIT 51) INTO ids;
            END IF;
            IF p_count THEN
                SELECT count(*) FROM (SELECT 1 FROM ((SELECT 1 FROM unnest($1) AS u(tid) CROSS JOIN LATERAL (SELECT x.* FROM vulnerabilities x WHERE x.tenant_id = u.tid AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.fixed_at IS NULL AND x.cve = $6[3]) LIMIT 1001) x LIMIT 1001)) x LIMIT 1001) x INTO counted;
            END IF;
        ELSIF p_set = 'fixed cve' THEN
            IF NOT cursor_found THEN
                SELECT ARRAY(SELECT x.id FROM unnest($1) AS u(tid) CROSS JOIN LATERAL (SELECT x.* FROM vulnerabilities x WHERE x.tenant_id = u.tid AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.fixed_at IS NOT NULL AND x.cve = $6[3]) ORDER BY severity_weight(x.severity) DESC, x.first_seen DESC, x.id DESC LIMIT 51) x ORDER BY severity_weight(x.severity) DESC, x.first_seen DESC, x.id DESC LIMIT 51) INTO ids;
            ELSIF NOT p_back THEN
                SELECT ARRAY(SELECT x.id FROM unnest($1) AS u(tid) CROSS JOIN LATERAL (SELECT x.* FROM vulnerabilities x WHERE x.tenant_id = u.tid AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.fixed_at IS NOT NULL AND x.cve = $6[3]) AND (severity_weight(x.severity), x.first_seen, x.id) < (cur.k1, cur.k2, cur.k3) AND severity_weight(x.severity) <= cur.k1 ORDER BY severity_weight(x.severity) DESC, x.first_seen DESC, x.id DESC LIMIT 51) x ORDER BY severity_weight(x.severity) DESC, x.first_seen DESC, x.id DESC LIMIT 51) INTO ids;
            ELSE
                SELECT ARRAY(SELECT x.id FROM unnest($1) AS u(tid) CROSS JOIN LATERAL (SELECT x.* FROM vulnerabilities x WHERE x.tenant_id = u.tid AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.fixed_at IS NOT NULL AND x.cve = $6[3]) AND (severity_weight(x.severity), x.first_seen, x.id) > (cur.k1, cur.k2, cur.k3) AND severity_weight(x.severity) >= cur.k1 ORDER BY severity_weight(x.severity) ASC, x.first_seen ASC, x.id ASC LIMIT 51) x ORDER BY severity_weight(x.severity) ASC, x.first_seen ASC, x.id ASC LIMIT 51) INTO ids;
            END IF;
            IF p_count THEN
                SELECT count(*) FROM (SELECT 1 FROM ((SELECT 1 FROM unnest($1) AS u(tid) CROSS JOIN LATERAL (SELECT x.* FROM vulnerabilities x WHERE x.tenant_id = u.tid AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.fixed_at IS NOT NULL AND x.cve = $6[3]) LIMIT 1001) x LIMIT 1001)) x LIMIT 1001) x INTO counted;
            END IF;
        ELSIF p_set = 'all cve' THEN
            IF NOT cursor_found THEN
                SELECT ARRAY(SELECT x.id FROM ((SELECT x.id, severity_weight(x.severity) AS k1, x.first_seen AS k2, x.id AS k3 FROM unnest($1) AS u(tid) CROSS JOIN LATERAL (SELECT x.* FROM vulnerabilities x WHERE x.tenant_id = u.tid AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.fixed_at IS NULL AND x.cve = $6[3]) ORDER BY severity_weight(x.severity) DESC, x.first_seen DESC, x.id DESC LIMIT 51) x ORDER BY severity_weight(x.severity) DESC, x.first_seen DESC, x.id DESC LIMIT 51) UNION ALL (SELECT x.id, severity_weight(x.severity) AS k1, x.first_seen AS k2, x.id AS k3 FROM unnest($1) AS u(tid) CROSS JOIN LATERAL (SELECT x.* FROM vulnerabilities x WHERE x.tenant_id = u.tid AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.fixed_at IS NOT NULL AND x.cve = $6[3]) ORDER BY severity_weight(x.severity) DESC, x.first_seen DESC, x.id DESC LIMIT 51) x ORDER BY severity_weight(x.severity) DESC, x.first_seen DESC, x.id DESC LIMIT 51)) x ORDER BY x.k1 DESC, x.k2 DESC, x.k3 DESC LIMIT 51) INTO ids;
            ELSIF NOT p_back THEN
                SELECT ARRAY(SELECT x.id FROM ((SELECT x.id, severity_weight(x.severity) AS k1, x.first_seen AS k2, x.id AS k3 FROM unnest($1) AS u(tid) CROSS JOIN LATERAL (SELECT x.* FROM vulnerabilities x WHERE x.tenant_id = u.tid AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.fixed_at IS NULL AND x.cve = $6[3]) AND (severity_weight(x.severity), x.first_seen, x.id) < (cur.k1, cur.k2, cur.k3) AND severity_weight(x.severity) <= cur.k1 ORDER BY severity_weight(x.severity) DESC, x.first_seen DESC, x.id DESC LIMIT 51) x ORDER BY severity_weight(x.severity) DESC, x.first_seen DESC, x.id DESC LIMIT 51) UNION ALL (SELECT x.id, severity_weight(x.severity) AS k1, x.first_seen AS k2, x.id AS k3 FROM unnest($1) AS u(tid) CROSS JOIN LATERAL (SELECT x.* FROM vulnerabilities x WHERE x.tenant_id = u.tid AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.fixed_at IS NOT NULL AND x.cve = $6[3]) AND (severity_weight(x.severity), x.first_seen, x.id) < (cur.k1, cur.k2, cur.k3) AND severity_weight(x.severity) <= cur.k1 ORDER BY severity_weight(x.severity) DESC, x.first_seen DESC, x.id DESC LIMIT 51) x ORDER BY severity_weight(x.severity) DESC, x.first_seen DESC, x.id DESC LIMIT 51)) x ORDER BY x.k1 DESC, x.k2 DESC, x.k3 DESC LIMIT 51) INTO ids;
            ELSE
                SELECT ARRAY(SELECT x.id FROM ((SELECT x.id, severity_weight(x.severity) AS k1, x.first_seen AS k2, x.id AS k3 FROM unnest($1) AS u(tid) CROSS JOIN LATERAL (SELECT x.* FROM vulnerabilities x WHERE x.tenant_id = u.tid AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.fixed_at IS NULL AND x.cve = $6[3]) AND (severity_weight(x.severity), x.first_seen, x.id) > (cur.k1, cur.k2, cur.k3) AND severity_weight(x.severity) >= cur.k1 ORDER BY severity_weight(x.severity) ASC, x.first_seen ASC, x.id ASC LIMIT 51) x ORDER BY severity_weight(x.severity) ASC, x.first_seen ASC, x.id ASC LIMIT 51) UNION ALL (SELECT x.id, severity_weight(x.severity) AS k1, x.first_seen AS k2, x.id AS k3 FROM unnest($1) AS u(tid) CROSS JOIN LATERAL (SELECT x.* FROM vulnerabilities x WHERE x.tenant_id = u.tid AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.fixed_at IS NOT NULL AND x.cve = $6[3]) AND (severity_weight(x.severity), x.first_seen, x.id) > (cur.k1, cur.k2, cur.k3) AND severity_weight(x.severity) >= cur.k1 ORDER BY severity_weight(x.severity) ASC, x.first_seen ASC, x.id ASC LIMIT 51) x ORDER BY severity_weight(x.severity) ASC, x.first_seen ASC, x.id ASC LIMIT 51)) x ORDER BY x.k1 ASC, x.k2 ASC, x.k3 ASC LIMIT 51) INTO ids;
            END IF;
            IF p_count THEN
                SELECT count(*) FROM (SELECT 1 FROM ((SELECT 1 FROM unnest($1) AS u(tid) CROSS JOIN LATERAL (SELECT x.* FROM vulnerabilities x WHERE x.tenant_id = u.tid AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.fixed_at IS NULL AND x.cve = $6[3]) LIMIT 1001) x LIMIT 1001) UNION ALL (SELECT 1 FROM unnest($1) AS u(tid) CROSS JOIN LATERAL (SELECT x.* FROM vulnerabilities x WHERE x.tenant_id = u.tid AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.fixed_at IS NOT NULL AND x.cve = $6[3]) LIMIT 1001) x LIMIT 1001)) x LIMIT 1001) x INTO counted;
            END IF;
        ELSE
            RAISE EXCEPTION 'list_reader: no set %', p_set;
        END IF;
    ELSIF p_how = 'root' THEN
        IF p_set = 'open' THEN
            IF NOT cursor_found THEN
                SELECT ARRAY(SELECT x.id FROM vulnerabilities x WHERE x.root_id = $2 AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.fixed_at IS NULL) ORDER BY severity_weight(x.severity) DESC, x.first_seen DESC, x.id DESC LIMIT 51) INTO ids;
            ELSIF NOT p_back THEN
                SELECT ARRAY(SELECT x.id FROM vulnerabilities x WHERE x.root_id = $2 AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.fixed_at IS NULL) AND (severity_weight(x.severity), x.first_seen, x.id) < (cur.k1, cur.k2, cur.k3) AND severity_weight(x.severity) <= cur.k1 ORDER BY severity_weight(x.severity) DESC, x.first_seen DESC, x.id DESC LIMIT 51) INTO ids;
            ELSE
                SELECT ARRAY(SELECT x.id FROM vulnerabilities x WHERE x.root_id = $2 AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.fixed_at IS NULL) AND (severity_weight(x.severity), x.first_seen, x.id) > (cur.k1, cur.k2, cur.k3) AND severity_weight(x.severity) >= cur.k1 ORDER BY severity_weight(x.severity) ASC, x.first_seen ASC, x.id ASC LIMIT 51) INTO ids;
            END IF;
            IF p_count THEN
                SELECT count(*) FROM (SELECT 1 FROM ((SELECT 1 FROM vulnerabilities x WHERE x.root_id = $2 AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.fixed_at IS NULL) LIMIT 1001)) x LIMIT 1001) x INTO counted;
            END IF;
        ELSIF p_set = 'fixed' THEN
            IF NOT cursor_found THEN
                SELECT ARRAY(SELECT x.id FROM vulnerabilities x WHERE x.root_id = $2 AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.fixed_at IS NOT NULL) ORDER BY severity_weight(x.severity) DESC, x.first_seen DESC, x.id DESC LIMIT 51) INTO ids;
            ELSIF NOT p_back THEN
                SELECT ARRAY(SELECT x.id FROM vulnerabilities x WHERE x.root_id = $2 AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.fixed_at IS NOT NULL) AND (severity_weight(x.severity), x.first_seen, x.id) < (cur.k1, cur.k2, cur.k3) AND severity_weight(x.severity) <= cur.k1 ORDER BY severity_weight(x.severity) DESC, x.first_seen DESC, x.id DESC LIMIT 51) INTO ids;
            ELSE
                SELECT ARRAY(SELECT x.id FROM vulnerabilities x WHERE x.root_id = $2 AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.fixed_at IS NOT NULL) AND (severity_weight(x.severity), x.first_seen, x.id) > (cur.k1, cur.k2, cur.k3) AND severity_weight(x.severity) >= cur.k1 ORDER BY severity_weight(x.severity) ASC, x.first_seen ASC, x.id ASC LIMIT 51) INTO ids;
            END IF;
            IF p_count THEN
                SELECT count(*) FROM (SELECT 1 FROM ((SELECT 1 FROM vulnerabilities x WHERE x.root_id = $2 AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.fixed_at IS NOT NULL) LIMIT 1001)) x LIMIT 1001) x INTO counted;
            END IF;
        ELSIF p_set = 'all' THEN
            IF NOT cursor_found THEN
                SELECT ARRAY(SELECT x.id FROM ((SELECT x.id, severity_weight(x.severity) AS k1, x.first_seen AS k2, x.id AS k3 FROM vulnerabilities x WHERE x.root_id = $2 AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.fixed_at IS NULL) ORDER BY severity_weight(x.severity) DESC, x.first_seen DESC, x.id DESC LIMIT 51) UNION ALL (SELECT x.id, severity_weight(x.severity) AS k1, x.first_seen AS k2, x.id AS k3 FROM vulnerabilities x WHERE x.root_id = $2 AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.fixed_at IS NOT NULL) ORDER BY severity_weight(x.severity) DESC, x.first_seen DESC, x.id DESC LIMIT 51)) x ORDER BY x.k1 DESC, x.k2 DESC, x.k3 DESC LIMIT 51) INTO ids;
            ELSIF NOT p_back THEN
                SELECT ARRAY(SELECT x.id FROM ((SELECT x.id, severity_weight(x.severity) AS k1, x.first_seen AS k2, x.id AS k3 FROM vulnerabilities x WHERE x.root_id = $2 AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.fixed_at IS NULL) AND (severity_weight(x.severity), x.first_seen, x.id) < (cur.k1, cur.k2, cur.k3) AND severity_weight(x.severity) <= cur.k1 ORDER BY severity_weight(x.severity) DESC, x.first_seen DESC, x.id DESC LIMIT 51) UNION ALL (SELECT x.id, severity_weight(x.severity) AS k1, x.first_seen AS k2, x.id AS k3 FROM vulnerabilities x WHERE x.root_id = $2 AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.fixed_at IS NOT NULL) AND (severity_weight(x.severity), x.first_seen, x.id) < (cur.k1, cur.k2, cur.k3) AND severity_weight(x.severity) <= cur.k1 ORDER BY severity_weight(x.severity) DESC, x.first_seen DESC, x.id DESC LIMIT 51)) x ORDER BY x.k1 DESC, x.k2 DESC, x.k3 DESC LIMIT 51) INTO ids;
            ELSE
                SELECT ARRAY(SELECT x.id FROM ((SELECT x.id, severity_weight(x.severity) AS k1, x.first_seen AS k2, x.id AS k3 FROM vulnerabilities x WHERE x.root_id = $2 AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.fixed_at IS NULL) AND (severity_weight(x.severity), x.first_seen, x.id) > (cur.k1, cur.k2, cur.k3) AND severity_weight(x.severity) >= cur.k1 ORDER BY severity_weight(x.severity) ASC, x.first_seen ASC, x.id ASC LIMIT 51) UNION ALL (SELECT x.id, severity_weight(x.severity) AS k1, x.first_seen AS k2, x.id AS k3 FROM vulnerabilities x WHERE x.root_id = $2 AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.fixed_at IS NOT NULL) AND (severity_weight(x.severity), x.first_seen, x.id) > (cur.k1, cur.k2, cur.k3) AND severity_weight(x.severity) >= cur.k1 ORDER BY severity_weight(x.severity) ASC, x.first_seen ASC, x.id ASC LIMIT 51)) x ORDER BY x.k1 ASC, x.k2 ASC, x.k3 ASC LIMIT 51) INTO ids;
            END IF;
            IF p_count THEN
                SELECT count(*) FROM (SELECT 1 FROM ((SELECT 1 FROM vulnerabilities x WHERE x.root_id = $2 AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.fixed_at IS NULL) LIMIT 1001) UNION ALL (SELECT 1 FROM vulnerabilities x WHERE x.root_id = $2 AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.fixed_at IS NOT NULL) LIMIT 1001)) x LIMIT 1001) x INTO counted;
            END IF;
        ELSIF p_set = 'open cve' THEN
            IF NOT cursor_found THEN
                SELECT ARRAY(SELECT x.id FROM vulnerabilities x WHERE x.root_id = $2 AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.fixed_at IS NULL AND x.cve = $6[3]) ORDER BY severity_weight(x.severity) DESC, x.first_seen DESC, x.id DESC LIMIT 51) INTO ids;
            ELSIF NOT p_back THEN
                SELECT ARRAY(SELECT x.id FROM vulnerabilities x WHERE x.root_id = $2 AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.fixed_at IS NULL AND x.cve = $6[3]) AND (severity_weight(x.severity), x.first_seen, x.id) < (cur.k1, cur.k2, cur.k3) AND severity_weight(x.severity) <= cur.k1 ORDER BY severity_weight(x.severity) DESC, x.first_seen DESC, x.id DESC LIMIT 51) INTO ids;
            ELSE
                SELECT ARRAY(SELECT x.id FROM vulnerabilities x WHERE x.root_id = $2 AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.fixed_at IS NULL AND x.cve = $6[3]) AND (severity_weight(x.severity), x.first_seen, x.id) > (cur.k1, cur.k2, cur.k3) AND severity_weight(x.severity) >= cur.k1 ORDER BY severity_weight(x.severity) ASC, x.first_seen ASC, x.id ASC LIMIT 51) INTO ids;
            END IF;
            IF p_count THEN
                SELECT count(*) FROM (SELECT 1 FROM ((SELECT 1 FROM vulnerabilities x WHERE x.root_id = $2 AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.fixed_at IS NULL AND x.cve = $6[3]) LIMIT 1001)) x LIMIT 1001) x INTO counted;
            END IF;
        ELSIF p_set = 'fixed cve' THEN
            IF NOT cursor_found THEN
                SELECT ARRAY(SELECT x.id FROM vulnerabilities x WHERE x.root_id = $2 AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.fixed_at IS NOT NULL AND x.cve = $6[3]) ORDER BY severity_weight(x.severity) DESC, x.first_seen DESC, x.id DESC LIMIT 51) INTO ids;
            ELSIF NOT p_back THEN
                SELECT ARRAY(SELECT x.id FROM vulnerabilities x WHERE x.root_id = $2 AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.fixed_at IS NOT NULL AND x.cve = $6[3]) AND (severity_weight(x.severity), x.first_seen, x.id) < (cur.k1, cur.k2, cur.k3) AND severity_weight(x.severity) <= cur.k1 ORDER BY severity_weight(x.severity) DESC, x.first_seen DESC, x.id DESC LIMIT 51) INTO ids;
            ELSE
                SELECT ARRAY(SELECT x.id FROM vulnerabilities x WHERE x.root_id = $2 AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.fixed_at IS NOT NULL AND x.cve = $6[3]) AND (severity_weight(x.severity), x.first_seen, x.id) > (cur.k1, cur.k2, cur.k3) AND severity_weight(x.severity) >= cur.k1 ORDER BY severity_weight(x.severity) ASC, x.first_seen ASC, x.id ASC LIMIT 51) INTO ids;
            END IF;
            IF p_count THEN
                SELECT count(*) FROM (SELECT 1 FROM ((SELECT 1 FROM vulnerabilities x WHERE x.root_id = $2 AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.fixed_at IS NOT NULL AND x.cve = $6[3]) LIMIT 1001)) x LIMIT 1001) x INTO counted;
            END IF;
        ELSIF p_set = 'all cve' THEN
            IF NOT cursor_found THEN
                SELECT ARRAY(SELECT x.id FROM ((SELECT x.id, severity_weight(x.severity) AS k1, x.first_seen AS k2, x.id AS k3 FROM vulnerabilities x WHERE x.root_id = $2 AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.fixed_at IS NULL AND x.cve = $6[3]) ORDER BY severity_weight(x.severity) DESC, x.first_seen DESC, x.id DESC LIMIT 51) UNION ALL (SELECT x.id, severity_weight(x.severity) AS k1, x.first_seen AS k2, x.id AS k3 FROM vulnerabilities x WHERE x.root_id = $2 AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.fixed_at IS NOT NULL AND x.cve = $6[3]) ORDER BY severity_weight(x.severity) DESC, x.first_seen DESC, x.id DESC LIMIT 51)) x ORDER BY x.k1 DESC, x.k2 DESC, x.k3 DESC LIMIT 51) INTO ids;
            ELSIF NOT p_back THEN
                SELECT ARRAY(SELECT x.id FROM ((SELECT x.id, severity_weight(x.severity) AS k1, x.first_seen AS k2, x.id AS k3 FROM vulnerabilities x WHERE x.root_id = $2 AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.fixed_at IS NULL AND x.cve = $6[3]) AND (severity_weight(x.severity), x.first_seen, x.id) < (cur.k1, cur.k2, cur.k3) AND severity_weight(x.severity) <= cur.k1 ORDER BY severity_weight(x.severity) DESC, x.first_seen DESC, x.id DESC LIMIT 51) UNION ALL (SELECT x.id, severity_weight(x.severity) AS k1, x.first_seen AS k2, x.id AS k3 FROM vulnerabilities x WHERE x.root_id = $2 AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.fixed_at IS NOT NULL AND x.cve = $6[3]) AND (severity_weight(x.severity), x.first_seen, x.id) < (cur.k1, cur.k2, cur.k3) AND severity_weight(x.severity) <= cur.k1 ORDER BY severity_weight(x.severity) DESC, x.first_seen DESC, x.id DESC LIMIT 51)) x ORDER BY x.k1 DESC, x.k2 DESC, x.k3 DESC LIMIT 51) INTO ids;
            ELSE
                SELECT ARRAY(SELECT x.id FROM ((SELECT x.id, severity_weight(x.severity) AS k1, x.first_seen AS k2, x.id AS k3 FROM vulnerabilities x WHERE x.root_id = $2 AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.fixed_at IS NULL AND x.cve = $6[3]) AND (severity_weight(x.severity), x.first_seen, x.id) > (cur.k1, cur.k2, cur.k3) AND severity_weight(x.severity) >= cur.k1 ORDER BY severity_weight(x.severity) ASC, x.first_seen ASC, x.id ASC LIMIT 51) UNION ALL (SELECT x.id, severity_weight(x.severity) AS k1, x.first_seen AS k2, x.id AS k3 FROM vulnerabilities x WHERE x.root_id = $2 AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.fixed_at IS NOT NULL AND x.cve = $6[3]) AND (severity_weight(x.severity), x.first_seen, x.id) > (cur.k1, cur.k2, cur.k3) AND severity_weight(x.severity) >= cur.k1 ORDER BY severity_weight(x.severity) ASC, x.first_seen ASC, x.id ASC LIMIT 51)) x ORDER BY x.k1 ASC, x.k2 ASC, x.k3 ASC LIMIT 51) INTO ids;
            END IF;
            IF p_count THEN
                SELECT count(*) FROM (SELECT 1 FROM ((SELECT 1 FROM vulnerabilities x WHERE x.root_id = $2 AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.fixed_at IS NULL AND x.cve = $6[3]) LIMIT 1001) UNION ALL (SELECT 1 FROM vulnerabilities x WHERE x.root_id = $2 AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.fixed_at IS NOT NULL AND x.cve = $6[3]) LIMIT 1001)) x LIMIT 1001) x INTO counted;
            END IF;
        ELSE
            RAISE EXCEPTION 'list_reader: no set %', p_set;
        END IF;
    ELSIF p_how = 'check' THEN
        IF p_set = 'open' THEN
            IF NOT cursor_found THEN
                SELECT ARRAY(SELECT x.id FROM vulnerabilities x WHERE x.root_id = $2 AND EXISTS (SELECT 1 FROM tenants c WHERE c.id = x.tenant_id AND c.ancestors @> ARRAY[$3] AND scope_sees(c.ancestors, c.id, $4, $5) OFFSET 0) AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.fixed_at IS NULL) ORDER BY severity_weight(x.severity) DESC, x.first_seen DESC, x.id DESC LIMIT 51) INTO ids;
            ELSIF NOT p_back THEN
                SELECT ARRAY(SELECT x.id FROM vulnerabilities x WHERE x.root_id = $2 AND EXISTS (SELECT 1 FROM tenants c WHERE c.id = x.tenant_id AND c.ancestors @> ARRAY[$3] AND scope_sees(c.ancestors, c.id, $4, $5) OFFSET 0) AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.fixed_at IS NULL) AND (severity_weight(x.severity), x.first_seen, x.id) < (cur.k1, cur.k2, cur.k3) AND severity_weight(x.severity) <= cur.k1 ORDER BY severity_weight(x.severity) DESC, x.first_seen DESC, x.id DESC LIMIT 51) INTO ids;
            ELSE
                SELECT ARRAY(SELECT x.id FROM vulnerabilities x WHERE x.root_id = $2 AND EXISTS (SELECT 1 FROM tenants c WHERE c.id = x.tenant_id AND c.ancestors @> ARRAY[$3] AND scope_sees(c.ancestors, c.id, $4, $5) OFFSET 0) AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.fixed_at IS NULL) AND (severity_weight(x.severity), x.first_seen, x.id) > (cur.k1, cur.k2, cur.k3) AND severity_weight(x.severity) >= cur.k1 ORDER BY severity_weight(x.severity) ASC, x.first_seen ASC, x.id ASC LIMIT 51) INTO ids;
            END IF;
            IF p_count THEN
                SELECT count(*) FROM (SELECT 1 FROM ((SELECT 1 FROM vulnerabilities x WHERE x.root_id = $2 AND EXISTS (SELECT 1 FROM tenants c WHERE c.id = x.tenant_id AND c.ancestors @> ARRAY[$3] AND scope_sees(c.ancestors, c.id, $4, $5) OFFSET 0) AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.fixed_at IS NULL) LIMIT 1001)) x LIMIT 1001) x INTO counted;
            END IF;
        ELSIF p_set = 'fixed' THEN
            IF NOT cursor_found THEN
                SELECT ARRAY(SELECT x.id FROM vulnerabilities x WHERE x.root_id = $2 AND EXISTS (SELECT 1 FROM tenants c WHERE c.id = x.tenant_id AND c.ancestors @> ARRAY[$3] AND scope_sees(c.ancestors, c.id, $4, $5) OFFSET 0) AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.fixed_at IS NOT NULL) ORDER BY severity_weight(x.severity) DESC, x.first_seen DESC, x.id DESC LIMIT 51) INTO ids;
            ELSIF NOT p_back THEN
                SELECT ARRAY(SELECT x.id FROM vulnerabilities x WHERE x.root_id = $2 AND EXISTS (SELECT 1 FROM tenants c WHERE c.id = x.tenant_id AND c.ancestors @> ARRAY[$3] AND scope_sees(c.ancestors, c.id, $4, $5) OFFSET 0) AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.fixed_at IS NOT NULL) AND (severity_weight(x.severity), x.first_seen, x.id) < (cur.k1, cur.k2, cur.k3) AND severity_weight(x.severity) <= cur.k1 ORDER BY severity_weight(x.severity) DESC, x.first_seen DESC, x.id DESC LIMIT 51) INTO ids;
            ELSE
                SELECT ARRAY(SELECT x.id FROM vulnerabilities x WHERE x.root_id = $2 AND EXISTS (SELECT 1 FROM tenants c WHERE c.id = x.tenant_id AND c.ancestors @> ARRAY[$3] AND scope_sees(c.ancestors, c.id, $4, $5) OFFSET 0) AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.fixed_at IS NOT NULL) AND (severity_weight(x.severity), x.first_seen, x.id) > (cur.k1, cur.k2, cur.k3) AND severity_weight(x.severity) >= cur.k1 ORDER BY severity_weight(x.severity) ASC, x.first_seen ASC, x.id ASC LIMIT 51) INTO ids;
            END IF;
            IF p_count THEN
                SELECT count(*) FROM (SELECT 1 FROM ((SELECT 1 FROM vulnerabilities x WHERE x.root_id = $2 AND EXISTS (SELECT 1 FROM tenants c WHERE c.id = x.tenant_id AND c.ancestors @> ARRAY[$3] AND scope_sees(c.ancestors, c.id, $4, $5) OFFSET 0) AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.fixed_at IS NOT NULL) LIMIT 1001)) x LIMIT 1001) x INTO counted;
            END IF;
        ELSIF p_set = 'all' THEN
            IF NOT cursor_found THEN
                SELECT ARRAY(SELECT x.id FROM ((SELECT x.id, severity_weight(x.severity) AS k1, x.first_seen AS k2, x.id AS k3 FROM vulnerabilities x WHERE x.root_id = $2 AND EXISTS (SELECT 1 FROM tenants c WHERE c.id = x.tenant_id AND c.ancestors @> ARRAY[$3] AND scope_sees(c.ancestors, c.id, $4, $5) OFFSET 0) AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.fixed_at IS NULL) ORDER BY severity_weight(x.severity) DESC, x.first_seen DESC, x.id DESC LIMIT 51) UNION ALL (SELECT x.id, severity_weight(x.severity) AS k1, x.first_seen AS k2, x.id AS k3 FROM vulnerabilities x WHERE x.root_id = $2 AND EXISTS (SELECT 1 FROM tenants c WHERE c.id = x.tenant_id AND c.ancestors @> ARRAY[$3] AND scope_sees(c.ancestors, c.id, $4, $5) OFFSET 0) AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.fixed_at IS NOT NULL) ORDER BY severity_weight(x.severity) DESC, x.first_seen DESC, x.id DESC LIMIT 51)) x ORDER BY x.k1 DESC, x.k2 DESC, x.k3 DESC LIMIT 51) INTO ids;
            ELSIF NOT p_back THEN
                SELECT ARRAY(SELECT x.id FROM ((SELECT x.id, severity_weight(x.severity) AS k1, x.first_seen AS k2, x.id AS k3 FROM vulnerabilities x WHERE x.root_id = $2 AND EXISTS (SELECT 1 FROM tenants c WHERE c.id = x.tenant_id AND c.ancestors @> ARRAY[$3] AND scope_sees(c.ancestors, c.id, $4, $5) OFFSET 0) AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.fixed_at IS NULL) AND (severity_weight(x.severity), x.first_seen, x.id) < (cur.k1, cur.k2, cur.k3) AND severity_weight(x.severity) <= cur.k1 ORDER BY severity_weight(x.severity) DESC, x.first_seen DESC, x.id DESC LIMIT 51) UNION ALL (SELECT x.id, severity_weight(x.severity) AS k1, x.first_seen AS k2, x.id AS k3 FROM vulnerabilities x WHERE x.root_id = $2 AND EXISTS (SELECT 1 FROM tenants c WHERE c.id = x.tenant_id AND c.ancestors @> ARRAY[$3] AND scope_sees(c.ancestors, c.id, $4, $5) OFFSET 0) AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.fixed_at IS NOT NULL) AND (severity_weight(x.severity), x.first_seen, x.id) < (cur.k1, cur.k2, cur.k3) AND severity_weight(x.severity) <= cur.k1 ORDER BY severity_weight(x.severity) DESC, x.first_seen DESC, x.id DESC LIMIT 51)) x ORDER BY x.k1 DESC, x.k2 DESC, x.k3 DESC LIMIT 51) INTO ids;
            ELSE
                SELECT ARRAY(SELECT x.id FROM ((SELECT x.id, severity_weight(x.severity) AS k1, x.first_seen AS k2, x.id AS k3 FROM vulnerabilities x WHERE x.root_id = $2 AND EXISTS (SELECT 1 FROM tenants c WHERE c.id = x.tenant_id AND c.ancestors @> ARRAY[$3] AND scope_sees(c.ancestors, c.id, $4, $5) OFFSET 0) AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.fixed_at IS NULL) AND (severity_weight(x.severity), x.first_seen, x.id) > (cur.k1, cur.k2, cur.k3) AND severity_weight(x.severity) >= cur.k1 ORDER BY severity_weight(x.severity) ASC, x.first_seen ASC, x.id ASC LIMIT 51) UNION ALL (SELECT x.id, severity_weight(x.severity) AS k1, x.first_seen AS k2, x.id AS k3 FROM vulnerabilities x WHERE x.root_id = $2 AND EXISTS (SELECT 1 FROM tenants c WHERE c.id = x.tenant_id AND c.ancestors @> ARRAY[$3] AND scope_sees(c.ancestors, c.id, $4, $5) OFFSET 0) AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.fixed_at IS NOT NULL) AND (severity_weight(x.severity), x.first_seen, x.id) > (cur.k1, cur.k2, cur.k3) AND severity_weight(x.severity) >= cur.k1 ORDER BY severity_weight(x.severity) ASC, x.first_seen ASC, x.id ASC LIMIT 51)) x ORDER BY x.k1 ASC, x.k2 ASC, x.k3 ASC LIMIT 51) INTO ids;
            END IF;
            IF p_count THEN
                SELECT count(*) FROM (SELECT 1 FROM ((SELECT 1 FROM vulnerabilities x WHERE x.root_id = $2 AND EXISTS (SELECT 1 FROM tenants c WHERE c.id = x.tenant_id AND c.ancestors @> ARRAY[$3] AND scope_sees(c.ancestors, c.id, $4, $5) OFFSET 0) AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.fixed_at IS NULL) LIMIT 1001) UNION ALL (SELECT 1 FROM vulnerabilities x WHERE x.root_id = $2 AND EXISTS (SELECT 1 FROM tenants c WHERE c.id = x.tenant_id AND c.ancestors @> ARRAY[$3] AND scope_sees(c.ancestors, c.id, $4, $5) OFFSET 0) AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.fixed_at IS NOT NULL) LIMIT 1001)) x LIMIT 1001) x INTO counted;
            END IF;
        ELSIF p_set = 'open cve' THEN
            IF NOT cursor_found THEN
                SELECT ARRAY(SELECT x.id FROM vulnerabilities x WHERE x.root_id = $2 AND EXISTS (SELECT 1 FROM tenants c WHERE c.id = x.tenant_id AND c.ancestors @> ARRAY[$3] AND scope_sees(c.ancestors, c.id, $4, $5) OFFSET 0) AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.fixed_at IS NULL AND x.cve = $6[3]) ORDER BY severity_weight(x.severity) DESC, x.first_seen DESC, x.id DESC LIMIT 51) INTO ids;
            ELSIF NOT p_back THEN
                SELECT ARRAY(SELECT x.id FROM vulnerabilities x WHERE x.root_id = $2 AND EXISTS (SELECT 1 FROM tenants c WHERE c.id = x.tenant_id AND c.ancestors @> ARRAY[$3] AND scope_sees(c.ancestors, c.id, $4, $5) OFFSET 0) AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.fixed_at IS NULL AND x.cve = $6[3]) AND (severity_weight(x.severity), x.first_seen, x.id) < (cur.k1, cur.k2, cur.k3) AND severity_weight(x.severity) <= cur.k1 ORDER BY severity_weight(x.severity) DESC, x.first_seen DESC, x.id DESC LIMIT 51) INTO ids;
            ELSE
                SELECT ARRAY(SELECT x.id FROM vulnerabilities x WHERE x.root_id = $2 AND EXISTS (SELECT 1 FROM tenants c WHERE c.id = x.tenant_id AND c.ancestors @> ARRAY[$3] AND scope_sees(c.ancestors, c.id, $4, $5) OFFSET 0) AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.fixed_at IS NULL AND x.cve = $6[3]) AND (severity_weight(x.severity), x.first_seen, x.id) > (cur.k1, cur.k2, cur.k3) AND severity_weight(x.severity) >= cur.k1 ORDER BY severity_weight(x.severity) ASC, x.first_seen ASC, x.id ASC LIMIT 51) INTO ids;
            END IF;
            IF p_count THEN
                SELECT count(*) FROM (SELECT 1 FROM ((SELECT 1 FROM vulnerabilities x WHERE x.root_id = $2 AND EXISTS (SELECT 1 FROM tenants c WHERE c.id = x.tenant_id AND c.ancestors @> ARRAY[$3] AND scope_sees(c.ancestors, c.id, $4, $5) OFFSET 0) AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.fixed_at IS NULL AND x.cve = $6[3]) LIMIT 1001)) x LIMIT 1001) x INTO counted;
            END IF;
        ELSIF p_set = 'fixed cve' THEN
            IF NOT cursor_found THEN
                SELECT ARRAY(SELECT x.id FROM vulnerabilities x WHERE x.root_id = $2 AND EXISTS (SELECT 1 FROM tenants c WHERE c.id = x.tenant_id AND c.ancestors @> ARRAY[$3] AND scope_sees(c.ancestors, c.id, $4, $5) OFFSET 0) AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.fixed_at IS NOT NULL AND x.cve = $6[3]) ORDER BY severity_weight(x.severity) DESC, x.first_seen DESC, x.id DESC LIMIT 51) INTO ids;
            ELSIF NOT p_back THEN
                SELECT ARRAY(SELECT x.id FROM vulnerabilities x WHERE x.root_id = $2 AND EXISTS (SELECT 1 FROM tenants c WHERE c.id = x.tenant_id AND c.ancestors @> ARRAY[$3] AND scope_sees(c.ancestors, c.id, $4, $5) OFFSET 0) AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.fixed_at IS NOT NULL AND x.cve = $6[3]) AND (severity_weight(x.severity), x.first_seen, x.id) < (cur.k1, cur.k2, cur.k3) AND severity_weight(x.severity) <= cur.k1 ORDER BY severity_weight(x.severity) DESC, x.first_seen DESC, x.id DESC LIMIT 51) INTO ids;
            ELSE
                SELECT ARRAY(SELECT x.id FROM vulnerabilities x WHERE x.root_id = $2 AND EXISTS (SELECT 1 FROM tenants c WHERE c.id = x.tenant_id AND c.ancestors @> ARRAY[$3] AND scope_sees(c.ancestors, c.id, $4, $5) OFFSET 0) AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.fixed_at IS NOT NULL AND x.cve = $6[3]) AND (severity_weight(x.severity), x.first_seen, x.id) > (cur.k1, cur.k2, cur.k3) AND severity_weight(x.severity) >= cur.k1 ORDER BY severity_weight(x.severity) ASC, x.first_seen ASC, x.id ASC LIMIT 51) INTO ids;
            END IF;
            IF p_count THEN
                SELECT count(*) FROM (SELECT 1 FROM ((SELECT 1 FROM vulnerabilities x WHERE x.root_id = $2 AND EXISTS (SELECT 1 FROM tenants c WHERE c.id = x.tenant_id AND c.ancestors @> ARRAY[$3] AND scope_sees(c.ancestors, c.id, $4, $5) OFFSET 0) AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.fixed_at IS NOT NULL AND x.cve = $6[3]) LIMIT 1001)) x LIMIT 1001) x INTO counted;
            END IF;
        ELSIF p_set = 'all cve' THEN
            IF NOT cursor_found THEN
                SELECT ARRAY(SELECT x.id FROM ((SELECT x.id, severity_weight(x.severity) AS k1, x.first_seen AS k2, x.id AS k3 FROM vulnerabilities x WHERE x.root_id = $2 AND EXISTS (SELECT 1 FROM tenants c WHERE c.id = x.tenant_id AND c.ancestors @> ARRAY[$3] AND scope_sees(c.ancestors, c.id, $4, $5) OFFSET 0) AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.fixed_at IS NULL AND x.cve = $6[3]) ORDER BY severity_weight(x.severity) DESC, x.first_seen DESC, x.id DESC LIMIT 51) UNION ALL (SELECT x.id, severity_weight(x.severity) AS k1, x.first_seen AS k2, x.id AS k3 FROM vulnerabilities x WHERE x.root_id = $2 AND EXISTS (SELECT 1 FROM tenants c WHERE c.id = x.tenant_id AND c.ancestors @> ARRAY[$3] AND scope_sees(c.ancestors, c.id, $4, $5) OFFSET 0) AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.fixed_at IS NOT NULL AND x.cve = $6[3]) ORDER BY severity_weight(x.severity) DESC, x.first_seen DESC, x.id DESC LIMIT 51)) x ORDER BY x.k1 DESC, x.k2 DESC, x.k3 DESC LIMIT 51) INTO ids;
            ELSIF NOT p_back THEN
                SELECT ARRAY(SELECT x.id FROM ((SELECT x.id, severity_weight(x.severity) AS k1, x.first_seen AS k2, x.id AS k3 FROM vulnerabilities x WHERE x.root_id = $2 AND EXISTS (SELECT 1 FROM tenants c WHERE c.id = x.tenant_id AND c.ancestors @> ARRAY[$3] AND scope_sees(c.ancestors, c.id, $4, $5) OFFSET 0) AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.fixed_at IS NULL AND x.cve = $6[3]) AND (severity_weight(x.severity), x.first_seen, x.id) < (cur.k1, cur.k2, cur.k3) AND severity_weight(x.severity) <= cur.k1 ORDER BY severity_weight(x.severity) DESC, x.first_seen DESC, x.id DESC LIMIT 51) UNION ALL (SELECT x.id, severity_weight(x.severity) AS k1, x.first_seen AS k2, x.id AS k3 FROM vulnerabilities x WHERE x.root_id = $2 AND EXISTS (SELECT 1 FROM tenants c WHERE c.id = x.tenant_id AND c.ancestors @> ARRAY[$3] AND scope_sees(c.ancestors, c.id, $4, $5) OFFSET 0) AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.fixed_at IS NOT NULL AND x.cve = $6[3]) AND (severity_weight(x.severity), x.first_seen, x.id) < (cur.k1, cur.k2, cur.k3) AND severity_weight(x.severity) <= cur.k1 ORDER BY severity_weight(x.severity) DESC, x.first_seen DESC, x.id DESC LIMIT 51)) x ORDER BY x.k1 DESC, x.k2 DESC, x.k3 DESC LIMIT 51) INTO ids;
            ELSE
                SELECT ARRAY(SELECT x.id FROM ((SELECT x.id, severity_weight(x.severity) AS k1, x.first_seen AS k2, x.id AS k3 FROM vulnerabilities x WHERE x.root_id = $2 AND EXISTS (SELECT 1 FROM tenants c WHERE c.id = x.tenant_id AND c.ancestors @> ARRAY[$3] AND scope_sees(c.ancestors, c.id, $4, $5) OFFSET 0) AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.fixed_at IS NULL AND x.cve = $6[3]) AND (severity_weight(x.severity), x.first_seen, x.id) > (cur.k1, cur.k2, cur.k3) AND severity_weight(x.severity) >= cur.k1 ORDER BY severity_weight(x.severity) ASC, x.first_seen ASC, x.id ASC LIMIT 51) UNION ALL (SELECT x.id, severity_weight(x.severity) AS k1, x.first_seen AS k2, x.id AS k3 FROM vulnerabilities x WHERE x.root_id = $2 AND EXISTS (SELECT 1 FROM tenants c WHERE c.id = x.tenant_id AND c.ancestors @> ARRAY[$3] AND scope_sees(c.ancestors, c.id, $4, $5) OFFSET 0) AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.fixed_at IS NOT NULL AND x.cve = $6[3]) AND (severity_weight(x.severity), x.first_seen, x.id) > (cur.k1, cur.k2, cur.k3) AND severity_weight(x.severity) >= cur.k1 ORDER BY severity_weight(x.severity) ASC, x.first_seen ASC, x.id ASC LIMIT 51)) x ORDER BY x.k1 ASC, x.k2 ASC, x.k3 ASC LIMIT 51) INTO ids;
            END IF;
            IF p_count THEN
                SELECT count(*) FROM (SELECT 1 FROM ((SELECT 1 FROM vulnerabilities x WHERE x.root_id = $2 AND EXISTS (SELECT 1 FROM tenants c WHERE c.id = x.tenant_id AND c.ancestors @> ARRAY[$3] AND scope_sees(c.ancestors, c.id, $4, $5) OFFSET 0) AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.fixed_at IS NULL AND x.cve = $6[3]) LIMIT 1001) UNION ALL (SELECT 1 FROM vulnerabilities x WHERE x.root_id = $2 AND EXISTS (SELECT 1 FROM tenants c WHERE c.id = x.tenant_id AND c.ancestors @> ARRAY[$3] AND scope_sees(c.ancestors, c.id, $4, $5) OFFSET 0) AND (severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int) AND (x.fixed_at IS NOT NULL AND x.cve = $6[3]) LIMIT 1001)) x LIMIT 1001) x INTO counted;
            END IF;
        ELSE
            RAISE EXCEPTION 'list_reader: no set %', p_set;
        END IF;
    END IF;
END $_$;

ALTER FUNCTION public.vulnerability_reader(p_tids bigint[], p_root bigint, p_tenant bigint, p_sc bigint[], p_ex bigint[], p_args text[], p_how text, p_set text, p_cursor bigint, p_back boolean, p_count boolean, OUT ids bigint[], OUT cursor_found boolean, OUT counted bigint) OWNER TO portal_owner;

CREATE TABLE public.analyst_assignments (
    user_id bigint NOT NULL,
    tenant_id bigint NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL
);

ALTER TABLE ONLY public.analyst_assignments FORCE ROW LEVEL SECURITY;

ALTER TABLE public.analyst_assignments OWNER TO portal_owner;

CREATE SEQUENCE public.api_keys_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER TABLE public.api_keys_id_seq OWNER TO portal_owner;

ALTER SEQUENCE public.api_keys_id_seq OWNED BY public.api_keys.id;

CREATE TABLE public.assets (
    id bigint NOT NULL,
    tenant_id bigint NOT NULL,
    root_id bigint NOT NULL,
    external_id text NOT NULL,
    kind text NOT NULL,
    name text NOT NULL,
    address text,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    last_seen_on date DEFAULT ((now() AT TIME ZONE 'UTC'::text))::date NOT NULL,
    CONSTRAINT assets_address_check CHECK ((length(address) <= 255)),
    CONSTRAINT assets_external_id_check CHECK (((length(external_id) >= 1) AND (length(external_id) <= 200))),
    CONSTRAINT assets_kind_check CHECK ((kind = ANY (ARRAY['probe'::text, 'agent'::text, 'gateway'::text, 'discovered'::text, 'external'::text]))),
    CONSTRAINT assets_name_check CHECK (((length(name) >= 1) AND (length(name) <= 255)))
);

ALTER TABLE ONLY public.assets FORCE ROW LEVEL SECURITY;

ALTER TABLE public.assets OWNER TO portal_owner;

CREATE SEQUENCE public.assets_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER TABLE public.assets_id_seq OWNER TO portal_owner;

ALTER SEQUENCE public.assets_id_seq OWNED BY public.assets.id;

CREATE TABLE public.audit_log (
    id bigint NOT NULL,
    at timestamp with time zone DEFAULT now() NOT NULL,
    tenant_id bigint,
    root_id bigint,
    user_id bigint,
    action text NOT NULL,
    target text,
    ip text,
    details jsonb DEFAULT '{}'::jsonb NOT NULL
);

ALTER TABLE ONLY public.audit_log FORCE ROW LEVEL SECURITY;

ALTER TABLE public.audit_log OWNER TO portal_owner;

CREATE SEQUENCE public.audit_log_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER TABLE public.audit_log_id_seq OWNER TO portal_owner;

ALTER SEQUENCE public.audit_log_id_seq OWNED BY public.audit_log.id;

CREATE TABLE public.billing_accounts (
    tenant_id bigint NOT NULL,
    root_id bigint NOT NULL,
    book_id bigint NOT NULL,
    time_zone text DEFAULT 'UTC'::text NOT NULL,
    activity_days integer DEFAULT 30 NOT NULL,
    starts_on date NOT NULL,
    assigned_at timestamp with time zone DEFAULT now() NOT NULL,
    ends_on date,
    CONSTRAINT billing_accounts_activity_days_check CHECK (((activity_days >= 1) AND (activity_days <= 365))),
    CONSTRAINT billing_accounts_check CHECK ((root_id = tenant_id)),
    CONSTRAINT billing_accounts_check1 CHECK (((ends_on IS NULL) OR (ends_on >= starts_on))),
    CONSTRAINT billing_accounts_time_zone_check CHECK (((length(time_zone) >= 1) AND (length(time_zone) <= 64)))
);

ALTER TABLE ONLY public.billing_accounts FORCE ROW LEVEL SECURITY;

ALTER TABLE public.billing_accounts OWNER TO portal_owner;

CREATE TABLE public.billing_adjustments (
    id bigint NOT NULL,
    account_id bigint NOT NULL,
    root_id bigint NOT NULL,
    month date NOT NULL,
    amount numeric(14,2) NOT NULL,
    reason text NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT billing_adjustments_amount_check CHECK ((amount <> (0)::numeric)),
    CONSTRAINT billing_adjustments_reason_check CHECK (((length(btrim(reason)) >= 3) AND (length(btrim(reason)) <= 500)))
);

ALTER TABLE ONLY public.billing_adjustments FORCE ROW LEVEL SECURITY;

ALTER TABLE public.billing_adjustments OWNER TO portal_owner;

CREATE SEQUENCE public.billing_adjustments_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER TABLE public.billing_adjustments_id_seq OWNER TO portal_owner;

ALTER SEQUENCE public.billing_adjustments_id_seq OWNED BY public.billing_adjustments.id;

CREATE TABLE public.billing_breakdown (
    account_id bigint NOT NULL,
    root_id bigint NOT NULL,
    month date NOT NULL,
    tenant_id bigint NOT NULL,
    tenant_name text NOT NULL,
    tenant_kind text NOT NULL,
    msp_id bigint,
    msp_name text,
    days integer NOT NULL,
    tenants numeric(12,2) NOT NULL,
    agents numeric(12,2) NOT NULL,
    probes numeric(12,2) NOT NULL,
    gateways numeric(12,2) NOT NULL,
    amount numeric(14,2) NOT NULL,
    pos_amount integer NOT NULL,
    pos_name integer NOT NULL,
    pos_agents integer NOT NULL,
    pos_probes integer NOT NULL,
    pos_gateways integer NOT NULL
);

ALTER TABLE ONLY public.billing_breakdown FORCE ROW LEVEL SECURITY;

ALTER TABLE public.billing_breakdown OWNER TO portal_owner;

CREATE TABLE public.billing_days (
    account_id bigint NOT NULL,
    root_id bigint NOT NULL,
    day date NOT NULL,
    final boolean NOT NULL,
    taken_at timestamp with time zone DEFAULT now() NOT NULL,
    tenants integer DEFAULT 0 NOT NULL,
    agents integer DEFAULT 0 NOT NULL,
    probes integer DEFAULT 0 NOT NULL,
    gateways integer DEFAULT 0 NOT NULL
);

ALTER TABLE ONLY public.billing_days FORCE ROW LEVEL SECURITY;

ALTER TABLE public.billing_days OWNER TO portal_owner;

CREATE TABLE public.billing_snapshots (
    account_id bigint NOT NULL,
    root_id bigint NOT NULL,
    day date NOT NULL,
    tenant_id bigint NOT NULL,
    tenant_name text NOT NULL,
    tenant_kind text NOT NULL,
    msp_id bigint,
    msp_name text,
    tenants integer DEFAULT 0 NOT NULL,
    agents integer DEFAULT 0 NOT NULL,
    probes integer DEFAULT 0 NOT NULL,
    gateways integer DEFAULT 0 NOT NULL,
    CONSTRAINT billing_snapshots_agents_check CHECK ((agents >= 0)),
    CONSTRAINT billing_snapshots_gateways_check CHECK ((gateways >= 0)),
    CONSTRAINT billing_snapshots_probes_check CHECK ((probes >= 0)),
    CONSTRAINT billing_snapshots_tenants_check CHECK ((tenants = ANY (ARRAY[0, 1])))
);

ALTER TABLE ONLY public.billing_snapshots FORCE ROW LEVEL SECURITY;

ALTER TABLE public.billing_snapshots OWNER TO portal_owner;

CREATE TABLE public.billing_statements (
    account_id bigint NOT NULL,
    root_id bigint NOT NULL,
    month date NOT NULL,
    closed boolean DEFAULT false NOT NULL,
    document jsonb NOT NULL,
    view jsonb DEFAULT '{}'::jsonb NOT NULL,
    computed_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT billing_statements_month_check CHECK ((EXTRACT(day FROM month) = (1)::numeric))
);

ALTER TABLE ONLY public.billing_statements FORCE ROW LEVEL SECURITY;

ALTER TABLE public.billing_statements OWNER TO portal_owner;

CREATE TABLE public.branding (
    tenant_id bigint NOT NULL,
    root_id bigint NOT NULL,
    page_title text,
    footer text,
    host text,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    logo_light_id bigint,
    logo_dark_id bigint,
    host_token text,
    host_claimed_at timestamp with time zone,
    host_verified_at timestamp with time zone,
    host_verified_by text,
    CONSTRAINT branding_footer_check CHECK (((length(footer) >= 1) AND (length(footer) <= 500))),
    CONSTRAINT branding_host_check CHECK ((host ~ '^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)+$'::text)),
    CONSTRAINT branding_host_state CHECK (
CASE
    WHEN (host IS NULL) THEN ((host_token IS NULL) AND (host_claimed_at IS NULL) AND (host_verified_at IS NULL) AND (host_verified_by IS NULL))
    ELSE ((host_token IS NOT NULL) AND (host_claimed_at IS NOT NULL) AND ((host_verified_at IS NULL) = (host_verified_by IS NULL)))
END),
    CONSTRAINT branding_host_token_check CHECK ((host_token ~ '^[0-9a-f]{32}$'::text)),
    CONSTRAINT branding_host_verified_by_check CHECK ((host_verified_by = ANY (ARRAY['dns'::text, 'operator'::text]))),
    CONSTRAINT branding_page_title_check CHECK (((length(page_title) >= 1) AND (length(page_title) <= 80)))
);

ALTER TABLE ONLY public.branding FORCE ROW LEVEL SECURITY;

ALTER TABLE public.branding OWNER TO portal_owner;

CREATE SEQUENCE public.branding_logos_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER TABLE public.branding_logos_id_seq OWNER TO portal_owner;

ALTER SEQUENCE public.branding_logos_id_seq OWNED BY public.branding_logos.id;

CREATE TABLE public.config_documents (
    tenant_id bigint NOT NULL,
    viewer_id bigint NOT NULL,
    root_id bigint NOT NULL,
    generation bigint NOT NULL,
    doc jsonb NOT NULL
);

ALTER TABLE ONLY public.config_documents FORCE ROW LEVEL SECURITY;

ALTER TABLE public.config_documents OWNER TO portal_owner;

CREATE TABLE public.config_generation (
    one boolean DEFAULT true NOT NULL,
    generation bigint NOT NULL,
    CONSTRAINT config_generation_one_check CHECK (one)
);

ALTER TABLE public.config_generation OWNER TO portal_owner;

CREATE TABLE public.config_history (
    id bigint NOT NULL,
    tenant_id bigint NOT NULL,
    root_id bigint NOT NULL,
    plan_id bigint,
    device_id bigint,
    section text,
    version bigint NOT NULL,
    action text NOT NULL,
    target bigint,
    doc jsonb,
    before jsonb,
    actor bigint,
    at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT config_history_action_check CHECK ((action = ANY (ARRAY['create'::text, 'edit'::text, 'restore'::text, 'clone'::text, 'share'::text, 'unshare'::text, 'override'::text, 'revert'::text])))
);

ALTER TABLE ONLY public.config_history FORCE ROW LEVEL SECURITY;

ALTER TABLE public.config_history OWNER TO portal_owner;

CREATE SEQUENCE public.config_history_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER TABLE public.config_history_id_seq OWNER TO portal_owner;

ALTER SEQUENCE public.config_history_id_seq OWNED BY public.config_history.id;

CREATE TABLE public.config_overrides (
    id bigint NOT NULL,
    tenant_id bigint NOT NULL,
    root_id bigint NOT NULL,
    device_id bigint,
    section text NOT NULL,
    doc jsonb NOT NULL,
    version bigint DEFAULT 1 NOT NULL,
    updated_by bigint,
    updated_at timestamp with time zone DEFAULT now() NOT NULL
);

ALTER TABLE ONLY public.config_overrides FORCE ROW LEVEL SECURITY;

ALTER TABLE public.config_overrides OWNER TO portal_owner;

CREATE SEQUENCE public.config_overrides_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER TABLE public.config_overrides_id_seq OWNER TO portal_owner;

ALTER SEQUENCE public.config_overrides_id_seq OWNED BY public.config_overrides.id;

CREATE TABLE public.config_sections (
    section text NOT NULL,
    title text NOT NULL,
    shared boolean NOT NULL,
    "position" integer NOT NULL,
    default_doc jsonb NOT NULL,
    CONSTRAINT config_sections_section_check CHECK ((section ~ '^[a-z_]{1,40}$'::text))
);

ALTER TABLE public.config_sections OWNER TO portal_owner;

CREATE TABLE public.cve_open (
    tenant_id bigint NOT NULL,
    cve text NOT NULL,
    open bigint DEFAULT 0 NOT NULL,
    band integer GENERATED ALWAYS AS (
CASE
    WHEN (open > 0) THEN (floor((ln((open)::double precision) * (5.770780163555854)::double precision)))::integer
    ELSE NULL::integer
END) STORED
)
WITH (fillfactor='70');

ALTER TABLE ONLY public.cve_open FORCE ROW LEVEL SECURITY;

ALTER TABLE public.cve_open OWNER TO portal_owner;

CREATE TABLE public.incident_hourly (
    tenant_id bigint NOT NULL,
    hour timestamp with time zone NOT NULL,
    opened bigint DEFAULT 0 NOT NULL,
    closed bigint DEFAULT 0 NOT NULL
);

ALTER TABLE ONLY public.incident_hourly FORCE ROW LEVEL SECURITY;

ALTER TABLE public.incident_hourly OWNER TO portal_owner;

CREATE TABLE public.incidents (
    id bigint NOT NULL,
    tenant_id bigint NOT NULL,
    root_id bigint NOT NULL,
    external_id text NOT NULL,
    severity text NOT NULL,
    title text NOT NULL,
    indicator text,
    indicator_kind text,
    opened_at timestamp with time zone DEFAULT now() NOT NULL,
    acknowledged_at timestamp with time zone,
    closed_at timestamp with time zone,
    resolution_note text,
    CONSTRAINT incidents_external_id_check CHECK (((length(external_id) >= 1) AND (length(external_id) <= 200))),
    CONSTRAINT incidents_indicator_check CHECK ((length(indicator) <= 300)),
    CONSTRAINT incidents_indicator_kind_check CHECK ((indicator_kind = ANY (ARRAY['hash'::text, 'domain'::text, 'ip'::text, 'cve'::text]))),
    CONSTRAINT incidents_resolution_note_check CHECK ((length(resolution_note) <= 2000)),
    CONSTRAINT incidents_severity_check CHECK ((severity = ANY (ARRAY['critical'::text, 'high'::text, 'medium'::text, 'low'::text]))),
    CONSTRAINT incidents_title_check CHECK (((length(title) >= 1) AND (length(title) <= 300)))
);

ALTER TABLE ONLY public.incidents FORCE ROW LEVEL SECURITY;

ALTER TABLE public.incidents OWNER TO portal_owner;

CREATE SEQUENCE public.incidents_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER TABLE public.incidents_id_seq OWNER TO portal_owner;

ALTER SEQUENCE public.incidents_id_seq OWNED BY public.incidents.id;

CREATE TABLE public.indicator_customers (
    root_id bigint NOT NULL,
    indicator text NOT NULL,
    tenant_id bigint NOT NULL,
    last_at timestamp with time zone NOT NULL
);

ALTER TABLE ONLY public.indicator_customers FORCE ROW LEVEL SECURITY;

ALTER TABLE public.indicator_customers OWNER TO portal_owner;

CREATE TABLE public.indicator_hourly (
    root_id bigint NOT NULL,
    indicator text NOT NULL,
    hour timestamp with time zone NOT NULL,
    incidents bigint NOT NULL,
    first_at timestamp with time zone NOT NULL,
    last_at timestamp with time zone NOT NULL,
    kind text,
    customers bigint DEFAULT 0 NOT NULL
);

ALTER TABLE ONLY public.indicator_hourly FORCE ROW LEVEL SECURITY;

ALTER TABLE public.indicator_hourly OWNER TO portal_owner;

CREATE TABLE public.invitations (
    id bigint NOT NULL,
    tenant_id bigint NOT NULL,
    root_id bigint NOT NULL,
    user_id bigint NOT NULL,
    role text NOT NULL,
    token_hash text NOT NULL,
    invited_by bigint,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    expires_at timestamp with time zone NOT NULL,
    accepted_at timestamp with time zone,
    sent_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT invitations_token_hash_check CHECK ((token_hash ~ '^[0-9a-f]{64}$'::text))
);

ALTER TABLE ONLY public.invitations FORCE ROW LEVEL SECURITY;

ALTER TABLE public.invitations OWNER TO portal_owner;

CREATE SEQUENCE public.invitations_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER TABLE public.invitations_id_seq OWNER TO portal_owner;

ALTER SEQUENCE public.invitations_id_seq OWNED BY public.invitations.id;

CREATE TABLE public.known_signins (
    user_id bigint NOT NULL,
    kind text NOT NULL,
    value text NOT NULL,
    last_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT known_signins_kind_check CHECK ((kind = ANY (ARRAY['device'::text, 'address'::text])))
);

ALTER TABLE public.known_signins OWNER TO portal_owner;

CREATE TABLE public.login_failures (
    id bigint NOT NULL,
    at timestamp with time zone DEFAULT now() NOT NULL,
    email text NOT NULL,
    ip text NOT NULL,
    device text
);

ALTER TABLE public.login_failures OWNER TO portal_owner;

CREATE SEQUENCE public.login_failures_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER TABLE public.login_failures_id_seq OWNER TO portal_owner;

ALTER SEQUENCE public.login_failures_id_seq OWNED BY public.login_failures.id;

CREATE TABLE public.mail_limits (
    key text NOT NULL,
    at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT mail_limits_key_check CHECK (((length(key) >= 1) AND (length(key) <= 200)))
);

ALTER TABLE ONLY public.mail_limits FORCE ROW LEVEL SECURITY;

ALTER TABLE public.mail_limits OWNER TO portal_owner;

CREATE TABLE public.mail_outbox (
    id bigint NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    tenant_id bigint,
    root_id bigint,
    to_addr text NOT NULL,
    subject text NOT NULL,
    body_text text NOT NULL,
    body_html text NOT NULL,
    status text DEFAULT 'queued'::text NOT NULL,
    attempts integer DEFAULT 0 NOT NULL,
    next_attempt_at timestamp with time zone DEFAULT now() NOT NULL,
    last_error text,
    sent_at timestamp with time zone,
    report_job_id bigint,
    attachment_name text,
    attachment bytea,
    CONSTRAINT mail_outbox_attachment_check CHECK ((octet_length(attachment) <= 26214400)),
    CONSTRAINT mail_outbox_attachment_name_check CHECK ((attachment_name ~ '^[A-Za-z0-9._-]{1,120}$'::text)),
    CONSTRAINT mail_outbox_check CHECK (((attachment IS NULL) = (attachment_name IS NULL))),
    CONSTRAINT mail_outbox_status_check CHECK ((status = ANY (ARRAY['queued'::text, 'sent'::text, 'failed'::text])))
);

ALTER TABLE ONLY public.mail_outbox FORCE ROW LEVEL SECURITY;

ALTER TABLE public.mail_outbox OWNER TO portal_owner;

CREATE SEQUENCE public.mail_outbox_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER TABLE public.mail_outbox_id_seq OWNER TO portal_owner;

ALTER SEQUENCE public.mail_outbox_id_seq OWNED BY public.mail_outbox.id;

CREATE TABLE public.memberships (
    user_id bigint NOT NULL,
    tenant_id bigint NOT NULL,
    role text NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    status text DEFAULT 'active'::text NOT NULL,
    suspended_at timestamp with time zone,
    CONSTRAINT memberships_role_check CHECK ((role = ANY (ARRAY['mssp_admin'::text, 'mssp_analyst'::text, 'owner'::text, 'admin'::text, 'analyst'::text, 'viewer'::text]))),
    CONSTRAINT memberships_status_check CHECK ((status = ANY (ARRAY['active'::text, 'suspended'::text]))),
    CONSTRAINT memberships_suspended_at CHECK (((status = 'suspended'::text) = (suspended_at IS NOT NULL)))
);

ALTER TABLE ONLY public.memberships FORCE ROW LEVEL SECURITY;

ALTER TABLE public.memberships OWNER TO portal_owner;

CREATE SEQUENCE public.msp_requests_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER TABLE public.msp_requests_id_seq OWNER TO portal_owner;

ALTER SEQUENCE public.msp_requests_id_seq OWNED BY public.msp_requests.id;

CREATE TABLE public.notifications (
    id bigint NOT NULL,
    user_id bigint NOT NULL,
    tenant_id bigint,
    root_id bigint,
    kind text NOT NULL,
    title text NOT NULL,
    body text DEFAULT ''::text NOT NULL,
    link text DEFAULT '/'::text NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    read_at timestamp with time zone,
    request_id bigint,
    CONSTRAINT notifications_link_check CHECK ((link ~ '^/[^/\\]'::text))
);

ALTER TABLE ONLY public.notifications FORCE ROW LEVEL SECURITY;

ALTER TABLE public.notifications OWNER TO portal_owner;

CREATE SEQUENCE public.notifications_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER TABLE public.notifications_id_seq OWNER TO portal_owner;

ALTER SEQUENCE public.notifications_id_seq OWNED BY public.notifications.id;

CREATE TABLE public.password_resets (
    id bigint NOT NULL,
    token_hash text NOT NULL,
    user_id bigint NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    expires_at timestamp with time zone NOT NULL,
    used_at timestamp with time zone,
    ip text,
    purpose text DEFAULT 'reset'::text NOT NULL,
    token_pending text,
    CONSTRAINT password_resets_purpose_check CHECK ((purpose = ANY (ARRAY['reset'::text, 'signin'::text]))),
    CONSTRAINT password_resets_token_hash_check CHECK ((token_hash ~ '^[0-9a-f]{64}$'::text))
);

ALTER TABLE public.password_resets OWNER TO portal_owner;

CREATE SEQUENCE public.password_resets_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER TABLE public.password_resets_id_seq OWNER TO portal_owner;

ALTER SEQUENCE public.password_resets_id_seq OWNED BY public.password_resets.id;

CREATE TABLE public.plan_sections (
    plan_id bigint NOT NULL,
    tenant_id bigint NOT NULL,
    root_id bigint NOT NULL,
    section text NOT NULL,
    doc jsonb NOT NULL,
    version bigint NOT NULL,
    updated_by bigint,
    updated_at timestamp with time zone DEFAULT now() NOT NULL
);

ALTER TABLE ONLY public.plan_sections FORCE ROW LEVEL SECURITY;

ALTER TABLE public.plan_sections OWNER TO portal_owner;

CREATE TABLE public.plan_shares (
    tenant_id bigint NOT NULL,
    owner_id bigint NOT NULL,
    root_id bigint NOT NULL,
    plan_id bigint NOT NULL,
    shared_by bigint,
    shared_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT plan_shares_check CHECK ((tenant_id <> owner_id))
);

ALTER TABLE ONLY public.plan_shares FORCE ROW LEVEL SECURITY;

ALTER TABLE public.plan_shares OWNER TO portal_owner;

CREATE TABLE public.plans (
    id bigint NOT NULL,
    tenant_id bigint NOT NULL,
    root_id bigint NOT NULL,
    name text NOT NULL,
    cloned_from bigint,
    cloned_version bigint,
    version bigint DEFAULT 1 NOT NULL,
    created_by bigint,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT plans_name_check CHECK (((length(btrim(name)) >= 1) AND (length(btrim(name)) <= 120)))
);

ALTER TABLE ONLY public.plans FORCE ROW LEVEL SECURITY;

ALTER TABLE public.plans OWNER TO portal_owner;

CREATE SEQUENCE public.plans_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER TABLE public.plans_id_seq OWNER TO portal_owner;

ALTER SEQUENCE public.plans_id_seq OWNED BY public.plans.id;

CREATE TABLE public.portal_secrets (
    name text NOT NULL,
    value text NOT NULL
);

ALTER TABLE public.portal_secrets OWNER TO portal_owner;

CREATE TABLE public.portal_settings (
    id integer DEFAULT 1 NOT NULL,
    page_title text DEFAULT 'MSSP Portal'::text NOT NULL,
    footer text DEFAULT 'MSSP Portal'::text NOT NULL,
    CONSTRAINT portal_settings_id_check CHECK ((id = 1))
);

ALTER TABLE public.portal_settings OWNER TO portal_owner;

CREATE TABLE public.price_book_versions (
    id bigint NOT NULL,
    book_id bigint NOT NULL,
    effective_from date NOT NULL,
    currency text NOT NULL,
    metering text NOT NULL,
    minimum numeric(14,2) DEFAULT 0 NOT NULL,
    metrics jsonb NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT price_book_versions_currency_check CHECK ((currency ~ '^[A-Z]{3}$'::text)),
    CONSTRAINT price_book_versions_metering_check CHECK ((metering = ANY (ARRAY['max'::text, 'average'::text, 'last'::text]))),
    CONSTRAINT price_book_versions_minimum_check CHECK ((minimum >= (0)::numeric))
);

ALTER TABLE public.price_book_versions OWNER TO portal_owner;

CREATE SEQUENCE public.price_book_versions_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER TABLE public.price_book_versions_id_seq OWNER TO portal_owner;

ALTER SEQUENCE public.price_book_versions_id_seq OWNED BY public.price_book_versions.id;

CREATE TABLE public.price_books (
    id bigint NOT NULL,
    name text NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT price_books_name_check CHECK (((length(btrim(name)) >= 1) AND (length(btrim(name)) <= 120)))
);

ALTER TABLE public.price_books OWNER TO portal_owner;

CREATE SEQUENCE public.price_books_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER TABLE public.price_books_id_seq OWNER TO portal_owner;

ALTER SEQUENCE public.price_books_id_seq OWNED BY public.price_books.id;

CREATE TABLE public.report_jobs (
    id bigint NOT NULL,
    tenant_id bigint NOT NULL,
    root_id bigint NOT NULL,
    requested_by bigint,
    kind text NOT NULL,
    paper text DEFAULT 'a4'::text NOT NULL,
    period_from date NOT NULL,
    period_to date NOT NULL,
    state text DEFAULT 'queued'::text NOT NULL,
    attempts integer DEFAULT 0 NOT NULL,
    next_try_at timestamp with time zone DEFAULT now() NOT NULL,
    lease_until timestamp with time zone,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    started_at timestamp with time zone,
    finished_at timestamp with time zone,
    error text,
    pdf bytea,
    pdf_bytes integer,
    expires_at timestamp with time zone,
    schedule_id bigint,
    CONSTRAINT report_jobs_check CHECK (((period_to >= period_from) AND ((period_to - period_from) < 366))),
    CONSTRAINT report_jobs_check1 CHECK (((state = 'done'::text) = (pdf IS NOT NULL))),
    CONSTRAINT report_jobs_error_check CHECK ((length(error) <= 500)),
    CONSTRAINT report_jobs_kind_check CHECK ((kind = ANY (ARRAY['executive'::text, 'consolidated'::text, 'billing'::text]))),
    CONSTRAINT report_jobs_paper_check CHECK ((paper = ANY (ARRAY['a4'::text, 'letter'::text]))),
    CONSTRAINT report_jobs_pdf_check CHECK ((octet_length(pdf) <= 52428800)),
    CONSTRAINT report_jobs_state_check CHECK ((state = ANY (ARRAY['queued'::text, 'running'::text, 'done'::text, 'failed'::text, 'expired'::text])))
);

ALTER TABLE ONLY public.report_jobs FORCE ROW LEVEL SECURITY;

ALTER TABLE public.report_jobs OWNER TO portal_owner;

CREATE SEQUENCE public.report_jobs_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER TABLE public.report_jobs_id_seq OWNER TO portal_owner;

ALTER SEQUENCE public.report_jobs_id_seq OWNED BY public.report_jobs.id;

CREATE TABLE public.report_links (
    token_hash text NOT NULL,
    job_id bigint NOT NULL,
    tenant_id bigint NOT NULL,
    root_id bigint NOT NULL,
    recipient text NOT NULL,
    expires_at timestamp with time zone NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL
);

ALTER TABLE ONLY public.report_links FORCE ROW LEVEL SECURITY;

ALTER TABLE public.report_links OWNER TO portal_owner;

CREATE TABLE public.report_schedules (
    id bigint NOT NULL,
    tenant_id bigint NOT NULL,
    root_id bigint NOT NULL,
    created_by bigint,
    kind text NOT NULL,
    paper text DEFAULT 'a4'::text NOT NULL,
    cadence text NOT NULL,
    delivery text DEFAULT 'attachment'::text NOT NULL,
    recipients text[] NOT NULL,
    next_run_at timestamp with time zone NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT report_schedules_cadence_check CHECK ((cadence = ANY (ARRAY['weekly'::text, 'monthly'::text]))),
    CONSTRAINT report_schedules_check CHECK (((kind <> 'billing'::text) OR (cadence = 'monthly'::text))),
    CONSTRAINT report_schedules_delivery_check CHECK ((delivery = ANY (ARRAY['attachment'::text, 'link'::text]))),
    CONSTRAINT report_schedules_kind_check CHECK ((kind = ANY (ARRAY['executive'::text, 'consolidated'::text, 'billing'::text]))),
    CONSTRAINT report_schedules_paper_check CHECK ((paper = ANY (ARRAY['a4'::text, 'letter'::text]))),
    CONSTRAINT report_schedules_recipients_check CHECK (((cardinality(recipients) >= 1) AND (cardinality(recipients) <= 20)))
);

ALTER TABLE ONLY public.report_schedules FORCE ROW LEVEL SECURITY;

ALTER TABLE public.report_schedules OWNER TO portal_owner;

CREATE SEQUENCE public.report_schedules_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER TABLE public.report_schedules_id_seq OWNER TO portal_owner;

ALTER SEQUENCE public.report_schedules_id_seq OWNED BY public.report_schedules.id;

CREATE TABLE public.report_settings (
    tenant_id bigint NOT NULL,
    root_id bigint NOT NULL,
    retention_days integer NOT NULL,
    updated_by bigint,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT report_settings_retention_days_check CHECK (((retention_days >= 1) AND (retention_days <= 3650)))
);

ALTER TABLE ONLY public.report_settings FORCE ROW LEVEL SECURITY;

ALTER TABLE public.report_settings OWNER TO portal_owner;

CREATE TABLE public.schema_definitions (
    path text NOT NULL,
    sha256 text NOT NULL,
    applied_at timestamp with time zone DEFAULT now() NOT NULL
);

ALTER TABLE public.schema_definitions OWNER TO portal_owner;

CREATE TABLE public.schema_migrations (
    version text NOT NULL,
    applied_at timestamp with time zone DEFAULT now() NOT NULL
);

ALTER TABLE public.schema_migrations OWNER TO portal_owner;

CREATE TABLE public.sessions (
    id bigint NOT NULL,
    token_hash text NOT NULL,
    user_id bigint NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    last_seen_at timestamp with time zone DEFAULT now() NOT NULL,
    expires_at timestamp with time zone NOT NULL,
    ip text,
    user_agent text,
    CONSTRAINT sessions_token_hash_check CHECK ((token_hash ~ '^[0-9a-f]{64}$'::text))
);

ALTER TABLE public.sessions OWNER TO portal_owner;

CREATE SEQUENCE public.sessions_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER TABLE public.sessions_id_seq OWNER TO portal_owner;

ALTER SEQUENCE public.sessions_id_seq OWNED BY public.sessions.id;

CREATE TABLE public.tenant_stats (
    tenant_id bigint NOT NULL,
    probes bigint DEFAULT 0 NOT NULL,
    agents bigint DEFAULT 0 NOT NULL,
    discovered bigint DEFAULT 0 NOT NULL,
    external bigint DEFAULT 0 NOT NULL,
    vuln_critical bigint DEFAULT 0 NOT NULL,
    vuln_high bigint DEFAULT 0 NOT NULL,
    vuln_medium bigint DEFAULT 0 NOT NULL,
    vuln_low bigint DEFAULT 0 NOT NULL,
    incidents_open bigint DEFAULT 0 NOT NULL,
    incidents_open_critical bigint DEFAULT 0 NOT NULL,
    msps bigint DEFAULT 0 NOT NULL,
    companies bigint DEFAULT 0 NOT NULL,
    risk bigint GENERATED ALWAYS AS ((((10 * incidents_open_critical) + (3 * (incidents_open - incidents_open_critical))) + vuln_critical)) STORED,
    is_company boolean DEFAULT false NOT NULL,
    version bigint DEFAULT 0 NOT NULL,
    root_id bigint,
    parent_id bigint,
    name text,
    exposure bigint GENERATED ALWAYS AS (((((10 * vuln_critical) + (5 * vuln_high)) + (2 * vuln_medium)) + vuln_low)) STORED,
    gateways bigint DEFAULT 0 NOT NULL
);

ALTER TABLE ONLY public.tenant_stats FORCE ROW LEVEL SECURITY;

ALTER TABLE public.tenant_stats OWNER TO portal_owner;

CREATE SEQUENCE public.tenants_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER TABLE public.tenants_id_seq OWNER TO portal_owner;

ALTER SEQUENCE public.tenants_id_seq OWNED BY public.tenants.id;

CREATE TABLE public.user_access (
    user_id bigint NOT NULL,
    tenants bigint[] NOT NULL,
    roles text[] NOT NULL,
    assigned bigint[] NOT NULL,
    scope text NOT NULL
);

ALTER TABLE ONLY public.user_access FORCE ROW LEVEL SECURITY;

ALTER TABLE public.user_access OWNER TO portal_owner;

CREATE TABLE public.users (
    id bigint NOT NULL,
    email text NOT NULL,
    name text NOT NULL,
    password_hash text,
    status text DEFAULT 'active'::text NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    password_changed_at timestamp with time zone,
    disabled_by_operator boolean DEFAULT false NOT NULL,
    CONSTRAINT users_email_check CHECK ((email ~ '^[^@\s]{1,64}@[^@\s]{1,255}$'::text)),
    CONSTRAINT users_name_check CHECK (((length(btrim(name)) >= 1) AND (length(btrim(name)) <= 120))),
    CONSTRAINT users_status_check CHECK ((status = ANY (ARRAY['active'::text, 'invited'::text, 'disabled'::text])))
);

ALTER TABLE public.users OWNER TO portal_owner;

CREATE SEQUENCE public.users_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER TABLE public.users_id_seq OWNER TO portal_owner;

ALTER SEQUENCE public.users_id_seq OWNED BY public.users.id;

CREATE TABLE public.vuln_daily (
    tenant_id bigint NOT NULL,
    day date NOT NULL,
    found bigint DEFAULT 0 NOT NULL,
    fixed bigint DEFAULT 0 NOT NULL,
    found_critical bigint DEFAULT 0 NOT NULL,
    fixed_critical bigint DEFAULT 0 NOT NULL
);

ALTER TABLE ONLY public.vuln_daily FORCE ROW LEVEL SECURITY;

ALTER TABLE public.vuln_daily OWNER TO portal_owner;

CREATE TABLE public.vulnerabilities (
    id bigint NOT NULL,
    tenant_id bigint NOT NULL,
    root_id bigint NOT NULL,
    external_id text NOT NULL,
    asset_id bigint,
    cve text NOT NULL,
    severity text NOT NULL,
    first_seen timestamp with time zone DEFAULT now() NOT NULL,
    fixed_at timestamp with time zone,
    CONSTRAINT vulnerabilities_cve_check CHECK ((cve ~ '^CVE-[0-9]{4}-[0-9]{4,7}$'::text)),
    CONSTRAINT vulnerabilities_external_id_check CHECK (((length(external_id) >= 1) AND (length(external_id) <= 200))),
    CONSTRAINT vulnerabilities_severity_check CHECK ((severity = ANY (ARRAY['critical'::text, 'high'::text, 'medium'::text, 'low'::text])))
);

ALTER TABLE ONLY public.vulnerabilities FORCE ROW LEVEL SECURITY;

ALTER TABLE public.vulnerabilities OWNER TO portal_owner;

CREATE SEQUENCE public.vulnerabilities_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER TABLE public.vulnerabilities_id_seq OWNER TO portal_owner;

ALTER SEQUENCE public.vulnerabilities_id_seq OWNED BY public.vulnerabilities.id;

ALTER TABLE ONLY public.api_keys ALTER COLUMN id SET DEFAULT nextval('public.api_keys_id_seq'::regclass);

ALTER TABLE ONLY public.assets ALTER COLUMN id SET DEFAULT nextval('public.assets_id_seq'::regclass);

ALTER TABLE ONLY public.audit_log ALTER COLUMN id SET DEFAULT nextval('public.audit_log_id_seq'::regclass);

ALTER TABLE ONLY public.billing_adjustments ALTER COLUMN id SET DEFAULT nextval('public.billing_adjustments_id_seq'::regclass);

ALTER TABLE ONLY public.branding_logos ALTER COLUMN id SET DEFAULT nextval('public.branding_logos_id_seq'::regclass);

ALTER TABLE ONLY public.config_history ALTER COLUMN id SET DEFAULT nextval('public.config_history_id_seq'::regclass);

ALTER TABLE ONLY public.config_overrides ALTER COLUMN id SET DEFAULT nextval('public.config_overrides_id_seq'::regclass);

ALTER TABLE ONLY public.incidents ALTER COLUMN id SET DEFAULT nextval('public.incidents_id_seq'::regclass);

ALTER TABLE ONLY public.invitations ALTER COLUMN id SET DEFAULT nextval('public.invitations_id_seq'::regclass);

ALTER TABLE ONLY public.login_failures ALTER COLUMN id SET DEFAULT nextval('public.login_failures_id_seq'::regclass);

ALTER TABLE ONLY public.mail_outbox ALTER COLUMN id SET DEFAULT nextval('public.mail_outbox_id_seq'::regclass);

ALTER TABLE ONLY public.msp_requests ALTER COLUMN id SET DEFAULT nextval('public.msp_requests_id_seq'::regclass);

ALTER TABLE ONLY public.notifications ALTER COLUMN id SET DEFAULT nextval('public.notifications_id_seq'::regclass);

ALTER TABLE ONLY public.password_resets ALTER COLUMN id SET DEFAULT nextval('public.password_resets_id_seq'::regclass);

ALTER TABLE ONLY public.plans ALTER COLUMN id SET DEFAULT nextval('public.plans_id_seq'::regclass);

ALTER TABLE ONLY public.price_book_versions ALTER COLUMN id SET DEFAULT nextval('public.price_book_versions_id_seq'::regclass);

ALTER TABLE ONLY public.price_books ALTER COLUMN id SET DEFAULT nextval('public.price_books_id_seq'::regclass);

ALTER TABLE ONLY public.report_jobs ALTER COLUMN id SET DEFAULT nextval('public.report_jobs_id_seq'::regclass);

ALTER TABLE ONLY public.report_schedules ALTER COLUMN id SET DEFAULT nextval('public.report_schedules_id_seq'::regclass);

ALTER TABLE ONLY public.sessions ALTER COLUMN id SET DEFAULT nextval('public.sessions_id_seq'::regclass);

ALTER TABLE ONLY public.tenants ALTER COLUMN id SET DEFAULT nextval('public.tenants_id_seq'::regclass);

ALTER TABLE ONLY public.users ALTER COLUMN id SET DEFAULT nextval('public.users_id_seq'::regclass);

ALTER TABLE ONLY public.vulnerabilities ALTER COLUMN id SET DEFAULT nextval('public.vulnerabilities_id_seq'::regclass);

ALTER TABLE ONLY public.analyst_assignments
    ADD CONSTRAINT analyst_assignments_pkey PRIMARY KEY (user_id, tenant_id);

ALTER TABLE ONLY public.api_keys
    ADD CONSTRAINT api_keys_key_hash_key UNIQUE (key_hash);

ALTER TABLE ONLY public.api_keys
    ADD CONSTRAINT api_keys_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.assets
    ADD CONSTRAINT assets_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.assets
    ADD CONSTRAINT assets_tenant_id_external_id_key UNIQUE (tenant_id, external_id);

ALTER TABLE ONLY public.audit_log
    ADD CONSTRAINT audit_log_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.billing_accounts
    ADD CONSTRAINT billing_accounts_pkey PRIMARY KEY (tenant_id);

ALTER TABLE ONLY public.billing_adjustments
    ADD CONSTRAINT billing_adjustments_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.billing_breakdown
    ADD CONSTRAINT billing_breakdown_pkey PRIMARY KEY (account_id, month, tenant_id);

ALTER TABLE ONLY public.billing_days
    ADD CONSTRAINT billing_days_pkey PRIMARY KEY (account_id, day);

ALTER TABLE ONLY public.billing_snapshots
    ADD CONSTRAINT billing_snapshots_pkey PRIMARY KEY (account_id, day, tenant_id);

ALTER TABLE ONLY public.billing_statements
    ADD CONSTRAINT billing_statements_pkey PRIMARY KEY (account_id, month);

ALTER TABLE ONLY public.branding_logos
    ADD CONSTRAINT branding_logos_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.branding
    ADD CONSTRAINT branding_pkey PRIMARY KEY (tenant_id);

ALTER TABLE ONLY public.config_documents
    ADD CONSTRAINT config_documents_pkey PRIMARY KEY (tenant_id, viewer_id);

ALTER TABLE ONLY public.config_generation
    ADD CONSTRAINT config_generation_pkey PRIMARY KEY (one);

ALTER TABLE ONLY public.config_history
    ADD CONSTRAINT config_history_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.config_overrides
    ADD CONSTRAINT config_overrides_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.config_sections
    ADD CONSTRAINT config_sections_pkey PRIMARY KEY (section);

ALTER TABLE ONLY public.config_sections
    ADD CONSTRAINT config_sections_position_key UNIQUE ("position");

ALTER TABLE ONLY public.cve_open
    ADD CONSTRAINT cve_open_pkey PRIMARY KEY (tenant_id, cve);

ALTER TABLE ONLY public.dashboard_docs
    ADD CONSTRAINT dashboard_docs_pkey PRIMARY KEY (tenant_id);

ALTER TABLE ONLY public.incident_hourly
    ADD CONSTRAINT incident_hourly_pkey PRIMARY KEY (tenant_id, hour) INCLUDE (opened, closed);

ALTER TABLE ONLY public.incident_recent
    ADD CONSTRAINT incident_recent_pkey PRIMARY KEY (tenant_id);

ALTER TABLE ONLY public.incidents
    ADD CONSTRAINT incidents_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.incidents
    ADD CONSTRAINT incidents_tenant_id_external_id_key UNIQUE (tenant_id, external_id);

ALTER TABLE ONLY public.indicator_customers
    ADD CONSTRAINT indicator_customers_pkey PRIMARY KEY (root_id, indicator, tenant_id);

ALTER TABLE ONLY public.indicator_hourly
    ADD CONSTRAINT indicator_hourly_pkey PRIMARY KEY (root_id, hour, indicator);

ALTER TABLE ONLY public.invitations
    ADD CONSTRAINT invitations_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.invitations
    ADD CONSTRAINT invitations_token_hash_key UNIQUE (token_hash);

ALTER TABLE ONLY public.known_signins
    ADD CONSTRAINT known_signins_pkey PRIMARY KEY (user_id, kind, value);

ALTER TABLE ONLY public.login_failures
    ADD CONSTRAINT login_failures_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.mail_outbox
    ADD CONSTRAINT mail_outbox_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.memberships
    ADD CONSTRAINT memberships_pkey PRIMARY KEY (user_id, tenant_id);

ALTER TABLE ONLY public.msp_requests
    ADD CONSTRAINT msp_requests_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.msp_requests
    ADD CONSTRAINT msp_requests_token_hash_key UNIQUE (token_hash);

ALTER TABLE ONLY public.notifications
    ADD CONSTRAINT notifications_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.password_resets
    ADD CONSTRAINT password_resets_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.password_resets
    ADD CONSTRAINT password_resets_token_hash_key UNIQUE (token_hash);

ALTER TABLE ONLY public.plan_sections
    ADD CONSTRAINT plan_sections_pkey PRIMARY KEY (plan_id, section);

ALTER TABLE ONLY public.plan_shares
    ADD CONSTRAINT plan_shares_pkey PRIMARY KEY (tenant_id, owner_id);

ALTER TABLE ONLY public.plans
    ADD CONSTRAINT plans_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.plans
    ADD CONSTRAINT plans_tenant_id_name_key UNIQUE (tenant_id, name);

ALTER TABLE ONLY public.portal_secrets
    ADD CONSTRAINT portal_secrets_pkey PRIMARY KEY (name);

ALTER TABLE ONLY public.portal_settings
    ADD CONSTRAINT portal_settings_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.price_book_versions
    ADD CONSTRAINT price_book_versions_book_id_effective_from_key UNIQUE (book_id, effective_from);

ALTER TABLE ONLY public.price_book_versions
    ADD CONSTRAINT price_book_versions_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.price_books
    ADD CONSTRAINT price_books_name_key UNIQUE (name);

ALTER TABLE ONLY public.price_books
    ADD CONSTRAINT price_books_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.report_jobs
    ADD CONSTRAINT report_jobs_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.report_links
    ADD CONSTRAINT report_links_pkey PRIMARY KEY (token_hash);

ALTER TABLE ONLY public.report_schedules
    ADD CONSTRAINT report_schedules_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.report_settings
    ADD CONSTRAINT report_settings_pkey PRIMARY KEY (tenant_id);

ALTER TABLE ONLY public.schema_definitions
    ADD CONSTRAINT schema_definitions_pkey PRIMARY KEY (path);

ALTER TABLE ONLY public.schema_migrations
    ADD CONSTRAINT schema_migrations_pkey PRIMARY KEY (version);

ALTER TABLE ONLY public.sessions
    ADD CONSTRAINT sessions_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.sessions
    ADD CONSTRAINT sessions_token_hash_key UNIQUE (token_hash);

ALTER TABLE ONLY public.sla_targets
    ADD CONSTRAINT sla_targets_pkey PRIMARY KEY (tenant_id, severity);

ALTER TABLE ONLY public.tenant_brand
    ADD CONSTRAINT tenant_brand_pkey PRIMARY KEY (tenant_id);

ALTER TABLE ONLY public.tenant_stats
    ADD CONSTRAINT tenant_stats_pkey PRIMARY KEY (tenant_id);

ALTER TABLE ONLY public.tenants
    ADD CONSTRAINT tenants_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.user_access
    ADD CONSTRAINT user_access_pkey PRIMARY KEY (user_id);

ALTER TABLE ONLY public.users
    ADD CONSTRAINT users_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.vuln_daily
    ADD CONSTRAINT vuln_daily_pkey PRIMARY KEY (tenant_id, day);

ALTER TABLE ONLY public.vulnerabilities
    ADD CONSTRAINT vulnerabilities_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.vulnerabilities
    ADD CONSTRAINT vulnerabilities_tenant_id_external_id_key UNIQUE (tenant_id, external_id);

CREATE INDEX assets_root_order ON public.assets USING btree (root_id, kind, lower(name), id);

CREATE INDEX assets_tenant_order ON public.assets USING btree (tenant_id, kind, lower(name), id);

CREATE INDEX audit_log_account ON public.audit_log USING btree (user_id, at DESC) WHERE (tenant_id IS NULL);

CREATE INDEX audit_log_at ON public.audit_log USING btree (at DESC);

CREATE INDEX audit_log_target ON public.audit_log USING btree (target, at) WHERE (target IS NOT NULL);

CREATE INDEX audit_log_tenant_at ON public.audit_log USING btree (tenant_id, at DESC);

CREATE INDEX audit_log_user_at ON public.audit_log USING btree (user_id, at DESC);

CREATE INDEX billing_adjustments_month ON public.billing_adjustments USING btree (account_id, month);

CREATE INDEX billing_breakdown_agents ON public.billing_breakdown USING btree (account_id, month, pos_agents);

CREATE INDEX billing_breakdown_amount ON public.billing_breakdown USING btree (account_id, month, pos_amount);

CREATE INDEX billing_breakdown_gateways ON public.billing_breakdown USING btree (account_id, month, pos_gateways);

CREATE INDEX billing_breakdown_msp ON public.billing_breakdown USING btree (account_id, month, msp_id);

CREATE INDEX billing_breakdown_name ON public.billing_breakdown USING btree (account_id, month, pos_name);

CREATE INDEX billing_breakdown_probes ON public.billing_breakdown USING btree (account_id, month, pos_probes);

CREATE INDEX branding_host ON public.branding USING btree (host) WHERE (host IS NOT NULL);

CREATE UNIQUE INDEX branding_host_verified ON public.branding USING btree (host) WHERE (host_verified_at IS NOT NULL);

CREATE INDEX branding_logos_tenant ON public.branding_logos USING btree (tenant_id);

CREATE INDEX config_history_plan ON public.config_history USING btree (plan_id, id DESC) WHERE (plan_id IS NOT NULL);

CREATE INDEX config_history_tenant ON public.config_history USING btree (tenant_id, id DESC);

CREATE INDEX config_overrides_device ON public.config_overrides USING btree (device_id) WHERE (device_id IS NOT NULL);

CREATE UNIQUE INDEX config_overrides_one ON public.config_overrides USING btree (tenant_id, COALESCE(device_id, (0)::bigint), section);

CREATE INDEX cve_open_top ON public.cve_open USING btree (tenant_id, band DESC) WHERE (band IS NOT NULL);

CREATE INDEX incidents_closed_at ON public.incidents USING btree (closed_at) WHERE (closed_at IS NOT NULL);

CREATE INDEX incidents_indicator ON public.incidents USING btree (indicator, opened_at) INCLUDE (root_id, tenant_id) WHERE (indicator IS NOT NULL);

CREATE INDEX incidents_open ON public.incidents USING btree (tenant_id) WHERE (closed_at IS NULL);

CREATE INDEX incidents_opened_at ON public.incidents USING btree (opened_at);

CREATE INDEX incidents_root_closed ON public.incidents USING btree (root_id, public.severity_weight(severity), opened_at, id) WHERE (closed_at IS NOT NULL);

CREATE INDEX incidents_root_open ON public.incidents USING btree (root_id, public.severity_weight(severity), opened_at, id) WHERE (closed_at IS NULL);

CREATE INDEX incidents_tenant_closed ON public.incidents USING btree (tenant_id, public.severity_weight(severity), opened_at, id) WHERE (closed_at IS NOT NULL);

CREATE INDEX incidents_tenant_open ON public.incidents USING btree (tenant_id, public.severity_weight(severity), opened_at, id) WHERE (closed_at IS NULL);

CREATE INDEX indicator_customers_recent ON public.indicator_customers USING btree (root_id, indicator, last_at, tenant_id);

CREATE INDEX login_failures_at ON public.login_failures USING btree (at);

CREATE INDEX login_failures_device_at ON public.login_failures USING btree (device, at DESC) WHERE (device IS NOT NULL);

CREATE INDEX login_failures_email_at ON public.login_failures USING btree (email, at DESC);

CREATE INDEX login_failures_ip_at ON public.login_failures USING btree (ip, at DESC);

CREATE INDEX mail_limits_key_at ON public.mail_limits USING btree (key, at);

CREATE INDEX mail_outbox_due ON public.mail_outbox USING btree (next_attempt_at) WHERE (status = 'queued'::text);

CREATE INDEX mail_outbox_failed ON public.mail_outbox USING btree (created_at) WHERE (status = 'failed'::text);

CREATE INDEX mail_outbox_report_job ON public.mail_outbox USING btree (report_job_id) WHERE (report_job_id IS NOT NULL);

CREATE INDEX mail_outbox_tenant_created ON public.mail_outbox USING btree (tenant_id, created_at DESC);

CREATE INDEX memberships_tenant ON public.memberships USING btree (tenant_id);

CREATE INDEX msp_requests_msp ON public.msp_requests USING btree (msp_tenant_id, created_at DESC, id DESC);

CREATE INDEX msp_requests_mssp ON public.msp_requests USING btree (mssp_id, created_at DESC);

CREATE UNIQUE INDEX msp_requests_one_pending ON public.msp_requests USING btree (msp_tenant_id) WHERE (status = 'pending'::text);

CREATE INDEX msp_requests_pending_mssp ON public.msp_requests USING btree (mssp_id, created_at DESC, id DESC) WHERE (status = 'pending'::text);

CREATE INDEX notifications_request ON public.notifications USING btree (request_id) WHERE ((request_id IS NOT NULL) AND (read_at IS NULL));

CREATE INDEX notifications_unread ON public.notifications USING btree (user_id, created_at DESC) WHERE (read_at IS NULL);

CREATE INDEX notifications_user ON public.notifications USING btree (user_id, created_at DESC);

CREATE INDEX password_resets_user ON public.password_resets USING btree (user_id, created_at DESC);

CREATE INDEX plan_shares_plan ON public.plan_shares USING btree (plan_id);

CREATE INDEX report_jobs_due ON public.report_jobs USING btree (next_try_at) WHERE (state = ANY (ARRAY['queued'::text, 'running'::text]));

CREATE INDEX report_jobs_expiry ON public.report_jobs USING btree (expires_at) WHERE (state = 'done'::text);

CREATE UNIQUE INDEX report_jobs_schedule_period ON public.report_jobs USING btree (schedule_id, period_from) WHERE (schedule_id IS NOT NULL);

CREATE INDEX report_jobs_tenant ON public.report_jobs USING btree (tenant_id, created_at DESC);

CREATE INDEX report_links_job ON public.report_links USING btree (job_id);

CREATE INDEX report_schedules_due ON public.report_schedules USING btree (next_run_at);

CREATE INDEX report_schedules_tenant ON public.report_schedules USING btree (tenant_id);

CREATE INDEX sessions_user ON public.sessions USING btree (user_id);

CREATE INDEX tenant_stats_exposure_parent ON public.tenant_stats USING btree (parent_id, exposure DESC, name, tenant_id) WHERE ((exposure > 0) AND is_company);

CREATE INDEX tenant_stats_exposure_root ON public.tenant_stats USING btree (root_id, exposure DESC, name, tenant_id) WHERE ((exposure > 0) AND is_company);

CREATE INDEX tenant_stats_risk_parent ON public.tenant_stats USING btree (parent_id, risk DESC, name, tenant_id) WHERE ((risk > 0) AND is_company);

CREATE INDEX tenant_stats_risk_root ON public.tenant_stats USING btree (root_id, risk DESC, name, tenant_id) WHERE ((risk > 0) AND is_company);

CREATE INDEX tenants_ancestors ON public.tenants USING gin (ancestors);

CREATE INDEX tenants_children_by_name ON public.tenants USING btree (parent_id, lower(name), id) WHERE (status = 'active'::text);

CREATE INDEX tenants_companies_by_name ON public.tenants USING btree (root_id, lower(name), id) WHERE ((kind = 'company'::text) AND (status = 'active'::text));

CREATE INDEX tenants_companies_by_trigram ON public.tenants USING gin (lower(name) extensions.gin_trgm_ops) WHERE ((kind = 'company'::text) AND (status = 'active'::text));

CREATE INDEX tenants_inactive ON public.tenants USING btree (root_id) WHERE (status <> 'active'::text);

CREATE INDEX tenants_parent ON public.tenants USING btree (parent_id);

CREATE INDEX tenants_root ON public.tenants USING btree (root_id);

CREATE UNIQUE INDEX tenants_sibling_name ON public.tenants USING btree (COALESCE(parent_id, (0)::bigint), kind, lower(name)) WHERE (status = 'active'::text);

CREATE UNIQUE INDEX users_email ON public.users USING btree (lower(email));

CREATE INDEX vulnerabilities_cve_fixed ON public.vulnerabilities USING btree (cve, root_id, public.severity_weight(severity), first_seen, id) WHERE (fixed_at IS NOT NULL);

CREATE INDEX vulnerabilities_cve_open ON public.vulnerabilities USING btree (cve, root_id, public.severity_weight(severity), first_seen, id) WHERE (fixed_at IS NULL);

CREATE INDEX vulnerabilities_fixed_at ON public.vulnerabilities USING btree (fixed_at) WHERE (fixed_at IS NOT NULL);

CREATE INDEX vulnerabilities_root_fixed ON public.vulnerabilities USING btree (root_id, public.severity_weight(severity), first_seen, id) WHERE (fixed_at IS NOT NULL);

CREATE INDEX vulnerabilities_root_open ON public.vulnerabilities USING btree (root_id, public.severity_weight(severity), first_seen, id) WHERE (fixed_at IS NULL);

CREATE INDEX vulnerabilities_tenant_fixed ON public.vulnerabilities USING btree (tenant_id, public.severity_weight(severity), first_seen, id) WHERE (fixed_at IS NOT NULL);

CREATE INDEX vulnerabilities_tenant_open ON public.vulnerabilities USING btree (tenant_id, public.severity_weight(severity), first_seen, id) WHERE (fixed_at IS NULL);

CREATE TRIGGER analyst_assignments_access AFTER INSERT OR DELETE OR UPDATE ON public.analyst_assignments FOR EACH ROW EXECUTE FUNCTION public.user_access_sync();

CREATE TRIGGER api_keys_config AFTER DELETE OR UPDATE OF revoked_at, tenant_id, key_hash ON public.api_keys FOR EACH STATEMENT EXECUTE FUNCTION public.config_changed('etags');

CREATE TRIGGER api_keys_config_truncate AFTER TRUNCATE ON public.api_keys FOR EACH STATEMENT EXECUTE FUNCTION public.config_changed('etags');

CREATE TRIGGER assets_config AFTER UPDATE OF tenant_id, external_id, kind, name ON public.assets FOR EACH ROW WHEN (((((old.tenant_id IS DISTINCT FROM new.tenant_id) OR (old.external_id IS DISTINCT FROM new.external_id)) OR (old.kind IS DISTINCT FROM new.kind)) OR (old.name IS DISTINCT FROM new.name))) EXECUTE FUNCTION public.config_changed('etags');

CREATE TRIGGER assets_config_delete AFTER DELETE ON public.assets FOR EACH STATEMENT EXECUTE FUNCTION public.config_changed('etags');

CREATE TRIGGER assets_config_truncate AFTER TRUNCATE ON public.assets FOR EACH STATEMENT EXECUTE FUNCTION public.config_changed('etags');

CREATE TRIGGER assets_stats_del AFTER DELETE ON public.assets REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION public.assets_stats();

CREATE TRIGGER assets_stats_ins AFTER INSERT ON public.assets REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION public.assets_stats();

CREATE TRIGGER assets_stats_upd AFTER UPDATE ON public.assets REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION public.assets_stats();

CREATE TRIGGER billing_breakdown_frozen BEFORE DELETE OR UPDATE ON public.billing_breakdown FOR EACH ROW EXECUTE FUNCTION public.billing_frozen();

CREATE TRIGGER billing_statements_frozen BEFORE UPDATE ON public.billing_statements FOR EACH ROW EXECUTE FUNCTION public.billing_frozen();

CREATE TRIGGER branding_brand AFTER INSERT OR DELETE OR UPDATE ON public.branding FOR EACH ROW EXECUTE FUNCTION public.branding_brand();

CREATE TRIGGER branding_context AFTER INSERT OR DELETE OR UPDATE ON public.branding FOR EACH STATEMENT EXECUTE FUNCTION public.context_changed();

CREATE TRIGGER branding_context_truncate AFTER TRUNCATE ON public.branding FOR EACH STATEMENT EXECUTE FUNCTION public.context_changed();

CREATE TRIGGER branding_host_claim BEFORE INSERT OR UPDATE ON public.branding FOR EACH ROW EXECUTE FUNCTION public.branding_host_claim();

CREATE TRIGGER config_overrides_config AFTER INSERT OR DELETE OR UPDATE ON public.config_overrides FOR EACH STATEMENT EXECUTE FUNCTION public.config_changed();

CREATE TRIGGER config_overrides_config_truncate AFTER TRUNCATE ON public.config_overrides FOR EACH STATEMENT EXECUTE FUNCTION public.config_changed();

CREATE TRIGGER config_sections_config AFTER INSERT OR DELETE OR UPDATE ON public.config_sections FOR EACH STATEMENT EXECUTE FUNCTION public.config_changed();

CREATE TRIGGER config_sections_config_truncate AFTER TRUNCATE ON public.config_sections FOR EACH STATEMENT EXECUTE FUNCTION public.config_changed();

CREATE TRIGGER incidents_recent_del AFTER DELETE ON public.incidents REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION public.incidents_recent();

CREATE TRIGGER incidents_recent_ins AFTER INSERT ON public.incidents REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION public.incidents_recent();

CREATE TRIGGER incidents_recent_upd AFTER UPDATE ON public.incidents REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION public.incidents_recent();

CREATE TRIGGER incidents_series_del AFTER DELETE ON public.incidents REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION public.incidents_series();

CREATE TRIGGER incidents_series_ins AFTER INSERT ON public.incidents REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION public.incidents_series();

CREATE TRIGGER incidents_series_upd AFTER UPDATE ON public.incidents REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION public.incidents_series();

CREATE TRIGGER incidents_stats_del AFTER DELETE ON public.incidents REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION public.incidents_stats();

CREATE TRIGGER incidents_stats_ins AFTER INSERT ON public.incidents REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION public.incidents_stats();

CREATE TRIGGER incidents_stats_upd AFTER UPDATE ON public.incidents REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION public.incidents_stats();

CREATE TRIGGER incidents_threats_del AFTER DELETE ON public.incidents REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION public.incidents_indicators();

CREATE TRIGGER incidents_threats_ins AFTER INSERT ON public.incidents REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION public.incidents_indicators();

CREATE TRIGGER incidents_threats_upd AFTER UPDATE ON public.incidents REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION public.incidents_indicators();

CREATE TRIGGER memberships_access AFTER INSERT OR DELETE OR UPDATE ON public.memberships FOR EACH ROW EXECUTE FUNCTION public.user_access_sync();

CREATE TRIGGER memberships_assignments AFTER DELETE OR UPDATE ON public.memberships FOR EACH ROW EXECUTE FUNCTION public.memberships_drop_assignments();

CREATE TRIGGER memberships_context AFTER INSERT OR DELETE OR UPDATE ON public.memberships FOR EACH STATEMENT EXECUTE FUNCTION public.context_changed();

CREATE TRIGGER memberships_context_truncate AFTER TRUNCATE ON public.memberships FOR EACH STATEMENT EXECUTE FUNCTION public.context_changed();

CREATE CONSTRAINT TRIGGER memberships_last_owner AFTER DELETE OR UPDATE ON public.memberships DEFERRABLE INITIALLY IMMEDIATE FOR EACH ROW EXECUTE FUNCTION public.memberships_keep_owner();

CREATE TRIGGER msp_requests_touch_stats AFTER INSERT OR UPDATE ON public.msp_requests FOR EACH ROW EXECUTE FUNCTION public.msp_requests_touch_stats();

CREATE TRIGGER notifications_context AFTER INSERT OR DELETE OR UPDATE ON public.notifications FOR EACH STATEMENT EXECUTE FUNCTION public.context_changed();

CREATE TRIGGER notifications_context_truncate AFTER TRUNCATE ON public.notifications FOR EACH STATEMENT EXECUTE FUNCTION public.context_changed();

CREATE TRIGGER plan_sections_config AFTER INSERT OR DELETE OR UPDATE ON public.plan_sections FOR EACH STATEMENT EXECUTE FUNCTION public.config_changed();

CREATE TRIGGER plan_sections_config_truncate AFTER TRUNCATE ON public.plan_sections FOR EACH STATEMENT EXECUTE FUNCTION public.config_changed();

CREATE TRIGGER plan_shares_config AFTER INSERT OR DELETE OR UPDATE ON public.plan_shares FOR EACH STATEMENT EXECUTE FUNCTION public.config_changed();

CREATE TRIGGER plan_shares_config_truncate AFTER TRUNCATE ON public.plan_shares FOR EACH STATEMENT EXECUTE FUNCTION public.config_changed();

CREATE TRIGGER plans_config AFTER INSERT OR DELETE OR UPDATE ON public.plans FOR EACH STATEMENT EXECUTE FUNCTION public.config_changed();

CREATE TRIGGER plans_config_truncate AFTER TRUNCATE ON public.plans FOR EACH STATEMENT EXECUTE FUNCTION public.config_changed();

CREATE TRIGGER portal_settings_context AFTER INSERT OR DELETE OR UPDATE ON public.portal_settings FOR EACH STATEMENT EXECUTE FUNCTION public.context_changed();

CREATE TRIGGER portal_settings_context_truncate AFTER TRUNCATE ON public.portal_settings FOR EACH STATEMENT EXECUTE FUNCTION public.context_changed();

CREATE TRIGGER sessions_context_delete AFTER DELETE ON public.sessions FOR EACH STATEMENT EXECUTE FUNCTION public.context_changed();

CREATE TRIGGER sessions_context_truncate AFTER TRUNCATE ON public.sessions FOR EACH STATEMENT EXECUTE FUNCTION public.context_changed();

CREATE TRIGGER sessions_context_update AFTER UPDATE ON public.sessions FOR EACH ROW WHEN (((new.token_hash IS DISTINCT FROM old.token_hash) OR (new.user_id IS DISTINCT FROM old.user_id) OR (new.expires_at IS DISTINCT FROM old.expires_at) OR (new.last_seen_at < old.last_seen_at))) EXECUTE FUNCTION public.context_changed();

CREATE TRIGGER tenant_brand_context AFTER INSERT OR DELETE OR UPDATE ON public.tenant_brand FOR EACH STATEMENT EXECUTE FUNCTION public.context_changed();

CREATE TRIGGER tenant_brand_context_truncate AFTER TRUNCATE ON public.tenant_brand FOR EACH STATEMENT EXECUTE FUNCTION public.context_changed();

CREATE TRIGGER tenant_stats_context AFTER DELETE ON public.tenant_stats REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION public.tenants_changed();

CREATE TRIGGER tenant_stats_context_insert AFTER INSERT ON public.tenant_stats REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION public.tenants_changed();

CREATE TRIGGER tenant_stats_context_truncate AFTER TRUNCATE ON public.tenant_stats FOR EACH STATEMENT EXECUTE FUNCTION public.context_changed();

CREATE TRIGGER tenant_stats_context_update AFTER UPDATE ON public.tenant_stats REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION public.tenants_changed();

CREATE CONSTRAINT TRIGGER tenant_stats_dashboard_doc AFTER INSERT OR UPDATE ON public.tenant_stats DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN ((NOT new.is_company)) EXECUTE FUNCTION public.dashboard_doc_keep();

CREATE TRIGGER tenants_brand AFTER INSERT OR UPDATE OF parent_id ON public.tenants FOR EACH ROW EXECUTE FUNCTION public.tenants_brand();

CREATE TRIGGER tenants_config AFTER DELETE OR UPDATE ON public.tenants FOR EACH STATEMENT EXECUTE FUNCTION public.config_changed();

CREATE TRIGGER tenants_config_truncate AFTER TRUNCATE ON public.tenants FOR EACH STATEMENT EXECUTE FUNCTION public.config_changed();

CREATE TRIGGER tenants_context AFTER INSERT OR DELETE OR UPDATE ON public.tenants FOR EACH STATEMENT EXECUTE FUNCTION public.context_changed();

CREATE TRIGGER tenants_context_truncate AFTER TRUNCATE ON public.tenants FOR EACH STATEMENT EXECUTE FUNCTION public.context_changed();

CREATE TRIGGER tenants_count_stats AFTER INSERT OR UPDATE OF parent_id, status ON public.tenants FOR EACH ROW EXECUTE FUNCTION public.tenants_count_stats();

CREATE TRIGGER tenants_delete_rollups BEFORE DELETE ON public.tenants FOR EACH ROW EXECUTE FUNCTION public.tenants_delete_rollups();

CREATE TRIGGER tenants_move AFTER UPDATE OF parent_id ON public.tenants FOR EACH ROW EXECUTE FUNCTION public.tenants_move_children();

CREATE TRIGGER tenants_move_roots AFTER UPDATE OF parent_id ON public.tenants FOR EACH ROW EXECUTE FUNCTION public.tenants_move_roots();

CREATE TRIGGER tenants_move_series AFTER UPDATE OF parent_id ON public.tenants FOR EACH ROW EXECUTE FUNCTION public.tenants_move_series();

CREATE TRIGGER tenants_move_stats AFTER UPDATE OF parent_id ON public.tenants FOR EACH ROW EXECUTE FUNCTION public.tenants_move_stats();

CREATE TRIGGER tenants_touch_stats AFTER UPDATE OF name, parent_id ON public.tenants FOR EACH ROW EXECUTE FUNCTION public.tenants_touch_stats();

CREATE TRIGGER tenants_tree BEFORE INSERT OR UPDATE OF parent_id, kind, region ON public.tenants FOR EACH ROW EXECUTE FUNCTION public.tenants_tree_check();

CREATE TRIGGER user_access_context AFTER INSERT OR DELETE OR UPDATE ON public.user_access FOR EACH STATEMENT EXECUTE FUNCTION public.context_changed();

CREATE TRIGGER user_access_context_truncate AFTER TRUNCATE ON public.user_access FOR EACH STATEMENT EXECUTE FUNCTION public.context_changed();

CREATE TRIGGER users_config AFTER DELETE OR UPDATE OF name ON public.users FOR EACH STATEMENT EXECUTE FUNCTION public.config_changed();

CREATE TRIGGER users_config_truncate AFTER TRUNCATE ON public.users FOR EACH STATEMENT EXECUTE FUNCTION public.config_changed();

CREATE TRIGGER users_context AFTER INSERT OR DELETE OR UPDATE ON public.users FOR EACH STATEMENT EXECUTE FUNCTION public.context_changed();

CREATE TRIGGER users_context_truncate AFTER TRUNCATE ON public.users FOR EACH STATEMENT EXECUTE FUNCTION public.context_changed();

CREATE TRIGGER vulnerabilities_series_del AFTER DELETE ON public.vulnerabilities REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION public.vulnerabilities_series();

CREATE TRIGGER vulnerabilities_series_ins AFTER INSERT ON public.vulnerabilities REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION public.vulnerabilities_series();

CREATE TRIGGER vulnerabilities_series_upd AFTER UPDATE ON public.vulnerabilities REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION public.vulnerabilities_series();

CREATE TRIGGER vulnerabilities_stats_del AFTER DELETE ON public.vulnerabilities REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION public.vulnerabilities_stats();

CREATE TRIGGER vulnerabilities_stats_ins AFTER INSERT ON public.vulnerabilities REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION public.vulnerabilities_stats();

CREATE TRIGGER vulnerabilities_stats_upd AFTER UPDATE ON public.vulnerabilities REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION public.vulnerabilities_stats();

CREATE TRIGGER vulnerabilities_touch_del AFTER DELETE ON public.vulnerabilities REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION public.vulnerabilities_touch();

CREATE TRIGGER vulnerabilities_touch_ins AFTER INSERT ON public.vulnerabilities REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION public.vulnerabilities_touch();

CREATE TRIGGER vulnerabilities_touch_upd AFTER UPDATE ON public.vulnerabilities REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION public.vulnerabilities_touch();

ALTER TABLE ONLY public.analyst_assignments
    ADD CONSTRAINT analyst_assignments_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES public.tenants(id) ON DELETE CASCADE;

ALTER TABLE ONLY public.analyst_assignments
    ADD CONSTRAINT analyst_assignments_user_id_fkey FOREIGN KEY (user_id) REFERENCES public.users(id) ON DELETE CASCADE;

ALTER TABLE ONLY public.api_keys
    ADD CONSTRAINT api_keys_created_by_fkey FOREIGN KEY (created_by) REFERENCES public.users(id) ON DELETE SET NULL;

ALTER TABLE ONLY public.api_keys
    ADD CONSTRAINT api_keys_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES public.tenants(id) ON DELETE CASCADE;

ALTER TABLE ONLY public.assets
    ADD CONSTRAINT assets_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES public.tenants(id) ON DELETE CASCADE;

ALTER TABLE ONLY public.audit_log
    ADD CONSTRAINT audit_log_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES public.tenants(id) ON DELETE SET NULL;

ALTER TABLE ONLY public.audit_log
    ADD CONSTRAINT audit_log_user_id_fkey FOREIGN KEY (user_id) REFERENCES public.users(id) ON DELETE SET NULL;

ALTER TABLE ONLY public.billing_accounts
    ADD CONSTRAINT billing_accounts_book_id_fkey FOREIGN KEY (book_id) REFERENCES public.price_books(id);

ALTER TABLE ONLY public.billing_accounts
    ADD CONSTRAINT billing_accounts_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES public.tenants(id) ON DELETE CASCADE;

ALTER TABLE ONLY public.billing_adjustments
    ADD CONSTRAINT billing_adjustments_account_id_month_fkey FOREIGN KEY (account_id, month) REFERENCES public.billing_statements(account_id, month) ON DELETE CASCADE;

ALTER TABLE ONLY public.billing_breakdown
    ADD CONSTRAINT billing_breakdown_account_id_month_fkey FOREIGN KEY (account_id, month) REFERENCES public.billing_statements(account_id, month) ON DELETE CASCADE;

ALTER TABLE ONLY public.billing_days
    ADD CONSTRAINT billing_days_account_id_fkey FOREIGN KEY (account_id) REFERENCES public.billing_accounts(tenant_id) ON DELETE CASCADE;

ALTER TABLE ONLY public.billing_snapshots
    ADD CONSTRAINT billing_snapshots_account_id_fkey FOREIGN KEY (account_id) REFERENCES public.billing_accounts(tenant_id) ON DELETE CASCADE;

ALTER TABLE ONLY public.billing_statements
    ADD CONSTRAINT billing_statements_account_id_fkey FOREIGN KEY (account_id) REFERENCES public.billing_accounts(tenant_id) ON DELETE CASCADE;

ALTER TABLE ONLY public.branding
    ADD CONSTRAINT branding_logo_dark_id_fkey FOREIGN KEY (logo_dark_id) REFERENCES public.branding_logos(id) ON DELETE SET NULL;

ALTER TABLE ONLY public.branding
    ADD CONSTRAINT branding_logo_light_id_fkey FOREIGN KEY (logo_light_id) REFERENCES public.branding_logos(id) ON DELETE SET NULL;

ALTER TABLE ONLY public.branding_logos
    ADD CONSTRAINT branding_logos_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES public.tenants(id) ON DELETE CASCADE;

ALTER TABLE ONLY public.branding
    ADD CONSTRAINT branding_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES public.tenants(id) ON DELETE CASCADE;

ALTER TABLE ONLY public.config_documents
    ADD CONSTRAINT config_documents_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES public.tenants(id) ON DELETE CASCADE;

ALTER TABLE ONLY public.config_documents
    ADD CONSTRAINT config_documents_viewer_id_fkey FOREIGN KEY (viewer_id) REFERENCES public.tenants(id) ON DELETE CASCADE;

ALTER TABLE ONLY public.config_history
    ADD CONSTRAINT config_history_actor_fkey FOREIGN KEY (actor) REFERENCES public.users(id) ON DELETE SET NULL;

ALTER TABLE ONLY public.config_history
    ADD CONSTRAINT config_history_device_id_fkey FOREIGN KEY (device_id) REFERENCES public.assets(id) ON DELETE CASCADE;

ALTER TABLE ONLY public.config_history
    ADD CONSTRAINT config_history_plan_id_fkey FOREIGN KEY (plan_id) REFERENCES public.plans(id) ON DELETE CASCADE;

ALTER TABLE ONLY public.config_history
    ADD CONSTRAINT config_history_section_fkey FOREIGN KEY (section) REFERENCES public.config_sections(section);

ALTER TABLE ONLY public.config_history
    ADD CONSTRAINT config_history_target_fkey FOREIGN KEY (target) REFERENCES public.tenants(id) ON DELETE CASCADE;

ALTER TABLE ONLY public.config_history
    ADD CONSTRAINT config_history_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES public.tenants(id) ON DELETE CASCADE;

ALTER TABLE ONLY public.config_overrides
    ADD CONSTRAINT config_overrides_device_id_fkey FOREIGN KEY (device_id) REFERENCES public.assets(id) ON DELETE CASCADE;

ALTER TABLE ONLY public.config_overrides
    ADD CONSTRAINT config_overrides_section_fkey FOREIGN KEY (section) REFERENCES public.config_sections(section);

ALTER TABLE ONLY public.config_overrides
    ADD CONSTRAINT config_overrides_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES public.tenants(id) ON DELETE CASCADE;

ALTER TABLE ONLY public.config_overrides
    ADD CONSTRAINT config_overrides_updated_by_fkey FOREIGN KEY (updated_by) REFERENCES public.users(id) ON DELETE SET NULL;

ALTER TABLE ONLY public.cve_open
    ADD CONSTRAINT cve_open_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES public.tenants(id) ON DELETE CASCADE;

ALTER TABLE ONLY public.dashboard_docs
    ADD CONSTRAINT dashboard_docs_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES public.tenants(id) ON DELETE CASCADE;

ALTER TABLE ONLY public.incident_hourly
    ADD CONSTRAINT incident_hourly_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES public.tenants(id) ON DELETE CASCADE;

ALTER TABLE ONLY public.incident_recent
    ADD CONSTRAINT incident_recent_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES public.tenants(id) ON DELETE CASCADE;

ALTER TABLE ONLY public.incidents
    ADD CONSTRAINT incidents_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES public.tenants(id) ON DELETE CASCADE;

ALTER TABLE ONLY public.indicator_customers
    ADD CONSTRAINT indicator_customers_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES public.tenants(id) ON DELETE CASCADE;

ALTER TABLE ONLY public.indicator_hourly
    ADD CONSTRAINT indicator_hourly_root_id_fkey FOREIGN KEY (root_id) REFERENCES public.tenants(id) ON DELETE CASCADE;

ALTER TABLE ONLY public.invitations
    ADD CONSTRAINT invitations_invited_by_fkey FOREIGN KEY (invited_by) REFERENCES public.users(id) ON DELETE SET NULL;

ALTER TABLE ONLY public.invitations
    ADD CONSTRAINT invitations_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES public.tenants(id) ON DELETE CASCADE;

ALTER TABLE ONLY public.invitations
    ADD CONSTRAINT invitations_user_id_fkey FOREIGN KEY (user_id) REFERENCES public.users(id) ON DELETE CASCADE;

ALTER TABLE ONLY public.known_signins
    ADD CONSTRAINT known_signins_user_id_fkey FOREIGN KEY (user_id) REFERENCES public.users(id) ON DELETE CASCADE;

ALTER TABLE ONLY public.mail_outbox
    ADD CONSTRAINT mail_outbox_report_job_id_fkey FOREIGN KEY (report_job_id) REFERENCES public.report_jobs(id) ON DELETE SET NULL;

ALTER TABLE ONLY public.mail_outbox
    ADD CONSTRAINT mail_outbox_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES public.tenants(id) ON DELETE SET NULL;

ALTER TABLE ONLY public.memberships
    ADD CONSTRAINT memberships_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES public.tenants(id) ON DELETE CASCADE;

ALTER TABLE ONLY public.memberships
    ADD CONSTRAINT memberships_user_id_fkey FOREIGN KEY (user_id) REFERENCES public.users(id) ON DELETE CASCADE;

ALTER TABLE ONLY public.msp_requests
    ADD CONSTRAINT msp_requests_decided_by_fkey FOREIGN KEY (decided_by) REFERENCES public.users(id) ON DELETE SET NULL;

ALTER TABLE ONLY public.msp_requests
    ADD CONSTRAINT msp_requests_msp_tenant_id_fkey FOREIGN KEY (msp_tenant_id) REFERENCES public.tenants(id) ON DELETE CASCADE;

ALTER TABLE ONLY public.msp_requests
    ADD CONSTRAINT msp_requests_mssp_id_fkey FOREIGN KEY (mssp_id) REFERENCES public.tenants(id) ON DELETE CASCADE;

ALTER TABLE ONLY public.msp_requests
    ADD CONSTRAINT msp_requests_requested_by_fkey FOREIGN KEY (requested_by) REFERENCES public.users(id) ON DELETE SET NULL;

ALTER TABLE ONLY public.notifications
    ADD CONSTRAINT notifications_request_id_fkey FOREIGN KEY (request_id) REFERENCES public.msp_requests(id) ON DELETE CASCADE;

ALTER TABLE ONLY public.notifications
    ADD CONSTRAINT notifications_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES public.tenants(id) ON DELETE CASCADE;

ALTER TABLE ONLY public.notifications
    ADD CONSTRAINT notifications_user_id_fkey FOREIGN KEY (user_id) REFERENCES public.users(id) ON DELETE CASCADE;

ALTER TABLE ONLY public.password_resets
    ADD CONSTRAINT password_resets_user_id_fkey FOREIGN KEY (user_id) REFERENCES public.users(id) ON DELETE CASCADE;

ALTER TABLE ONLY public.plan_sections
    ADD CONSTRAINT plan_sections_plan_id_fkey FOREIGN KEY (plan_id) REFERENCES public.plans(id) ON DELETE CASCADE;

ALTER TABLE ONLY public.plan_sections
    ADD CONSTRAINT plan_sections_section_fkey FOREIGN KEY (section) REFERENCES public.config_sections(section);

ALTER TABLE ONLY public.plan_sections
    ADD CONSTRAINT plan_sections_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES public.tenants(id) ON DELETE CASCADE;

ALTER TABLE ONLY public.plan_sections
    ADD CONSTRAINT plan_sections_updated_by_fkey FOREIGN KEY (updated_by) REFERENCES public.users(id) ON DELETE SET NULL;

ALTER TABLE ONLY public.plan_shares
    ADD CONSTRAINT plan_shares_owner_id_fkey FOREIGN KEY (owner_id) REFERENCES public.tenants(id) ON DELETE CASCADE;

ALTER TABLE ONLY public.plan_shares
    ADD CONSTRAINT plan_shares_plan_id_fkey FOREIGN KEY (plan_id) REFERENCES public.plans(id) ON DELETE CASCADE;

ALTER TABLE ONLY public.plan_shares
    ADD CONSTRAINT plan_shares_shared_by_fkey FOREIGN KEY (shared_by) REFERENCES public.users(id) ON DELETE SET NULL;

ALTER TABLE ONLY public.plan_shares
    ADD CONSTRAINT plan_shares_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES public.tenants(id) ON DELETE CASCADE;

ALTER TABLE ONLY public.plans
    ADD CONSTRAINT plans_cloned_from_fkey FOREIGN KEY (cloned_from) REFERENCES public.plans(id) ON DELETE SET NULL;

ALTER TABLE ONLY public.plans
    ADD CONSTRAINT plans_created_by_fkey FOREIGN KEY (created_by) REFERENCES public.users(id) ON DELETE SET NULL;

ALTER TABLE ONLY public.plans
    ADD CONSTRAINT plans_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES public.tenants(id) ON DELETE CASCADE;

ALTER TABLE ONLY public.price_book_versions
    ADD CONSTRAINT price_book_versions_book_id_fkey FOREIGN KEY (book_id) REFERENCES public.price_books(id) ON DELETE CASCADE;

ALTER TABLE ONLY public.report_jobs
    ADD CONSTRAINT report_jobs_requested_by_fkey FOREIGN KEY (requested_by) REFERENCES public.users(id) ON DELETE SET NULL;

ALTER TABLE ONLY public.report_jobs
    ADD CONSTRAINT report_jobs_schedule_id_fkey FOREIGN KEY (schedule_id) REFERENCES public.report_schedules(id) ON DELETE SET NULL;

ALTER TABLE ONLY public.report_jobs
    ADD CONSTRAINT report_jobs_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES public.tenants(id) ON DELETE CASCADE;

ALTER TABLE ONLY public.report_links
    ADD CONSTRAINT report_links_job_id_fkey FOREIGN KEY (job_id) REFERENCES public.report_jobs(id) ON DELETE CASCADE;

ALTER TABLE ONLY public.report_links
    ADD CONSTRAINT report_links_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES public.tenants(id) ON DELETE CASCADE;

ALTER TABLE ONLY public.report_schedules
    ADD CONSTRAINT report_schedules_created_by_fkey FOREIGN KEY (created_by) REFERENCES public.users(id) ON DELETE SET NULL;

ALTER TABLE ONLY public.report_schedules
    ADD CONSTRAINT report_schedules_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES public.tenants(id) ON DELETE CASCADE;

ALTER TABLE ONLY public.report_settings
    ADD CONSTRAINT report_settings_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES public.tenants(id) ON DELETE CASCADE;

ALTER TABLE ONLY public.report_settings
    ADD CONSTRAINT report_settings_updated_by_fkey FOREIGN KEY (updated_by) REFERENCES public.users(id) ON DELETE SET NULL;

ALTER TABLE ONLY public.sessions
    ADD CONSTRAINT sessions_user_id_fkey FOREIGN KEY (user_id) REFERENCES public.users(id) ON DELETE CASCADE;

ALTER TABLE ONLY public.sla_targets
    ADD CONSTRAINT sla_targets_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES public.tenants(id) ON DELETE CASCADE;

ALTER TABLE ONLY public.tenant_brand
    ADD CONSTRAINT tenant_brand_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES public.tenants(id) ON DELETE CASCADE;

ALTER TABLE ONLY public.tenant_stats
    ADD CONSTRAINT tenant_stats_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES public.tenants(id) ON DELETE CASCADE;

ALTER TABLE ONLY public.tenants
    ADD CONSTRAINT tenants_parent_id_fkey FOREIGN KEY (parent_id) REFERENCES public.tenants(id);

ALTER TABLE ONLY public.user_access
    ADD CONSTRAINT user_access_user_id_fkey FOREIGN KEY (user_id) REFERENCES public.users(id) ON DELETE CASCADE;

ALTER TABLE ONLY public.vuln_daily
    ADD CONSTRAINT vuln_daily_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES public.tenants(id) ON DELETE CASCADE;

ALTER TABLE ONLY public.vulnerabilities
    ADD CONSTRAINT vulnerabilities_asset_id_fkey FOREIGN KEY (asset_id) REFERENCES public.assets(id) ON DELETE SET NULL;

ALTER TABLE ONLY public.vulnerabilities
    ADD CONSTRAINT vulnerabilities_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES public.tenants(id) ON DELETE CASCADE;

ALTER TABLE public.analyst_assignments ENABLE ROW LEVEL SECURITY;

CREATE POLICY analyst_assignments_visible ON public.analyst_assignments USING ((EXISTS ( SELECT 1
   FROM public.tenants t
  WHERE (t.id = analyst_assignments.tenant_id)))) WITH CHECK ((EXISTS ( SELECT 1
   FROM public.tenants t
  WHERE (t.id = analyst_assignments.tenant_id))));

ALTER TABLE public.api_keys ENABLE ROW LEVEL SECURITY;

CREATE POLICY api_keys_visible ON public.api_keys USING ((EXISTS ( SELECT 1
   FROM public.tenants t
  WHERE (t.id = api_keys.tenant_id)))) WITH CHECK ((EXISTS ( SELECT 1
   FROM public.tenants t
  WHERE (t.id = api_keys.tenant_id))));

ALTER TABLE public.assets ENABLE ROW LEVEL SECURITY;

CREATE POLICY assets_visible ON public.assets USING ((EXISTS ( SELECT 1
   FROM public.tenants t
  WHERE (t.id = assets.tenant_id)))) WITH CHECK ((EXISTS ( SELECT 1
   FROM public.tenants t
  WHERE (t.id = assets.tenant_id))));

ALTER TABLE public.audit_log ENABLE ROW LEVEL SECURITY;

CREATE POLICY audit_log_visible ON public.audit_log USING ((EXISTS ( SELECT 1
   FROM public.tenants t
  WHERE (t.id = audit_log.tenant_id)))) WITH CHECK (((user_id = ( SELECT public.app_user_id() AS app_user_id)) AND ((tenant_id IS NULL) OR (EXISTS ( SELECT 1
   FROM public.tenants t
  WHERE (t.id = audit_log.tenant_id))))));

ALTER TABLE public.billing_accounts ENABLE ROW LEVEL SECURITY;

CREATE POLICY billing_accounts_visible ON public.billing_accounts USING (public.billing_may_see(tenant_id));

ALTER TABLE public.billing_adjustments ENABLE ROW LEVEL SECURITY;

CREATE POLICY billing_adjustments_visible ON public.billing_adjustments USING (public.billing_may_see(account_id));

ALTER TABLE public.billing_breakdown ENABLE ROW LEVEL SECURITY;

CREATE POLICY billing_breakdown_visible ON public.billing_breakdown USING (public.billing_may_see(account_id));

ALTER TABLE public.billing_days ENABLE ROW LEVEL SECURITY;

CREATE POLICY billing_days_visible ON public.billing_days USING (public.billing_may_see(account_id));

ALTER TABLE public.billing_snapshots ENABLE ROW LEVEL SECURITY;

CREATE POLICY billing_snapshots_visible ON public.billing_snapshots USING (public.billing_may_see(account_id));

ALTER TABLE public.billing_statements ENABLE ROW LEVEL SECURITY;

CREATE POLICY billing_statements_visible ON public.billing_statements USING (public.billing_may_see(account_id));

ALTER TABLE public.branding ENABLE ROW LEVEL SECURITY;

ALTER TABLE public.branding_logos ENABLE ROW LEVEL SECURITY;

CREATE POLICY branding_logos_visible ON public.branding_logos USING ((EXISTS ( SELECT 1
   FROM public.tenants t
  WHERE (t.id = branding_logos.tenant_id)))) WITH CHECK ((EXISTS ( SELECT 1
   FROM public.tenants t
  WHERE (t.id = branding_logos.tenant_id))));

CREATE POLICY branding_visible ON public.branding USING ((EXISTS ( SELECT 1
   FROM public.tenants t
  WHERE (t.id = branding.tenant_id)))) WITH CHECK ((EXISTS ( SELECT 1
   FROM public.tenants t
  WHERE (t.id = branding.tenant_id))));

ALTER TABLE public.config_documents ENABLE ROW LEVEL SECURITY;

CREATE POLICY config_documents_visible ON public.config_documents USING ((EXISTS ( SELECT 1
   FROM public.tenants t
  WHERE (t.id = config_documents.tenant_id))));

ALTER TABLE public.config_history ENABLE ROW LEVEL SECURITY;

CREATE POLICY config_history_visible ON public.config_history USING ((EXISTS ( SELECT 1
   FROM public.tenants t
  WHERE (t.id = config_history.tenant_id))));

ALTER TABLE public.config_overrides ENABLE ROW LEVEL SECURITY;

CREATE POLICY config_overrides_visible ON public.config_overrides USING ((EXISTS ( SELECT 1
   FROM public.tenants t
  WHERE (t.id = config_overrides.tenant_id))));

ALTER TABLE public.cve_open ENABLE ROW LEVEL SECURITY;

CREATE POLICY cve_open_visible ON public.cve_open USING ((EXISTS ( SELECT 1
   FROM public.tenants t
  WHERE (t.id = cve_open.tenant_id))));

ALTER TABLE public.dashboard_docs ENABLE ROW LEVEL SECURITY;

CREATE POLICY dashboard_docs_visible ON public.dashboard_docs USING ((EXISTS ( SELECT 1
   FROM public.tenants t
  WHERE (t.id = dashboard_docs.tenant_id))));

ALTER TABLE public.incident_hourly ENABLE ROW LEVEL SECURITY;

CREATE POLICY incident_hourly_visible ON public.incident_hourly USING ((EXISTS ( SELECT 1
   FROM public.tenants t
  WHERE (t.id = incident_hourly.tenant_id))));

ALTER TABLE public.incident_recent ENABLE ROW LEVEL SECURITY;

CREATE POLICY incident_recent_visible ON public.incident_recent USING ((EXISTS ( SELECT 1
   FROM public.tenants t
  WHERE (t.id = incident_recent.tenant_id))));

ALTER TABLE public.incidents ENABLE ROW LEVEL SECURITY;

CREATE POLICY incidents_visible ON public.incidents USING ((EXISTS ( SELECT 1
   FROM public.tenants t
  WHERE (t.id = incidents.tenant_id)))) WITH CHECK ((EXISTS ( SELECT 1
   FROM public.tenants t
  WHERE (t.id = incidents.tenant_id))));

ALTER TABLE public.indicator_customers ENABLE ROW LEVEL SECURITY;

ALTER TABLE public.indicator_hourly ENABLE ROW LEVEL SECURITY;

ALTER TABLE public.invitations ENABLE ROW LEVEL SECURITY;

CREATE POLICY invitations_visible ON public.invitations USING ((EXISTS ( SELECT 1
   FROM public.tenants t
  WHERE (t.id = invitations.tenant_id)))) WITH CHECK ((EXISTS ( SELECT 1
   FROM public.tenants t
  WHERE (t.id = invitations.tenant_id))));

ALTER TABLE public.mail_limits ENABLE ROW LEVEL SECURITY;

ALTER TABLE public.mail_outbox ENABLE ROW LEVEL SECURITY;

CREATE POLICY mail_outbox_insert ON public.mail_outbox FOR INSERT WITH CHECK (((tenant_id IS NULL) OR (EXISTS ( SELECT 1
   FROM public.tenants t
  WHERE (t.id = mail_outbox.tenant_id)))));

CREATE POLICY mail_outbox_mailer ON public.mail_outbox TO portal_mailer USING (true) WITH CHECK (true);

ALTER TABLE public.memberships ENABLE ROW LEVEL SECURITY;

CREATE POLICY memberships_visible ON public.memberships USING ((EXISTS ( SELECT 1
   FROM public.tenants t
  WHERE (t.id = memberships.tenant_id)))) WITH CHECK ((EXISTS ( SELECT 1
   FROM public.tenants t
  WHERE (t.id = memberships.tenant_id))));

ALTER TABLE public.msp_requests ENABLE ROW LEVEL SECURITY;

CREATE POLICY msp_requests_visible ON public.msp_requests USING (((EXISTS ( SELECT 1
   FROM public.tenants t
  WHERE (t.id = msp_requests.mssp_id))) OR (EXISTS ( SELECT 1
   FROM public.tenants t
  WHERE (t.id = msp_requests.msp_tenant_id)))));

ALTER TABLE public.notifications ENABLE ROW LEVEL SECURITY;

CREATE POLICY notifications_own ON public.notifications USING ((user_id = ( SELECT public.app_user_id() AS app_user_id))) WITH CHECK ((user_id = ( SELECT public.app_user_id() AS app_user_id)));

ALTER TABLE public.plan_sections ENABLE ROW LEVEL SECURITY;

CREATE POLICY plan_sections_visible ON public.plan_sections USING ((EXISTS ( SELECT 1
   FROM public.tenants t
  WHERE (t.id = plan_sections.tenant_id))));

ALTER TABLE public.plan_shares ENABLE ROW LEVEL SECURITY;

CREATE POLICY plan_shares_visible ON public.plan_shares USING ((EXISTS ( SELECT 1
   FROM public.tenants t
  WHERE (t.id = plan_shares.tenant_id))));

ALTER TABLE public.plans ENABLE ROW LEVEL SECURITY;

CREATE POLICY plans_visible ON public.plans USING ((EXISTS ( SELECT 1
   FROM public.tenants t
  WHERE (t.id = plans.tenant_id))));

ALTER TABLE public.report_jobs ENABLE ROW LEVEL SECURITY;

CREATE POLICY report_jobs_visible ON public.report_jobs USING (public.report_job_visible(tenant_id, requested_by, kind));

ALTER TABLE public.report_links ENABLE ROW LEVEL SECURITY;

CREATE POLICY report_links_visible ON public.report_links USING ((EXISTS ( SELECT 1
   FROM public.tenants t
  WHERE (t.id = report_links.tenant_id))));

ALTER TABLE public.report_schedules ENABLE ROW LEVEL SECURITY;

CREATE POLICY report_schedules_visible ON public.report_schedules USING (((EXISTS ( SELECT 1
   FROM public.tenants t
  WHERE (t.id = report_schedules.tenant_id))) AND ((kind <> 'billing'::text) OR public.billing_may_see(tenant_id))));

ALTER TABLE public.report_settings ENABLE ROW LEVEL SECURITY;

CREATE POLICY report_settings_visible ON public.report_settings USING ((EXISTS ( SELECT 1
   FROM public.tenants t
  WHERE (t.id = report_settings.tenant_id))));

ALTER TABLE public.sla_targets ENABLE ROW LEVEL SECURITY;

CREATE POLICY sla_targets_visible ON public.sla_targets USING ((EXISTS ( SELECT 1
   FROM public.tenants t
  WHERE (t.id = sla_targets.tenant_id)))) WITH CHECK ((EXISTS ( SELECT 1
   FROM public.tenants t
  WHERE (t.id = sla_targets.tenant_id))));

ALTER TABLE public.tenant_brand ENABLE ROW LEVEL SECURITY;

CREATE POLICY tenant_brand_visible ON public.tenant_brand USING ((EXISTS ( SELECT 1
   FROM public.tenants t
  WHERE (t.id = tenant_brand.tenant_id))));

ALTER TABLE public.tenant_stats ENABLE ROW LEVEL SECURITY;

CREATE POLICY tenant_stats_visible ON public.tenant_stats USING ((EXISTS ( SELECT 1
   FROM public.tenants t
  WHERE (t.id = tenant_stats.tenant_id))));

ALTER TABLE public.tenants ENABLE ROW LEVEL SECURITY;

CREATE POLICY tenants_visible ON public.tenants USING (public.scope_sees(ancestors, id, ( SELECT public.app_scope() AS app_scope), ( SELECT public.app_exact() AS app_exact))) WITH CHECK (((id IN ( SELECT public.visible_tenant_ids() AS visible_tenant_ids)) OR (parent_id IN ( SELECT public.visible_tenant_ids() AS visible_tenant_ids))));

ALTER TABLE public.user_access ENABLE ROW LEVEL SECURITY;

CREATE POLICY user_access_own ON public.user_access USING ((user_id = ( SELECT public.app_user_id() AS app_user_id)));

ALTER TABLE public.vuln_daily ENABLE ROW LEVEL SECURITY;

CREATE POLICY vuln_daily_visible ON public.vuln_daily USING ((EXISTS ( SELECT 1
   FROM public.tenants t
  WHERE (t.id = vuln_daily.tenant_id))));

ALTER TABLE public.vulnerabilities ENABLE ROW LEVEL SECURITY;

CREATE POLICY vulnerabilities_visible ON public.vulnerabilities USING ((EXISTS ( SELECT 1
   FROM public.tenants t
  WHERE (t.id = vulnerabilities.tenant_id)))) WITH CHECK ((EXISTS ( SELECT 1
   FROM public.tenants t
  WHERE (t.id = vulnerabilities.tenant_id))));

REVOKE USAGE ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO portal_app;
GRANT USAGE ON SCHEMA public TO portal_mailer;
GRANT USAGE ON SCHEMA public TO portal_reporter;

REVOKE ALL ON FUNCTION public.account_activity(p_limit integer, p_offset integer) FROM PUBLIC;
GRANT ALL ON FUNCTION public.account_activity(p_limit integer, p_offset integer) TO portal_app;

REVOKE ALL ON FUNCTION public.account_invitation_answer(p_invitation bigint, p_accept boolean, p_ip text) FROM PUBLIC;
GRANT ALL ON FUNCTION public.account_invitation_answer(p_invitation bigint, p_accept boolean, p_ip text) TO portal_app;

REVOKE ALL ON FUNCTION public.account_invitations() FROM PUBLIC;
GRANT ALL ON FUNCTION public.account_invitations() TO portal_app;

REVOKE ALL ON FUNCTION public.account_mail_tenant(p_user bigint) FROM PUBLIC;

REVOKE ALL ON FUNCTION public.account_memberships() FROM PUBLIC;
GRANT ALL ON FUNCTION public.account_memberships() TO portal_app;

REVOKE ALL ON FUNCTION public.analyst_assignments_of(p_mssp bigint) FROM PUBLIC;
GRANT ALL ON FUNCTION public.analyst_assignments_of(p_mssp bigint) TO portal_app;

REVOKE ALL ON FUNCTION public.api_key_auth(p_key text) FROM PUBLIC;
GRANT ALL ON FUNCTION public.api_key_auth(p_key text) TO portal_app;

GRANT SELECT,INSERT,UPDATE ON TABLE public.api_keys TO portal_app;

REVOKE ALL ON FUNCTION public.api_key_find(p_key text) FROM PUBLIC;

REVOKE ALL ON FUNCTION public.api_keys_of(p_tenant bigint) FROM PUBLIC;
GRANT ALL ON FUNCTION public.api_keys_of(p_tenant bigint) TO portal_app;

REVOKE ALL ON FUNCTION public.app_api_tenant() FROM PUBLIC;
GRANT ALL ON FUNCTION public.app_api_tenant() TO portal_app;

REVOKE ALL ON FUNCTION public.app_exact() FROM PUBLIC;
GRANT ALL ON FUNCTION public.app_exact() TO portal_app;

REVOKE ALL ON FUNCTION public.app_identify(p_token text) FROM PUBLIC;
GRANT ALL ON FUNCTION public.app_identify(p_token text) TO portal_app;

REVOKE ALL ON FUNCTION public.app_scope() FROM PUBLIC;
GRANT ALL ON FUNCTION public.app_scope() TO portal_app;

GRANT ALL ON FUNCTION public.app_user_id() TO portal_app;
GRANT ALL ON FUNCTION public.app_user_id() TO portal_mailer;

REVOKE ALL ON FUNCTION public.asset_is_device(p_kind text) FROM PUBLIC;

REVOKE ALL ON FUNCTION public.asset_page(p_tenant bigint, p_kind text, p_after bigint, p_before bigint) FROM PUBLIC;
GRANT ALL ON FUNCTION public.asset_page(p_tenant bigint, p_kind text, p_after bigint, p_before bigint) TO portal_app;

REVOKE ALL ON FUNCTION public.asset_reader(p_tids bigint[], p_root bigint, p_tenant bigint, p_sc bigint[], p_ex bigint[], p_args text[], p_how text, p_set text, p_cursor bigint, p_back boolean, p_count boolean, OUT ids bigint[], OUT cursor_found boolean, OUT counted bigint) FROM PUBLIC;

REVOKE ALL ON FUNCTION public.assets_stats() FROM PUBLIC;

REVOKE ALL ON FUNCTION public.audit_account(p_user bigint, p_action text, p_ip text, p_details jsonb) FROM PUBLIC;

REVOKE ALL ON FUNCTION public.audit_entries(p_tenant bigint, p_user text, p_action text, p_from timestamp with time zone, p_to timestamp with time zone, p_limit integer, p_offset integer, p_tenant_name text) FROM PUBLIC;
GRANT ALL ON FUNCTION public.audit_entries(p_tenant bigint, p_user text, p_action text, p_from timestamp with time zone, p_to timestamp with time zone, p_limit integer, p_offset integer, p_tenant_name text) TO portal_app;

REVOKE ALL ON FUNCTION public.auth_link_lookup(p_purpose text, p_token text) FROM PUBLIC;
GRANT ALL ON FUNCTION public.auth_link_lookup(p_purpose text, p_token text) TO portal_app;

REVOKE ALL ON FUNCTION public.auth_link_mail(p_link bigint, p_subject text, p_text text, p_html text) FROM PUBLIC;
GRANT ALL ON FUNCTION public.auth_link_mail(p_link bigint, p_subject text, p_text text, p_html text) TO portal_app;

REVOKE ALL ON FUNCTION public.auth_link_request(p_purpose text, p_email text, p_ip text, p_lifetime integer, p_max integer) FROM PUBLIC;
GRANT ALL ON FUNCTION public.auth_link_request(p_purpose text, p_email text, p_ip text, p_lifetime integer, p_max integer) TO portal_app;

REVOKE ALL ON FUNCTION public.auth_link_signin(p_token text, p_ip text, p_ua text, p_device text, p_max_seconds integer) FROM PUBLIC;
GRANT ALL ON FUNCTION public.auth_link_signin(p_token text, p_ip text, p_ua text, p_device text, p_max_seconds integer) TO portal_app;

REVOKE ALL ON FUNCTION public.auth_login(p_email text, p_key text, p_ip text, p_ua text, p_device text, p_max_seconds integer) FROM PUBLIC;
GRANT ALL ON FUNCTION public.auth_login(p_email text, p_key text, p_ip text, p_ua text, p_device text, p_max_seconds integer) TO portal_app;

REVOKE ALL ON FUNCTION public.auth_login_begin(p_email text, p_ip text, p_device text) FROM PUBLIC;
GRANT ALL ON FUNCTION public.auth_login_begin(p_email text, p_ip text, p_device text) TO portal_app;

REVOKE ALL ON FUNCTION public.auth_my_password_setting() FROM PUBLIC;
GRANT ALL ON FUNCTION public.auth_my_password_setting() TO portal_app;

REVOKE ALL ON FUNCTION public.auth_password_change(p_password_hash text, p_keep_session text) FROM PUBLIC;
GRANT ALL ON FUNCTION public.auth_password_change(p_password_hash text, p_keep_session text) TO portal_app;

REVOKE ALL ON FUNCTION public.auth_password_check(p_key text, p_ip text, p_device text) FROM PUBLIC;
GRANT ALL ON FUNCTION public.auth_password_check(p_key text, p_ip text, p_device text) TO portal_app;

REVOKE ALL ON FUNCTION public.auth_reset_complete(p_token text, p_password_hash text, p_ip text) FROM PUBLIC;
GRANT ALL ON FUNCTION public.auth_reset_complete(p_token text, p_password_hash text, p_ip text) TO portal_app;

REVOKE ALL ON FUNCTION public.auth_session_end(p_token text) FROM PUBLIC;
GRANT ALL ON FUNCTION public.auth_session_end(p_token text) TO portal_app;

REVOKE ALL ON FUNCTION public.auth_session_lookup(p_token text, p_idle integer) FROM PUBLIC;
GRANT ALL ON FUNCTION public.auth_session_lookup(p_token text, p_idle integer) TO portal_app;

REVOKE ALL ON FUNCTION public.bell_items(p_user bigint) FROM PUBLIC;
GRANT ALL ON FUNCTION public.bell_items(p_user bigint) TO portal_app;

REVOKE ALL ON FUNCTION public.billing_account_end(p_account bigint) FROM PUBLIC;

REVOKE ALL ON FUNCTION public.billing_account_run(p_account bigint) FROM PUBLIC;

REVOKE ALL ON FUNCTION public.billing_adjust(p_account bigint, p_month date, p_amount numeric, p_reason text) FROM PUBLIC;

REVOKE ALL ON FUNCTION public.billing_assign(p_tenant bigint, p_book text, p_time_zone text, p_activity_days integer, p_starts_on date) FROM PUBLIC;

REVOKE ALL ON FUNCTION public.billing_book_error(p_doc jsonb) FROM PUBLIC;

REVOKE ALL ON FUNCTION public.billing_book_save(p_doc jsonb) FROM PUBLIC;

REVOKE ALL ON FUNCTION public.billing_document(p_tenant bigint, p_month date) FROM PUBLIC;
GRANT ALL ON FUNCTION public.billing_document(p_tenant bigint, p_month date) TO portal_reporter;

REVOKE ALL ON FUNCTION public.billing_export(p_tenant bigint, p_month text) FROM PUBLIC;
GRANT ALL ON FUNCTION public.billing_export(p_tenant bigint, p_month text) TO portal_app;

REVOKE ALL ON FUNCTION public.billing_frozen() FROM PUBLIC;

REVOKE ALL ON FUNCTION public.billing_may_see(p_account bigint) FROM PUBLIC;
GRANT ALL ON FUNCTION public.billing_may_see(p_account bigint) TO portal_app;

REVOKE ALL ON FUNCTION public.billing_metric_label(p_metric text) FROM PUBLIC;

REVOKE ALL ON FUNCTION public.billing_money(p numeric) FROM PUBLIC;

REVOKE ALL ON FUNCTION public.billing_page(p_tenant bigint, p_month text, p_sort text, p_desc boolean, p_page integer, p_msp bigint, p_rows integer) FROM PUBLIC;
GRANT ALL ON FUNCTION public.billing_page(p_tenant bigint, p_month text, p_sort text, p_desc boolean, p_page integer, p_msp bigint, p_rows integer) TO portal_app;

REVOKE ALL ON FUNCTION public.billing_run() FROM PUBLIC;
GRANT ALL ON FUNCTION public.billing_run() TO portal_reporter;

REVOKE ALL ON FUNCTION public.billing_snapshot_take(p_account bigint) FROM PUBLIC;

REVOKE ALL ON FUNCTION public.billing_statement_compute(p_account bigint, p_month date, p_close boolean) FROM PUBLIC;

REVOKE ALL ON FUNCTION public.billing_statement_decorate(p_doc jsonb) FROM PUBLIC;

REVOKE ALL ON FUNCTION public.billing_statement_view(p_account bigint, p_month date) FROM PUBLIC;

REVOKE ALL ON FUNCTION public.billing_tier_charge(p_metric jsonb, p_qty numeric) FROM PUBLIC;

REVOKE ALL ON FUNCTION public.brand_for_host(p_host text) FROM PUBLIC;
GRANT ALL ON FUNCTION public.brand_for_host(p_host text) TO portal_app;

REVOKE ALL ON FUNCTION public.brand_for_request(p_tenant bigint, p_user bigint, p_host text) FROM PUBLIC;
GRANT ALL ON FUNCTION public.brand_for_request(p_tenant bigint, p_user bigint, p_host text) TO portal_app;

REVOKE ALL ON FUNCTION public.brand_for_tenant(p_tenant bigint) FROM PUBLIC;
GRANT ALL ON FUNCTION public.brand_for_tenant(p_tenant bigint) TO portal_app;
GRANT ALL ON FUNCTION public.brand_for_tenant(p_tenant bigint) TO portal_reporter;

GRANT SELECT ON TABLE public.tenant_brand TO portal_app;

REVOKE ALL ON FUNCTION public.brand_resolve(p_tenant bigint) FROM PUBLIC;

REVOKE ALL ON FUNCTION public.brand_tenant_for(p_tenant bigint, p_user bigint, p_host text) FROM PUBLIC;

REVOKE ALL ON FUNCTION public.branding_brand() FROM PUBLIC;

REVOKE ALL ON FUNCTION public.branding_host_claim() FROM PUBLIC;

REVOKE ALL ON FUNCTION public.branding_host_verify(p_tenant bigint, p_host text, p_token text) FROM PUBLIC;
GRANT ALL ON FUNCTION public.branding_host_verify(p_tenant bigint, p_host text, p_token text) TO portal_app;

REVOKE ALL ON FUNCTION public.children_order(p_rows public.dashboard_row[], p_sort text, p_dir text, p_limit integer, p_offset integer) FROM PUBLIC;

REVOKE ALL ON FUNCTION public.children_orders(p_rows public.dashboard_row[]) FROM PUBLIC;

REVOKE ALL ON FUNCTION public.children_sort_keys() FROM PUBLIC;

REVOKE ALL ON FUNCTION public.config_changed() FROM PUBLIC;

GRANT ALL ON FUNCTION public.config_cidrs_error(p_list jsonb, p_max integer) TO portal_app;

GRANT ALL ON FUNCTION public.config_diff(p_before jsonb, p_after jsonb) TO portal_app;

GRANT ALL ON FUNCTION public.config_doc_error(p_section text, p_doc jsonb) TO portal_app;

REVOKE ALL ON FUNCTION public.config_document(p_tenant bigint, p_device bigint, p_scope bigint[], p_exact bigint[]) FROM PUBLIC;

REVOKE ALL ON FUNCTION public.config_effective(p_tenant bigint, p_device bigint) FROM PUBLIC;
GRANT ALL ON FUNCTION public.config_effective(p_tenant bigint, p_device bigint) TO portal_app;

REVOKE ALL ON FUNCTION public.config_override_restore(p_tenant bigint, p_history bigint, p_base bigint) FROM PUBLIC;
GRANT ALL ON FUNCTION public.config_override_restore(p_tenant bigint, p_history bigint, p_base bigint) TO portal_app;

REVOKE ALL ON FUNCTION public.config_override_revert(p_tenant bigint, p_device bigint, p_section text) FROM PUBLIC;
GRANT ALL ON FUNCTION public.config_override_revert(p_tenant bigint, p_device bigint, p_section text) TO portal_app;

REVOKE ALL ON FUNCTION public.config_override_save(p_tenant bigint, p_device bigint, p_section text, p_doc jsonb, p_base bigint) FROM PUBLIC;
GRANT ALL ON FUNCTION public.config_override_save(p_tenant bigint, p_device bigint, p_section text, p_doc jsonb, p_base bigint) TO portal_app;

REVOKE ALL ON FUNCTION public.config_page(p_tenant bigint, p_device bigint) FROM PUBLIC;
GRANT ALL ON FUNCTION public.config_page(p_tenant bigint, p_device bigint) TO portal_app;

REVOKE ALL ON FUNCTION public.config_poll(p_key text, p_tenant bigint, p_external_id text) FROM PUBLIC;
GRANT ALL ON FUNCTION public.config_poll(p_key text, p_tenant bigint, p_external_id text) TO portal_app;

REVOKE ALL ON FUNCTION public.config_save_gate(p_base bigint, p_doc jsonb, cur_version bigint, cur_doc jsonb, cur_by bigint, cur_at timestamp with time zone) FROM PUBLIC;

REVOKE ALL ON FUNCTION public.context_changed() FROM PUBLIC;

REVOKE ALL ON FUNCTION public.customer_page(p_tenant bigint, p_page integer, OUT ids bigint[], OUT total bigint, OUT paged boolean) FROM PUBLIC;

REVOKE ALL ON FUNCTION public.cve_top(p_tenant bigint) FROM PUBLIC;

GRANT SELECT,INSERT,UPDATE ON TABLE public.tenants TO portal_app;

GRANT UPDATE(name) ON TABLE public.tenants TO portal_app;

GRANT UPDATE(status) ON TABLE public.tenants TO portal_app;

REVOKE ALL ON FUNCTION public.dashboard_ancestors(t public.tenants, sc bigint[], ex bigint[]) FROM PUBLIC;

REVOKE ALL ON FUNCTION public.dashboard_board(t public.tenants, p_hours integer, sc bigint[], ex bigint[]) FROM PUBLIC;

REVOKE ALL ON FUNCTION public.dashboard_doc_build(p_tenant bigint) FROM PUBLIC;

REVOKE ALL ON FUNCTION public.dashboard_doc_keep() FROM PUBLIC;

REVOKE ALL ON FUNCTION public.dashboard_doc_lapsed(d public.dashboard_docs) FROM PUBLIC;

REVOKE ALL ON FUNCTION public.dashboard_doc_refresh(p_tenant bigint) FROM PUBLIC;
GRANT ALL ON FUNCTION public.dashboard_doc_refresh(p_tenant bigint) TO portal_app;

REVOKE ALL ON FUNCTION public.dashboard_docs_stale(p_tenant bigint) FROM PUBLIC;
GRANT ALL ON FUNCTION public.dashboard_docs_stale(p_tenant bigint) TO portal_app;

REVOKE ALL ON FUNCTION public.dashboard_join(p_path json, p_board text) FROM PUBLIC;

REVOKE ALL ON FUNCTION public.dashboard_lag() FROM PUBLIC;

REVOKE ALL ON FUNCTION public.dashboard_overview(p_tenant bigint, p_hours integer) FROM PUBLIC;
GRANT ALL ON FUNCTION public.dashboard_overview(p_tenant bigint, p_hours integer) TO portal_app;

REVOKE ALL ON FUNCTION public.dashboard_page(p_tenant bigint, p_hours integer, p_q text, p_sort text, p_dir text, p_limit integer, p_offset integer) FROM PUBLIC;
GRANT ALL ON FUNCTION public.dashboard_page(p_tenant bigint, p_hours integer, p_q text, p_sort text, p_dir text, p_limit integer, p_offset integer) TO portal_app;

REVOKE ALL ON FUNCTION public.dashboard_row_lines(p_rows public.dashboard_row[]) FROM PUBLIC;

REVOKE ALL ON FUNCTION public.delta_rows(p_op text, p_cols text) FROM PUBLIC;

REVOKE ALL ON FUNCTION public.effective_role(p_tenant bigint) FROM PUBLIC;
GRANT ALL ON FUNCTION public.effective_role(p_tenant bigint) TO portal_app;

REVOKE ALL ON FUNCTION public.exposure_top(p_tenant bigint) FROM PUBLIC;
GRANT ALL ON FUNCTION public.exposure_top(p_tenant bigint) TO portal_app;

REVOKE ALL ON FUNCTION public.growth_top(p_tenant bigint) FROM PUBLIC;
GRANT ALL ON FUNCTION public.growth_top(p_tenant bigint) TO portal_app;

REVOKE ALL ON FUNCTION public.identity_keep(p_token text, p_user bigint, p_api_tenant bigint) FROM PUBLIC;

REVOKE ALL ON FUNCTION public.identity_of(p_token text) FROM PUBLIC;
GRANT ALL ON FUNCTION public.identity_of(p_token text) TO portal_app;

REVOKE ALL ON FUNCTION public.incident_detail(p_tenant bigint, p_incident bigint) FROM PUBLIC;
GRANT ALL ON FUNCTION public.incident_detail(p_tenant bigint, p_incident bigint) TO portal_app;

REVOKE ALL ON FUNCTION public.incident_page(p_tenant bigint, p_status text, p_severity text, p_after bigint, p_before bigint) FROM PUBLIC;
GRANT ALL ON FUNCTION public.incident_page(p_tenant bigint, p_status text, p_severity text, p_after bigint, p_before bigint) TO portal_app;

REVOKE ALL ON FUNCTION public.incident_reader(p_tids bigint[], p_root bigint, p_tenant bigint, p_sc bigint[], p_ex bigint[], p_args text[], p_how text, p_set text, p_cursor bigint, p_back boolean, p_count boolean, OUT ids bigint[], OUT cursor_found boolean, OUT counted bigint) FROM PUBLIC;

REVOKE ALL ON FUNCTION public.incident_recent_apply(p_deltas jsonb) FROM PUBLIC;

GRANT SELECT ON TABLE public.incident_recent TO portal_app;

REVOKE ALL ON FUNCTION public.incidents_indicators() FROM PUBLIC;

REVOKE ALL ON FUNCTION public.incidents_recent() FROM PUBLIC;

REVOKE ALL ON FUNCTION public.incidents_series() FROM PUBLIC;

REVOKE ALL ON FUNCTION public.incidents_stats() FROM PUBLIC;

REVOKE ALL ON FUNCTION public.indicator_recount(p_keys jsonb) FROM PUBLIC;

REVOKE ALL ON FUNCTION public.ingest_assets(p_items jsonb) FROM PUBLIC;
GRANT ALL ON FUNCTION public.ingest_assets(p_items jsonb) TO portal_app;

REVOKE ALL ON FUNCTION public.ingest_incidents(p_items jsonb) FROM PUBLIC;
GRANT ALL ON FUNCTION public.ingest_incidents(p_items jsonb) TO portal_app;

REVOKE ALL ON FUNCTION public.ingest_vulnerabilities(p_items jsonb) FROM PUBLIC;
GRANT ALL ON FUNCTION public.ingest_vulnerabilities(p_items jsonb) TO portal_app;

REVOKE ALL ON FUNCTION public.invitation_accept(p_token_hash text, p_name text, p_password_hash text, p_ip text, p_ua text, p_max_seconds integer) FROM PUBLIC;
GRANT ALL ON FUNCTION public.invitation_accept(p_token_hash text, p_name text, p_password_hash text, p_ip text, p_ua text, p_max_seconds integer) TO portal_app;

REVOKE ALL ON FUNCTION public.invitation_lookup(p_token_hash text) FROM PUBLIC;
GRANT ALL ON FUNCTION public.invitation_lookup(p_token_hash text) TO portal_app;

REVOKE ALL ON FUNCTION public.list_page(p_tenant bigint, p_reader text, p_set text, p_args text[], p_after bigint, p_before bigint, p_count boolean, OUT ids bigint[], OUT has_prev boolean, OUT has_next boolean, OUT counted bigint) FROM PUBLIC;

REVOKE ALL ON FUNCTION public.list_reader(p_name text, p_table text, p_keys text[], p_desc boolean, p_filter text, p_sets text[], p_parts text[]) FROM PUBLIC;

REVOKE ALL ON FUNCTION public.login_failed(p_user bigint, p_email text, p_ip text, p_device text, p_action text) FROM PUBLIC;

REVOKE ALL ON FUNCTION public.login_gate(p_email text, p_ip text, p_device text) FROM PUBLIC;

REVOKE ALL ON FUNCTION public.login_locked_audit(p_user bigint, p_email text, p_ip text, p_scope text, p_retry_seconds integer, p_refused boolean) FROM PUBLIC;

REVOKE ALL ON FUNCTION public.login_remember(p_user bigint, p_mail text, p_ip text, p_device text) FROM PUBLIC;

REVOKE ALL ON FUNCTION public.login_setting(p_mail text) FROM PUBLIC;

REVOKE ALL ON FUNCTION public.logo_get(p_id bigint, p_sha12 text) FROM PUBLIC;
GRANT ALL ON FUNCTION public.logo_get(p_id bigint, p_sha12 text) TO portal_app;
GRANT ALL ON FUNCTION public.logo_get(p_id bigint, p_sha12 text) TO portal_reporter;

GRANT SELECT,INSERT ON TABLE public.branding_logos TO portal_app;

REVOKE ALL ON FUNCTION public.mail_limit_take(p_key text, p_max integer, p_window interval) FROM PUBLIC;
GRANT ALL ON FUNCTION public.mail_limit_take(p_key text, p_max integer, p_window interval) TO portal_app;

REVOKE ALL ON FUNCTION public.mail_messages(p_tenant bigint, p_status text, p_limit integer, p_offset integer) FROM PUBLIC;
GRANT ALL ON FUNCTION public.mail_messages(p_tenant bigint, p_status text, p_limit integer, p_offset integer) TO portal_app;

REVOKE ALL ON FUNCTION public.mail_retry(p_tenant bigint, p_id bigint) FROM PUBLIC;
GRANT ALL ON FUNCTION public.mail_retry(p_tenant bigint, p_id bigint) TO portal_app;

REVOKE ALL ON FUNCTION public.membership_leave(p_tenant bigint, p_ip text) FROM PUBLIC;
GRANT ALL ON FUNCTION public.membership_leave(p_tenant bigint, p_ip text) TO portal_app;

REVOKE ALL ON FUNCTION public.memberships_drop_assignments() FROM PUBLIC;

REVOKE ALL ON FUNCTION public.memberships_keep_owner() FROM PUBLIC;

REVOKE ALL ON FUNCTION public.metrics_queues() FROM PUBLIC;
GRANT ALL ON FUNCTION public.metrics_queues() TO portal_app;

REVOKE ALL ON FUNCTION public.msp_request_addressee(p_token_hash text) FROM PUBLIC;
GRANT ALL ON FUNCTION public.msp_request_addressee(p_token_hash text) TO portal_app;

REVOKE ALL ON FUNCTION public.msp_request_by_token(p_token_hash text) FROM PUBLIC;
GRANT ALL ON FUNCTION public.msp_request_by_token(p_token_hash text) TO portal_app;

REVOKE ALL ON FUNCTION public.msp_request_create(p_mssp bigint, p_email text, p_name text, p_token_hash text, p_days integer) FROM PUBLIC;
GRANT ALL ON FUNCTION public.msp_request_create(p_mssp bigint, p_email text, p_name text, p_token_hash text, p_days integer) TO portal_app;

REVOKE ALL ON FUNCTION public.msp_request_decide(p_request bigint, p_approve boolean, p_reason text) FROM PUBLIC;
GRANT ALL ON FUNCTION public.msp_request_decide(p_request bigint, p_approve boolean, p_reason text) TO portal_app;

GRANT SELECT ON TABLE public.msp_requests TO portal_app;

GRANT ALL ON FUNCTION public.msp_request_status(r public.msp_requests) TO portal_app;

REVOKE ALL ON FUNCTION public.msp_request_withdraw(p_mssp bigint, p_request bigint, p_new_token text, p_days integer) FROM PUBLIC;
GRANT ALL ON FUNCTION public.msp_request_withdraw(p_mssp bigint, p_request bigint, p_new_token text, p_days integer) TO portal_app;

REVOKE ALL ON FUNCTION public.msp_requests_list(p_tenant bigint) FROM PUBLIC;
GRANT ALL ON FUNCTION public.msp_requests_list(p_tenant bigint) TO portal_app;

REVOKE ALL ON FUNCTION public.msp_requests_touch_stats() FROM PUBLIC;

REVOKE ALL ON FUNCTION public.my_memberships() FROM PUBLIC;
GRANT ALL ON FUNCTION public.my_memberships() TO portal_app;

REVOKE ALL ON FUNCTION public.my_tenant_crumbs(p_tenant bigint) FROM PUBLIC;
GRANT ALL ON FUNCTION public.my_tenant_crumbs(p_tenant bigint) TO portal_app;

REVOKE ALL ON FUNCTION public.notify_request(p_request bigint, p_side text, p_kind text, p_title text, p_body text, p_link text) FROM PUBLIC;
GRANT ALL ON FUNCTION public.notify_request(p_request bigint, p_side text, p_kind text, p_title text, p_body text, p_link text) TO portal_app;

REVOKE ALL ON FUNCTION public.order_page(p_orders smallint[], p_key integer, p_n integer, p_dir text, p_limit integer, p_offset integer) FROM PUBLIC;

REVOKE ALL ON FUNCTION public.plan_clone(p_tenant bigint, p_plan bigint, p_name text) FROM PUBLIC;
GRANT ALL ON FUNCTION public.plan_clone(p_tenant bigint, p_plan bigint, p_name text) TO portal_app;

REVOKE ALL ON FUNCTION public.plan_create(p_tenant bigint, p_name text) FROM PUBLIC;
GRANT ALL ON FUNCTION public.plan_create(p_tenant bigint, p_name text) TO portal_app;

REVOKE ALL ON FUNCTION public.plan_followed(p_ancestors bigint[]) FROM PUBLIC;

REVOKE ALL ON FUNCTION public.plan_name_error(p_tenant public.tenants, p_name text) FROM PUBLIC;

REVOKE ALL ON FUNCTION public.plan_page(p_tenant bigint, p_plan bigint, p_section text, p_find text) FROM PUBLIC;
GRANT ALL ON FUNCTION public.plan_page(p_tenant bigint, p_plan bigint, p_section text, p_find text) TO portal_app;

REVOKE ALL ON FUNCTION public.plan_party(p_ancestors bigint[], p_id bigint, p_name text, p_scope bigint[], p_exact bigint[]) FROM PUBLIC;

REVOKE ALL ON FUNCTION public.plan_reach(p_plan bigint) FROM PUBLIC;

REVOKE ALL ON FUNCTION public.plan_restore(p_tenant bigint, p_plan bigint, p_history bigint, p_base bigint) FROM PUBLIC;
GRANT ALL ON FUNCTION public.plan_restore(p_tenant bigint, p_plan bigint, p_history bigint, p_base bigint) TO portal_app;

REVOKE ALL ON FUNCTION public.plan_section_save(p_tenant bigint, p_plan bigint, p_section text, p_doc jsonb, p_base bigint, p_action text) FROM PUBLIC;
GRANT ALL ON FUNCTION public.plan_section_save(p_tenant bigint, p_plan bigint, p_section text, p_doc jsonb, p_base bigint, p_action text) TO portal_app;

REVOKE ALL ON FUNCTION public.plan_share(p_tenant bigint, p_plan bigint, p_target bigint, p_on boolean) FROM PUBLIC;
GRANT ALL ON FUNCTION public.plan_share(p_tenant bigint, p_plan bigint, p_target bigint, p_on boolean) TO portal_app;

REVOKE ALL ON FUNCTION public.plan_writer(p_tenant bigint) FROM PUBLIC;

REVOKE ALL ON FUNCTION public.plans_page(p_tenant bigint) FROM PUBLIC;
GRANT ALL ON FUNCTION public.plans_page(p_tenant bigint) TO portal_app;

REVOKE ALL ON FUNCTION public.random_token() FROM PUBLIC;

REVOKE ALL ON FUNCTION public.read_plan(t public.tenants, sc bigint[], ex bigint[], OUT how text, OUT tids bigint[]) FROM PUBLIC;

REVOKE ALL ON FUNCTION public.read_plan_rows(p_how text, p_alias text) FROM PUBLIC;

REVOKE ALL ON FUNCTION public.remediation_velocity(p_tenant bigint, p_page integer) FROM PUBLIC;
GRANT ALL ON FUNCTION public.remediation_velocity(p_tenant bigint, p_page integer) TO portal_app;

REVOKE ALL ON FUNCTION public.report_document(p_tenant bigint, p_from date, p_to date, p_scope bigint[], p_exact bigint[]) FROM PUBLIC;

REVOKE ALL ON FUNCTION public.report_executive(p_tenant bigint, p_from date, p_to date) FROM PUBLIC;
GRANT ALL ON FUNCTION public.report_executive(p_tenant bigint, p_from date, p_to date) TO portal_app;
GRANT ALL ON FUNCTION public.report_executive(p_tenant bigint, p_from date, p_to date) TO portal_reporter;

REVOKE ALL ON FUNCTION public.report_job_claim(p_lease_seconds integer, p_max_attempts integer) FROM PUBLIC;
GRANT ALL ON FUNCTION public.report_job_claim(p_lease_seconds integer, p_max_attempts integer) TO portal_reporter;

REVOKE ALL ON FUNCTION public.report_job_finish(p_job bigint, p_pdf bytea, p_error text, p_max_attempts integer, p_backoff_seconds integer) FROM PUBLIC;
GRANT ALL ON FUNCTION public.report_job_finish(p_job bigint, p_pdf bytea, p_error text, p_max_attempts integer, p_backoff_seconds integer) TO portal_reporter;

REVOKE ALL ON FUNCTION public.report_job_identify(p_job bigint) FROM PUBLIC;
GRANT ALL ON FUNCTION public.report_job_identify(p_job bigint) TO portal_reporter;

REVOKE ALL ON FUNCTION public.report_job_recipients(p_job bigint) FROM PUBLIC;
GRANT ALL ON FUNCTION public.report_job_recipients(p_job bigint) TO portal_reporter;

REVOKE ALL ON FUNCTION public.report_job_visible(p_tenant bigint, p_requested_by bigint, p_kind text) FROM PUBLIC;
GRANT ALL ON FUNCTION public.report_job_visible(p_tenant bigint, p_requested_by bigint, p_kind text) TO portal_app;

REVOKE ALL ON FUNCTION public.report_jobs_expire(p_max_attempts integer) FROM PUBLIC;
GRANT ALL ON FUNCTION public.report_jobs_expire(p_max_attempts integer) TO portal_reporter;

REVOKE ALL ON FUNCTION public.report_jobs_of(p_tenant bigint, p_limit integer) FROM PUBLIC;
GRANT ALL ON FUNCTION public.report_jobs_of(p_tenant bigint, p_limit integer) TO portal_app;

REVOKE ALL ON FUNCTION public.report_link_file(p_token text) FROM PUBLIC;
GRANT ALL ON FUNCTION public.report_link_file(p_token text) TO portal_app;

REVOKE ALL ON FUNCTION public.report_mail_queue(p_job bigint, p_to text, p_subject text, p_text text, p_html text, p_attach boolean) FROM PUBLIC;
GRANT ALL ON FUNCTION public.report_mail_queue(p_job bigint, p_to text, p_subject text, p_text text, p_html text, p_attach boolean) TO portal_reporter;

REVOKE ALL ON FUNCTION public.report_next_run(p_cadence text, p_after timestamp with time zone) FROM PUBLIC;
GRANT ALL ON FUNCTION public.report_next_run(p_cadence text, p_after timestamp with time zone) TO portal_app;

REVOKE ALL ON FUNCTION public.report_request(p_tenant bigint, p_kind text, p_paper text, p_from date, p_to date) FROM PUBLIC;
GRANT ALL ON FUNCTION public.report_request(p_tenant bigint, p_kind text, p_paper text, p_from date, p_to date) TO portal_app;

REVOKE ALL ON FUNCTION public.report_retention_days(p_tenant bigint) FROM PUBLIC;
GRANT ALL ON FUNCTION public.report_retention_days(p_tenant bigint) TO portal_app;

REVOKE ALL ON FUNCTION public.report_retention_set(p_tenant bigint, p_days integer) FROM PUBLIC;
GRANT ALL ON FUNCTION public.report_retention_set(p_tenant bigint, p_days integer) TO portal_app;

REVOKE ALL ON FUNCTION public.report_schedule_delete(p_tenant bigint, p_id bigint) FROM PUBLIC;
GRANT ALL ON FUNCTION public.report_schedule_delete(p_tenant bigint, p_id bigint) TO portal_app;

REVOKE ALL ON FUNCTION public.report_schedule_save(p_tenant bigint, p_kind text, p_paper text, p_cadence text, p_delivery text, p_recipients text[]) FROM PUBLIC;
GRANT ALL ON FUNCTION public.report_schedule_save(p_tenant bigint, p_kind text, p_paper text, p_cadence text, p_delivery text, p_recipients text[]) TO portal_app;

REVOKE ALL ON FUNCTION public.report_schedules_fire() FROM PUBLIC;
GRANT ALL ON FUNCTION public.report_schedules_fire() TO portal_reporter;

REVOKE ALL ON FUNCTION public.report_schedules_of(p_tenant bigint) FROM PUBLIC;
GRANT ALL ON FUNCTION public.report_schedules_of(p_tenant bigint) TO portal_app;

REVOKE ALL ON FUNCTION public.request_asks_settle(p_request bigint) FROM PUBLIC;

REVOKE ALL ON FUNCTION public.request_context(p_token text, p_idle integer, p_tenant bigint, p_host text) FROM PUBLIC;
GRANT ALL ON FUNCTION public.request_context(p_token text, p_idle integer, p_tenant bigint, p_host text) TO portal_app;

REVOKE ALL ON FUNCTION public.request_people(p_request bigint, p_side text) FROM PUBLIC;
GRANT ALL ON FUNCTION public.request_people(p_request bigint, p_side text) TO portal_app;

REVOKE ALL ON FUNCTION public.risk_top(p_tenant bigint, p_limit integer) FROM PUBLIC;
GRANT ALL ON FUNCTION public.risk_top(p_tenant bigint, p_limit integer) TO portal_app;

REVOKE ALL ON FUNCTION public.roots_follow(p_subtree bigint) FROM PUBLIC;

REVOKE ALL ON FUNCTION public.scope_tops(p_id bigint, p_ancestors bigint[], p_scope bigint[]) FROM PUBLIC;

REVOKE ALL ON FUNCTION public.session_check(p_id bigint, p_expires timestamp with time zone, p_last_seen timestamp with time zone, p_idle integer) FROM PUBLIC;

REVOKE ALL ON FUNCTION public.session_open(p_user bigint, p_ip text, p_ua text, p_max_seconds integer) FROM PUBLIC;

REVOKE ALL ON FUNCTION public.sla_breaching(p_tenant bigint) FROM PUBLIC;
GRANT ALL ON FUNCTION public.sla_breaching(p_tenant bigint) TO portal_app;

REVOKE ALL ON FUNCTION public.sla_effective(p_tenant bigint) FROM PUBLIC;
GRANT ALL ON FUNCTION public.sla_effective(p_tenant bigint) TO portal_app;

REVOKE ALL ON FUNCTION public.sla_report(p_tenant bigint, p_days integer, p_page integer) FROM PUBLIC;
GRANT ALL ON FUNCTION public.sla_report(p_tenant bigint, p_days integer, p_page integer) TO portal_app;

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.sla_targets TO portal_app;

REVOKE ALL ON FUNCTION public.sla_targets_for(p_tenants bigint[]) FROM PUBLIC;

REVOKE ALL ON FUNCTION public.stats_apply(d jsonb) FROM PUBLIC;

REVOKE ALL ON FUNCTION public.stats_deltas_sql(p_op text, p_cols text, p_where text, p_fields text) FROM PUBLIC;

REVOKE ALL ON FUNCTION public.stats_touch(p_tenants bigint[]) FROM PUBLIC;

REVOKE ALL ON FUNCTION public.team_invitation_renew(p_tenant bigint, p_invitation bigint, p_token_hash text, p_days integer) FROM PUBLIC;
GRANT ALL ON FUNCTION public.team_invitation_renew(p_tenant bigint, p_invitation bigint, p_token_hash text, p_days integer) TO portal_app;

REVOKE ALL ON FUNCTION public.team_invitation_revoke(p_tenant bigint, p_invitation bigint) FROM PUBLIC;
GRANT ALL ON FUNCTION public.team_invitation_revoke(p_tenant bigint, p_invitation bigint) TO portal_app;

REVOKE ALL ON FUNCTION public.team_invitations(p_tenant bigint) FROM PUBLIC;
GRANT ALL ON FUNCTION public.team_invitations(p_tenant bigint) TO portal_app;

REVOKE ALL ON FUNCTION public.team_invite(p_tenant bigint, p_email text, p_name text, p_role text, p_token_hash text, p_days integer) FROM PUBLIC;
GRANT ALL ON FUNCTION public.team_invite(p_tenant bigint, p_email text, p_name text, p_role text, p_token_hash text, p_days integer) TO portal_app;

REVOKE ALL ON FUNCTION public.team_members(p_tenant bigint) FROM PUBLIC;
GRANT ALL ON FUNCTION public.team_members(p_tenant bigint) TO portal_app;

REVOKE ALL ON FUNCTION public.team_set_status(p_tenant bigint, p_user bigint, p_status text) FROM PUBLIC;
GRANT ALL ON FUNCTION public.team_set_status(p_tenant bigint, p_user bigint, p_status text) TO portal_app;

REVOKE ALL ON FUNCTION public.tenant_brand_refresh(p_tenants bigint[]) FROM PUBLIC;

REVOKE ALL ON FUNCTION public.tenant_children_rows(p_tenant bigint, p_q text, p_sort text, p_dir text, p_limit integer, p_offset integer) FROM PUBLIC;
GRANT ALL ON FUNCTION public.tenant_children_rows(p_tenant bigint, p_q text, p_sort text, p_dir text, p_limit integer, p_offset integer) TO portal_app;

REVOKE ALL ON FUNCTION public.tenant_children_rows_as(p_tenant bigint, p_q text, p_sort text, p_dir text, p_limit integer, p_offset integer, sc bigint[], ex bigint[]) FROM PUBLIC;

REVOKE ALL ON FUNCTION public.tenant_crumbs(p_user bigint, p_tenant bigint) FROM PUBLIC;

REVOKE ALL ON FUNCTION public.tenant_pick_counts() FROM PUBLIC;
GRANT ALL ON FUNCTION public.tenant_pick_counts() TO portal_app;

REVOKE ALL ON FUNCTION public.tenant_pick_top(sc bigint[], ex bigint[]) FROM PUBLIC;

REVOKE ALL ON FUNCTION public.tenant_picks(p_q text, p_kind text, p_limit integer, p_offset integer) FROM PUBLIC;
GRANT ALL ON FUNCTION public.tenant_picks(p_q text, p_kind text, p_limit integer, p_offset integer) TO portal_app;

REVOKE ALL ON FUNCTION public.tenant_role(p_user bigint, p_tenant bigint) FROM PUBLIC;

REVOKE ALL ON FUNCTION public.tenant_visible(p_tenant bigint) FROM PUBLIC;
GRANT ALL ON FUNCTION public.tenant_visible(p_tenant bigint) TO portal_app;

REVOKE ALL ON FUNCTION public.tenants_brand() FROM PUBLIC;

REVOKE ALL ON FUNCTION public.tenants_changed() FROM PUBLIC;

REVOKE ALL ON FUNCTION public.tenants_count_stats() FROM PUBLIC;

REVOKE ALL ON FUNCTION public.tenants_delete_rollups() FROM PUBLIC;

REVOKE ALL ON FUNCTION public.tenants_move_children() FROM PUBLIC;

REVOKE ALL ON FUNCTION public.tenants_move_roots() FROM PUBLIC;

REVOKE ALL ON FUNCTION public.tenants_move_series() FROM PUBLIC;

REVOKE ALL ON FUNCTION public.tenants_move_stats() FROM PUBLIC;

REVOKE ALL ON FUNCTION public.tenants_touch_stats() FROM PUBLIC;

REVOKE ALL ON FUNCTION public.tenants_tree_check() FROM PUBLIC;

REVOKE ALL ON FUNCTION public.threat_correlation(p_tenant bigint, p_days integer, p_sort text, p_dir text, p_limit integer, p_offset integer) FROM PUBLIC;
GRANT ALL ON FUNCTION public.threat_correlation(p_tenant bigint, p_days integer, p_sort text, p_dir text, p_limit integer, p_offset integer) TO portal_app;

REVOKE ALL ON FUNCTION public.threat_latest_incident(p_tenant bigint, p_indicator text) FROM PUBLIC;
GRANT ALL ON FUNCTION public.threat_latest_incident(p_tenant bigint, p_indicator text) TO portal_app;

REVOKE ALL ON FUNCTION public.token_digest(p_token text) FROM PUBLIC;

REVOKE ALL ON FUNCTION public.token_shaped(p text) FROM PUBLIC;

REVOKE ALL ON FUNCTION public.user_access_refresh(p_user bigint) FROM PUBLIC;

REVOKE ALL ON FUNCTION public.user_access_sync() FROM PUBLIC;

REVOKE ALL ON FUNCTION public.visible_tenant_ids() FROM PUBLIC;
GRANT ALL ON FUNCTION public.visible_tenant_ids() TO portal_app;

REVOKE ALL ON FUNCTION public.vulnerabilities_series() FROM PUBLIC;

REVOKE ALL ON FUNCTION public.vulnerabilities_stats() FROM PUBLIC;

REVOKE ALL ON FUNCTION public.vulnerabilities_touch() FROM PUBLIC;

REVOKE ALL ON FUNCTION public.vulnerability_page(p_tenant bigint, p_severity text, p_cve text, p_status text, p_after bigint, p_before bigint) FROM PUBLIC;
GRANT ALL ON FUNCTION public.vulnerability_page(p_tenant bigint, p_severity text, p_cve text, p_status text, p_after bigint, p_before bigint) TO portal_app;

REVOKE ALL ON FUNCTION public.vulnerability_reader(p_tids bigint[], p_root bigint, p_tenant bigint, p_sc bigint[], p_ex bigint[], p_args text[], p_how text, p_set text, p_cursor bigint, p_back boolean, p_count boolean, OUT ids bigint[], OUT cursor_found boolean, OUT counted bigint) FROM PUBLIC;

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.analyst_assignments TO portal_app;

GRANT USAGE ON SEQUENCE public.api_keys_id_seq TO portal_app;

GRANT SELECT,INSERT,UPDATE ON TABLE public.assets TO portal_app;

GRANT USAGE ON SEQUENCE public.assets_id_seq TO portal_app;

GRANT SELECT,INSERT ON TABLE public.audit_log TO portal_app;

GRANT USAGE ON SEQUENCE public.audit_log_id_seq TO portal_app;

GRANT SELECT ON TABLE public.branding TO portal_app;

GRANT INSERT(tenant_id) ON TABLE public.branding TO portal_app;

GRANT INSERT(root_id) ON TABLE public.branding TO portal_app;

GRANT INSERT(page_title),UPDATE(page_title) ON TABLE public.branding TO portal_app;

GRANT INSERT(footer),UPDATE(footer) ON TABLE public.branding TO portal_app;

GRANT INSERT(host),UPDATE(host) ON TABLE public.branding TO portal_app;

GRANT INSERT(updated_at),UPDATE(updated_at) ON TABLE public.branding TO portal_app;

GRANT INSERT(logo_light_id),UPDATE(logo_light_id) ON TABLE public.branding TO portal_app;

GRANT INSERT(logo_dark_id),UPDATE(logo_dark_id) ON TABLE public.branding TO portal_app;

GRANT INSERT(host_token),UPDATE(host_token) ON TABLE public.branding TO portal_app;

GRANT USAGE ON SEQUENCE public.branding_logos_id_seq TO portal_app;

GRANT SELECT ON TABLE public.config_history TO portal_app;

GRANT SELECT ON TABLE public.config_overrides TO portal_app;

GRANT SELECT ON TABLE public.config_sections TO portal_app;

GRANT SELECT ON TABLE public.cve_open TO portal_app;

GRANT SELECT ON TABLE public.incident_hourly TO portal_app;

GRANT SELECT,INSERT,UPDATE ON TABLE public.incidents TO portal_app;

GRANT USAGE ON SEQUENCE public.incidents_id_seq TO portal_app;

GRANT SELECT ON TABLE public.invitations TO portal_app;

GRANT USAGE ON SEQUENCE public.invitations_id_seq TO portal_app;

GRANT INSERT ON TABLE public.mail_outbox TO portal_app;
GRANT SELECT,UPDATE ON TABLE public.mail_outbox TO portal_mailer;

GRANT USAGE ON SEQUENCE public.mail_outbox_id_seq TO portal_app;

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.memberships TO portal_app;

GRANT SELECT ON TABLE public.notifications TO portal_app;

GRANT UPDATE(read_at) ON TABLE public.notifications TO portal_app;

GRANT SELECT ON TABLE public.plan_sections TO portal_app;

GRANT SELECT ON TABLE public.plan_shares TO portal_app;

GRANT SELECT ON TABLE public.plans TO portal_app;

GRANT SELECT ON TABLE public.portal_settings TO portal_app;

GRANT SELECT ON TABLE public.report_jobs TO portal_app;

GRANT SELECT ON TABLE public.report_schedules TO portal_app;

GRANT SELECT ON TABLE public.report_settings TO portal_app;

GRANT SELECT ON TABLE public.schema_migrations TO portal_app;

GRANT SELECT ON TABLE public.tenant_stats TO portal_app;

GRANT USAGE ON SEQUENCE public.tenants_id_seq TO portal_app;

GRANT SELECT ON TABLE public.vuln_daily TO portal_app;

GRANT SELECT,INSERT,UPDATE ON TABLE public.vulnerabilities TO portal_app;

GRANT USAGE ON SEQUENCE public.vulnerabilities_id_seq TO portal_app;
