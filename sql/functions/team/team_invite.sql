-- An invitation to someone who already has an account is theirs to
-- accept, signed in (issue 17, finding 2).
--
-- team_invite() once made the membership of an existing account at once, so any
-- tenant could make anyone its member without asking: then see them in its
-- team, and act on them as its own. Now only a brand-new account (made by
-- this invitation, not yet able to sign in) gets its membership when
-- invited; anyone else gets a pending invitation, and the membership comes
-- when they accept it, signed in as themselves (invitation_accept()'s
-- p_user, the session's user: an account's invitation cannot be accepted
-- by whoever holds the link). Accepting never changes access the person
-- already has on the tenant or above (memberships_drop_assignments()'s rule, checked again).
CREATE OR REPLACE FUNCTION team_invite(p_tenant bigint, p_email text, p_name text, p_role text, p_token_hash text,
                                       p_days int)
RETURNS TABLE (user_id bigint, is_new boolean)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
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
REVOKE ALL ON FUNCTION team_invite(bigint, text, text, text, text, int) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION team_invite(bigint, text, text, text, text, int) TO portal_app;
