-- 072_tenant_picks.sql - the home page and the tenant selector read the
-- tenants they show, not every tenant the viewer sees (issue #23;
-- docs/performance.md, "Session 37"). For an MSSP's people at L (20,000
-- companies) the home page's list took 7 ms and the selector's search
-- 9-27 ms: both sorted every visible tenant to cut their first rows. Now
-- tenant_picks() reads from the viewer's top tenant down in name order,
-- and a search term of three letters or more is looked up by trigram.
-- The extension's functions and operators in a schema of their own, out
-- of public (which holds what sql/ defines, and nothing else): the index
-- names its operator class there; no statement calls them.
CREATE SCHEMA extensions;
CREATE EXTENSION pg_trgm SCHEMA extensions;
CREATE INDEX tenants_companies_by_trigram ON tenants USING gin (lower(name) extensions.gin_trgm_ops)
    WHERE kind = 'company' AND status = 'active';

-- The functions this migration defined live in sql/functions, each in one
-- file holding its current definition: tenant_picks, tenant_pick_top,
-- tenant_pick_counts.
