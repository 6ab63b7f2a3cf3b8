-- The seconds an MSSP's or MSP's dashboard may show the ingest feed late
-- (docs/dashboards.md, "Following the feed"): the session's
-- portal.dashboard_lag, which the portal's processes set on each
-- connection (PORTAL_DASHBOARD_LAG, cgi/db.c); 0, every view exact, in any
-- other session. Read by dashboard_page() and dashboard_docs_stale().
CREATE OR REPLACE FUNCTION dashboard_lag() RETURNS int
LANGUAGE sql STABLE AS $$
    SELECT coalesce(nullif(current_setting('portal.dashboard_lag', true), '')::int, 0)
$$;
REVOKE ALL ON FUNCTION dashboard_lag() FROM PUBLIC;
