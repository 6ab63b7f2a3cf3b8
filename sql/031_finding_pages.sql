-- 031_finding_pages.sql - the vulnerabilities and assets lists of a tenant
-- read a page of rows, not every row below the tenant.
--
-- The lists (cgi/pages/findings.c) sorted every row of the subtree under
-- the visibility policy and counted them all (count(*) OVER ()) for each
-- page: at L an MSSP's vulnerabilities page sorted 10M rows (18 s) and its
-- assets page 1M (2.4 s), and a deep page read every row before its OFFSET.
-- Now (docs/dashboards.md, "Lists"):
--
-- * Pages are keyset pages: a page starts after (or ends before) a cursor,
--   the id of the row the previous (next) page ended (began) with, so page
--   10,000 costs what page 1 costs. The rows come in the list's order from
--   an index. Below a tenant with at most 200 visible tenants at or below
--   it (a company, an MSP, an analyst's assignments) a page reads at most
--   a page per tenant from a (tenant, order) index and keeps the first page
--   of those; below a larger one it walks the tree's (root, order) index,
--   checking each row's tenant unless the viewer sees the whole tree.
-- * The count comes from the rollups (sql/013) when they hold it: open
--   findings (one severity or all) and assets (one kind or all) of a
--   subtree the viewer sees whole. Otherwise (a CVE, fixed findings, an
--   MSSP Analyst on the MSSP) rows are counted up to 1,000 and the page
--   says "1,000+" beyond.
--
-- The readers apply the visibility rule themselves (SECURITY DEFINER, like
-- dashboard_overview()) and return NULL for a tenant the viewer may not
-- see. A cursor that is not a row below the tenant the viewer may see
-- starts at the top; one that has left the list since (fixed, resolved,
-- another severity) still marks the place.

-- The vulnerabilities list: severity (critical first), newest first, id
-- (highest first): these keys descending; open and fixed findings apart
-- (fixed ones are mostly old: walking both for one kind read past all
-- the newest of the other), merged when the list shows both.
CREATE INDEX vulnerabilities_root_open ON vulnerabilities (root_id, severity_weight(severity), first_seen, id)
    WHERE fixed_at IS NULL;
CREATE INDEX vulnerabilities_root_fixed ON vulnerabilities (root_id, severity_weight(severity), first_seen, id)
    WHERE fixed_at IS NOT NULL;
CREATE INDEX vulnerabilities_tenant_open ON vulnerabilities (tenant_id, severity_weight(severity), first_seen, id)
    WHERE fixed_at IS NULL;
CREATE INDEX vulnerabilities_tenant_fixed ON vulnerabilities (tenant_id, severity_weight(severity), first_seen, id)
    WHERE fixed_at IS NOT NULL;
-- A CVE's findings in a tree, in the list's order (a CVE is a few percent
-- of a tree's findings at most: found by walking the tree's index, it
-- took 0.5 s at L). The index on open findings by CVE (sql/013, from
-- before the cve_open rollup) becomes the open half.
DROP INDEX vulnerabilities_open_cve;
CREATE INDEX vulnerabilities_cve_open ON vulnerabilities (cve, root_id, severity_weight(severity), first_seen, id)
    WHERE fixed_at IS NULL;
CREATE INDEX vulnerabilities_cve_fixed ON vulnerabilities (cve, root_id, severity_weight(severity), first_seen, id)
    WHERE fixed_at IS NOT NULL;
-- The assets list: kind, name (case-insensitive), id: ascending.
CREATE INDEX assets_root_order ON assets (root_id, kind, lower(name), id);
CREATE INDEX assets_tenant_order ON assets (tenant_id, kind, lower(name), id);

-- The functions, triggers and policies this migration defined or changed
-- live in sql/functions, sql/triggers and sql/policies now, each in one
-- file holding its current definition:
--   severity_weight, read_plan, read_plan_rows, list_page, list_meta,
--   vulnerability_page, asset_page.
