-- 050_host_verification.sql - a tenant's portal host name is pending until
-- verified (issue 17, finding 1).
--
-- A claimed host name branded signed-out requests at once: a tenant could
-- claim "login.victim-brand.example" and show its sign-in page in its own
-- colours. Now a claim is pending until the tenant proves it controls the
-- name (a DNS TXT record "_mssp-portal-verify.<host>" holding
-- "mssp-portal-verify=<token>", checked by the portal, cgi/dns.c) or the
-- operator approves it (`ctl host-approve HOST`). Only a verified host:
--
-- * brands a request by its Host (brand_tenant_for, brand_for_host);
-- * is a tenant's effective host (brand_resolve -> tenant_brand.host,
--   brand_for_tenant), which email links may use.
--
-- Who holds a name: a verified claim is unique (one tenant); pending claims
-- block nobody (several tenants may have the same name pending; the first
-- to verify holds it, the others' verification then fails), and no tenant
-- may claim a name another tenant holds verified. So a squatter's pending
-- claim never keeps the name from the tenant that really has its DNS.
--
-- Changing the name (or removing it) ends its verification and gives it a
-- new token (trigger branding_host_claim): a verification is for one name.
-- The app role cannot write the verification columns; the portal records a
-- DNS verification through branding_host_verify() (an Owner or Admin of
-- the tenant, for the name and token the row still has).

ALTER TABLE branding
    ADD COLUMN host_token       text CHECK (host_token ~ '^[0-9a-f]{32}$'),
    ADD COLUMN host_claimed_at  timestamptz,
    ADD COLUMN host_verified_at timestamptz,
    ADD COLUMN host_verified_by text CHECK (host_verified_by IN ('dns', 'operator'));

-- Claims made before this migration are pending, with a token of their own
-- (gen_random_uuid: pg_strong_random, 122 random bits).
UPDATE branding SET host_token = replace(gen_random_uuid()::text, '-', ''), host_claimed_at = updated_at
 WHERE host IS NOT NULL;

ALTER TABLE branding
    ADD CONSTRAINT branding_host_state CHECK (
        CASE WHEN host IS NULL
             THEN host_token IS NULL AND host_claimed_at IS NULL AND host_verified_at IS NULL
                  AND host_verified_by IS NULL
             ELSE host_token IS NOT NULL AND host_claimed_at IS NOT NULL
                  AND (host_verified_at IS NULL) = (host_verified_by IS NULL)
        END);

ALTER TABLE branding DROP CONSTRAINT IF EXISTS branding_host_key;
CREATE UNIQUE INDEX branding_host_verified ON branding (host) WHERE host_verified_at IS NOT NULL;
CREATE INDEX branding_host ON branding (host) WHERE host IS NOT NULL;

-- A new or changed name: pending, with a new token (the one given when it
-- is new, else a fresh one), unless another tenant holds it verified.
-- Removing the name removes its token and verification.
CREATE FUNCTION branding_host_claim() RETURNS trigger
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
CREATE TRIGGER branding_host_claim BEFORE INSERT OR UPDATE ON branding
    FOR EACH ROW EXECUTE FUNCTION branding_host_claim();

-- The app role writes what a tenant sets, never the verification.
REVOKE INSERT, UPDATE ON branding FROM portal_app;
GRANT INSERT (tenant_id, root_id, page_title, footer, host, host_token, logo_light_id, logo_dark_id, updated_at)
    ON branding TO portal_app;
GRANT UPDATE (page_title, footer, host, host_token, logo_light_id, logo_dark_id, updated_at) ON branding TO portal_app;

-- The portal found the tenant's TXT record: the name verified, if the
-- signed-in user may change the tenant's settings and the row still claims
-- that name with that token (not changed since the lookup). Returns the
-- time of the verification, NULL when nothing matched; unique_violation
-- when another tenant verified the name first.
CREATE FUNCTION branding_host_verify(p_tenant bigint, p_host text, p_token text) RETURNS timestamptz
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    role text := effective_role(p_tenant);
    at timestamptz;
BEGIN
    IF role IS NULL OR role NOT IN ('owner', 'admin', 'mssp_admin') THEN
        RETURN NULL;
    END IF;
    UPDATE branding SET host_verified_at = now(), host_verified_by = 'dns'
     WHERE tenant_id = p_tenant AND host = p_host AND host_token = p_token AND host_verified_at IS NULL
    RETURNING host_verified_at INTO at;
    RETURN at;
END $$;
REVOKE ALL ON FUNCTION branding_host_verify(bigint, text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION branding_host_verify(bigint, text, text) TO portal_app;

-- Which tenant's brand a request wears (sql/023's, restated): the tenant
-- in context, else the user's first active membership, else the tenant
-- that holds the Host verified.
CREATE OR REPLACE FUNCTION brand_tenant_for(p_tenant bigint, p_user bigint, p_host text) RETURNS bigint
LANGUAGE plpgsql STABLE SET search_path = public, pg_temp AS $$
BEGIN
    IF p_tenant IS NOT NULL THEN
        RETURN p_tenant;
    END IF;
    RETURN coalesce(
        (SELECT m.tenant_id FROM memberships m JOIN tenants t ON t.id = m.tenant_id
          WHERE m.user_id = p_user AND t.status = 'active' ORDER BY m.created_at, m.tenant_id LIMIT 1),
        (SELECT b.tenant_id FROM branding b WHERE b.host = lower(p_host) AND b.host_verified_at IS NOT NULL));
END $$;

-- sql/021's, restated: only a verified host.
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

-- sql/023's, restated: a tenant's effective host is the nearest verified
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

SELECT tenant_brand_refresh(ARRAY(SELECT id FROM tenants));
