-- How many days a report of p_tenant is kept: the tenant's own setting,
-- else the nearest tenant's above it, else 90.
CREATE OR REPLACE FUNCTION report_retention_days(p_tenant bigint) RETURNS int
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT coalesce((SELECT s.retention_days FROM tenants t JOIN report_settings s ON s.tenant_id = ANY (t.ancestors)
                      WHERE t.id = p_tenant ORDER BY array_position(t.ancestors, s.tenant_id) DESC LIMIT 1), 90)
$$;
REVOKE ALL ON FUNCTION report_retention_days(bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION report_retention_days(bigint) TO portal_app;
