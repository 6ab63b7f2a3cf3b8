-- The billing job (the reporter runs it every BILLING_RUN_SECONDS; ctl
-- billing run does it now): every billed account's turn
-- (billing_account_run()), each in its own subtransaction, so one that
-- fails leaves the others done; an account that has ended and whose last
-- month is closed is left alone. The days taken in all.
-- requires: billing_account_run, stats_touch
CREATE OR REPLACE FUNCTION billing_run() RETURNS int
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp
SET max_parallel_workers_per_gather = 0 SET jit = off AS $$
DECLARE
    a billing_accounts;
    n int := 0;
    done bigint[] := '{}';
BEGIN
    FOR a IN SELECT * FROM billing_accounts b
              WHERE b.ends_on IS NULL
                 OR NOT EXISTS (SELECT 1 FROM billing_statements s WHERE s.account_id = b.tenant_id
                                   AND s.month = date_trunc('month', b.ends_on)::date AND s.closed)
              ORDER BY b.tenant_id LOOP
        BEGIN
            n := n + billing_account_run(a.tenant_id);
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
