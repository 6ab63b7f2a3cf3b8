-- 010_branding.sql - white labelling: logos stored in PostgreSQL, the
-- effective brand (field by field, with where each value comes from), the
-- brand of a request (tenant in context, else the user's first membership,
-- else the Host), and public logo serving.

CREATE TABLE branding_logos (
    id           bigserial PRIMARY KEY,
    tenant_id    bigint NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    root_id      bigint NOT NULL,
    variant      text NOT NULL CHECK (variant IN ('light', 'dark')),
    content_type text NOT NULL CHECK (content_type IN ('image/png', 'image/jpeg', 'image/webp')),
    bytes        bytea NOT NULL CHECK (octet_length(bytes) BETWEEN 1 AND 524288),
    sha256       text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    width        int NOT NULL CHECK (width BETWEEN 1 AND 1024),
    height       int NOT NULL CHECK (height BETWEEN 1 AND 1024),
    created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX branding_logos_tenant ON branding_logos (tenant_id);

ALTER TABLE branding
    ADD COLUMN logo_light_id bigint REFERENCES branding_logos(id) ON DELETE SET NULL,
    ADD COLUMN logo_dark_id  bigint REFERENCES branding_logos(id) ON DELETE SET NULL;

ALTER TABLE branding_logos ENABLE ROW LEVEL SECURITY;
ALTER TABLE branding_logos FORCE ROW LEVEL SECURITY;

GRANT SELECT, INSERT ON branding_logos TO portal_app;
GRANT USAGE ON SEQUENCE branding_logos_id_seq TO portal_app;

-- The functions, triggers and policies this migration defined or changed
-- live in sql/functions, sql/triggers and sql/policies now, each in one
-- file holding its current definition:
--   branding_logos_visible, logo_url, brand_for_tenant, brand_for_host,
--   brand_for_request, logo_get.
