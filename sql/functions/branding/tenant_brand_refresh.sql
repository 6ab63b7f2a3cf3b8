-- Recompute the brand of these tenants and of every tenant below them.
CREATE OR REPLACE FUNCTION tenant_brand_refresh(p_tenants bigint[]) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    INSERT INTO tenant_brand AS x
    SELECT r.* FROM tenants t CROSS JOIN LATERAL brand_resolve(t.id) r WHERE t.ancestors && p_tenants
    ON CONFLICT (tenant_id) DO UPDATE
       SET page_title = excluded.page_title, page_title_src = excluded.page_title_src,
           footer = excluded.footer, footer_src = excluded.footer_src,
           logo_light = excluded.logo_light, logo_light_src = excluded.logo_light_src,
           logo_dark = excluded.logo_dark, logo_dark_src = excluded.logo_dark_src, host = excluded.host
     WHERE (x.*) IS DISTINCT FROM (excluded.*);
END $$;
REVOKE ALL ON FUNCTION tenant_brand_refresh(bigint[]) FROM PUBLIC;
