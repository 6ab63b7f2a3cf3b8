-- The reporter's housekeeping: the files of reports past their retention
-- are dropped (the job stays, listed as expired), and a job whose last
-- attempt's reporter died is failed. How many rows changed.
CREATE OR REPLACE FUNCTION report_jobs_expire(p_max_attempts int) RETURNS int
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    a int;
    b int;
BEGIN
    UPDATE report_jobs SET state = 'expired', pdf = NULL
     WHERE state = 'done' AND expires_at <= now();
    GET DIAGNOSTICS a = ROW_COUNT;
    UPDATE report_jobs SET state = 'failed', finished_at = now(), lease_until = NULL,
           error = coalesce(error, 'the reporter stopped while making it')
     WHERE state = 'running' AND lease_until < now() AND attempts >= p_max_attempts;
    GET DIAGNOSTICS b = ROW_COUNT;
    RETURN a + b;
END $$;
REVOKE ALL ON FUNCTION report_jobs_expire(int) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION report_jobs_expire(int) TO portal_reporter;
