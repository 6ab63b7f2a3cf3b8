-- 040_customer_reads.sql - the analytics and SLA pages of a large tenant
-- read the customers they show, not every customer.
--
-- At L (20,000 companies) an MSSP's analytics page took about 0.2 s and its
-- SLA page 75 ms: "highest exposure" sorted every company of the tree by
-- its exposure (68 ms), and customer_page() read every visible company in
-- name order to cut one page of 50 from them (39 ms, for the SLA report and
-- remediation velocity alike).
--
-- * Exposure (open vulnerabilities weighted 10 / 5 / 2 / 1) is a stored
--   column of tenant_stats like risk (sql/021), and two indexes order a
--   root's and a parent's companies by it (as sql/027 does for risk):
--   exposure_top() reads its 15 rows (plus those the viewer may not see).
--   Companies without open findings are not listed.
-- * customer_page(), for a viewer who sees the tenant's whole subtree
--   (everyone but an MSSP Analyst on the MSSP itself): the count is the
--   tenant's rollup (tenant_stats.companies) and the page is read from an
--   index in name order (a root's companies: tenants_companies_by_name; an
--   MSP's: its children, sql/028's tenants_children_by_name). Others, and
--   a company's page (itself), read as before.

ALTER TABLE tenant_stats
    ADD COLUMN exposure bigint GENERATED ALWAYS AS
        (10 * vuln_critical + 5 * vuln_high + 2 * vuln_medium + vuln_low) STORED;
CREATE INDEX tenant_stats_exposure_root ON tenant_stats (root_id, exposure DESC, name, tenant_id)
    WHERE exposure > 0 AND is_company;
CREATE INDEX tenant_stats_exposure_parent ON tenant_stats (parent_id, exposure DESC, name, tenant_id)
    WHERE exposure > 0 AND is_company;

CREATE INDEX tenants_companies_by_name ON tenants (root_id, lower(name), id)
    WHERE kind = 'company' AND status = 'active';

-- The functions, triggers and policies this migration defined or changed
-- live in sql/functions, sql/triggers and sql/policies now, each in one
-- file holding its current definition:
--   exposure_top, customer_page.
