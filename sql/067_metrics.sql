-- 067_metrics.sql - what GET /metrics reads from the database
-- (metrics_queues(), docs/operations.md "Monitoring"): the failed mail is
-- counted through an index of its own, so the count costs the failures
-- kept, not the outbox's history.
CREATE INDEX mail_outbox_failed ON mail_outbox (created_at) WHERE status = 'failed';
