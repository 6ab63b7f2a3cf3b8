-- Queue a made report's mail to p_to (rendered by the reporter with the
-- tenant's brand): the PDF attached (p_attach), or a signed link: every
-- '@@link-token@@' in the text and HTML becomes a new token whose digest
-- opens the file until the report expires (report_link_file()). Within
-- the portal's mail limit for reports (500 a day per tenant); false past it.
-- requires: mail_limit_take, random_token, token_digest
CREATE OR REPLACE FUNCTION report_mail_queue(p_job bigint, p_to text, p_subject text, p_text text, p_html text,
                                             p_attach boolean) RETURNS boolean
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    j report_jobs;
    t text;
BEGIN
    SELECT * INTO j FROM report_jobs WHERE id = p_job AND state = 'done';
    IF NOT FOUND OR NOT mail_limit_take('report-mail:' || j.tenant_id, 500, interval '1 day') THEN
        RETURN false;
    END IF;
    IF p_attach THEN
        INSERT INTO mail_outbox (tenant_id, root_id, to_addr, subject, body_text, body_html, report_job_id,
                                 attachment_name, attachment)
        VALUES (j.tenant_id, j.root_id, p_to, p_subject, p_text, p_html, j.id,
                CASE j.kind WHEN 'billing' THEN 'billing-statement-' ELSE j.kind || '-report-' END || j.period_from || '-' || j.period_to || '.pdf', j.pdf);
    ELSE
        t := random_token();
        INSERT INTO report_links (token_hash, job_id, tenant_id, root_id, recipient, expires_at)
        VALUES (token_digest(t), j.id, j.tenant_id, j.root_id, p_to, j.expires_at);
        INSERT INTO mail_outbox (tenant_id, root_id, to_addr, subject, body_text, body_html, report_job_id)
        VALUES (j.tenant_id, j.root_id, p_to, p_subject, replace(p_text, '@@link-token@@', t),
                replace(p_html, '@@link-token@@', t), j.id);
    END IF;
    RETURN true;
END $$;
REVOKE ALL ON FUNCTION report_mail_queue(bigint, text, text, text, text, boolean) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION report_mail_queue(bigint, text, text, text, text, boolean) TO portal_reporter;
