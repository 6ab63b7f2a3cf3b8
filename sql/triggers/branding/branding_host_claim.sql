-- The triggers on branding that run branding_host_claim().
-- requires: branding_host_claim
CREATE OR REPLACE TRIGGER branding_host_claim BEFORE INSERT OR UPDATE ON branding
    FOR EACH ROW EXECUTE FUNCTION branding_host_claim();
