-- An adjustment to a closed month (ctl billing adjust): a line of its own
-- with a reason, added to the statement's total, audited in the account's
-- log. The frozen statement itself does not change. Its id; raises 22023
-- with what is wrong.
CREATE OR REPLACE FUNCTION billing_adjust(p_account bigint, p_month date, p_amount numeric, p_reason text)
RETURNS bigint
LANGUAGE plpgsql VOLATILE SET search_path = public, pg_temp AS $$
DECLARE
    id bigint;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM billing_statements s
                    WHERE s.account_id = p_account AND s.month = date_trunc('month', p_month)::date AND s.closed) THEN
        RAISE EXCEPTION 'Tenant % has no closed statement for %: adjust a closed month.', p_account,
            to_char(p_month, 'YYYY-MM') USING ERRCODE = '22023';
    END IF;
    IF p_amount IS NULL OR p_amount = 0 OR p_amount <> round(p_amount, 2) OR abs(p_amount) >= 1e12 THEN
        RAISE EXCEPTION 'An adjustment is an amount other than 0, with at most 2 decimals (negative for a credit).'
            USING ERRCODE = '22023';
    END IF;
    IF length(btrim(coalesce(p_reason, ''))) NOT BETWEEN 3 AND 500 THEN
        RAISE EXCEPTION 'Give the reason of the adjustment (3 to 500 characters).' USING ERRCODE = '22023';
    END IF;
    INSERT INTO billing_adjustments (account_id, root_id, month, amount, reason)
    VALUES (p_account, p_account, date_trunc('month', p_month)::date, p_amount, btrim(p_reason))
    RETURNING billing_adjustments.id INTO id;
    INSERT INTO audit_log (tenant_id, root_id, user_id, action, target, details)
    VALUES (p_account, p_account, NULL, 'billing.adjusted', to_char(p_month, 'YYYY-MM'),
            jsonb_build_object('amount', p_amount, 'reason', btrim(p_reason), 'by', 'operator'));
    PERFORM stats_touch(ARRAY[p_account]); -- the cached pages lapse (page_cache.c)
    RETURN id;
END $$;
REVOKE ALL ON FUNCTION billing_adjust(bigint, date, numeric, text) FROM PUBLIC;
