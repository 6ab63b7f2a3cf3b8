-- 053_notification_request.sql - a notification knows the request it is
-- about (issue 22, the bell).
--
-- "Approve or reject, with a reason" stayed in every recipient's bell after
-- the request was decided, cancelled or sent again. Each notification of a
-- request now carries its id, so the functions that end a request
-- (msp_request_decide, msp_request_withdraw) settle the asks that are no
-- longer open, for everyone they went to; informing rows (approved,
-- rejected) stay until read.
ALTER TABLE notifications ADD COLUMN request_id bigint REFERENCES msp_requests(id) ON DELETE CASCADE;
CREATE INDEX notifications_request ON notifications (request_id) WHERE request_id IS NOT NULL AND read_at IS NULL;

-- The rows made before: their link names the request.
UPDATE notifications SET request_id = substring(link FROM '^/requests/id/([0-9]+)$')::bigint
 WHERE request_id IS NULL AND link ~ '^/requests/id/[0-9]+$'
   AND EXISTS (SELECT 1 FROM msp_requests q WHERE q.id = substring(link FROM '^/requests/id/([0-9]+)$')::bigint);
-- Asks whose request is over are read.
UPDATE notifications n SET read_at = now()
  FROM msp_requests q
 WHERE n.request_id = q.id AND n.kind = 'msp_request' AND n.read_at IS NULL
   AND (q.status <> 'pending' OR q.expires_at <= now());
