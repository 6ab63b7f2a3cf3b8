-- requires: identity_stamp
-- Who identity_keep() kept for this transaction and token p_token (the
-- token the transaction carries: app.token or app.api_key): the user, an
-- API key's tenant negated, or 0 for nobody; NULL when nothing was kept
-- for them (another token or transaction, or no identity kept on this
-- connection yet). The one reader of the two sequences, for app_user_id()
-- and app_api_tenant(). PL/pgSQL: the sequences' names in its expressions
-- are looked up once per connection, when the expression is planned, and
-- not at each call as to_regclass() would be; it is asked for only once
-- they exist.
CREATE OR REPLACE FUNCTION identity_kept(p_token text) RETURNS bigint
LANGUAGE plpgsql STABLE AS $$
BEGIN
    IF to_regclass('pg_temp.app_identity_stamp') IS NULL THEN
        RETURN NULL;   -- (a statement of its own: the name below is looked up when its statement is planned)
    END IF;
    IF pg_sequence_last_value('pg_temp.app_identity_stamp') IS DISTINCT FROM identity_stamp(p_token) THEN
        RETURN NULL;
    END IF;
    RETURN pg_sequence_last_value('pg_temp.app_identity_who');
END $$;
