-- A request that is over (decided, cancelled, sent again) asks nobody any
-- more: its "Approve or reject" notifications are read, for every person
-- they went to, so the bells follow. Called by the functions that end a
-- request, as their owner.
CREATE OR REPLACE FUNCTION request_asks_settle(p_request bigint) RETURNS void
LANGUAGE sql VOLATILE SET search_path = public, pg_temp AS $$
    UPDATE notifications SET read_at = now()
     WHERE request_id = p_request AND kind = 'msp_request' AND read_at IS NULL;
$$;
REVOKE ALL ON FUNCTION request_asks_settle(bigint) FROM PUBLIC;
