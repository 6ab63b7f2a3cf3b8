-- 085_tenants_inactive.sql - the archived tenants of a tree, found without
-- reading its active ones (docs/performance.md, "Session 47"). The
-- analytics page's "N other customers at risk" (risk_top()) counted every
-- company at risk below the tenant with a check of its status: at L, an
-- MSSP's 20,000 companies read and joined with their tenants (28 ms). It
-- now counts them from the risk index alone and takes away the archived
-- ones, which this index finds (a tree has few). Small: only archived
-- tenants have an entry.
CREATE INDEX IF NOT EXISTS tenants_inactive ON tenants (root_id) WHERE status <> 'active';
