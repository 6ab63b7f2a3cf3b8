-- 032_incident_pages.sql - the incidents list of a tenant reads a page, as
-- the vulnerabilities list does (sql/031): keyset pages in the list's
-- order (severity, critical first; newest first; id) from an index per
-- tree and per tenant, open and resolved incidents apart; the count from
-- the rollups when they hold it (open incidents, or open critical ones, of
-- a subtree the viewer sees whole), else counted up to 1,000. Before, an
-- MSSP's list at L sorted its 400,000 open incidents for each page (0.6 s).
CREATE INDEX incidents_root_open ON incidents (root_id, severity_weight(severity), opened_at, id)
    WHERE closed_at IS NULL;
CREATE INDEX incidents_root_closed ON incidents (root_id, severity_weight(severity), opened_at, id)
    WHERE closed_at IS NOT NULL;
CREATE INDEX incidents_tenant_open ON incidents (tenant_id, severity_weight(severity), opened_at, id)
    WHERE closed_at IS NULL;
CREATE INDEX incidents_tenant_closed ON incidents (tenant_id, severity_weight(severity), opened_at, id)
    WHERE closed_at IS NOT NULL;

-- The functions, triggers and policies this migration defined or changed
-- live in sql/functions, sql/triggers and sql/policies now, each in one
-- file holding its current definition:
--   incident_page.
