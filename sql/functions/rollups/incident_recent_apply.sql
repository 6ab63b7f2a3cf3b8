-- Add p_deltas ([{tenant_id, day, n}], companies only) to the rows.
CREATE OR REPLACE FUNCTION incident_recent_apply(p_deltas jsonb) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    -- A row for every customer, then each locked in id order (no
    -- deadlock); its days are read after the lock, so a concurrent batch's
    -- are included.
    INSERT INTO incident_recent (tenant_id, day0, opened)
    SELECT DISTINCT d.tenant_id, least(d.day, current_date + 7), array_fill(0, ARRAY[28])
      FROM jsonb_to_recordset(p_deltas) AS d(tenant_id bigint, day date, n int)
     ORDER BY 1
    ON CONFLICT (tenant_id) DO NOTHING;
    PERFORM 1 FROM incident_recent r
     WHERE r.tenant_id IN (SELECT d.tenant_id FROM jsonb_to_recordset(p_deltas) AS d(tenant_id bigint, day date, n int))
     ORDER BY r.tenant_id FOR UPDATE;
    WITH dd AS MATERIALIZED (
        SELECT d.tenant_id, d.day, sum(d.n) AS n
          FROM jsonb_to_recordset(p_deltas) AS d(tenant_id bigint, day date, n int) GROUP BY 1, 2
    ), x AS (
        SELECT o.tenant_id, g.day0,
               array_agg(coalesce(o.opened[k - (g.day0 - o.day0)], 0) + coalesce(dd.n, 0) ORDER BY k) AS opened
          FROM incident_recent o
          JOIN (SELECT tenant_id, max(day) AS day FROM dd GROUP BY 1) m ON m.tenant_id = o.tenant_id
         CROSS JOIN LATERAL (SELECT least(greatest(o.day0, m.day), current_date + 7) AS day0) g
         CROSS JOIN generate_series(1, 28) k
          LEFT JOIN dd ON dd.tenant_id = o.tenant_id AND dd.day = g.day0 - (k - 1)
         GROUP BY o.tenant_id, g.day0
    )
    UPDATE incident_recent r SET day0 = x.day0, opened = x.opened FROM x WHERE r.tenant_id = x.tenant_id;
END $$;
REVOKE ALL ON FUNCTION incident_recent_apply(jsonb) FROM PUBLIC;
