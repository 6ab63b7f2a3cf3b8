-- Incidents opened this week (today and the 6 days before, UTC) and last
-- week (the 7 days before those) from a customer's row: opened[a .. a + 6]
-- and opened[a + 7 .. a + 13] for a = 1 + (day0 - today), clipped to the
-- 28 days kept, from the running totals.
-- (A one-row set-returning function, so that the planner inlines it.)
CREATE OR REPLACE FUNCTION incident_weeks(r incident_recent) RETURNS TABLE (this_week bigint, last_week bigint)
LANGUAGE sql STABLE AS $$
    SELECT CASE WHEN least(x.a + 6, 28) < greatest(x.a, 1) THEN 0
                ELSE r.sums[least(x.a + 6, 28) + 1] - r.sums[greatest(x.a, 1)] END::bigint,
           CASE WHEN least(x.a + 13, 28) < greatest(x.a + 7, 1) THEN 0
                ELSE r.sums[least(x.a + 13, 28) + 1] - r.sums[greatest(x.a + 7, 1)] END::bigint
      FROM (SELECT 1 + (r.day0 - current_date) AS a) x
$$;
