-- The table of the tenants one level down (MSPs of an MSSP, companies of an
-- MSP) with their totals. p_sort is one of the column keys (anything else
-- sorts by name), p_dir 'asc' or 'desc'; p_q a case-insensitive substring
-- of the name ('' for all). total is the number of matching rows.
-- For the viewer (tenant_children_rows_as()).
CREATE OR REPLACE FUNCTION tenant_children_rows(p_tenant bigint, p_q text, p_sort text, p_dir text, p_limit int, p_offset int)
RETURNS TABLE (id bigint, name text, kind text, region text, companies bigint, probes bigint, agents bigint,
               discovered bigint, external bigint, vulns bigint, critical bigint, high bigint, medium bigint,
               low bigint, open_critical bigint, request text, request_expires bigint, total bigint)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    RETURN QUERY SELECT * FROM tenant_children_rows_as(p_tenant, p_q, p_sort, p_dir, p_limit, p_offset, app_scope(),
                                                       app_exact());
END $$;
REVOKE ALL ON FUNCTION tenant_children_rows(bigint, text, text, text, int, int) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tenant_children_rows(bigint, text, text, text, int, int) TO portal_app;
