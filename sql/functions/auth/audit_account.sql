-- Audit rows of sign-in events (no tenant: they are the account's).
CREATE OR REPLACE FUNCTION audit_account(p_user bigint, p_action text, p_ip text, p_details jsonb) RETURNS void
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    INSERT INTO audit_log (user_id, action, ip, details) VALUES (p_user, p_action, left(p_ip, 64), p_details);
$$;
REVOKE ALL ON FUNCTION audit_account(bigint, text, text, jsonb) FROM PUBLIC;
