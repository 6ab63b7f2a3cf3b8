-- Ring the bell of those people.
-- requires: request_people
CREATE OR REPLACE FUNCTION notify_request(p_request bigint, p_side text, p_kind text, p_title text, p_body text, p_link text)
RETURNS int
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    WITH r AS (
        INSERT INTO notifications (user_id, tenant_id, root_id, kind, title, body, link, request_id)
        SELECT p.user_id, p.tenant_id, t.root_id, p_kind, left(p_title, 200), left(p_body, 2000), p_link, p_request
          FROM request_people(p_request, p_side) p JOIN tenants t ON t.id = p.tenant_id
        RETURNING 1)
    SELECT count(*)::int FROM r
$$;
REVOKE ALL ON FUNCTION notify_request(bigint, text, text, text, text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION notify_request(bigint, text, text, text, text, text) TO portal_app;
