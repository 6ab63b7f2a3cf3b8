-- 017_sla.sql - SLA targets and the SLA report.
--
-- A target row on a tenant sets, for one severity, the time to acknowledge
-- and the time to resolve; a customer without its own row uses the nearest
-- ancestor's (the MSSP's rows are the defaults), and without any row the
-- portal's defaults below apply.
CREATE TABLE sla_targets (
    tenant_id       bigint NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    root_id         bigint NOT NULL,
    severity        text NOT NULL CHECK (severity IN ('critical', 'high', 'medium', 'low')),
    ack_minutes     int NOT NULL CHECK (ack_minutes BETWEEN 1 AND 43200),
    resolve_minutes int NOT NULL CHECK (resolve_minutes BETWEEN 1 AND 525600),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, severity),
    CHECK (resolve_minutes >= ack_minutes)
);
ALTER TABLE sla_targets ENABLE ROW LEVEL SECURITY;
ALTER TABLE sla_targets FORCE ROW LEVEL SECURITY;
GRANT SELECT, INSERT, UPDATE, DELETE ON sla_targets TO portal_app;

-- The functions, triggers and policies this migration defined or changed
-- live in sql/functions, sql/triggers and sql/policies now, each in one
-- file holding its current definition:
--   sla_targets_visible, sla_effective, sla_report, sla_breaching.
