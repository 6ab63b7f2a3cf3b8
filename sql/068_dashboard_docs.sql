-- 068_dashboard_docs.sql - the dashboard of each MSSP and MSP kept on
-- write (issue #23, "the first view after a change"; docs/performance.md,
-- "Session 22"). A row is the board (dashboard_board()) and the first
-- page of the table below (tenant_children_rows_as(): by name, 50 rows)
-- of one tenant as every viewer who sees its whole subtree sees them,
-- for the default period (24 h). dashboard_doc_build() writes it at the
-- commit of any transaction that bumps the tenant's tenant_stats.version
-- (the constraint trigger tenant_stats_dashboard_doc), which everything
-- the dashboard shows does (page_cache.c relies on the same). A reader
-- (dashboard_page()) uses a row only when its version is the tenant's
-- current one, its hour the current hour and no pending request it shows
-- has expired (valid_until); otherwise it computes the page as before, so
-- a missed or late row costs time, never correctness.

-- One row of the table below a dashboard (tenant_children_rows()).
CREATE TYPE dashboard_row AS (
    id bigint, name text, kind text, region text, companies bigint, probes bigint, agents bigint,
    discovered bigint, external bigint, vulns bigint, critical bigint, high bigint, medium bigint, low bigint,
    open_critical bigint, request text, request_expires bigint, total bigint
);

CREATE TABLE dashboard_docs (
    tenant_id   bigint PRIMARY KEY REFERENCES tenants(id) ON DELETE CASCADE,
    version     bigint NOT NULL,      -- the tenant_stats.version it was made at
    hour        timestamptz NOT NULL, -- the UTC hour of its windows and trend
    valid_until timestamptz,          -- a second before the first pending request it shows expires
    board       text NOT NULL,        -- dashboard_board()'s JSON text
    children    dashboard_row[] NOT NULL  -- the first page of the table
);
-- Read and written only by the owner's functions (dashboard_page(),
-- dashboard_doc_build()); the app role has no grant, and the policy
-- keeps a reader to the tenants it sees anyway.
ALTER TABLE dashboard_docs ENABLE ROW LEVEL SECURITY;
ALTER TABLE dashboard_docs FORCE ROW LEVEL SECURITY;
