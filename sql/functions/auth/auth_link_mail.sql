-- Queue the email of a pending link: every '@@link-token@@' in its text and
-- HTML becomes the token, the recipient is the account's address, and the
-- token leaves token_pending. False when the link is not pending.
CREATE OR REPLACE FUNCTION auth_link_mail(p_link bigint, p_subject text, p_text text, p_html text) RETURNS boolean
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    t text;
    addr text;
BEGIN
    UPDATE password_resets r SET token_pending = NULL
      FROM password_resets o
     WHERE r.id = p_link AND o.id = r.id AND r.token_pending IS NOT NULL
    RETURNING o.token_pending INTO t;
    IF t IS NULL THEN
        RETURN false;
    END IF;
    SELECT u.email INTO addr FROM password_resets r JOIN users u ON u.id = r.user_id WHERE r.id = p_link;
    INSERT INTO mail_outbox (tenant_id, root_id, to_addr, subject, body_text, body_html)
    VALUES (NULL, NULL, addr, p_subject, replace(p_text, '@@link-token@@', t), replace(p_html, '@@link-token@@', t));
    RETURN true;
END $$;
REVOKE ALL ON FUNCTION auth_link_mail(bigint, text, text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION auth_link_mail(bigint, text, text, text) TO portal_app;
