-- The triggers on branding that run branding_brand().
-- requires: branding_brand
CREATE OR REPLACE TRIGGER branding_brand AFTER INSERT OR UPDATE OR DELETE ON branding
    FOR EACH ROW EXECUTE FUNCTION branding_brand();
