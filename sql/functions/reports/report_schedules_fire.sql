-- The reporter's clock (docs/reports.md, "Schedules"): each schedule that
-- is due gets the job of the period just ended (the previous calendar
-- month, or Monday to Sunday), as its maker, and its next run. Exactly
-- once per schedule and period however many reporters run: a due row is
-- taken FOR UPDATE SKIP LOCKED and the job is unique per schedule and
-- period. After an outage only the latest period is made. A billing
-- statement's job is due once its month has ended where the account
-- counts its days. How many jobs.
-- requires: report_next_run
CREATE OR REPLACE FUNCTION report_schedules_fire() RETURNS int
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    s report_schedules;
    run timestamptz;
    f date;
    k int;
    n int := 0;
BEGIN
    FOR s IN SELECT * FROM report_schedules WHERE next_run_at <= now()
              ORDER BY next_run_at LIMIT 50 FOR UPDATE SKIP LOCKED LOOP
        -- the latest run due: an outage of several periods makes one report
        run := s.next_run_at;
        WHILE report_next_run(s.cadence, run) <= now() LOOP
            run := report_next_run(s.cadence, run);
        END LOOP;
        f := CASE s.cadence WHEN 'monthly' THEN (date_trunc('month', run AT TIME ZONE 'UTC') - interval '1 month')::date
                            ELSE (date_trunc('week', run AT TIME ZONE 'UTC'))::date - 7 END;
        -- A billing statement waits for its month to end in the account's
        -- time zone (06:00 there on the 1st), when the reporter closes it.
        INSERT INTO report_jobs (tenant_id, root_id, requested_by, kind, paper, period_from, period_to, schedule_id,
                                 next_try_at)
        VALUES (s.tenant_id, s.root_id, s.created_by, s.kind, s.paper, f,
                CASE s.cadence WHEN 'monthly' THEN (date_trunc('month', run AT TIME ZONE 'UTC'))::date - 1
                               ELSE f + 6 END, s.id,
                CASE WHEN s.kind = 'billing'
                     THEN greatest(now(), ((f + interval '1 month' + interval '6 hours')
                                           AT TIME ZONE coalesce((SELECT a.time_zone FROM billing_accounts a
                                                                   WHERE a.tenant_id = s.tenant_id), 'UTC')))
                     ELSE now() END)
        ON CONFLICT (schedule_id, period_from) WHERE schedule_id IS NOT NULL DO NOTHING;
        GET DIAGNOSTICS k = ROW_COUNT;
        n := n + k;
        UPDATE report_schedules SET next_run_at = report_next_run(s.cadence, run) WHERE id = s.id;
    END LOOP;
    RETURN n;
END $$;
REVOKE ALL ON FUNCTION report_schedules_fire() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION report_schedules_fire() TO portal_reporter;
