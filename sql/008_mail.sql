-- 008_mail.sql - the failed-mail admin page: listing and retrying outbox
-- messages of a tenant's subtree.
--
-- The app role may only INSERT into mail_outbox (001); reading and
-- rescheduling go through these two functions, which check that the tenant
-- is visible to the caller and that the message belongs to its subtree.
-- Messages without a tenant (tenant_id NULL: sign-in and password mail of
-- no particular tenant) appear on no tenant's page. The caller has already
-- checked the `settings` permission.

CREATE INDEX mail_outbox_tenant_created ON mail_outbox (tenant_id, created_at DESC);

-- Messages of p_tenant and everything below it with status p_status
-- ('queued', 'sent' or 'failed'), newest first, with the total count.
CREATE FUNCTION mail_messages(p_tenant bigint, p_status text, p_limit int, p_offset int)
RETURNS TABLE (id bigint, created_at timestamptz, tenant_id bigint, tenant_name text, to_addr text,
               subject text, status text, attempts int, last_error text, next_attempt_at timestamptz,
               sent_at timestamptz, total bigint)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT o.id, o.created_at, o.tenant_id, t.name, o.to_addr, o.subject, o.status, o.attempts, o.last_error,
           o.next_attempt_at, o.sent_at, count(*) OVER ()
      FROM mail_outbox o JOIN tenants t ON t.id = o.tenant_id
     WHERE p_tenant = ANY (t.ancestors) AND p_tenant IN (SELECT visible_tenant_ids())
       AND o.status = p_status
     ORDER BY o.created_at DESC, o.id DESC
     LIMIT p_limit OFFSET p_offset
$$;
REVOKE ALL ON FUNCTION mail_messages(bigint, text, int, int) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION mail_messages(bigint, text, int, int) TO portal_app;

-- Queue message p_id of p_tenant's subtree for another delivery now: status
-- 'queued', next_attempt_at now(), attempts reset to 0 (a fresh series of
-- MAILER_MAX_ATTEMPTS tries); last_error is kept until the next attempt.
-- Outcome: 'retried' (with the attempts it had), 'sent' (already
-- delivered: nothing changes), 'busy' (a mailer is sending it right now),
-- or 'not_found' (no such message in a subtree the caller may see).
CREATE FUNCTION mail_retry(p_tenant bigint, p_id bigint)
RETURNS TABLE (outcome text, old_status text, old_attempts int, to_addr text)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
#variable_conflict use_column
DECLARE
    o mail_outbox%ROWTYPE;
BEGIN
    IF p_tenant IS NULL OR p_tenant NOT IN (SELECT visible_tenant_ids()) THEN
        RETURN QUERY SELECT 'not_found'::text, NULL::text, NULL::int, NULL::text;
        RETURN;
    END IF;
    PERFORM 1 FROM mail_outbox m JOIN tenants t ON t.id = m.tenant_id
      WHERE m.id = p_id AND p_tenant = ANY (t.ancestors);
    IF NOT FOUND THEN
        RETURN QUERY SELECT 'not_found'::text, NULL::text, NULL::int, NULL::text;
        RETURN;
    END IF;
    -- The mailer holds the row lock while it sends: do not wait for it.
    SELECT m.* INTO o FROM mail_outbox m WHERE m.id = p_id FOR UPDATE SKIP LOCKED;
    IF NOT FOUND THEN
        RETURN QUERY SELECT 'busy'::text, NULL::text, NULL::int, NULL::text;
        RETURN;
    END IF;
    IF o.status = 'sent' THEN
        RETURN QUERY SELECT 'sent'::text, o.status, o.attempts, o.to_addr;
        RETURN;
    END IF;
    UPDATE mail_outbox SET status = 'queued', next_attempt_at = now(), attempts = 0 WHERE id = p_id;
    RETURN QUERY SELECT 'retried'::text, o.status, o.attempts, o.to_addr;
END $$;
REVOKE ALL ON FUNCTION mail_retry(bigint, bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION mail_retry(bigint, bigint) TO portal_app;
