-- The effective brand of a tenant: the resolved
-- fields, the names of the tenants they come from, the portal defaults.
CREATE OR REPLACE FUNCTION brand_for_tenant(p_tenant bigint)
RETURNS TABLE (tenant_id bigint, page_title text, footer text, logo_light text, logo_dark text, host text,
               page_title_src bigint, page_title_src_name text, footer_src bigint, footer_src_name text,
               logo_light_src bigint, logo_light_src_name text, logo_dark_src bigint, logo_dark_src_name text)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
#variable_conflict use_column
BEGIN
    RETURN QUERY
    SELECT p_tenant, coalesce(b.page_title, d.page_title), coalesce(b.footer, d.footer), b.logo_light, b.logo_dark,
           b.host, b.page_title_src, (SELECT n.name FROM tenants n WHERE n.id = b.page_title_src),
           b.footer_src, (SELECT n.name FROM tenants n WHERE n.id = b.footer_src),
           b.logo_light_src, (SELECT n.name FROM tenants n WHERE n.id = b.logo_light_src),
           b.logo_dark_src, (SELECT n.name FROM tenants n WHERE n.id = b.logo_dark_src)
      FROM portal_settings d LEFT JOIN tenant_brand b ON b.tenant_id = p_tenant;
END $$;
REVOKE ALL ON FUNCTION brand_for_tenant(bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION brand_for_tenant(bigint) TO portal_app;
GRANT EXECUTE ON FUNCTION brand_for_tenant(bigint) TO portal_reporter;
