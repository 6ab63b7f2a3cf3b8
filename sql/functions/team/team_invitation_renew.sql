-- Send a tenant's pending invitation again: a new token (the old link dies)
-- and a new expiry. Returns what the mail needs (no row: no such pending
-- invitation of that tenant).
CREATE OR REPLACE FUNCTION team_invitation_renew(p_tenant bigint, p_invitation bigint, p_token_hash text, p_days int)
RETURNS TABLE (email text, name text, role text)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
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
REVOKE ALL ON FUNCTION team_invitation_renew(bigint, bigint, text, int) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION team_invitation_renew(bigint, bigint, text, int) TO portal_app;
