-- A report's file by the token of its mailed link (GET /reports/link/
-- {token}, no session: the link is the key), while the link lasts and the
-- report is kept. No row: no such link, or it ended.
-- requires: token_digest, token_shaped
CREATE OR REPLACE FUNCTION report_link_file(p_token text)
RETURNS TABLE (pdf bytea, kind text, period_from date, period_to date, tenant_id bigint)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT j.pdf, j.kind, j.period_from, j.period_to, j.tenant_id
      FROM report_links l JOIN report_jobs j ON j.id = l.job_id
     WHERE token_shaped(p_token) AND l.token_hash = token_digest(p_token)
       AND l.expires_at > now() AND j.state = 'done'
$$;
REVOKE ALL ON FUNCTION report_link_file(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION report_link_file(text) TO portal_app;
