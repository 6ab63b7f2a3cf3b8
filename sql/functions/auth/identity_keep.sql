-- Keep what a token was found to be, for this transaction: the one writer
-- of pg_temp.app_identity (one statement when the table exists). Called by the owner's functions (app_identify,
-- api_key_auth), as their owner: no role may call it itself. A hot
-- standby (the read replica) can keep nothing: there app_user_id() asks
-- identity_of() at each use instead.
CREATE OR REPLACE FUNCTION identity_keep(p_token text, p_user bigint, p_api_tenant bigint) RETURNS void
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    IF pg_is_in_recovery() THEN
        RETURN;
    END IF;
    IF to_regclass('pg_temp.app_identity') IS NULL THEN
        CREATE TEMP TABLE app_identity (at timestamptz NOT NULL, token text NOT NULL, user_id bigint,
                                        api_tenant bigint);
        GRANT SELECT ON pg_temp.app_identity TO portal_app;
        INSERT INTO pg_temp.app_identity VALUES ('-infinity', '', NULL, NULL);
    END IF;
    UPDATE pg_temp.app_identity SET at = now(), token = p_token, user_id = p_user, api_tenant = p_api_tenant;
END $$;
REVOKE ALL ON FUNCTION identity_keep(text, bigint, bigint) FROM PUBLIC;
