-- 027_at_risk_walk.sql - the most at-risk companies of an MSSP or an MSP
-- read from an index in the list's own order (docs/performance.md, round
-- 4). Same list as sql/024's: active visible companies below the tenant
-- with a risk above 0, by risk (highest first), then name, then id.
--
-- Before, the MSP view read every company below the MSP with its rollup
-- and sorted them to show five (100 probes per view at L, growing with the
-- MSP), and the MSSP view walked a global risk index and then read every
-- company tied with the fifth (91 at L), a statement planned anew at each
-- call. tenant_stats now carries each tenant's root, parent and name, and
-- two partial indexes order the companies of a root and of a parent as the
-- list does, so a view reads its five entries (plus those an analyst may
-- not see) and stops.

ALTER TABLE tenant_stats
    ADD COLUMN root_id bigint,
    ADD COLUMN parent_id bigint,
    ADD COLUMN name text;
UPDATE tenant_stats s SET root_id = t.root_id, parent_id = t.parent_id, name = t.name
  FROM tenants t WHERE t.id = s.tenant_id;
CREATE INDEX tenant_stats_risk_root ON tenant_stats (root_id, risk DESC, name, tenant_id)
    WHERE risk > 0 AND is_company;
CREATE INDEX tenant_stats_risk_parent ON tenant_stats (parent_id, risk DESC, name, tenant_id)
    WHERE risk > 0 AND is_company;
DROP INDEX tenant_stats_risk;

-- The functions, triggers and policies this migration defined or changed
-- live in sql/functions, sql/triggers and sql/policies now, each in one
-- file holding its current definition:
--   stats_apply, dashboard_overview.
