-- The invitations of a tenant (that tenant only, not below) nobody has
-- accepted yet, expired ones included (they may be sent again). The
-- address is the one the tenant typed; nothing else of the person shows.
-- requires: tenant_visible
CREATE OR REPLACE FUNCTION team_invitations(p_tenant bigint)
RETURNS TABLE (invitation_id bigint, email text, role text, invited_by text, sent_at timestamptz,
               expires_at timestamptz, expired boolean, total bigint)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT i.id, u.email, i.role, coalesce(b.name, ''), i.sent_at, i.expires_at, i.expires_at <= now(),
           count(*) OVER ()
      FROM invitations i JOIN users u ON u.id = i.user_id LEFT JOIN users b ON b.id = i.invited_by
     WHERE i.tenant_id = p_tenant AND i.accepted_at IS NULL AND (SELECT tenant_visible(p_tenant))
     ORDER BY i.sent_at DESC, i.id DESC
$$;
REVOKE ALL ON FUNCTION team_invitations(bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION team_invitations(bigint) TO portal_app;
