-- The operator bills a top-level tenant (an MSSP or a standalone MSP) on
-- a price book (ctl billing assign): its days and months are counted in
-- p_time_zone, an asset counts while it reported in the last
-- p_activity_days days, and days are billed from p_starts_on (the
-- snapshots fill in the days since from the data). Assigned again, the
-- new book, zone and window apply to the days and months still open.
-- Raises 22023 with what is wrong.
CREATE OR REPLACE FUNCTION billing_assign(p_tenant bigint, p_book text, p_time_zone text, p_activity_days int,
                                          p_starts_on date) RETURNS void
LANGUAGE plpgsql VOLATILE SET search_path = public, pg_temp AS $$
DECLARE
    t tenants;
    book bigint;
BEGIN
    SELECT * INTO t FROM tenants WHERE id = p_tenant;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'No tenant %.', p_tenant USING ERRCODE = '22023';
    END IF;
    IF t.parent_id IS NOT NULL THEN
        RAISE EXCEPTION '% is billed through the account above it: bill its top-level tenant (%).', t.name, t.root_id
            USING ERRCODE = '22023';
    END IF;
    SELECT id INTO book FROM price_books WHERE name = btrim(p_book);
    IF book IS NULL THEN
        RAISE EXCEPTION 'No price book called "%" (ctl billing books lists them).', p_book USING ERRCODE = '22023';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_timezone_names WHERE name = p_time_zone) THEN
        RAISE EXCEPTION 'Unknown time zone "%": use a name such as UTC or Europe/Berlin.', p_time_zone USING ERRCODE = '22023';
    END IF;
    IF p_activity_days IS NULL OR p_activity_days NOT BETWEEN 1 AND 365 THEN
        RAISE EXCEPTION 'The activity window is 1 to 365 days.' USING ERRCODE = '22023';
    END IF;
    p_starts_on := coalesce(p_starts_on, date_trunc('month', now() AT TIME ZONE p_time_zone)::date);
    IF p_starts_on > (now() AT TIME ZONE p_time_zone)::date + 366
       OR p_starts_on < (now() AT TIME ZONE p_time_zone)::date - 366 THEN
        RAISE EXCEPTION 'Billing starts within a year of today.' USING ERRCODE = '22023';
    END IF;
    IF EXISTS (SELECT 1 FROM billing_statements s WHERE s.account_id = p_tenant AND s.closed
                  AND p_starts_on <> (SELECT a.starts_on FROM billing_accounts a WHERE a.tenant_id = p_tenant)) THEN
        RAISE EXCEPTION '% has closed months: its first billed day stays as it is.', t.name USING ERRCODE = '22023';
    END IF;
    INSERT INTO billing_accounts AS a (tenant_id, root_id, book_id, time_zone, activity_days, starts_on)
    VALUES (p_tenant, p_tenant, book, p_time_zone, p_activity_days, p_starts_on)
    ON CONFLICT (tenant_id) DO UPDATE
       SET book_id = excluded.book_id, time_zone = excluded.time_zone, activity_days = excluded.activity_days,
           starts_on = excluded.starts_on, assigned_at = now();
    -- Open days are taken again with the new settings.
    DELETE FROM billing_days d WHERE d.account_id = p_tenant
       AND d.day >= coalesce((SELECT max(s.month) + interval '1 month' FROM billing_statements s
                               WHERE s.account_id = p_tenant AND s.closed), '-infinity');
    DELETE FROM billing_snapshots d WHERE d.account_id = p_tenant
       AND (d.day < p_starts_on OR NOT EXISTS (SELECT 1 FROM billing_days x WHERE x.account_id = p_tenant AND x.day = d.day));
    DELETE FROM billing_statements s WHERE s.account_id = p_tenant AND NOT s.closed;
    PERFORM stats_touch(ARRAY[p_tenant]); -- the cached pages lapse (page_cache.c)
    INSERT INTO audit_log (tenant_id, root_id, user_id, action, target, details)
    VALUES (p_tenant, p_tenant, NULL, 'billing.assigned', t.name,
            jsonb_build_object('book', btrim(p_book), 'time_zone', p_time_zone, 'activity_days', p_activity_days,
                               'starts_on', p_starts_on, 'by', 'operator'));
END $$;
REVOKE ALL ON FUNCTION billing_assign(bigint, text, text, int, date) FROM PUBLIC;
