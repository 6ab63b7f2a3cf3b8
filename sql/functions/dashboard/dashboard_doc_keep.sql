-- The constraint trigger tenant_stats_dashboard_doc: at the commit of a
-- transaction that wrote an MSSP's or an MSP's tenant_stats row, its
-- dashboard as of then (dashboard_doc_build(), once per tenant however
-- many times the transaction bumped it). The row's lock, which the
-- transaction holds until then, orders two writers of one tree: the
-- second builds after the first has committed, and sees it. An ingest
-- batch (portal.docs_later set for its transaction) leaves them to
-- dashboard_docs_refresh(), after the API has answered it.
CREATE OR REPLACE FUNCTION dashboard_doc_keep() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    IF current_setting('portal.docs_later', true) = 'on' THEN
        RETURN NULL;
    END IF;
    PERFORM dashboard_doc_build(NEW.tenant_id);
    RETURN NULL;
END $$;
REVOKE ALL ON FUNCTION dashboard_doc_keep() FROM PUBLIC;
