-- The reporter takes the next job due (docs/reports.md, "Reports page and
-- jobs"): a queued one whose time has come, or a running one whose
-- reporter stopped renewing its lease (it died); at most one reporter has
-- a job at a time (FOR UPDATE SKIP LOCKED, then the state). Each claim is
-- an attempt; a job past p_max_attempts is not taken (report_jobs_expire()
-- fails it). cadence: its schedule's, NULL when asked on the page. No
-- row: nothing is due.
CREATE OR REPLACE FUNCTION report_job_claim(p_lease_seconds int, p_max_attempts int)
RETURNS TABLE (id bigint, tenant_id bigint, kind text, paper text, period_from date, period_to date, attempts int,
               cadence text)
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    UPDATE report_jobs j
       SET state = 'running', attempts = j.attempts + 1, started_at = now(),
           lease_until = now() + make_interval(secs => p_lease_seconds)
     WHERE j.id = (SELECT d.id FROM report_jobs d
                    WHERE ((d.state = 'queued' AND d.next_try_at <= now())
                           OR (d.state = 'running' AND d.lease_until < now()))
                      AND d.attempts < p_max_attempts
                    ORDER BY d.next_try_at, d.id LIMIT 1 FOR UPDATE SKIP LOCKED)
    RETURNING j.id, j.tenant_id, j.kind, j.paper, j.period_from, j.period_to, j.attempts,
              (SELECT s.cadence FROM report_schedules s WHERE s.id = j.schedule_id)
$$;
REVOKE ALL ON FUNCTION report_job_claim(int, int) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION report_job_claim(int, int) TO portal_reporter;
