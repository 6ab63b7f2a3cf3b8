-- The reporter's outcome for its running job p_job: the PDF (done; kept
-- for the tenant's retention), or an error: queued again after a backoff
-- (p_backoff_seconds, doubling per attempt, at most an hour), failed for
-- good once p_max_attempts are spent. The job's state after, or NULL when
-- it was no longer running (its lease ended and another reporter took it).
-- requires: report_retention_days
CREATE OR REPLACE FUNCTION report_job_finish(p_job bigint, p_pdf bytea, p_error text, p_max_attempts int,
                                             p_backoff_seconds int) RETURNS text
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    UPDATE report_jobs j
       SET state = CASE WHEN p_pdf IS NOT NULL THEN 'done'
                        WHEN j.attempts >= p_max_attempts THEN 'failed' ELSE 'queued' END,
           pdf = p_pdf, pdf_bytes = octet_length(p_pdf), lease_until = NULL,
           error = CASE WHEN p_pdf IS NULL THEN left(coalesce(p_error, 'failed'), 500) END,
           finished_at = CASE WHEN p_pdf IS NOT NULL OR j.attempts >= p_max_attempts THEN now() END,
           expires_at = CASE WHEN p_pdf IS NOT NULL
                             THEN now() + make_interval(days => report_retention_days(j.tenant_id)) END,
           next_try_at = CASE WHEN p_pdf IS NULL
                              THEN now() + make_interval(secs => least(3600, p_backoff_seconds * power(2, j.attempts - 1)))
                              ELSE j.next_try_at END
     WHERE j.id = p_job AND j.state = 'running'
    RETURNING j.state
$$;
REVOKE ALL ON FUNCTION report_job_finish(bigint, bytea, text, int, int) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION report_job_finish(bigint, bytea, text, int, int) TO portal_reporter;
