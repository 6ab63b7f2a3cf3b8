-- The address an emailed request link was sent to, for whoever holds the
-- link but is signed in as someone the request is not for: the page shows
-- it masked, and offers to sign in as that account. NULL: no such link.
CREATE OR REPLACE FUNCTION msp_request_addressee(p_token_hash text) RETURNS text
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT q.email FROM msp_requests q WHERE q.token_hash = p_token_hash
$$;
REVOKE ALL ON FUNCTION msp_request_addressee(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION msp_request_addressee(text) TO portal_app;
