-- An MSP joining an MSSP brings its series along (vuln_daily and cve_open
-- and incident_hourly).
CREATE OR REPLACE FUNCTION tenants_move_series() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    IF NEW.parent_id IS DISTINCT FROM OLD.parent_id AND OLD.parent_id IS NULL THEN
        INSERT INTO vuln_daily AS d (tenant_id, day, found, fixed, found_critical, fixed_critical)
        SELECT NEW.parent_id, v.day, v.found, v.fixed, v.found_critical, v.fixed_critical
          FROM vuln_daily v WHERE v.tenant_id = NEW.id
        ON CONFLICT (tenant_id, day) DO UPDATE SET found = d.found + excluded.found, fixed = d.fixed + excluded.fixed,
            found_critical = d.found_critical + excluded.found_critical,
            fixed_critical = d.fixed_critical + excluded.fixed_critical;
        INSERT INTO cve_open AS c (tenant_id, cve, open)
        SELECT NEW.parent_id, o.cve, o.open FROM cve_open o WHERE o.tenant_id = NEW.id
        ON CONFLICT (tenant_id, cve) DO UPDATE SET open = c.open + excluded.open;
        INSERT INTO incident_hourly AS h (tenant_id, hour, opened, closed)
        SELECT NEW.parent_id, i.hour, i.opened, i.closed FROM incident_hourly i WHERE i.tenant_id = NEW.id
        ON CONFLICT (tenant_id, hour) DO UPDATE SET opened = h.opened + excluded.opened,
            closed = h.closed + excluded.closed;
    END IF;
    RETURN NULL;
END $$;
REVOKE ALL ON FUNCTION tenants_move_series() FROM PUBLIC;
