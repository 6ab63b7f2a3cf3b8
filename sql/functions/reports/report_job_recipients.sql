-- Where the reporter mails a scheduled report it just made (in the same
-- transaction as report_job_finish()): each recipient of its schedule,
-- how (attachment or link), and the file's size. No row: not scheduled.
CREATE OR REPLACE FUNCTION report_job_recipients(p_job bigint)
RETURNS TABLE (recipient text, delivery text, pdf_bytes int, expires_at text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT r, s.delivery, j.pdf_bytes, to_char(j.expires_at AT TIME ZONE 'UTC', 'YYYY-MM-DD')
      FROM report_jobs j JOIN report_schedules s ON s.id = j.schedule_id, unnest(s.recipients) r
     WHERE j.id = p_job AND j.state = 'done'
$$;
REVOKE ALL ON FUNCTION report_job_recipients(bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION report_job_recipients(bigint) TO portal_reporter;
