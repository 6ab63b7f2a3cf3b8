-- Both rollups for a set of (root, indicator, tenant, hour) keys, read
-- again from the incidents (after a delete or an update that moved an
-- incident: its old keys may have lost their first, last or only row).
-- An hour of one indicator in one tree is a few hundred incidents at L
-- (incidents_indicator index); a customer's are read by tenant. Then the
-- hours of the keys' indicators count again the customers whose latest
-- sighting each holds.
CREATE OR REPLACE FUNCTION indicator_recount(p_keys jsonb) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    DELETE FROM indicator_hourly h
     USING (SELECT DISTINCT root_id, indicator, hour
              FROM jsonb_to_recordset(p_keys) AS k(root_id bigint, indicator text, hour timestamptz)) k
     WHERE h.root_id = k.root_id AND h.indicator = k.indicator AND h.hour = k.hour;
    INSERT INTO indicator_hourly (root_id, indicator, hour, incidents, first_at, last_at, kind)
    SELECT k.root_id, k.indicator, k.hour, count(*), min(i.opened_at), max(i.opened_at), min(i.indicator_kind)
      FROM (SELECT DISTINCT root_id, indicator, hour
              FROM jsonb_to_recordset(p_keys) AS k(root_id bigint, indicator text, hour timestamptz)) k
      JOIN incidents i ON i.indicator = k.indicator AND i.opened_at >= k.hour
                      AND i.opened_at < k.hour + interval '1 hour' AND i.root_id = k.root_id
      JOIN tenants c ON c.id = i.tenant_id AND c.kind = 'company'
     GROUP BY k.root_id, k.indicator, k.hour
     ORDER BY 1, 3, 2;
    DELETE FROM indicator_customers x
     USING (SELECT DISTINCT root_id, indicator, tenant_id
              FROM jsonb_to_recordset(p_keys) AS k(root_id bigint, indicator text, tenant_id bigint)) k
     WHERE x.root_id = k.root_id AND x.indicator = k.indicator AND x.tenant_id = k.tenant_id;
    INSERT INTO indicator_customers (root_id, indicator, tenant_id, last_at)
    SELECT k.root_id, k.indicator, k.tenant_id, max(i.opened_at)
      FROM (SELECT DISTINCT root_id, indicator, tenant_id
              FROM jsonb_to_recordset(p_keys) AS k(root_id bigint, indicator text, tenant_id bigint)) k
      JOIN incidents i ON i.tenant_id = k.tenant_id AND i.indicator = k.indicator AND i.root_id = k.root_id
      JOIN tenants c ON c.id = i.tenant_id AND c.kind = 'company'
     GROUP BY k.root_id, k.indicator, k.tenant_id
     ORDER BY 1, 2, 3;
    -- Each hour's count of the customers whose latest sighting it holds,
    -- for the keys' indicators (their customers may have moved hours).
    UPDATE indicator_hourly h SET customers = n.customers
      FROM (SELECT y.root_id, y.indicator, y.hour, count(x.tenant_id) AS customers
              FROM (SELECT DISTINCT root_id, indicator
                      FROM jsonb_to_recordset(p_keys) AS k(root_id bigint, indicator text)) k
              JOIN indicator_hourly y ON y.root_id = k.root_id AND y.indicator = k.indicator
              LEFT JOIN indicator_customers x ON x.root_id = y.root_id AND x.indicator = y.indicator
                                             AND x.last_at >= y.hour AND x.last_at < y.hour + interval '1 hour'
             GROUP BY 1, 2, 3) n
     WHERE h.root_id = n.root_id AND h.hour = n.hour AND h.indicator = n.indicator
       AND h.customers <> n.customers;
END $$;
REVOKE ALL ON FUNCTION indicator_recount(jsonb) FROM PUBLIC;
