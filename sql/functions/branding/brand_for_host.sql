-- The brand of the tenant that holds a host name, once verified (a pending
-- claim is nobody's host yet): the sign-in page before anyone is known.
CREATE OR REPLACE FUNCTION brand_for_host(p_host text)
RETURNS TABLE (tenant_id bigint, page_title text, footer text, logo_light text, logo_dark text, host text,
               page_title_src bigint, page_title_src_name text, footer_src bigint, footer_src_name text,
               logo_light_src bigint, logo_light_src_name text, logo_dark_src bigint, logo_dark_src_name text)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
#variable_conflict use_column
BEGIN
    RETURN QUERY SELECT * FROM brand_for_tenant((SELECT b.tenant_id FROM branding b
                                                  WHERE b.host = lower(p_host) AND b.host_verified_at IS NOT NULL));
END $$;
REVOKE ALL ON FUNCTION brand_for_host(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION brand_for_host(text) TO portal_app;
