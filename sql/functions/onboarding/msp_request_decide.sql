-- The MSP decides. Exactly one decision wins: the UPDATE takes the row
-- lock and only a pending, unexpired request matches, so a second decision
-- (another admin, the same form posted twice) finds nothing and gets
-- 'already'. On approval the MSP joins the MSSP's tree in the same
-- transaction (the tree trigger checks region and depth and moves the
-- companies along). A billed standalone MSP's own account ends first.
-- requires: billing_account_end
CREATE OR REPLACE FUNCTION msp_request_decide(p_request bigint, p_approve boolean, p_reason text)
RETURNS TABLE (outcome text, mssp_id bigint, msp_id bigint, msp_name text, mssp_name text)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    r msp_requests%ROWTYPE;
    role text;
BEGIN
    IF p_reason IS NULL OR length(btrim(p_reason)) = 0 THEN
        RAISE EXCEPTION 'a reason is required' USING ERRCODE = 'check_violation';
    END IF;
    SELECT * INTO r FROM msp_requests WHERE id = p_request;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'request not found' USING ERRCODE = 'P0002';
    END IF;
    role := effective_role(r.msp_tenant_id);
    IF role IS NULL OR role NOT IN ('owner', 'admin') THEN
        RAISE EXCEPTION 'not allowed' USING ERRCODE = '42501';
    END IF;
    UPDATE msp_requests SET status = CASE WHEN p_approve THEN 'approved' ELSE 'rejected' END,
                            decided_by = app_user_id(), decided_at = now(), decision_reason = p_reason
     WHERE id = p_request AND status = 'pending' AND expires_at > now()
    RETURNING * INTO r;
    IF NOT FOUND THEN
        RETURN QUERY SELECT 'already'::text, NULL::bigint, NULL::bigint, NULL::text, NULL::text;
        RETURN;
    END IF;
    PERFORM request_asks_settle(r.id);
    IF p_approve THEN
        -- billed on its own until today: its account ends while its tree
        -- is still its own (billing_account_end())
        PERFORM billing_account_end(r.msp_tenant_id);
        UPDATE tenants SET parent_id = r.mssp_id WHERE id = r.msp_tenant_id;
        UPDATE branding SET root_id = r.root_id
         WHERE tenant_id IN (SELECT id FROM tenants WHERE r.msp_tenant_id = ANY (ancestors));
    END IF;
    INSERT INTO audit_log (tenant_id, root_id, user_id, action, target, details)
    SELECT t.id, t.root_id, app_user_id(), CASE WHEN p_approve THEN 'msp.request_approved' ELSE 'msp.request_rejected' END,
           'request:' || r.id, jsonb_build_object('reason', p_reason, 'mssp', r.mssp_id)
      FROM tenants t WHERE t.id IN (r.msp_tenant_id, r.mssp_id);
    RETURN QUERY SELECT CASE WHEN p_approve THEN 'approved' ELSE 'rejected' END, r.mssp_id, r.msp_tenant_id,
                        (SELECT name FROM tenants WHERE id = r.msp_tenant_id),
                        (SELECT name FROM tenants WHERE id = r.mssp_id);
END $$;
REVOKE ALL ON FUNCTION msp_request_decide(bigint, boolean, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION msp_request_decide(bigint, boolean, text) TO portal_app;
