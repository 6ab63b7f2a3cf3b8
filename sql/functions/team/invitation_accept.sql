-- Accept an invitation: set the name and password (an invited account) and
-- mark the invitation used. Exactly one request wins.
CREATE OR REPLACE FUNCTION invitation_accept(p_token_hash text, p_name text, p_password_hash text, p_ip text, p_ua text,
                                  p_max_seconds int)
RETURNS TABLE (user_id bigint, token text)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
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
END $$;
REVOKE ALL ON FUNCTION invitation_accept(text, text, text, text, text, int) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION invitation_accept(text, text, text, text, text, int) TO portal_app;
