-- A standalone MSP billed on its own joins an MSSP (msp_request_decide(),
-- before its tree moves; docs/billing.md, "When a billed MSP joins an
-- MSSP"): from today it is billed through the MSSP, so its own account
-- ends yesterday (in its time zone). Its days are taken while its tree is
-- still its own, the days after the end are dropped, and every month up
-- to the end is closed, the last one prorated to its days. An account
-- that had not begun before today goes, with nothing billed.
-- requires: billing_snapshot_take, billing_account_run, stats_touch
CREATE OR REPLACE FUNCTION billing_account_end(p_account bigint) RETURNS void
LANGUAGE plpgsql VOLATILE SET search_path = public, pg_temp AS $$
DECLARE
    a billing_accounts;
    today date;
BEGIN
    SELECT * INTO a FROM billing_accounts WHERE tenant_id = p_account FOR UPDATE;
    IF NOT FOUND OR a.ends_on IS NOT NULL THEN
        RETURN;
    END IF;
    today := (now() AT TIME ZONE a.time_zone)::date;
    IF a.starts_on >= today THEN
        DELETE FROM billing_accounts WHERE tenant_id = p_account;
        RETURN;
    END IF;
    PERFORM billing_snapshot_take(p_account);
    UPDATE billing_accounts SET ends_on = today - 1 WHERE tenant_id = p_account;
    DELETE FROM billing_snapshots WHERE account_id = p_account AND day >= today;
    DELETE FROM billing_days WHERE account_id = p_account AND day >= today;
    -- a month so far that begins after the end (the end is the 1st's eve)
    DELETE FROM billing_breakdown WHERE account_id = p_account AND month >= today;
    DELETE FROM billing_statements WHERE account_id = p_account AND month >= today AND NOT closed;
    PERFORM billing_account_run(p_account);
    PERFORM stats_touch(ARRAY[p_account]);
END $$;
REVOKE ALL ON FUNCTION billing_account_end(bigint) FROM PUBLIC;
