-- The portal found the tenant's TXT record: the name verified, if the
-- signed-in user may change the tenant's settings and the row still claims
-- that name with that token (not changed since the lookup). Returns the
-- time of the verification, NULL when nothing matched; unique_violation
-- when another tenant verified the name first.
CREATE OR REPLACE FUNCTION branding_host_verify(p_tenant bigint, p_host text, p_token text) RETURNS timestamptz
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    role text := effective_role(p_tenant);
    at timestamptz;
BEGIN
    IF role IS NULL OR role NOT IN ('owner', 'admin', 'mssp_admin') THEN
        RETURN NULL;
    END IF;
    UPDATE branding SET host_verified_at = now(), host_verified_by = 'dns'
     WHERE tenant_id = p_tenant AND host = p_host AND host_token = p_token AND host_verified_at IS NULL
    RETURNING host_verified_at INTO at;
    RETURN at;
END $$;
REVOKE ALL ON FUNCTION branding_host_verify(bigint, text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION branding_host_verify(bigint, text, text) TO portal_app;
