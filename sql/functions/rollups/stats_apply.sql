-- Adds counter deltas to tenant_stats rows, and copies the root, parent
-- and name of each row written from its tenant. That keeps them current: a rename or a move runs this
-- for the tenant and every tenant below it (tenants_touch_stats(),
-- which bumps their versions; below a moved MSP the paths are already the
-- new ones when it runs: the trigger tenants_move (tenants_move_children()) has updated them,
-- and a row's AFTER triggers run in name order).
CREATE OR REPLACE FUNCTION stats_apply(d jsonb) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    INSERT INTO tenant_stats AS s (tenant_id, version, is_company, root_id, parent_id, name, probes, agents,
                                   gateways, discovered, external, vuln_critical, vuln_high, vuln_medium, vuln_low,
                                   incidents_open, incidents_open_critical, msps, companies)
    SELECT a.id, 1, a.kind = 'company', a.root_id, a.parent_id, a.name, coalesce(sum(x.probes), 0),
           coalesce(sum(x.agents), 0), coalesce(sum(x.gateways), 0), coalesce(sum(x.discovered), 0),
           coalesce(sum(x.external), 0), coalesce(sum(x.vuln_critical), 0), coalesce(sum(x.vuln_high), 0),
           coalesce(sum(x.vuln_medium), 0), coalesce(sum(x.vuln_low), 0), coalesce(sum(x.incidents_open), 0),
           coalesce(sum(x.incidents_open_critical), 0), coalesce(sum(x.msps), 0), coalesce(sum(x.companies), 0)
      FROM jsonb_to_recordset(d) AS x(tenant_id bigint, probes bigint, agents bigint, gateways bigint, discovered bigint,
                                      external bigint, vuln_critical bigint, vuln_high bigint, vuln_medium bigint,
                                      vuln_low bigint, incidents_open bigint, incidents_open_critical bigint,
                                      msps bigint, companies bigint)
      JOIN tenants t ON t.id = x.tenant_id
      JOIN tenants a ON a.id = ANY (t.ancestors)
     GROUP BY a.id, a.kind, a.root_id, a.parent_id, a.name
     ORDER BY a.id   -- a fixed order: concurrent batches lock rows alike, no deadlock
    ON CONFLICT (tenant_id) DO UPDATE SET
        probes = s.probes + excluded.probes, agents = s.agents + excluded.agents,
        gateways = s.gateways + excluded.gateways,
        discovered = s.discovered + excluded.discovered, external = s.external + excluded.external,
        vuln_critical = s.vuln_critical + excluded.vuln_critical, vuln_high = s.vuln_high + excluded.vuln_high,
        vuln_medium = s.vuln_medium + excluded.vuln_medium, vuln_low = s.vuln_low + excluded.vuln_low,
        incidents_open = s.incidents_open + excluded.incidents_open,
        incidents_open_critical = s.incidents_open_critical + excluded.incidents_open_critical,
        msps = s.msps + excluded.msps, companies = s.companies + excluded.companies,
        version = s.version + 1, is_company = excluded.is_company,
        root_id = excluded.root_id, parent_id = excluded.parent_id, name = excluded.name;
END $$;
REVOKE ALL ON FUNCTION stats_apply(jsonb) FROM PUBLIC;
