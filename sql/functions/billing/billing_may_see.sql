-- Whether the request's viewer may see the billing of p_account: its
-- MSSP Admins (an MSSP), its Owners (a standalone MSP, or an MSP that was
-- billed on its own before it joined an MSSP: its own statements until
-- then). No one else: not an MSSP's Admin the statements of an MSP before
-- it joined, not an analyst or a viewer.
-- requires: effective_role
CREATE OR REPLACE FUNCTION billing_may_see(p_account bigint) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT EXISTS (SELECT 1 FROM tenants t
                    WHERE t.id = p_account AND t.status = 'active'
                      AND ((t.kind = 'mssp' AND t.parent_id IS NULL AND effective_role(t.id) = 'mssp_admin')
                           OR (t.kind = 'msp' AND effective_role(t.id) = 'owner'
                               AND (t.parent_id IS NULL
                                    OR EXISTS (SELECT 1 FROM billing_accounts a WHERE a.tenant_id = t.id)))))
$$;
REVOKE ALL ON FUNCTION billing_may_see(bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION billing_may_see(bigint) TO portal_app;
