-- For the rest of the transaction, the reporter acts as the person who
-- asked for its running job p_job: app_user_id() is theirs, so the report
-- holds what they may see now, as their page would (Row-Level Security
-- and report_executive()'s scope). Their id, or NULL when the job is not
-- running or they are gone or disabled (the report then fails).
-- requires: identity_keep
CREATE OR REPLACE FUNCTION report_job_identify(p_job bigint) RETURNS bigint
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    uid bigint;
    tok text := 'report-job:' || p_job;
BEGIN
    SELECT u.id INTO uid FROM report_jobs j JOIN users u ON u.id = j.requested_by
     WHERE j.id = p_job AND j.state = 'running' AND u.status = 'active';
    PERFORM set_config('app.token', tok, true);
    PERFORM identity_keep(tok, uid, NULL);
    RETURN uid;
END $$;
REVOKE ALL ON FUNCTION report_job_identify(bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION report_job_identify(bigint) TO portal_reporter;
