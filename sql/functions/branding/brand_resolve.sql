-- A tenant's brand, field by field from the nearest tenant on its path
-- that sets it (tenant_brand keeps the result). Its effective host is the nearest verified
-- one on its path (a pending claim is nobody's host yet).
CREATE OR REPLACE FUNCTION brand_resolve(p_tenant bigint) RETURNS tenant_brand
LANGUAGE plpgsql STABLE SET search_path = public, pg_temp AS $$
DECLARE
    c record;
    r tenant_brand;
BEGIN
    r.tenant_id := p_tenant;
    FOR c IN SELECT b.page_title, b.footer, b.tenant_id AS src,
                    CASE WHEN b.host_verified_at IS NOT NULL THEN b.host END AS host,
                    CASE WHEN l.id IS NOT NULL THEN logo_url(l) END AS light,
                    CASE WHEN d.id IS NOT NULL THEN logo_url(d) END AS dark
               FROM tenants t
               JOIN branding b ON b.tenant_id = ANY (t.ancestors)
               LEFT JOIN branding_logos l ON l.id = b.logo_light_id
               LEFT JOIN branding_logos d ON d.id = b.logo_dark_id
              WHERE t.id = p_tenant
              ORDER BY array_position(t.ancestors, b.tenant_id) DESC LOOP
        IF r.page_title IS NULL AND c.page_title IS NOT NULL THEN
            r.page_title := c.page_title; r.page_title_src := c.src;
        END IF;
        IF r.footer IS NULL AND c.footer IS NOT NULL THEN
            r.footer := c.footer; r.footer_src := c.src;
        END IF;
        IF r.logo_light IS NULL AND c.light IS NOT NULL THEN
            r.logo_light := c.light; r.logo_light_src := c.src;
        END IF;
        IF r.logo_dark IS NULL AND c.dark IS NOT NULL THEN
            r.logo_dark := c.dark; r.logo_dark_src := c.src;
        END IF;
        r.host := coalesce(r.host, c.host);
    END LOOP;
    RETURN r;
END $$;
REVOKE ALL ON FUNCTION brand_resolve(bigint) FROM PUBLIC;
