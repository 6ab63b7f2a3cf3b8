-- Incidents opened and closed per UTC hour, for the tenant and its
-- ancestors; the tenants written to are touched (stats_touch()).
CREATE OR REPLACE FUNCTION incidents_series() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp SET client_min_messages = warning AS $$
DECLARE touched bigint[];
BEGIN
    EXECUTE format($q$
    WITH r AS MATERIALIZED (%s),
    leaf AS (
        SELECT tenant_id, hour, sum(opened) AS opened, sum(closed) AS closed
          FROM (SELECT tenant_id, opened AS hour, n AS opened, 0 AS closed FROM r
                UNION ALL
                SELECT tenant_id, closed, 0, n FROM r WHERE closed IS NOT NULL) x
         GROUP BY tenant_id, hour),
    hourly AS (
        INSERT INTO incident_hourly AS h (tenant_id, hour, opened, closed)
        SELECT a.id, l.hour, sum(l.opened), sum(l.closed)
          FROM leaf l JOIN tenants t ON t.id = l.tenant_id JOIN tenants a ON a.id = ANY (t.ancestors)
         GROUP BY a.id, l.hour
        HAVING sum(l.opened) <> 0 OR sum(l.closed) <> 0
         ORDER BY a.id, l.hour
        ON CONFLICT (tenant_id, hour) DO UPDATE SET opened = h.opened + excluded.opened,
            closed = h.closed + excluded.closed)
    SELECT ARRAY(SELECT DISTINCT tenant_id FROM r ORDER BY 1)$q$,
        delta_rows(TG_OP, $c$tenant_id, date_trunc('hour', opened_at, 'UTC') AS opened,
                              date_trunc('hour', closed_at, 'UTC') AS closed$c$)) INTO touched;
    PERFORM stats_touch(touched);
    RETURN NULL;
END $$;
REVOKE ALL ON FUNCTION incidents_series() FROM PUBLIC;
