-- The status a person sees: a pending request past its expiry is expired.
CREATE OR REPLACE FUNCTION msp_request_status(r msp_requests) RETURNS text
LANGUAGE sql STABLE AS $$
    SELECT CASE WHEN r.status = 'pending' AND r.expires_at <= now() THEN 'expired' ELSE r.status END
$$;
GRANT EXECUTE ON FUNCTION msp_request_status(msp_requests) TO portal_app;
