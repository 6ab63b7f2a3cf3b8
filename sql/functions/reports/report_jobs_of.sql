-- The Reports page: the latest p_limit reports of one tenant the viewer may
-- see (report_job_visible()), newest first, with who asked, the schedule
-- that made it (its cadence; NULL: asked on the page) and its mails by
-- state.
-- requires: report_job_visible, app_user_id
CREATE OR REPLACE FUNCTION report_jobs_of(p_tenant bigint, p_limit int)
RETURNS TABLE (id bigint, kind text, paper text, period_from date, period_to date, state text, attempts int,
               requested_by text, mine boolean, created_at timestamptz, started_at timestamptz,
               finished_at timestamptz, next_try_at timestamptz, error text, pdf_bytes int, expires_at timestamptz,
               cadence text, mails_sent int, mails_queued int, mails_failed int)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT j.id, j.kind, j.paper, j.period_from, j.period_to, j.state, j.attempts,
           coalesce(u.name, u.email, 'deleted user'), j.requested_by IS NOT DISTINCT FROM app_user_id(),
           j.created_at, j.started_at, j.finished_at, j.next_try_at, j.error, j.pdf_bytes, j.expires_at,
           s.cadence, coalesce(m.sent, 0), coalesce(m.queued, 0), coalesce(m.failed, 0)
      FROM report_jobs j
      LEFT JOIN users u ON u.id = j.requested_by
      LEFT JOIN report_schedules s ON s.id = j.schedule_id
      LEFT JOIN LATERAL (SELECT (count(*) FILTER (WHERE o.status = 'sent'))::int AS sent,
                                (count(*) FILTER (WHERE o.status = 'queued'))::int AS queued,
                                (count(*) FILTER (WHERE o.status = 'failed'))::int AS failed
                           FROM mail_outbox o WHERE o.report_job_id = j.id) m ON j.schedule_id IS NOT NULL
     WHERE j.tenant_id = p_tenant AND report_job_visible(j.tenant_id, j.requested_by, j.kind)
     ORDER BY j.created_at DESC, j.id DESC
     LIMIT p_limit
$$;
REVOKE ALL ON FUNCTION report_jobs_of(bigint, int) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION report_jobs_of(bigint, int) TO portal_app;
