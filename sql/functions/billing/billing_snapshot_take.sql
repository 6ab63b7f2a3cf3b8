-- Takes the daily snapshots of a billed account (docs/billing.md,
-- "Metering"): every day from its first billed day to today (in its time
-- zone) that is not final yet. A day is final once taken after it ended;
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
    n int := 0;
BEGIN
    PERFORM pg_advisory_xact_lock(hashtextextended('billing_snapshot_take', p_account));
    SELECT * INTO a FROM billing_accounts WHERE tenant_id = p_account;
    IF NOT FOUND THEN
        RETURN 0;
    END IF;
    today := (now() AT TIME ZONE a.time_zone)::date;
    FOR d IN SELECT g::date FROM generate_series(a.starts_on, today, interval '1 day') g
              WHERE NOT EXISTS (SELECT 1 FROM billing_days b
                                 WHERE b.account_id = p_account AND b.day = g::date AND b.final)
              ORDER BY 1 LOOP
        DELETE FROM billing_snapshots WHERE account_id = p_account AND day = d;
        INSERT INTO billing_snapshots (account_id, root_id, day, tenant_id, tenant_name, tenant_kind, msp_id,
                                       msp_name, tenants, agents, probes, gateways)
        SELECT p_account, p_account, d, t.id, t.name, t.kind,
               CASE WHEN t.kind = 'msp' THEN t.id WHEN p.kind = 'msp' THEN p.id END,
               CASE WHEN t.kind = 'msp' THEN t.name WHEN p.kind = 'msp' THEN p.name END,
               (t.kind = 'company')::int, coalesce(x.agents, 0), coalesce(x.probes, 0), coalesce(x.gateways, 0)
          FROM tenants t
          LEFT JOIN tenants p ON p.id = t.parent_id
          LEFT JOIN (SELECT s.tenant_id,
                            count(*) FILTER (WHERE s.kind = 'agent') AS agents,
                            count(*) FILTER (WHERE s.kind = 'probe') AS probes,
                            count(*) FILTER (WHERE s.kind = 'gateway') AS gateways
                       FROM assets s
                      WHERE s.root_id = p_account AND s.kind IN ('agent', 'probe', 'gateway')
                        AND (s.created_at AT TIME ZONE a.time_zone)::date <= d
                        AND s.last_seen_on > d - a.activity_days
                      GROUP BY s.tenant_id) x ON x.tenant_id = t.id
         WHERE t.root_id = p_account AND t.status = 'active'
           AND (t.created_at AT TIME ZONE a.time_zone)::date <= d
           AND (t.kind = 'company' OR x.tenant_id IS NOT NULL);
        INSERT INTO billing_days AS b (account_id, root_id, day, final, taken_at, tenants, agents, probes, gateways)
        SELECT p_account, p_account, d, d < today, now(), coalesce(sum(s.tenants), 0), coalesce(sum(s.agents), 0),
               coalesce(sum(s.probes), 0), coalesce(sum(s.gateways), 0)
          FROM billing_snapshots s WHERE s.account_id = p_account AND s.day = d
        ON CONFLICT (account_id, day) DO UPDATE
           SET final = excluded.final, taken_at = excluded.taken_at, tenants = excluded.tenants,
               agents = excluded.agents, probes = excluded.probes, gateways = excluded.gateways;
        n := n + 1;
    END LOOP;
    RETURN n;
END $$;
REVOKE ALL ON FUNCTION billing_snapshot_take(bigint) FROM PUBLIC;
