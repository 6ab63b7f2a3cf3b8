-- 056_pending_requests.sql - an MSSP's dashboard lists its pending requests to MSPs first in its MSPs
-- table (dashboard_overview()): read through this index, the cost is the
-- pending requests, not every request the MSSP ever sent.
CREATE INDEX msp_requests_pending_mssp ON msp_requests (mssp_id, created_at DESC, id DESC) WHERE status = 'pending';
