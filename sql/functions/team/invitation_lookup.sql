-- The invitation behind a token, if it is still usable (pre-sign-in).
CREATE OR REPLACE FUNCTION invitation_lookup(p_token_hash text)
RETURNS TABLE (invitation_id bigint, user_id bigint, email text, name text, user_status text,
               tenant_id bigint, tenant_name text, role text, expired boolean, accepted boolean)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT i.id, u.id, u.email, u.name, u.status, t.id, t.name, i.role, i.expires_at < now(), i.accepted_at IS NOT NULL
      FROM invitations i JOIN users u ON u.id = i.user_id JOIN tenants t ON t.id = i.tenant_id
     WHERE i.token_hash = p_token_hash
$$;
REVOKE ALL ON FUNCTION invitation_lookup(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION invitation_lookup(text) TO portal_app;
