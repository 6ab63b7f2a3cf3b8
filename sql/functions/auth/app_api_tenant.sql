-- requires: identity_kept
-- The tenant of the API key api_key_auth() found for the key the
-- transaction still carries (app.api_key; identity_keep()); NULL without
-- one: the kept who negated when it is below 0 (-nullif(least(w, 0), 0);
-- least() passes over a NULL). One expression, so the planner inlines it.
CREATE OR REPLACE FUNCTION app_api_tenant() RETURNS bigint
LANGUAGE sql STABLE AS $$
    SELECT -nullif(least(identity_kept(current_setting('app.api_key', true)), 0), 0)
$$;
REVOKE ALL ON FUNCTION app_api_tenant() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION app_api_tenant() TO portal_app;
