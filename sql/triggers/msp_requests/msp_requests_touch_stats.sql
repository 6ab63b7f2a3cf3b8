-- The triggers on msp_requests that run msp_requests_touch_stats().
-- requires: msp_requests_touch_stats
CREATE OR REPLACE TRIGGER msp_requests_touch_stats AFTER INSERT OR UPDATE ON msp_requests
    FOR EACH ROW EXECUTE FUNCTION msp_requests_touch_stats();
