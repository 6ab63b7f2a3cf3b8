-- A branding row written or removed: that tenant's subtree. (A logo is
-- never updated in place, and removing one sets the branding row's
-- reference to NULL, which lands here.)
CREATE OR REPLACE FUNCTION branding_brand() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    PERFORM tenant_brand_refresh(ARRAY[CASE WHEN TG_OP = 'DELETE' THEN OLD.tenant_id ELSE NEW.tenant_id END]);
    RETURN NULL;
END $$;
REVOKE ALL ON FUNCTION branding_brand() FROM PUBLIC;
