-- Cancel (p_new_token NULL) or resend (a new pending request with a new
-- token replaces the old, which becomes superseded) a pending request of
-- the caller's MSSP. Returns the new request id on resend, the old on
-- cancel, NULL when the request was no longer pending.
CREATE OR REPLACE FUNCTION msp_request_withdraw(p_mssp bigint, p_request bigint, p_new_token text, p_days int)
RETURNS bigint
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    r msp_requests%ROWTYPE;
    rid bigint;
BEGIN
    IF effective_role(p_mssp) IS DISTINCT FROM 'mssp_admin' THEN
        RAISE EXCEPTION 'not allowed' USING ERRCODE = '42501';
    END IF;
    UPDATE msp_requests SET status = CASE WHEN p_new_token IS NULL THEN 'cancelled' ELSE 'superseded' END
     WHERE id = p_request AND mssp_id = p_mssp AND status = 'pending' AND expires_at > now()
    RETURNING * INTO r;
    IF NOT FOUND THEN
        RETURN NULL;
    END IF;
    PERFORM request_asks_settle(r.id);
    IF p_new_token IS NULL THEN
        INSERT INTO audit_log (tenant_id, root_id, user_id, action, target, details)
        VALUES (p_mssp, r.root_id, app_user_id(), 'msp.request_cancelled', 'tenant:' || r.msp_tenant_id,
                jsonb_build_object('request', r.id));
        RETURN r.id;
    END IF;
    INSERT INTO msp_requests (mssp_id, msp_tenant_id, root_id, email, token_hash, expires_at, requested_by)
    VALUES (r.mssp_id, r.msp_tenant_id, r.root_id, r.email, p_new_token, now() + make_interval(days => p_days),
            app_user_id())
    RETURNING id INTO rid;
    INSERT INTO audit_log (tenant_id, root_id, user_id, action, target, details)
    VALUES (p_mssp, r.root_id, app_user_id(), 'msp.request_resent', 'tenant:' || r.msp_tenant_id,
            jsonb_build_object('request', rid, 'replaces', r.id));
    RETURN rid;
END $$;
REVOKE ALL ON FUNCTION msp_request_withdraw(bigint, bigint, text, int) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION msp_request_withdraw(bigint, bigint, text, int) TO portal_app;
