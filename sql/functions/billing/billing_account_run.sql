-- One billed account's turn of the billing job (billing_run(); also a
-- billing statement's report when its month has ended and is not closed
-- yet, billing_document(), and the end of an account,
-- billing_account_end()): take the days not final yet
-- (billing_snapshot_take()), close every month that has ended in its time
-- zone, or with the account (ends_on), and is not closed
-- (billing_statement_compute(), which freezes it), and compute the month
-- so far while the account lasts. The days taken.
-- requires: billing_snapshot_take, billing_statement_compute
CREATE OR REPLACE FUNCTION billing_account_run(p_account bigint) RETURNS int
LANGUAGE plpgsql VOLATILE SET search_path = public, pg_temp SET jit = off AS $$
DECLARE
    a billing_accounts;
    m date;
    today date;
    n int;
BEGIN
    n := billing_snapshot_take(p_account);
    SELECT * INTO a FROM billing_accounts WHERE tenant_id = p_account;
    IF NOT FOUND THEN
        RETURN n;
    END IF;
    today := (now() AT TIME ZONE a.time_zone)::date;
    FOR m IN SELECT g::date FROM generate_series(date_trunc('month', a.starts_on),
                                                 date_trunc('month', least(today, a.ends_on)), interval '1 month') g
              WHERE NOT EXISTS (SELECT 1 FROM billing_statements s
                                 WHERE s.account_id = p_account AND s.month = g::date AND s.closed)
              ORDER BY 1 LOOP
        -- ended: the month is over, or the account is (ends_on before today)
        PERFORM billing_statement_compute(p_account, m,
                                          (m + interval '1 month')::date <= today OR coalesce(a.ends_on < today, false));
    END LOOP;
    RETURN n;
END $$;
REVOKE ALL ON FUNCTION billing_account_run(bigint) FROM PUBLIC;
