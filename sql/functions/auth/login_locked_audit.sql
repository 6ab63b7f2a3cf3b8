-- requires: audit_account
-- The audit row of a sign-in that waits: 'auth.locked' with the address as
-- typed (trimmed), the gate's scope and wait, and whether this attempt was
-- refused (true) or its failure started the wait (false).
CREATE OR REPLACE FUNCTION login_locked_audit(p_user bigint, p_email text, p_ip text, p_scope text,
                                              p_retry_seconds int, p_refused boolean)
RETURNS void
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT audit_account(p_user, 'auth.locked', p_ip,
                         jsonb_build_object('email', btrim(p_email), 'scope', p_scope,
                                            'retry_after', p_retry_seconds, 'refused', p_refused));
$$;
REVOKE ALL ON FUNCTION login_locked_audit(bigint, text, text, text, int, boolean) FROM PUBLIC;
