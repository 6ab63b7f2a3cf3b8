-- Deleting a tenant takes its numbers out of its
-- ancestors' rollups.
--
-- The portal archives tenants and never deletes them, but an operator may
-- (and ON DELETE CASCADE removes a subtree with its root). The rows below
-- a deleted tenant go with it, and their statement triggers run once the
-- tenant's own row is gone, when stats_apply() and the series triggers no
-- longer find its ancestors: its MSPs, companies, inventory, findings and
-- incidents stayed counted in every tenant above it (the dashboards and
-- the customer pages' totals, customer_page(), said so).
--
-- Before its row goes, the highest deleted tenant (the one whose parent is
-- still there: rows already deleted by the same statement are not) takes
-- its own rollups, which hold its whole subtree, out of its parent and the
-- parent's ancestors: the tenant_stats counters (and itself among the
-- active MSPs or companies), the daily findings, the open findings per CVE
-- and the hourly incidents. Tenants below it find their parent gone and
-- take nothing. The threat rollups recount from the incidents already
-- (indicator_recount()).
CREATE OR REPLACE FUNCTION tenants_delete_rollups() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    s tenant_stats%ROWTYPE;
    up bigint[] := OLD.ancestors[1:cardinality(OLD.ancestors) - 1];
BEGIN
    IF OLD.parent_id IS NULL OR NOT EXISTS (SELECT 1 FROM tenants p WHERE p.id = OLD.parent_id) THEN
        RETURN OLD;
    END IF;
    SELECT * INTO s FROM tenant_stats WHERE tenant_id = OLD.id;
    PERFORM stats_apply(jsonb_build_array(jsonb_build_object('tenant_id', OLD.parent_id,
        'probes', -coalesce(s.probes, 0), 'agents', -coalesce(s.agents, 0), 'gateways', -coalesce(s.gateways, 0),
        'discovered', -coalesce(s.discovered, 0), 'external', -coalesce(s.external, 0),
        'vuln_critical', -coalesce(s.vuln_critical, 0), 'vuln_high', -coalesce(s.vuln_high, 0),
        'vuln_medium', -coalesce(s.vuln_medium, 0), 'vuln_low', -coalesce(s.vuln_low, 0),
        'incidents_open', -coalesce(s.incidents_open, 0),
        'incidents_open_critical', -coalesce(s.incidents_open_critical, 0),
        'msps', -(coalesce(s.msps, 0) + CASE WHEN OLD.kind = 'msp' AND OLD.status = 'active' THEN 1 ELSE 0 END),
        'companies', -(coalesce(s.companies, 0)
                       + CASE WHEN OLD.kind = 'company' AND OLD.status = 'active' THEN 1 ELSE 0 END))));
    UPDATE vuln_daily a SET found = a.found - o.found, fixed = a.fixed - o.fixed,
           found_critical = a.found_critical - o.found_critical, fixed_critical = a.fixed_critical - o.fixed_critical
      FROM vuln_daily o
     WHERE o.tenant_id = OLD.id AND a.tenant_id = ANY (up) AND a.day = o.day;
    UPDATE cve_open a SET open = a.open - o.open
      FROM cve_open o
     WHERE o.tenant_id = OLD.id AND a.tenant_id = ANY (up) AND a.cve = o.cve;
    UPDATE incident_hourly a SET opened = a.opened - o.opened, closed = a.closed - o.closed
      FROM incident_hourly o
     WHERE o.tenant_id = OLD.id AND a.tenant_id = ANY (up) AND a.hour = o.hour;
    RETURN OLD;
END $$;
REVOKE ALL ON FUNCTION tenants_delete_rollups() FROM PUBLIC;
