-- The tenant an account email belongs to (issue 17,
-- finding 1).
--
-- A password reset was branded, and its link built, from the request's
-- Host: a tenant that claimed a host could have the portal send another
-- tenant's admin a genuine reset email whose link led to that host. An
-- account email now carries the brand and host of the recipient's own
-- tenant: the tenant of their oldest membership that is still active (the
-- one they were first given), or none (the portal's own brand and
-- PORTAL_BASE_URL). SECURITY DEFINER: the request has no identity yet (a
-- signed-out /forgot); it returns one id and nothing else.
CREATE OR REPLACE FUNCTION account_mail_tenant(p_user bigint) RETURNS bigint
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT m.tenant_id FROM memberships m JOIN tenants t ON t.id = m.tenant_id AND t.status = 'active'
     WHERE m.user_id = p_user AND m.status = 'active'
     ORDER BY m.created_at, m.tenant_id
     LIMIT 1
$$;
REVOKE ALL ON FUNCTION account_mail_tenant(bigint) FROM PUBLIC;
