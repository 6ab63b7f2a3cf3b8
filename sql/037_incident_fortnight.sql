-- 037_incident_fortnight.sql - "incidents growing fastest" (the analytics
-- page) reads one row per customer, not the incidents of two weeks.
--
-- cgi/pages/analytics.c counted every incident opened in the last 14 days
-- below the tenant (460,000 for an MSSP at L: 0.3-0.5 s of a 0.5 s page).
-- incident_recent keeps, per customer (company), the incidents opened on
-- each of the 28 UTC days up to its latest: opened[1] is day0, opened[k]
-- day0 - (k - 1). A statement trigger on incidents adds each write's
-- changes in the writing transaction; a customer's row is locked while
-- its days are rewritten, so concurrent batches add up. The page compares
-- whole UTC days: this week is today and the 6 days before, last week the
-- 7 days before those. day0 is at most a week ahead of today: an incident
-- dated further ahead is not kept (else one such date would push the
-- customer's real days out of the 28).

-- 0 and the running totals of an array: a[i] + ... + a[j] is
-- s[j + 1] - s[i], without reading the array.
CREATE FUNCTION prefix_sums(a int[]) RETURNS int[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT ARRAY[0] || ARRAY(SELECT sum(v) OVER (ORDER BY k)::int FROM unnest(a) WITH ORDINALITY AS x(v, k) ORDER BY k)
$$;

CREATE TABLE incident_recent (
    tenant_id bigint PRIMARY KEY REFERENCES tenants(id) ON DELETE CASCADE,
    day0 date NOT NULL,
    opened int[] NOT NULL CHECK (cardinality(opened) = 28),
    sums int[] GENERATED ALWAYS AS (prefix_sums(opened)) STORED
);
ALTER TABLE incident_recent ENABLE ROW LEVEL SECURITY;
ALTER TABLE incident_recent FORCE ROW LEVEL SECURITY;
CREATE POLICY incident_recent_visible ON incident_recent
    USING (EXISTS (SELECT 1 FROM tenants t WHERE t.id = incident_recent.tenant_id));
GRANT SELECT ON incident_recent TO portal_app;

-- Add p_deltas ([{tenant_id, day, n}], companies only) to the rows.
CREATE FUNCTION incident_recent_apply(p_deltas jsonb) RETURNS void
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

CREATE FUNCTION incidents_recent() RETURNS trigger
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
CREATE TRIGGER incidents_recent_ins AFTER INSERT ON incidents REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION incidents_recent();
CREATE TRIGGER incidents_recent_upd AFTER UPDATE ON incidents
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION incidents_recent();
CREATE TRIGGER incidents_recent_del AFTER DELETE ON incidents REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION incidents_recent();

WITH days AS (
    SELECT i.tenant_id, (i.opened_at AT TIME ZONE 'UTC')::date AS day, count(*)::int AS n
      FROM incidents i JOIN tenants c ON c.id = i.tenant_id AND c.kind = 'company'
     GROUP BY 1, 2
), last AS (
    SELECT tenant_id, least(max(day), current_date + 7) AS day0 FROM days GROUP BY 1
)
INSERT INTO incident_recent (tenant_id, day0, opened)
SELECT l.tenant_id, l.day0, array_agg(coalesce(d.n, 0) ORDER BY k)
  FROM last l CROSS JOIN generate_series(1, 28) k
  LEFT JOIN days d ON d.tenant_id = l.tenant_id AND d.day = l.day0 - (k - 1)
 GROUP BY l.tenant_id, l.day0;

-- Incidents opened this week (today and the 6 days before, UTC) and last
-- week (the 7 days before those) from a customer's row: opened[a .. a + 6]
-- and opened[a + 7 .. a + 13] for a = 1 + (day0 - today), clipped to the
-- 28 days kept, from the running totals.
-- (A one-row set-returning function, so that the planner inlines it.)
CREATE FUNCTION incident_weeks(r incident_recent) RETURNS TABLE (this_week bigint, last_week bigint)
LANGUAGE sql STABLE AS $$
    SELECT CASE WHEN least(x.a + 6, 28) < greatest(x.a, 1) THEN 0
                ELSE r.sums[least(x.a + 6, 28) + 1] - r.sums[greatest(x.a, 1)] END::bigint,
           CASE WHEN least(x.a + 13, 28) < greatest(x.a + 7, 1) THEN 0
                ELSE r.sums[least(x.a + 13, 28) + 1] - r.sums[greatest(x.a + 7, 1)] END::bigint
      FROM (SELECT 1 + (r.day0 - current_date) AS a) x
$$;
