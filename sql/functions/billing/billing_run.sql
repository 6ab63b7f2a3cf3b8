-- The billing job (the reporter runs it every BILLING_RUN_SECONDS; ctl
-- billing run does it now): for every billed account, take the days not
-- final yet (billing_snapshot_take()), close every month that has ended
-- in its time zone and is not closed (billing_statement_compute(), which
-- freezes it), and compute the month so far. Each account in its own
-- subtransaction, so one that fails leaves the others done. The days
-- taken in all.
-- requires: billing_snapshot_take, billing_statement_compute
CREATE OR REPLACE FUNCTION billing_run() RETURNS int
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp
SET max_parallel_workers_per_gather = 0 SET jit = off AS $$
DECLARE
    a billing_accounts;
    m date;
    today date;
    n int := 0;
    done bigint[] := '{}';
BEGIN
    FOR a IN SELECT * FROM billing_accounts ORDER BY tenant_id LOOP
        BEGIN
            n := n + billing_snapshot_take(a.tenant_id);
            today := (now() AT TIME ZONE a.time_zone)::date;
            FOR m IN SELECT g::date FROM generate_series(date_trunc('month', a.starts_on),
                                                         date_trunc('month', today) - interval '1 month',
                                                         interval '1 month') g
                      WHERE NOT EXISTS (SELECT 1 FROM billing_statements s
                                         WHERE s.account_id = a.tenant_id AND s.month = g::date AND s.closed)
                      ORDER BY 1 LOOP
                PERFORM billing_statement_compute(a.tenant_id, m, true);
            END LOOP;
            PERFORM billing_statement_compute(a.tenant_id, date_trunc('month', today)::date, false);
            done := done || a.tenant_id;
        EXCEPTION WHEN OTHERS THEN
            RAISE WARNING 'billing of account %: %', a.tenant_id, SQLERRM;
        END;
    END LOOP;
    -- The workers' cached Billing pages of those accounts lapse
    -- (page_cache.c); last, so the accounts' tenant_stats rows, which
    -- every ingest batch below them writes too, are locked only until
    -- the commit.
    PERFORM stats_touch(done);
    RETURN n;
END $$;
REVOKE ALL ON FUNCTION billing_run() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION billing_run() TO portal_reporter;
