-- Withdraw a tenant's pending invitation: its link stops working at once.
-- An account this invitation made (not yet able to sign in) also loses
-- the membership it was listed with, unless another pending invitation of
-- the tenant is for it. Returns the address and the role (no row: no such
-- pending invitation of that tenant).
CREATE OR REPLACE FUNCTION team_invitation_revoke(p_tenant bigint, p_invitation bigint)
RETURNS TABLE (email text, role text)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
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
REVOKE ALL ON FUNCTION team_invitation_revoke(bigint, bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION team_invitation_revoke(bigint, bigint) TO portal_app;
