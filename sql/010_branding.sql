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
CREATE POLICY branding_logos_visible ON branding_logos
    USING (tenant_id IN (SELECT visible_tenant_ids()))
    WITH CHECK (tenant_id IN (SELECT visible_tenant_ids()));

GRANT SELECT, INSERT ON branding_logos TO portal_app;
GRANT USAGE ON SEQUENCE branding_logos_id_seq TO portal_app;

-- The versioned public URL of a logo: a new upload is a new row, so a new URL.
CREATE FUNCTION logo_url(l branding_logos) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT '/logo/' || l.id || '-' || left(l.sha256, 12) || '.' ||
           CASE l.content_type WHEN 'image/png' THEN 'png' WHEN 'image/jpeg' THEN 'jpg' ELSE 'webp' END
$$;

DROP FUNCTION brand_for_host(text);
DROP FUNCTION brand_for_tenant(bigint);

-- Effective branding of a tenant: each field (title, footer, light logo,
-- dark logo, portal host) from the nearest tenant on its ancestor path that
-- sets it, else the portal default; *_src/*_src_name tell where it comes
-- from (NULL: the portal default). p_tenant NULL: the portal default.
CREATE FUNCTION brand_for_tenant(p_tenant bigint)
RETURNS TABLE (tenant_id bigint, page_title text, footer text, logo_light text, logo_dark text, host text,
               page_title_src bigint, page_title_src_name text, footer_src bigint, footer_src_name text,
               logo_light_src bigint, logo_light_src_name text, logo_dark_src bigint, logo_dark_src_name text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    WITH chain AS (
        SELECT b.*, array_position(t.ancestors, b.tenant_id) AS depth, a.name AS src_name
          FROM tenants t
          JOIN branding b ON b.tenant_id = ANY (t.ancestors)
          JOIN tenants a ON a.id = b.tenant_id
         WHERE t.id = p_tenant
    )
    SELECT p_tenant, coalesce(ti.v, s.page_title), coalesce(fo.v, s.footer), ll.v, ld.v, ho.v,
           ti.src, ti.src_name, fo.src, fo.src_name, ll.src, ll.src_name, ld.src, ld.src_name
      FROM portal_settings s
      LEFT JOIN LATERAL (SELECT c.page_title AS v, c.tenant_id AS src, c.src_name FROM chain c
                          WHERE c.page_title IS NOT NULL ORDER BY c.depth DESC LIMIT 1) ti ON true
      LEFT JOIN LATERAL (SELECT c.footer AS v, c.tenant_id AS src, c.src_name FROM chain c
                          WHERE c.footer IS NOT NULL ORDER BY c.depth DESC LIMIT 1) fo ON true
      LEFT JOIN LATERAL (SELECT logo_url(l) AS v, c.tenant_id AS src, c.src_name FROM chain c
                           JOIN branding_logos l ON l.id = c.logo_light_id ORDER BY c.depth DESC LIMIT 1) ll ON true
      LEFT JOIN LATERAL (SELECT logo_url(l) AS v, c.tenant_id AS src, c.src_name FROM chain c
                           JOIN branding_logos l ON l.id = c.logo_dark_id ORDER BY c.depth DESC LIMIT 1) ld ON true
      LEFT JOIN LATERAL (SELECT c.host AS v FROM chain c
                          WHERE c.host IS NOT NULL ORDER BY c.depth DESC LIMIT 1) ho ON true
$$;

-- Branding for a request's Host before anyone signs in.
CREATE FUNCTION brand_for_host(p_host text)
RETURNS TABLE (tenant_id bigint, page_title text, footer text, logo_light text, logo_dark text, host text,
               page_title_src bigint, page_title_src_name text, footer_src bigint, footer_src_name text,
               logo_light_src bigint, logo_light_src_name text, logo_dark_src bigint, logo_dark_src_name text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT * FROM brand_for_tenant((SELECT b.tenant_id FROM branding b WHERE b.host = lower(p_host)))
$$;

-- The brand of a request, in one query: the tenant in context, else the
-- signed-in user's first membership, else the tenant whose portal host is
-- the request's Host, else the portal default.
CREATE FUNCTION brand_for_request(p_tenant bigint, p_user bigint, p_host text)
RETURNS TABLE (tenant_id bigint, page_title text, footer text, logo_light text, logo_dark text, host text,
               page_title_src bigint, page_title_src_name text, footer_src bigint, footer_src_name text,
               logo_light_src bigint, logo_light_src_name text, logo_dark_src bigint, logo_dark_src_name text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT * FROM brand_for_tenant(coalesce(
        p_tenant,
        (SELECT m.tenant_id FROM memberships m JOIN tenants t ON t.id = m.tenant_id
          WHERE m.user_id = p_user AND t.status = 'active' ORDER BY m.created_at, m.tenant_id LIMIT 1),
        (SELECT b.tenant_id FROM branding b WHERE b.host = lower(p_host))))
$$;

-- A logo for serving, before anyone signs in: only by id and the start of
-- its hash (the versioned URL), so ids cannot be walked without the hash.
CREATE FUNCTION logo_get(p_id bigint, p_sha12 text)
RETURNS TABLE (content_type text, bytes bytea, sha256 text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT l.content_type, l.bytes, l.sha256 FROM branding_logos l
     WHERE l.id = p_id AND left(l.sha256, 12) = p_sha12 AND length(p_sha12) = 12
$$;

REVOKE ALL ON FUNCTION brand_for_tenant(bigint), brand_for_host(text), brand_for_request(bigint, bigint, text),
                       logo_get(bigint, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION brand_for_tenant(bigint), brand_for_host(text), brand_for_request(bigint, bigint, text),
                          logo_get(bigint, text) TO portal_app;
