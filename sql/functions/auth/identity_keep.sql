-- requires: identity_stamp
-- Keep who this transaction is, for the rest of it and while it carries
-- the token it was identified by: the one writer of the connection's two
-- temporary sequences, pg_temp.app_identity_stamp (identity_stamp() of the
-- transaction and token) and pg_temp.app_identity_who (the user; an API
-- key's tenant negated; 0 for nobody). The owner makes and sets them, the
-- app role may only read them, and may not make temporary objects of its
-- own to stand in for them (sql/052). Sequences, not a row: setval() on a
-- temporary sequence is not transactional and takes no transaction id, so
-- a request that only reads writes nothing. A row updated in every
-- transaction took an XID for each page view, and so brought every
-- table's anti-wraparound VACUUM closer (docs/performance.md, "Session
-- 31"). Called by the owner's functions (app_identify, api_key_auth,
-- report_job_identify), as their owner: no role may call it itself. A hot
-- standby (the read replica) can keep nothing: there app_user_id() asks
-- identity_of() at each use instead. identity_kept() is the one reader.
CREATE OR REPLACE FUNCTION identity_keep(p_token text, p_user bigint, p_api_tenant bigint) RETURNS void
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    v bigint;
BEGIN
    IF pg_is_in_recovery() THEN
        RETURN;
    END IF;
    IF to_regclass('pg_temp.app_identity_stamp') IS NULL THEN
        CREATE TEMP SEQUENCE IF NOT EXISTS app_identity_stamp MINVALUE -9223372036854775808;
        CREATE TEMP SEQUENCE IF NOT EXISTS app_identity_who MINVALUE -9223372036854775808;
        GRANT SELECT ON SEQUENCE pg_temp.app_identity_stamp, pg_temp.app_identity_who TO portal_app;
    END IF;
    -- Assigned, not PERFORMed: an assignment is a simple expression,
    -- evaluated without going through SPI.
    v := setval('pg_temp.app_identity_who', coalesce(p_user, -p_api_tenant, 0));
    v := setval('pg_temp.app_identity_stamp', identity_stamp(p_token));
END $$;
REVOKE ALL ON FUNCTION identity_keep(text, bigint, bigint) FROM PUBLIC;
