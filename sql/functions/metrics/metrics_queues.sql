-- The queues GET /metrics shows (cgi/pages/health.c), as rows of the
-- Prometheus text format: (metric name, help, type, labels, value). Counts
-- only, nothing of any tenant's; each read through a partial index (the
-- queued and failed mail, the reports waiting or being made), so the cost
-- is the queues' length, never the history's.
CREATE OR REPLACE FUNCTION metrics_queues()
RETURNS TABLE (name text, help text, type text, labels text, value double precision)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    RETURN QUERY
    SELECT 'portal_mail_outbox', 'Messages in the mail outbox, by status (queued: waiting to be sent or retried)',
           'gauge', '{status="queued"}', (SELECT count(*) FROM mail_outbox WHERE status = 'queued')::float8
    UNION ALL
    SELECT 'portal_mail_outbox', NULL, NULL, '{status="failed"}',
           (SELECT count(*) FROM mail_outbox WHERE status = 'failed')::float8
    UNION ALL
    SELECT 'portal_mail_outbox_oldest_seconds', 'Age of the oldest message waiting to be sent (0: none)', 'gauge', '',
           coalesce((SELECT extract(epoch FROM now() - min(created_at)) FROM mail_outbox WHERE status = 'queued'), 0)
    UNION ALL
    SELECT 'portal_report_jobs', 'Reports waiting to be made or being made, by state', 'gauge', '{state="queued"}',
           (SELECT count(*) FROM report_jobs WHERE state = 'queued')::float8
    UNION ALL
    SELECT 'portal_report_jobs', NULL, NULL, '{state="running"}',
           (SELECT count(*) FROM report_jobs WHERE state = 'running')::float8;
END $$;
REVOKE ALL ON FUNCTION metrics_queues() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION metrics_queues() TO portal_app;
