-- 023_request_context.sql - the statement every signed-in GET runs first,
-- made cheaper (docs/performance.md, "Round 3").
--
-- Measured with pg_stat_statements (track = all), request_context() spent
-- most of its time not in its reads (each a few microseconds) but in the
-- executor start-up and plan-cache checks of the eleven statements it ran
-- through nested functions: auth_session_lookup, set_config,
-- effective_role, brand_for_request -> brand_for_tenant (a six-way join
-- with a sort, then portal_settings). Now:
--
-- 1. tenant_brand holds each tenant's resolved brand (the nearest value
--    on its ancestor path, field by field, NULL where no tenant on the path
--    sets it), kept by triggers when a branding row changes (the tenant and
--    everything below it) and when a tenant is created or moved. Reading a
--    brand is one index probe plus the portal defaults. The resolution
--    rule is brand_resolve(), the loop brand_for_tenant ran per request;
--    brand_for_tenant now reads tenant_brand, so both paths give the same
--    answer by construction.
-- 2. The rules request_context shared by calling other SECURITY DEFINER
--    functions are plain helpers both sides call: session_check() (expiry,
--    idle timeout, touch once a minute), tenant_role() (the role of a user
--    on a tenant; effective_role() is tenant_role(app_user_id(), ...)) and
--    brand_tenant_for() (which tenant's brand a request wears).
-- 3. request_context() no longer sets app.user_id: a GET's later
--    statements get the identity from db_lazy_identity() (cgi/db.c), and
--    tenant_role() takes the user as an argument.

-- ------------------------------------------- 1. the resolved brand per tenant
CREATE TABLE tenant_brand (
    tenant_id      bigint PRIMARY KEY REFERENCES tenants(id) ON DELETE CASCADE,
    page_title     text,
    page_title_src bigint,
    footer         text,
    footer_src     bigint,
    logo_light     text,
    logo_light_src bigint,
    logo_dark      text,
    logo_dark_src  bigint,
    host           text
);
ALTER TABLE tenant_brand ENABLE ROW LEVEL SECURITY;
ALTER TABLE tenant_brand FORCE ROW LEVEL SECURITY;
GRANT SELECT ON tenant_brand TO portal_app;

-- A backfill: nothing to do on an empty database, where the function it
-- calls is defined later (sql/functions, after every migration).
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM tenants) THEN
        INSERT INTO tenant_brand SELECT r.* FROM tenants t CROSS JOIN LATERAL brand_resolve(t.id) r;
    END IF;
END $$;

-- The functions, triggers and policies this migration defined or changed
-- live in sql/functions, sql/triggers and sql/policies now, each in one
-- file holding its current definition:
--   tenant_brand_visible, brand_resolve, tenant_brand_refresh,
--   branding_brand, tenants_brand, brand_for_tenant, brand_tenant_for,
--   brand_for_request, session_check, auth_session_lookup, tenant_role,
--   effective_role, bell_items, request_context.
