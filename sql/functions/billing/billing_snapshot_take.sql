-- Takes the daily snapshots of a billed account (docs/billing.md,
-- "Metering"): every day from its first billed day to today (in its time
-- zone; to its last day, ends_on, when it has ended) that is not final
-- yet. A day is final once taken after it ended;
-- today's is taken again at every run, so the month so far is current.
-- Per tenant of the account's tree: a company counts 1 while it exists
-- and is active; an agent, probe or gateway counts on day D when it was
-- added by D and reported within the activity window ending D (a day
-- missed is filled in from the data: an asset that reported after D and
-- was there by D counts on D). Two runs at once take turns (an advisory
-- lock per account): a day keeps one set of rows. The days taken.
CREATE OR REPLACE FUNCTION billing_snapshot_take(p_account bigint) RETURNS int
LANGUAGE plpgsql VOLATILE SET search_path = public, pg_temp AS $$
DECLARE
    a billing_accounts;
    today date;
    d date;
    days date[];
    n int;
BEGIN
    PERFORM pg_advisory_xact_lock(hashtextextended('billing_snapshot_take', p_account));
    SELECT * INTO a FROM billing_accounts WHERE tenant_id = p_account;
    IF NOT FOUND THEN
        RETURN 0;
    END IF;
    today := (now() AT TIME ZONE a.time_zone)::date;
    -- The days to take: those not final, from the first one on.
    days := ARRAY(SELECT g::date FROM generate_series(a.starts_on, least(today, a.ends_on), interval '1 day') g
                   WHERE NOT EXISTS (SELECT 1 FROM billing_days b
                                      WHERE b.account_id = p_account AND b.day = g::date AND b.final)
                   ORDER BY 1);
    n := cardinality(days);
    IF n = 0 THEN
        RETURN 0;
    END IF;
    d := days[1];
    DELETE FROM billing_snapshots s WHERE s.account_id = p_account AND s.day = ANY (days);
    -- One pass over the account's assets for all those days: an asset
    -- counts from the day it was added to the last day of its activity
    -- window (+1 that day, -1 the day after), the counts of a day are the
    -- running sum of the changes up to it, per tenant.
    INSERT INTO billing_snapshots (account_id, root_id, day, tenant_id, tenant_name, tenant_kind, msp_id,
                                   msp_name, tenants, agents, probes, gateways)
    WITH span AS MATERIALIZED (
        SELECT s.tenant_id, s.kind, greatest((s.created_at AT TIME ZONE a.time_zone)::date, d) AS first_day,
               s.last_seen_on + a.activity_days AS gone_day
          FROM assets s
         WHERE s.root_id = p_account AND s.kind IN ('agent', 'probe', 'gateway')
           AND (s.created_at AT TIME ZONE a.time_zone)::date <= today
           AND s.last_seen_on + a.activity_days > d
           AND (s.created_at AT TIME ZONE a.time_zone)::date < s.last_seen_on + a.activity_days),
    delta AS (
        SELECT e.tenant_id, e.day,
               sum(e.n) FILTER (WHERE e.kind = 'agent') AS agents,
               sum(e.n) FILTER (WHERE e.kind = 'probe') AS probes,
               sum(e.n) FILTER (WHERE e.kind = 'gateway') AS gateways
          FROM (SELECT tenant_id, kind, first_day AS day, 1 AS n FROM span
                UNION ALL
                SELECT tenant_id, kind, gone_day, -1 FROM span WHERE gone_day <= today) e
         GROUP BY e.tenant_id, e.day),
    tree AS (
        SELECT t.id, t.name, t.kind, (t.created_at AT TIME ZONE a.time_zone)::date AS added,
               CASE WHEN t.kind = 'msp' THEN t.id WHEN p.kind = 'msp' THEN p.id END AS msp_id,
               CASE WHEN t.kind = 'msp' THEN t.name WHEN p.kind = 'msp' THEN p.name END AS msp_name
          FROM tenants t LEFT JOIN tenants p ON p.id = t.parent_id
         WHERE t.root_id = p_account AND t.status = 'active'),
    grid AS (
        SELECT tree.*, g::date AS day,
               sum(coalesce(x.agents, 0)) OVER w AS agents, sum(coalesce(x.probes, 0)) OVER w AS probes,
               sum(coalesce(x.gateways, 0)) OVER w AS gateways
          FROM tree CROSS JOIN generate_series(d, today, interval '1 day') g
          LEFT JOIN delta x ON x.tenant_id = tree.id AND x.day = g::date
        WINDOW w AS (PARTITION BY tree.id ORDER BY g::date))
    SELECT p_account, p_account, grid.day, grid.id, grid.name, grid.kind, grid.msp_id, grid.msp_name,
           (grid.kind = 'company')::int, grid.agents, grid.probes, grid.gateways
      FROM grid
     WHERE grid.day = ANY (days) AND grid.added <= grid.day
       AND (grid.kind = 'company' OR grid.agents + grid.probes + grid.gateways > 0);
    INSERT INTO billing_days AS b (account_id, root_id, day, final, taken_at, tenants, agents, probes, gateways)
    SELECT p_account, p_account, t.day, t.day < today, now(), coalesce(sum(s.tenants), 0), coalesce(sum(s.agents), 0),
           coalesce(sum(s.probes), 0), coalesce(sum(s.gateways), 0)
      FROM unnest(days) t(day) LEFT JOIN billing_snapshots s ON s.account_id = p_account AND s.day = t.day
     GROUP BY t.day
    ON CONFLICT (account_id, day) DO UPDATE
       SET final = excluded.final, taken_at = excluded.taken_at, tenants = excluded.tenants,
           agents = excluded.agents, probes = excluded.probes, gateways = excluded.gateways;
    RETURN n;
END $$;
REVOKE ALL ON FUNCTION billing_snapshot_take(bigint) FROM PUBLIC;
