-- Messages of p_tenant and everything below it with status p_status
-- ('queued', 'sent' or 'failed'), newest first, with the total count.
-- requires: tenant_visible
CREATE OR REPLACE FUNCTION mail_messages(p_tenant bigint, p_status text, p_limit int, p_offset int)
RETURNS TABLE (id bigint, created_at timestamptz, tenant_id bigint, tenant_name text, to_addr text,
               subject text, status text, attempts int, last_error text, next_attempt_at timestamptz,
               sent_at timestamptz, total bigint)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT o.id, o.created_at, o.tenant_id, t.name, o.to_addr, o.subject, o.status, o.attempts, o.last_error,
           o.next_attempt_at, o.sent_at, count(*) OVER ()
      FROM mail_outbox o JOIN tenants t ON t.id = o.tenant_id
     WHERE p_tenant = ANY (t.ancestors) AND (SELECT tenant_visible(p_tenant))
       AND o.status = p_status
     ORDER BY o.created_at DESC, o.id DESC
     LIMIT p_limit OFFSET p_offset
$$;
REVOKE ALL ON FUNCTION mail_messages(bigint, text, int, int) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION mail_messages(bigint, text, int, int) TO portal_app;
