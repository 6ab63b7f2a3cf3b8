-- 028_children_by_name.sql - a dashboard's table sorted by name (the
-- default) reads the rows of its page and no other (docs/performance.md,
-- round 4). Same rows, order and columns as sql/025's.
--
-- sql/025 still read and sorted every active child to number them and
-- count them (200 MSPs at L for one page of 25: about 1 ms). Now, sorted
-- by name without a search, for a viewer who sees the whole subtree of
-- the tenant (so every child), the page's ids come from an index in name
-- order (LIMIT / OFFSET) and the count from the tenant's rollup
-- (tenant_stats.msps below an MSSP, .companies below an MSP: an MSSP's
-- children are MSPs and an MSP's are companies, sql/001). Otherwise
-- (a search, a counter column, an MSSP Analyst's partial view) the ids
-- and the count come from every visible child, as before. Either way the
-- page's rows are then read by id, with their counters and the latest
-- request.

-- Active siblings have distinct lower(name)s (tenants_sibling_name), so
-- the order by name needs no tie-break in either direction.
CREATE INDEX tenants_children_by_name ON tenants (parent_id, lower(name), id) WHERE status = 'active';

-- The functions, triggers and policies this migration defined or changed
-- live in sql/functions, sql/triggers and sql/policies now, each in one
-- file holding its current definition:
--   tenant_children_rows.
