-- 049_invitation_consent.sql - an invitation to someone who already has an
-- account is theirs to accept, signed in (issue 17, finding 2).
--
-- team_invite() made the membership of an existing account at once, so any
-- tenant could make anyone its member without asking: then see them in its
-- team, and act on them as its own. Now only a brand-new account (made by
-- this invitation, not yet able to sign in) gets its membership when
-- invited; anyone else gets a pending invitation, and the membership comes
-- when they accept it, signed in as themselves (invitation_accept()'s
-- p_user, the session's user: an account's invitation cannot be accepted
-- by whoever holds the link). Accepting never changes access the person
-- already has on the tenant or above (sql/011's rule, checked again).
CREATE OR REPLACE FUNCTION team_invite(p_tenant bigint, p_email text, p_name text, p_role text, p_token_hash text,
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

DROP FUNCTION invitation_accept(text, text, text);
CREATE FUNCTION invitation_accept(p_token_hash text, p_name text, p_password_hash text, p_user bigint)
RETURNS bigint
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    i invitations%ROWTYPE;
    st text;
BEGIN
    SELECT * INTO i FROM invitations
     WHERE token_hash = p_token_hash AND accepted_at IS NULL AND expires_at > now()
       FOR UPDATE;
    IF NOT FOUND THEN
        RETURN NULL;
    END IF;
    SELECT status INTO st FROM users WHERE id = i.user_id;
    IF st <> 'invited' AND p_user IS DISTINCT FROM i.user_id THEN
        RAISE EXCEPTION 'sign_in_first' USING ERRCODE = 'P0001';
    END IF;
    UPDATE invitations SET accepted_at = now() WHERE id = i.id;
    IF st = 'invited' THEN
        -- The account becomes usable through this invitation: memberships
        -- other tenants gave it by inviting it earlier are not consented
        -- to; their invitations stay pending, to accept signed in.
        DELETE FROM memberships m
         WHERE m.user_id = i.user_id AND m.tenant_id <> i.tenant_id
           AND EXISTS (SELECT 1 FROM invitations x WHERE x.user_id = i.user_id AND x.tenant_id = m.tenant_id
                          AND x.accepted_at IS NULL);
    END IF;
    UPDATE users SET name = coalesce(nullif(btrim(p_name), ''), name),
                     password_hash = coalesce(p_password_hash, password_hash),
                     password_changed_at = CASE WHEN p_password_hash IS NULL THEN password_changed_at ELSE now() END,
                     status = CASE WHEN status = 'invited' THEN 'active' ELSE status END
     WHERE id = i.user_id;
    IF NOT EXISTS (SELECT 1 FROM memberships m JOIN tenants t ON m.tenant_id = ANY (t.ancestors)
                    WHERE t.id = i.tenant_id AND m.user_id = i.user_id) THEN
        INSERT INTO memberships (user_id, tenant_id, role) VALUES (i.user_id, i.tenant_id, i.role);
    END IF;
    INSERT INTO audit_log (tenant_id, root_id, user_id, action, target)
    VALUES (i.tenant_id, i.root_id, i.user_id, 'team.invite_accepted', 'user:' || i.user_id);
    RETURN i.user_id;
END $$;
REVOKE ALL ON FUNCTION invitation_accept(text, text, text, bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION invitation_accept(text, text, text, bigint) TO portal_app;
