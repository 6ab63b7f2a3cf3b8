-- The invitations addressed to the signed-in user that they may still
-- accept (no address: it is theirs).
-- requires: app_user_id
CREATE OR REPLACE FUNCTION account_invitations()
RETURNS TABLE (invitation_id bigint, tenant_name text, kind text, role text, invited_by text, sent_at timestamptz,
               expires_at timestamptz)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT i.id, t.name, t.kind, i.role, coalesce(b.name, ''), i.sent_at, i.expires_at
      FROM invitations i JOIN tenants t ON t.id = i.tenant_id AND t.status = 'active'
      LEFT JOIN users b ON b.id = i.invited_by
     WHERE i.user_id = app_user_id() AND i.accepted_at IS NULL AND i.expires_at > now()
     ORDER BY i.sent_at DESC, i.id DESC
$$;
REVOKE ALL ON FUNCTION account_invitations() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION account_invitations() TO portal_app;
