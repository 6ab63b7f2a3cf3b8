-- The trigger of tenant_stats (the rollups: every figure a page of a
-- tenant shows moves its row's version, and its ancestors', in the
-- writing transaction): notify channel portal_context naming the tenants
-- whose row changed, "x:XID;t:ID,ID,..." (one statement's rows; a
-- transition table named "changed"; XID the transaction's xid8). The
-- workers then drop only those tenants' cached pages and keep their
-- cached contexts (cgi/session.c, sess_data_epoch()): the live feed's
-- batches no longer empty every cache. Every worker hears it; the XID
-- lets the first of a master's workers move the tenant's epoch and the
-- others leave it (cgi/epoch.c, epoch_set_move()). An ingest batch's
-- transaction (portal.docs_later set) says so, "x:XID;i;t:...": its
-- changes move only the epoch of the pages that must be exact, and leave
-- the dashboards that may show the feed late (PORTAL_DASHBOARD_LAG,
-- sess_lag_epoch()) to lapse at their time. Too many to name (a payload is at most 8000 bytes): the empty
-- payload, everything, as context_changed() sends.
-- requires: context_changed
CREATE OR REPLACE FUNCTION tenants_changed() RETURNS trigger
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
DECLARE
    ids text;
BEGIN
    SELECT string_agg(DISTINCT tenant_id::text, ',') INTO ids FROM changed;
    IF ids IS NOT NULL THEN
        PERFORM pg_notify('portal_context', CASE WHEN length(ids) <= 7000
            THEN 'x:' || pg_current_xact_id()
                 || CASE WHEN current_setting('portal.docs_later', true) = 'on' THEN ';i' ELSE '' END
                 || ';t:' || ids ELSE '' END);
    END IF;
    RETURN NULL;
END $$;
REVOKE ALL ON FUNCTION tenants_changed() FROM PUBLIC;
