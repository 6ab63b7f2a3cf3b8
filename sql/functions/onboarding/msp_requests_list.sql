-- The onboarding requests of a tenant: an MSSP Analyst sees only the onboarding
-- requests of the MSPs they may see.
--
-- msp_requests_list() once listed every request of a tenant the
-- viewer may see. An MSSP Analyst sees the MSSP itself (without its
-- subtree), so the MSSP's MSPs table and requests page showed them every
-- request, with the names, emails and company counts of MSPs they are not
-- assigned. A request is now listed when the viewer sees the tenant's
-- whole subtree (an MSSP Admin; an MSP's own people for their requests),
-- or may see the request's MSP.
-- requires: app_scope, msp_request_status, tenant_visible
CREATE OR REPLACE FUNCTION msp_requests_list(p_tenant bigint)
RETURNS TABLE (id bigint, mssp_id bigint, mssp_name text, msp_id bigint, msp_name text, email text,
               status text, created_at timestamptz, expires_at timestamptz, decided_at timestamptz,
               decided_by text, reason text, companies bigint)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT q.id, q.mssp_id, s.name, q.msp_tenant_id, m.name, q.email, msp_request_status(q), q.created_at,
           q.expires_at, q.decided_at, d.name, q.decision_reason,
           (SELECT count(*) FROM tenants c WHERE c.parent_id = q.msp_tenant_id AND c.status = 'active')
      FROM msp_requests q JOIN tenants s ON s.id = q.mssp_id JOIN tenants m ON m.id = q.msp_tenant_id
      LEFT JOIN users d ON d.id = q.decided_by
     WHERE (q.mssp_id = p_tenant OR q.msp_tenant_id = p_tenant)
       AND (SELECT tenant_visible(p_tenant))
       AND (EXISTS (SELECT 1 FROM tenants t WHERE t.id = p_tenant AND t.ancestors && app_scope())
            OR tenant_visible(q.msp_tenant_id))
     ORDER BY q.created_at DESC, q.id DESC
$$;
REVOKE ALL ON FUNCTION msp_requests_list(bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION msp_requests_list(bigint) TO portal_app;
