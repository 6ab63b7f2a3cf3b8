-- New incidents add to the rollups (indicator_hourly, indicator_customers
-- and the hours' count of customers whose latest sighting each holds);
-- deleted ones, and updates that change
-- an incident's indicator, opening, kind, tenant or tree, recount their
-- keys (old and new). Other updates (acknowledged, closed) touch nothing.
--
-- A recount reads the incidents and rewrites the keys' rows, so two
-- writers of one tree must not run it at once (the second would insert a
-- key the first has just rewritten, or miss the first's rows). Writers of
-- a tree already queue on its root's tenant_stats row, which the rollup
-- triggers (assets_stats(), incidents_stats(), vulnerabilities_stats())
-- lock until commit (these triggers are named to run
-- after those); the root rows are locked here as well, for the updates
-- that change no counter and so take no lock there.
CREATE OR REPLACE FUNCTION incidents_indicators() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        PERFORM 1 FROM tenant_stats s WHERE s.tenant_id IN (SELECT DISTINCT n.root_id FROM new_rows n)
         ORDER BY s.tenant_id FOR UPDATE;
    END IF;
    IF TG_OP IN ('DELETE', 'UPDATE') THEN
        PERFORM 1 FROM tenant_stats s WHERE s.tenant_id IN (SELECT DISTINCT o.root_id FROM old_rows o)
         ORDER BY s.tenant_id FOR UPDATE;
    END IF;
    IF TG_OP = 'INSERT' THEN
        INSERT INTO indicator_hourly AS h (root_id, indicator, hour, incidents, first_at, last_at, kind)
        SELECT n.root_id, n.indicator, date_trunc('hour', n.opened_at, 'UTC'), count(*), min(n.opened_at),
               max(n.opened_at), min(n.indicator_kind)
          FROM new_rows n JOIN tenants c ON c.id = n.tenant_id AND c.kind = 'company'
         WHERE n.indicator IS NOT NULL
         GROUP BY 1, 2, 3 ORDER BY 1, 3, 2
        ON CONFLICT (root_id, hour, indicator) DO UPDATE SET incidents = h.incidents + excluded.incidents,
            first_at = least(h.first_at, excluded.first_at), last_at = greatest(h.last_at, excluded.last_at),
            kind = CASE WHEN h.kind IS NULL OR excluded.kind < h.kind THEN excluded.kind ELSE h.kind END;
        -- Each customer's latest sighting, and the hours' count of the
        -- customers whose latest sighting they hold: a customer whose
        -- latest moves to another hour leaves the one it was in.
        WITH k AS (
            SELECT n.root_id, n.indicator, n.tenant_id, max(n.opened_at) AS last_at
              FROM new_rows n JOIN tenants c ON c.id = n.tenant_id AND c.kind = 'company'
             WHERE n.indicator IS NOT NULL
             GROUP BY 1, 2, 3),
        was AS (  -- (before the upsert below: one snapshot for the statement)
            SELECT x.root_id, x.indicator, x.tenant_id, date_trunc('hour', x.last_at, 'UTC') AS hour
              FROM k JOIN indicator_customers x
                ON x.root_id = k.root_id AND x.indicator = k.indicator AND x.tenant_id = k.tenant_id),
        up AS (
            INSERT INTO indicator_customers AS x (root_id, indicator, tenant_id, last_at)
            SELECT k.root_id, k.indicator, k.tenant_id, k.last_at FROM k ORDER BY 1, 2, 3
            ON CONFLICT (root_id, indicator, tenant_id) DO UPDATE SET last_at = greatest(x.last_at, excluded.last_at)
            RETURNING x.root_id, x.indicator, x.tenant_id, date_trunc('hour', x.last_at, 'UTC') AS hour),
        moved AS (
            SELECT up.root_id, up.indicator, up.hour, 1 AS n
              FROM up LEFT JOIN was ON was.root_id = up.root_id AND was.indicator = up.indicator
                                   AND was.tenant_id = up.tenant_id
             WHERE was.hour IS DISTINCT FROM up.hour
            UNION ALL
            SELECT was.root_id, was.indicator, was.hour, -1
              FROM was JOIN up ON up.root_id = was.root_id AND up.indicator = was.indicator
                              AND up.tenant_id = was.tenant_id
             WHERE was.hour <> up.hour)
        UPDATE indicator_hourly h SET customers = h.customers + d.n
          FROM (SELECT m.root_id, m.indicator, m.hour, sum(m.n) AS n FROM moved m GROUP BY 1, 2, 3) d
         WHERE h.root_id = d.root_id AND h.hour = d.hour AND h.indicator = d.indicator AND d.n <> 0;
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM indicator_recount((SELECT jsonb_agg(DISTINCT jsonb_build_object(
                    'root_id', o.root_id, 'indicator', o.indicator, 'tenant_id', o.tenant_id,
                    'hour', date_trunc('hour', o.opened_at, 'UTC')))
                  FROM old_rows o WHERE o.indicator IS NOT NULL))
          WHERE EXISTS (SELECT 1 FROM old_rows o WHERE o.indicator IS NOT NULL);
    ELSE
        PERFORM indicator_recount((SELECT jsonb_agg(DISTINCT k) FROM (
                    SELECT jsonb_build_object('root_id', o.root_id, 'indicator', o.indicator, 'tenant_id', o.tenant_id,
                                              'hour', date_trunc('hour', o.opened_at, 'UTC')) AS a,
                           jsonb_build_object('root_id', n.root_id, 'indicator', n.indicator, 'tenant_id', n.tenant_id,
                                              'hour', date_trunc('hour', n.opened_at, 'UTC')) AS b,
                           o.indicator AS oi, n.indicator AS ni
                      FROM old_rows o JOIN new_rows n ON n.id = o.id
                     WHERE (o.indicator, o.indicator_kind, o.opened_at, o.tenant_id, o.root_id)
                           IS DISTINCT FROM (n.indicator, n.indicator_kind, n.opened_at, n.tenant_id, n.root_id)) c,
                  LATERAL (SELECT c.a WHERE c.oi IS NOT NULL UNION ALL SELECT c.b WHERE c.ni IS NOT NULL) AS x(k)))
          WHERE EXISTS (SELECT 1 FROM old_rows o JOIN new_rows n ON n.id = o.id
                         WHERE (o.indicator, o.indicator_kind, o.opened_at, o.tenant_id, o.root_id)
                               IS DISTINCT FROM (n.indicator, n.indicator_kind, n.opened_at, n.tenant_id, n.root_id)
                           AND coalesce(o.indicator, n.indicator) IS NOT NULL);
    END IF;
    RETURN NULL;
END $$;
REVOKE ALL ON FUNCTION incidents_indicators() FROM PUBLIC;
