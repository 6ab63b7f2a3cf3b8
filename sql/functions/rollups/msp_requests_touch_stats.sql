-- The MSPs table shows each MSP's latest request.
CREATE OR REPLACE FUNCTION msp_requests_touch_stats() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    PERFORM stats_touch(ARRAY[NEW.mssp_id]);
    RETURN NULL;
END $$;
REVOKE ALL ON FUNCTION msp_requests_touch_stats() FROM PUBLIC;
