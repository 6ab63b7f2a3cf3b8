
CREATE OR REPLACE FUNCTION incidents_recent() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    d jsonb;
BEGIN
    IF TG_OP = 'INSERT' THEN
        SELECT jsonb_agg(x) INTO d FROM (
            SELECT n.tenant_id, (n.opened_at AT TIME ZONE 'UTC')::date AS day, count(*) AS n
              FROM new_rows n JOIN tenants c ON c.id = n.tenant_id AND c.kind = 'company' GROUP BY 1, 2) x;
    ELSIF TG_OP = 'DELETE' THEN
        SELECT jsonb_agg(x) INTO d FROM (
            SELECT o.tenant_id, (o.opened_at AT TIME ZONE 'UTC')::date AS day, -count(*) AS n
              FROM old_rows o JOIN tenants c ON c.id = o.tenant_id AND c.kind = 'company' GROUP BY 1, 2) x;
    ELSE   -- only updates that move an incident to another day or customer
        SELECT jsonb_agg(x) INTO d FROM (
            SELECT y.tenant_id, y.day, sum(y.n) AS n
              FROM old_rows o JOIN new_rows n ON n.id = o.id
             CROSS JOIN LATERAL (VALUES (o.tenant_id, (o.opened_at AT TIME ZONE 'UTC')::date, -1),
                                        (n.tenant_id, (n.opened_at AT TIME ZONE 'UTC')::date, 1)) AS y(tenant_id, day, n)
              JOIN tenants c ON c.id = y.tenant_id AND c.kind = 'company'
             WHERE (o.tenant_id, (o.opened_at AT TIME ZONE 'UTC')::date)
                   IS DISTINCT FROM (n.tenant_id, (n.opened_at AT TIME ZONE 'UTC')::date)
             GROUP BY 1, 2 HAVING sum(y.n) <> 0) x;
    END IF;
    IF d IS NOT NULL THEN
        PERFORM incident_recent_apply(d);
    END IF;
    RETURN NULL;
END $$;
REVOKE ALL ON FUNCTION incidents_recent() FROM PUBLIC;
