-- 062_report_jobs.sql - executive reports made off the request path
-- (issue #20; docs/reports.md, "Reports page and jobs"): a request is a
-- job row, the reporter process (its own role, portal_reporter) claims it,
-- computes the report as the person who asked it would see it, prints the
-- PDF and keeps it here for download until the tenant's retention ends.
CREATE TABLE report_jobs (
    id           bigserial PRIMARY KEY,
    tenant_id    bigint NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    root_id      bigint NOT NULL,
    requested_by bigint REFERENCES users(id) ON DELETE SET NULL,
    kind         text NOT NULL CHECK (kind IN ('executive', 'consolidated')),
    paper        text NOT NULL DEFAULT 'a4' CHECK (paper IN ('a4', 'letter')),
    period_from  date NOT NULL,
    period_to    date NOT NULL,
    state        text NOT NULL DEFAULT 'queued'
                 CHECK (state IN ('queued', 'running', 'done', 'failed', 'expired')),
    attempts     int NOT NULL DEFAULT 0,
    next_try_at  timestamptz NOT NULL DEFAULT now(),
    lease_until  timestamptz,
    created_at   timestamptz NOT NULL DEFAULT now(),
    started_at   timestamptz,
    finished_at  timestamptz,
    error        text CHECK (length(error) <= 500),
    pdf          bytea CHECK (octet_length(pdf) <= 52428800),
    pdf_bytes    int,
    expires_at   timestamptz,
    CHECK (period_to >= period_from AND period_to - period_from < 366),
    CHECK ((state = 'done') = (pdf IS NOT NULL))
);
CREATE INDEX report_jobs_tenant ON report_jobs (tenant_id, created_at DESC);
CREATE INDEX report_jobs_due ON report_jobs (next_try_at) WHERE state IN ('queued', 'running');
CREATE INDEX report_jobs_expiry ON report_jobs (expires_at) WHERE state = 'done';
ALTER TABLE report_jobs ENABLE ROW LEVEL SECURITY;
ALTER TABLE report_jobs FORCE ROW LEVEL SECURITY;
-- Read under the policy; every write goes through sql/functions/reports.
GRANT SELECT ON report_jobs TO portal_app;

-- How long a tenant keeps its reports' files (days); a tenant without a
-- row takes the nearest tenant above it that has one, else 90 days.
CREATE TABLE report_settings (
    tenant_id      bigint PRIMARY KEY REFERENCES tenants(id) ON DELETE CASCADE,
    root_id        bigint NOT NULL,
    retention_days int NOT NULL CHECK (retention_days BETWEEN 1 AND 3650),
    updated_by     bigint REFERENCES users(id) ON DELETE SET NULL,
    updated_at     timestamptz NOT NULL DEFAULT now()
);
ALTER TABLE report_settings ENABLE ROW LEVEL SECURITY;
ALTER TABLE report_settings FORCE ROW LEVEL SECURITY;
GRANT SELECT ON report_settings TO portal_app;

-- The reporter's role owns nothing and reads nothing directly: it calls
-- the report_job_* functions and those a page's report calls.
GRANT USAGE ON SCHEMA public TO portal_reporter;
