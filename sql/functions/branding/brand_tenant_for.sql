-- Which tenant's brand a request wears: the tenant
-- in context, else the user's first active membership, else the tenant
-- that holds the Host verified.
CREATE OR REPLACE FUNCTION brand_tenant_for(p_tenant bigint, p_user bigint, p_host text) RETURNS bigint
LANGUAGE plpgsql STABLE SET search_path = public, pg_temp AS $$
BEGIN
    IF p_tenant IS NOT NULL THEN
        RETURN p_tenant;
    END IF;
    RETURN coalesce(
        (SELECT m.tenant_id FROM memberships m JOIN tenants t ON t.id = m.tenant_id
          WHERE m.user_id = p_user AND m.status = 'active' AND t.status = 'active'
          ORDER BY m.created_at, m.tenant_id LIMIT 1),
        (SELECT b.tenant_id FROM branding b WHERE b.host = lower(p_host) AND b.host_verified_at IS NOT NULL));
END $$;
REVOKE ALL ON FUNCTION brand_tenant_for(bigint, bigint, text) FROM PUBLIC;
