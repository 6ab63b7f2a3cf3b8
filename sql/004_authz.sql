-- 004_authz.sql - roles per tenant, team management and invitations.

-- The current user's role on a tenant, or NULL when they may not see it:
-- the membership nearest to the tenant on its ancestor path decides (an
-- MSSP Admin is MSSP Admin on every tenant below; an MSP Owner is Owner of
-- the MSP's companies unless a membership on the company says otherwise).
-- An MSSP Analyst's membership counts on the MSSP itself and on the
-- subtrees of their assignments only.
CREATE FUNCTION effective_role(p_tenant bigint) RETURNS text
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT coalesce(
        (SELECT m.role FROM tenants t JOIN memberships m ON m.tenant_id = ANY (t.ancestors)
          WHERE t.id = p_tenant AND m.user_id = app_user_id() AND m.role <> 'mssp_analyst'
          ORDER BY array_position(t.ancestors, m.tenant_id) DESC LIMIT 1),
        (SELECT 'mssp_analyst' FROM tenants t JOIN memberships m ON m.tenant_id = t.root_id
          WHERE t.id = p_tenant AND m.user_id = app_user_id() AND m.role = 'mssp_analyst'
            AND (t.id = t.root_id OR EXISTS (
                SELECT 1 FROM analyst_assignments a
                 WHERE a.user_id = app_user_id() AND a.tenant_id = ANY (t.ancestors))))
    )
$$;

-- People with a membership on a tenant the current user may see.
CREATE FUNCTION team_members(p_tenant bigint)
RETURNS TABLE (user_id bigint, email text, name text, status text, role text, created_at timestamptz)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT u.id, u.email, u.name, u.status, m.role, m.created_at
      FROM memberships m JOIN users u ON u.id = m.user_id
     WHERE m.tenant_id = p_tenant AND p_tenant IN (SELECT visible_tenant_ids())
     ORDER BY array_position(ARRAY['mssp_admin','owner','admin','mssp_analyst','analyst','viewer'], m.role), lower(u.name)
$$;

-- Tenants assigned to the MSSP analysts of an MSSP (visible ones only).
CREATE FUNCTION analyst_assignments_of(p_mssp bigint)
RETURNS TABLE (user_id bigint, tenant_id bigint, tenant_name text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT a.user_id, t.id, t.name FROM analyst_assignments a JOIN tenants t ON t.id = a.tenant_id
     WHERE t.root_id = p_mssp AND p_mssp IN (SELECT visible_tenant_ids())
     ORDER BY t.name
$$;

-- Invitations: a single-use link (token stored as SHA-256) to set a
-- password and join a tenant with a role.
CREATE TABLE invitations (
    id          bigserial PRIMARY KEY,
    tenant_id   bigint NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    root_id     bigint NOT NULL,
    user_id     bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    role        text NOT NULL,
    token_hash  text NOT NULL UNIQUE CHECK (token_hash ~ '^[0-9a-f]{64}$'),
    invited_by  bigint REFERENCES users(id) ON DELETE SET NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL,
    accepted_at timestamptz
);
ALTER TABLE invitations ENABLE ROW LEVEL SECURITY;
ALTER TABLE invitations FORCE ROW LEVEL SECURITY;
CREATE POLICY invitations_visible ON invitations
    USING (tenant_id IN (SELECT visible_tenant_ids()))
    WITH CHECK (tenant_id IN (SELECT visible_tenant_ids()));
GRANT SELECT ON invitations TO portal_app;

-- Invite someone to a tenant: creates the account (status 'invited') when
-- the address is new, adds or updates the membership, records the token.
-- The caller has already checked the permission; visibility is rechecked.
-- Returns the user id and whether the account is new.
CREATE FUNCTION team_invite(p_tenant bigint, p_email text, p_name text, p_role text, p_token_hash text,
                            p_days int)
RETURNS TABLE (user_id bigint, is_new boolean)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    u users%ROWTYPE;
    fresh boolean := false;
BEGIN
    IF p_tenant NOT IN (SELECT visible_tenant_ids()) THEN
        RAISE EXCEPTION 'tenant not found' USING ERRCODE = 'P0002';
    END IF;
    SELECT * INTO u FROM users WHERE lower(email) = lower(btrim(p_email));
    IF NOT FOUND THEN
        INSERT INTO users (email, name, status) VALUES (btrim(p_email), btrim(p_name), 'invited') RETURNING * INTO u;
        fresh := true;
    END IF;
    INSERT INTO memberships (user_id, tenant_id, role) VALUES (u.id, p_tenant, p_role)
    ON CONFLICT ON CONSTRAINT memberships_pkey DO UPDATE SET role = excluded.role;
    INSERT INTO invitations (tenant_id, root_id, user_id, role, token_hash, invited_by, expires_at)
    SELECT p_tenant, t.root_id, u.id, p_role, p_token_hash, app_user_id(), now() + make_interval(days => p_days)
      FROM tenants t WHERE t.id = p_tenant;
    RETURN QUERY SELECT u.id, fresh;
END $$;

-- The invitation behind a token, if it is still usable (pre-sign-in).
CREATE FUNCTION invitation_lookup(p_token_hash text)
RETURNS TABLE (invitation_id bigint, user_id bigint, email text, name text, user_status text,
               tenant_id bigint, tenant_name text, role text, expired boolean, accepted boolean)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT i.id, u.id, u.email, u.name, u.status, t.id, t.name, i.role, i.expires_at < now(), i.accepted_at IS NOT NULL
      FROM invitations i JOIN users u ON u.id = i.user_id JOIN tenants t ON t.id = i.tenant_id
     WHERE i.token_hash = p_token_hash
$$;

-- Accept an invitation: set the name and password (an invited account) and
-- mark the invitation used. Exactly one request wins.
CREATE FUNCTION invitation_accept(p_token_hash text, p_name text, p_password_hash text)
RETURNS bigint
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    i invitations%ROWTYPE;
BEGIN
    UPDATE invitations SET accepted_at = now()
     WHERE token_hash = p_token_hash AND accepted_at IS NULL AND expires_at > now()
    RETURNING * INTO i;
    IF NOT FOUND THEN
        RETURN NULL;
    END IF;
    UPDATE users SET name = coalesce(nullif(btrim(p_name), ''), name),
                     password_hash = coalesce(p_password_hash, password_hash),
                     password_changed_at = CASE WHEN p_password_hash IS NULL THEN password_changed_at ELSE now() END,
                     status = CASE WHEN status = 'invited' THEN 'active' ELSE status END
     WHERE id = i.user_id;
    INSERT INTO audit_log (tenant_id, root_id, user_id, action, target)
    VALUES (i.tenant_id, i.root_id, i.user_id, 'team.invite_accepted', 'user:' || i.user_id);
    RETURN i.user_id;
END $$;

-- Disable or re-enable an account that belongs to a tenant the caller
-- manages (permission checked by the caller, visibility here). Disabling
-- ends the user's sessions.
CREATE FUNCTION team_set_status(p_tenant bigint, p_user bigint, p_status text) RETURNS boolean
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    IF p_tenant NOT IN (SELECT visible_tenant_ids()) OR p_status NOT IN ('active', 'disabled')
       OR NOT EXISTS (SELECT 1 FROM memberships WHERE tenant_id = p_tenant AND user_id = p_user) THEN
        RETURN false;
    END IF;
    IF p_status = 'disabled' AND EXISTS (
        SELECT 1 FROM memberships m WHERE m.user_id = p_user AND m.role IN ('owner', 'mssp_admin')
           AND NOT EXISTS (SELECT 1 FROM memberships o JOIN users u ON u.id = o.user_id
                            WHERE o.tenant_id = m.tenant_id AND o.role = m.role AND o.user_id <> p_user
                              AND u.status = 'active')) THEN
        RAISE EXCEPTION 'a tenant must keep at least one active Owner'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'last_owner';
    END IF;
    UPDATE users SET status = p_status WHERE id = p_user AND status <> 'invited';
    IF p_status = 'disabled' THEN
        DELETE FROM sessions WHERE user_id = p_user;
    END IF;
    RETURN FOUND;
END $$;

-- A tenant keeps at least one Owner (MSP and company) or MSSP Admin (MSSP).
-- SECURITY DEFINER: it must see every owner and their status, whoever
-- changes the membership.
CREATE FUNCTION memberships_keep_owner() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    top text;
BEGIN
    IF OLD.role NOT IN ('owner', 'mssp_admin') THEN
        RETURN NULL;
    END IF;
    IF TG_OP = 'UPDATE' AND NEW.role = OLD.role THEN
        RETURN NULL;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM tenants WHERE id = OLD.tenant_id) THEN
        RETURN NULL; -- the tenant itself is being deleted
    END IF;
    IF NOT EXISTS (SELECT 1 FROM memberships m JOIN users u ON u.id = m.user_id
                    WHERE m.tenant_id = OLD.tenant_id AND m.role = OLD.role AND u.status = 'active') THEN
        top := CASE OLD.role WHEN 'owner' THEN 'Owner' ELSE 'MSSP Admin' END;
        RAISE EXCEPTION 'a tenant must keep at least one active %', top
            USING ERRCODE = 'check_violation', CONSTRAINT = 'last_owner';
    END IF;
    RETURN NULL;
END $$;
CREATE CONSTRAINT TRIGGER memberships_last_owner AFTER UPDATE OR DELETE ON memberships
    DEFERRABLE INITIALLY IMMEDIATE FOR EACH ROW EXECUTE FUNCTION memberships_keep_owner();

REVOKE ALL ON FUNCTION effective_role(bigint), team_members(bigint), analyst_assignments_of(bigint),
    team_invite(bigint, text, text, text, text, int), invitation_lookup(text), invitation_accept(text, text, text),
    team_set_status(bigint, bigint, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION effective_role(bigint), team_members(bigint), analyst_assignments_of(bigint),
    team_invite(bigint, text, text, text, text, int), invitation_lookup(text), invitation_accept(text, text, text),
    team_set_status(bigint, bigint, text) TO portal_app;
GRANT USAGE ON SEQUENCE invitations_id_seq TO portal_app;
