-- The stamp of an identity kept for this transaction and token
-- (identity_keep()): the token hashed with the transaction's start (now(),
-- in microseconds). Both, because a multi-statement query runs its
-- transactions at one now(): the token, set for its transaction only
-- (set_config(..., true)), is gone from the next. The app role knows the
-- tokens it serves, so a stamp it could match is one it could have had
-- by asking app_identify() itself.
CREATE OR REPLACE FUNCTION identity_stamp(p_token text) RETURNS bigint
LANGUAGE sql STABLE AS $$
    SELECT hashtextextended(coalesce(p_token, ''), (extract(epoch FROM now()) * 1000000)::bigint)
$$;
