-- 016_threats.sql - threat correlation: indicators seen in incidents of two
-- or more customers within a window.
--
-- Counted within the tree of the tenant being viewed (its MSSP, or its
-- standalone MSP): nothing about other providers' customers is ever
-- revealed. Inside the tree the viewer gets the number of customers and the
-- names of those they may see; the rest are only counted ("and N others
-- you cannot see"). Cost: the incidents opened inside the window
-- (incidents_opened_at index), not the history.
CREATE FUNCTION threat_correlation(p_tenant bigint, p_days int)
RETURNS TABLE (indicator text, indicator_kind text, customers bigint, incidents bigint,
               first_seen timestamptz, last_seen timestamptz, visible_names text[], visible_ids bigint[])
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    WITH me AS (
        SELECT t.root_id FROM tenants t WHERE t.id = p_tenant AND p_tenant IN (SELECT visible_tenant_ids())
    ), seen AS (
        SELECT i.indicator, i.indicator_kind, i.tenant_id, i.opened_at
          FROM incidents i JOIN tenants c ON c.id = i.tenant_id
         WHERE i.opened_at > now() - make_interval(days => least(greatest(p_days, 1), 90))
           AND i.indicator IS NOT NULL AND c.root_id = (SELECT root_id FROM me) AND c.kind = 'company'
    ), vis AS (
        SELECT id FROM visible_tenant_ids() AS v(id)
    )
    SELECT s.indicator, min(s.indicator_kind), count(DISTINCT s.tenant_id), count(*), min(s.opened_at),
           max(s.opened_at),
           array_agg(DISTINCT c.name ORDER BY c.name) FILTER (WHERE s.tenant_id IN (SELECT id FROM vis)),
           array_agg(DISTINCT c.id) FILTER (WHERE s.tenant_id IN (SELECT id FROM vis))
      FROM seen s JOIN tenants c ON c.id = s.tenant_id
     GROUP BY s.indicator
    HAVING count(DISTINCT s.tenant_id) >= 2
       AND bool_or(s.tenant_id IN (SELECT id FROM vis))
     ORDER BY count(DISTINCT s.tenant_id) DESC, max(s.opened_at) DESC
     LIMIT 100
$$;
REVOKE ALL ON FUNCTION threat_correlation(bigint, int) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION threat_correlation(bigint, int) TO portal_app;
