-- Queue message p_id of p_tenant's subtree for another delivery now: status
-- 'queued', next_attempt_at now(), attempts reset to 0 (a fresh series of
-- MAILER_MAX_ATTEMPTS tries); last_error is kept until the next attempt.
-- Outcome: 'retried' (with the attempts it had), 'sent' (already
-- delivered: nothing changes), 'busy' (a mailer is sending it right now),
-- or 'not_found' (no such message in a subtree the caller may see).
CREATE OR REPLACE FUNCTION mail_retry(p_tenant bigint, p_id bigint)
RETURNS TABLE (outcome text, old_status text, old_attempts int, to_addr text)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
#variable_conflict use_column
DECLARE
    o mail_outbox%ROWTYPE;
BEGIN
    IF p_tenant IS NULL OR NOT tenant_visible(p_tenant) THEN
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
