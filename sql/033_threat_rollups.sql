-- 033_threat_rollups.sql - threat correlation reads rollups, not the
-- incidents of the window.
--
-- sql/016's threat_correlation() grouped every incident of the window in
-- the tree by indicator, and named every visible customer of each: at L an
-- MSSP's page read 230,000 incidents for 7 days (1.3 s) and 1M for 30 days
-- (3 s), and listed 20,000 customer names per indicator (3 MB of HTML).
-- Now two rollups, kept by statement triggers on incidents in the writing
-- transaction, answer it (docs/dashboards.md, "Threat correlation"):
--
-- * indicator_hourly: per tree, indicator and UTC hour, the incidents at
--   customers (companies) opened in that hour, the first and last opening
--   and the indicator's kind: the window's incidents, first and last seen.
-- * indicator_customers: per tree, indicator and customer, the customer's
--   latest incident with the indicator. A customer saw the indicator in the
--   window if that is inside it: the count of customers, and the names the
--   viewer may see, most recent first (ten at most; the rest are counted).
--
-- The window is whole UTC hours, like the dashboard's: the last N days are
-- the current hour and the N x 24 hours before it.

CREATE TABLE indicator_hourly (
    root_id bigint NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    indicator text NOT NULL,
    hour timestamptz NOT NULL,
    incidents bigint NOT NULL,
    first_at timestamptz NOT NULL,
    last_at timestamptz NOT NULL,
    kind text,
    PRIMARY KEY (root_id, hour, indicator)
);
CREATE TABLE indicator_customers (
    root_id bigint NOT NULL,
    indicator text NOT NULL,
    tenant_id bigint NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    last_at timestamptz NOT NULL,
    PRIMARY KEY (root_id, indicator, tenant_id)
);
CREATE INDEX indicator_customers_recent ON indicator_customers (root_id, indicator, last_at, tenant_id);
-- Read only by threat_correlation() below (SECURITY DEFINER); no grants.
ALTER TABLE indicator_hourly ENABLE ROW LEVEL SECURITY;
ALTER TABLE indicator_hourly FORCE ROW LEVEL SECURITY;
ALTER TABLE indicator_customers ENABLE ROW LEVEL SECURITY;
ALTER TABLE indicator_customers FORCE ROW LEVEL SECURITY;

-- Both rollups for a set of (root, indicator, tenant, hour) keys, read
-- again from the incidents (after a delete or an update that moved an
-- incident: its old keys may have lost their first, last or only row).
-- An hour of one indicator in one tree is a few hundred incidents at L
-- (incidents_indicator index); a customer's are read by tenant.
CREATE FUNCTION indicator_recount(p_keys jsonb) RETURNS void
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
END $$;
REVOKE ALL ON FUNCTION indicator_recount(jsonb) FROM PUBLIC;

-- New incidents add to the rollups; deleted ones, and updates that change
-- an incident's indicator, opening, kind, tenant or tree, recount their
-- keys (old and new). Other updates (acknowledged, closed) touch nothing.
--
-- A recount reads the incidents and rewrites the keys' rows, so two
-- writers of one tree must not run it at once (the second would insert a
-- key the first has just rewritten, or miss the first's rows). Writers of
-- a tree already queue on its root's tenant_stats row, which the rollup
-- triggers of sql/013 lock until commit (these triggers are named to run
-- after those); the root rows are locked here as well, for the updates
-- that change no counter and so take no lock there.
CREATE FUNCTION incidents_indicators() RETURNS trigger
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
        INSERT INTO indicator_customers AS x (root_id, indicator, tenant_id, last_at)
        SELECT n.root_id, n.indicator, n.tenant_id, max(n.opened_at)
          FROM new_rows n JOIN tenants c ON c.id = n.tenant_id AND c.kind = 'company'
         WHERE n.indicator IS NOT NULL
         GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
        ON CONFLICT (root_id, indicator, tenant_id) DO UPDATE SET last_at = greatest(x.last_at, excluded.last_at);
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
-- (Triggers fire in name order: "incidents_threats_*" after "incidents_stats_*".)
CREATE TRIGGER incidents_threats_ins AFTER INSERT ON incidents REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION incidents_indicators();
CREATE TRIGGER incidents_threats_upd AFTER UPDATE ON incidents
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION incidents_indicators();
CREATE TRIGGER incidents_threats_del AFTER DELETE ON incidents REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION incidents_indicators();

INSERT INTO indicator_hourly (root_id, indicator, hour, incidents, first_at, last_at, kind)
SELECT i.root_id, i.indicator, date_trunc('hour', i.opened_at, 'UTC'), count(*), min(i.opened_at), max(i.opened_at),
       min(i.indicator_kind)
  FROM incidents i JOIN tenants c ON c.id = i.tenant_id AND c.kind = 'company'
 WHERE i.indicator IS NOT NULL
 GROUP BY 1, 2, 3;
INSERT INTO indicator_customers (root_id, indicator, tenant_id, last_at)
SELECT i.root_id, i.indicator, i.tenant_id, max(i.opened_at)
  FROM incidents i JOIN tenants c ON c.id = i.tenant_id AND c.kind = 'company'
 WHERE i.indicator IS NOT NULL
 GROUP BY 1, 2, 3;

-- The indicators seen at two or more customers of the tenant's tree in the
-- last p_days days (1 to 90), most customers first, then most recent; only
-- those seen at a customer the viewer may see. visible: how many of the
-- customers the viewer may see; names: up to ten of those, most recent
-- first (then the newest customer first). Nothing about another tree is ever read.
DROP FUNCTION threat_correlation(bigint, int);
CREATE FUNCTION threat_correlation(p_tenant bigint, p_days int)
RETURNS TABLE (indicator text, indicator_kind text, customers bigint, incidents bigint,
               first_seen timestamptz, last_seen timestamptz, visible bigint, names text[])
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    sc bigint[] := app_scope();
    ex bigint[] := app_exact();
    t tenants%ROWTYPE;
    r tenants%ROWTYPE;
    whole boolean;        -- the viewer sees every customer of the tree
    cands bigint[];       -- else the customers they see, if at most 200
    since timestamptz := date_trunc('hour', now(), 'UTC') - make_interval(days => least(greatest(p_days, 1), 90));
BEGIN
    SELECT * INTO t FROM tenants WHERE tenants.id = p_tenant;
    IF NOT FOUND OR NOT scope_sees(t.ancestors, t.id, sc, ex) THEN
        RETURN;
    END IF;
    SELECT * INTO r FROM tenants WHERE tenants.id = t.root_id;
    whole := r.ancestors && sc;
    IF NOT whole THEN
        cands := ARRAY(SELECT c.id FROM tenants c WHERE c.root_id = r.id AND c.kind = 'company'
                                                   AND scope_sees(c.ancestors, c.id, sc, ex) LIMIT 201);
        IF cardinality(cands) > 200 THEN
            cands := NULL;
        END IF;
    END IF;
    RETURN QUERY
    SELECT w.indicator, w.kind, w.customers, w.incidents, w.first_at, w.last_at, v.visible, v.names
      FROM (SELECT h.indicator, min(h.kind) AS kind, sum(h.incidents)::bigint AS incidents, min(h.first_at) AS first_at,
                   max(h.last_at) AS last_at,
                   (SELECT count(*) FROM indicator_customers x
                     WHERE x.root_id = r.id AND x.indicator = h.indicator AND x.last_at >= since) AS customers
              FROM indicator_hourly h
             WHERE h.root_id = r.id AND h.hour >= since
             GROUP BY h.indicator) w
      CROSS JOIN LATERAL (
            -- A few customers seen: looked up one by one; else each
            -- customer of the window is checked.
            SELECT CASE WHEN whole THEN w.customers
                        WHEN cands IS NOT NULL THEN
                            (SELECT count(*) FROM indicator_customers x
                              WHERE x.root_id = r.id AND x.indicator = w.indicator AND x.tenant_id = ANY (cands)
                                AND x.last_at >= since)
                        ELSE (SELECT count(*) FROM indicator_customers x JOIN tenants c ON c.id = x.tenant_id
                               WHERE x.root_id = r.id AND x.indicator = w.indicator AND x.last_at >= since
                                 AND scope_sees(c.ancestors, c.id, sc, ex)) END AS visible,
                   CASE WHEN cands IS NOT NULL THEN
                            ARRAY(SELECT c.name FROM indicator_customers x JOIN tenants c ON c.id = x.tenant_id
                                   WHERE x.root_id = r.id AND x.indicator = w.indicator AND x.tenant_id = ANY (cands)
                                     AND x.last_at >= since
                                   ORDER BY x.last_at DESC, x.tenant_id DESC LIMIT 10)
                        ELSE ARRAY(SELECT c.name FROM indicator_customers x JOIN tenants c ON c.id = x.tenant_id
                                    WHERE x.root_id = r.id AND x.indicator = w.indicator AND x.last_at >= since
                                      AND (whole OR scope_sees(c.ancestors, c.id, sc, ex))
                                    ORDER BY x.last_at DESC, x.tenant_id DESC LIMIT 10) END AS names) v
     WHERE w.customers >= 2 AND v.visible > 0
     ORDER BY w.customers DESC, w.last_at DESC, w.indicator
     LIMIT 100;
END $$;
REVOKE ALL ON FUNCTION threat_correlation(bigint, int) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION threat_correlation(bigint, int) TO portal_app;
