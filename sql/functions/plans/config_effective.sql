-- The effective configuration of an account (p_device NULL) or of one of
-- its devices, as the request's viewer (or API key) may see it: config_document()
-- with the viewer's scope (app_scope(), app_exact()). NULL when the viewer
-- may not see the account, or the device is not the account's.
-- requires: config_document
CREATE OR REPLACE FUNCTION config_effective(p_tenant bigint, p_device bigint) RETURNS jsonb
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT config_document(p_tenant, p_device, app_scope(), app_exact())
$$;
REVOKE ALL ON FUNCTION config_effective(bigint, bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION config_effective(bigint, bigint) TO portal_app;
