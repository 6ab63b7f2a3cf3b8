-- Accept (p_accept) or decline one of them, signed in: the same effect as
-- accepting through the emailed link (invitation_accept(): never changes access the
-- person already has on the tenant or above), or the invitation is gone.
-- Audited in the inviting tenant. Returns the tenant's id; NULL when there
-- is no such invitation of the user's.
CREATE OR REPLACE FUNCTION account_invitation_answer(p_invitation bigint, p_accept boolean, p_ip text) RETURNS bigint
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
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
REVOKE ALL ON FUNCTION account_invitation_answer(bigint, boolean, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION account_invitation_answer(bigint, boolean, text) TO portal_app;
