-- The people who act on an MSP request, through an active
-- membership.
-- requires: tenant_visible
CREATE OR REPLACE FUNCTION request_people(p_request bigint, p_side text)
RETURNS TABLE (user_id bigint, email text, name text, tenant_id bigint)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT u.id, u.email, u.name, m.tenant_id
      FROM msp_requests q
      JOIN memberships m ON m.tenant_id = CASE p_side WHEN 'mssp' THEN q.mssp_id ELSE q.msp_tenant_id END
      JOIN users u ON u.id = m.user_id
     WHERE q.id = p_request AND u.status = 'active' AND m.status = 'active'
       AND m.role = ANY (CASE p_side WHEN 'mssp' THEN ARRAY['mssp_admin'] ELSE ARRAY['owner', 'admin'] END)
       AND (tenant_visible(q.mssp_id) OR tenant_visible(q.msp_tenant_id))
     ORDER BY u.id
$$;
REVOKE ALL ON FUNCTION request_people(bigint, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION request_people(bigint, text) TO portal_app;
