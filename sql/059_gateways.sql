-- 059_gateways.sql - managed security gateways, a kind of asset (issue
-- #19: "Devices are the managed probes, lightweight agents and gateways of
-- a tenant"). Reported through ingest like the others (kind "gateway"),
-- counted in the inventory (tenant_stats.gateways, kept by assets_stats()),
-- and a device: it polls its effective configuration (docs/plans.md).
ALTER TABLE assets DROP CONSTRAINT assets_kind_check;
ALTER TABLE assets ADD CONSTRAINT assets_kind_check
    CHECK (kind IN ('probe', 'agent', 'gateway', 'discovered', 'external'));
ALTER TABLE tenant_stats ADD COLUMN gateways bigint NOT NULL DEFAULT 0;
