-- The request behind an emailed token, for a signed-in person of the MSP.
-- requires: tenant_visible
CREATE OR REPLACE FUNCTION msp_request_by_token(p_token_hash text) RETURNS bigint
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT q.id FROM msp_requests q
     WHERE q.token_hash = p_token_hash
       AND (tenant_visible(q.msp_tenant_id) OR tenant_visible(q.mssp_id))
$$;
REVOKE ALL ON FUNCTION msp_request_by_token(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION msp_request_by_token(text) TO portal_app;
