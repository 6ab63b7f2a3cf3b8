-- A new or changed name: pending, with a new token (the one given when it
-- is new, else a fresh one), unless another tenant holds it verified.
-- Removing the name removes its token and verification.
CREATE OR REPLACE FUNCTION branding_host_claim() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND NEW.host IS NOT DISTINCT FROM OLD.host THEN
        RETURN NEW;
    END IF;
    IF NEW.host IS NULL THEN
        NEW.host_token := NULL;
        NEW.host_claimed_at := NULL;
        NEW.host_verified_at := NULL;
        NEW.host_verified_by := NULL;
        RETURN NEW;
    END IF;
    IF EXISTS (SELECT 1 FROM branding b
                WHERE b.host = NEW.host AND b.host_verified_at IS NOT NULL AND b.tenant_id <> NEW.tenant_id) THEN
        RAISE unique_violation USING MESSAGE = 'host ' || NEW.host || ' is verified for another tenant';
    END IF;
    IF NEW.host_token IS NULL OR (TG_OP = 'UPDATE' AND NEW.host_token IS NOT DISTINCT FROM OLD.host_token) THEN
        NEW.host_token := replace(gen_random_uuid()::text, '-', '');
    END IF;
    IF TG_OP = 'INSERT' THEN
        -- A new row keeps a verification only the owner role can write (a
        -- row put back as it was); the app role cannot name those columns.
        NEW.host_claimed_at := coalesce(NEW.host_claimed_at, now());
        RETURN NEW;
    END IF;
    NEW.host_claimed_at := now();
    NEW.host_verified_at := NULL;
    NEW.host_verified_by := NULL;
    RETURN NEW;
END $$;
REVOKE ALL ON FUNCTION branding_host_claim() FROM PUBLIC;
