-- Rebuild one kept dashboard (dashboard_doc_build(): nothing when it is
-- current; of two builders racing, the newer row stays), for
-- dashboard_docs_stale()'s caller. The commit need not wait for the
-- disk: a row lost in a crash is only stale.
CREATE OR REPLACE FUNCTION dashboard_doc_refresh(p_tenant bigint) RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    PERFORM set_config('synchronous_commit', 'off', true);
    PERFORM dashboard_doc_build(p_tenant);
END $$;
REVOKE ALL ON FUNCTION dashboard_doc_refresh(bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION dashboard_doc_refresh(bigint) TO portal_app;
