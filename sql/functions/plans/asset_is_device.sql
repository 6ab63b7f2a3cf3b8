-- The rule, in one place: an asset of this kind is a device, which has an
-- effective configuration and polls it (docs/plans.md): a probe, a
-- lightweight agent or a gateway; discovered and external assets are not.
-- Inlined where it is used; tenant_stats counts the same kinds (probes,
-- agents, gateways), which plan_page() sums for the devices a plan reaches.
CREATE OR REPLACE FUNCTION asset_is_device(p_kind text) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT p_kind IN ('probe', 'agent', 'gateway') $$;
REVOKE ALL ON FUNCTION asset_is_device(text) FROM PUBLIC;
