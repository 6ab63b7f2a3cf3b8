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

-- The app role writes what a tenant sets, never the verification.
REVOKE INSERT, UPDATE ON branding FROM portal_app;
GRANT INSERT (tenant_id, root_id, page_title, footer, host, host_token, logo_light_id, logo_dark_id, updated_at)
    ON branding TO portal_app;
GRANT UPDATE (page_title, footer, host, host_token, logo_light_id, logo_dark_id, updated_at) ON branding TO portal_app;

-- A backfill: nothing to do on an empty database, where the function it
-- calls is defined later (sql/functions, after every migration).
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM tenants) THEN
        PERFORM tenant_brand_refresh(ARRAY(SELECT id FROM tenants));
    END IF;
END $$;

-- The functions, triggers and policies this migration defined or changed
-- live in sql/functions, sql/triggers and sql/policies now, each in one
-- file holding its current definition:
--   branding_host_claim, branding_host_verify, brand_tenant_for,
--   brand_for_host, brand_resolve.
