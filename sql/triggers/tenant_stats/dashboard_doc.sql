-- The constraint trigger on tenant_stats that keeps the dashboards of
-- MSSPs and MSPs (dashboard_docs, sql/068): deferred to the commit, so a
-- transaction that bumps a tenant's version many times (an ingest batch's
-- several rollups) builds its dashboard once, from everything it wrote.
-- (A constraint trigger cannot be replaced in place: dropped first.)
-- requires: dashboard_doc_keep
DROP TRIGGER IF EXISTS tenant_stats_dashboard_doc ON tenant_stats;
CREATE CONSTRAINT TRIGGER tenant_stats_dashboard_doc AFTER INSERT OR UPDATE ON tenant_stats
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (NOT NEW.is_company)
    EXECUTE FUNCTION dashboard_doc_keep();
