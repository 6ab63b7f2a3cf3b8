-- An MSSP Admin asks to manage the MSP named p_name whose Owner has the
-- address p_email. Returns the outcome and, when created, the request.
--   not_found   no MSP of that name has an Owner with that address
--   associated  the MSP is already managed by an MSSP (this one or another)
--   pending     a pending request for that MSP exists already
--   region      the MSP is in another region than the MSSP
--   created     a new pending request
CREATE OR REPLACE FUNCTION msp_request_create(p_mssp bigint, p_email text, p_name text, p_token_hash text, p_days int)
RETURNS TABLE (outcome text, request_id bigint, msp_id bigint, msp_name text)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    mssp tenants%ROWTYPE;
    msp tenants%ROWTYPE;
    rid bigint;
BEGIN
    SELECT * INTO mssp FROM tenants WHERE id = p_mssp AND kind = 'mssp';
    IF NOT FOUND OR effective_role(p_mssp) IS DISTINCT FROM 'mssp_admin' THEN
        RAISE EXCEPTION 'not allowed' USING ERRCODE = '42501';
    END IF;
    SELECT t.* INTO msp FROM tenants t
     WHERE t.kind = 'msp' AND t.status = 'active' AND lower(t.name) = lower(btrim(p_name))
       AND EXISTS (SELECT 1 FROM memberships m JOIN users u ON u.id = m.user_id
                    WHERE m.tenant_id = t.id AND m.role = 'owner' AND lower(u.email) = lower(btrim(p_email)))
     LIMIT 1;
    IF NOT FOUND THEN
        RETURN QUERY SELECT 'not_found'::text, NULL::bigint, NULL::bigint, NULL::text;
        RETURN;
    END IF;
    IF msp.parent_id IS NOT NULL THEN
        RETURN QUERY SELECT 'associated'::text, NULL::bigint, msp.id, msp.name;
        RETURN;
    END IF;
    IF msp.region <> mssp.region THEN
        RETURN QUERY SELECT 'region'::text, NULL::bigint, msp.id, msp.name;
        RETURN;
    END IF;
    -- A pending request that has run out is expired now, making room.
    UPDATE msp_requests SET status = 'expired'
     WHERE msp_tenant_id = msp.id AND status = 'pending' AND expires_at <= now();
    IF EXISTS (SELECT 1 FROM msp_requests WHERE msp_tenant_id = msp.id AND status = 'pending') THEN
        RETURN QUERY SELECT 'pending'::text, NULL::bigint, msp.id, msp.name;
        RETURN;
    END IF;
    INSERT INTO msp_requests (mssp_id, msp_tenant_id, root_id, email, token_hash, expires_at, requested_by)
    VALUES (p_mssp, msp.id, mssp.root_id, btrim(p_email), p_token_hash, now() + make_interval(days => p_days),
            app_user_id())
    RETURNING id INTO rid;
    INSERT INTO audit_log (tenant_id, root_id, user_id, action, target, details)
    VALUES (p_mssp, mssp.root_id, app_user_id(), 'msp.request_created', 'tenant:' || msp.id,
            jsonb_build_object('msp', msp.name, 'email', btrim(p_email), 'request', rid));
    RETURN QUERY SELECT 'created'::text, rid, msp.id, msp.name;
END $$;
REVOKE ALL ON FUNCTION msp_request_create(bigint, text, text, text, int) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION msp_request_create(bigint, text, text, text, int) TO portal_app;
