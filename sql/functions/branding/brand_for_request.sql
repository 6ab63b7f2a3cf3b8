-- The brand of a request, in one query: the tenant in context, else the
-- signed-in user's first membership, else the tenant whose portal host is
-- the request's Host, else the portal default.
CREATE OR REPLACE FUNCTION brand_for_request(p_tenant bigint, p_user bigint, p_host text)
RETURNS TABLE (tenant_id bigint, page_title text, footer text, logo_light text, logo_dark text, host text,
               page_title_src bigint, page_title_src_name text, footer_src bigint, footer_src_name text,
               logo_light_src bigint, logo_light_src_name text, logo_dark_src bigint, logo_dark_src_name text)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    RETURN QUERY SELECT * FROM brand_for_tenant(brand_tenant_for(p_tenant, p_user, p_host));
END $$;
REVOKE ALL ON FUNCTION brand_for_request(bigint, bigint, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION brand_for_request(bigint, bigint, text) TO portal_app;
