-- 063_report_schedules.sql - reports on a schedule (issue #20; docs/
-- reports.md, "Schedules"): a tenant's admin asks for a report every week
-- or month, mailed to chosen recipients through the outbox, as a PDF
-- attached or a signed link that expires with the report.
CREATE TABLE report_schedules (
    id          bigserial PRIMARY KEY,
    tenant_id   bigint NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    root_id     bigint NOT NULL,
    created_by  bigint REFERENCES users(id) ON DELETE SET NULL, -- the reports hold what this person may see
    kind        text NOT NULL CHECK (kind IN ('executive', 'consolidated')),
    paper       text NOT NULL DEFAULT 'a4' CHECK (paper IN ('a4', 'letter')),
    cadence     text NOT NULL CHECK (cadence IN ('weekly', 'monthly')),
    delivery    text NOT NULL DEFAULT 'attachment' CHECK (delivery IN ('attachment', 'link')),
    recipients  text[] NOT NULL CHECK (cardinality(recipients) BETWEEN 1 AND 20),
    next_run_at timestamptz NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX report_schedules_tenant ON report_schedules (tenant_id);
CREATE INDEX report_schedules_due ON report_schedules (next_run_at);
ALTER TABLE report_schedules ENABLE ROW LEVEL SECURITY;
ALTER TABLE report_schedules FORCE ROW LEVEL SECURITY;
GRANT SELECT ON report_schedules TO portal_app;

-- A scheduled run is a job like any other, once per schedule and period.
ALTER TABLE report_jobs ADD COLUMN schedule_id bigint REFERENCES report_schedules(id) ON DELETE SET NULL;
CREATE UNIQUE INDEX report_jobs_schedule_period ON report_jobs (schedule_id, period_from) WHERE schedule_id IS NOT NULL;

-- A report's mail: the run it delivers, and the PDF it carries (copied
-- from the job, so the mail stays whole when the report expires).
ALTER TABLE mail_outbox
    ADD COLUMN report_job_id   bigint REFERENCES report_jobs(id) ON DELETE SET NULL,
    ADD COLUMN attachment_name text CHECK (attachment_name ~ '^[A-Za-z0-9._-]{1,120}$'),
    ADD COLUMN attachment      bytea CHECK (octet_length(attachment) <= 26214400),
    ADD CHECK ((attachment IS NULL) = (attachment_name IS NULL));
CREATE INDEX mail_outbox_report_job ON mail_outbox (report_job_id) WHERE report_job_id IS NOT NULL;

-- The signed links of report mails delivered as a link: only the token's
-- digest is kept; the link ends with the report's retention.
CREATE TABLE report_links (
    token_hash text PRIMARY KEY,
    job_id     bigint NOT NULL REFERENCES report_jobs(id) ON DELETE CASCADE,
    tenant_id  bigint NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    root_id    bigint NOT NULL,
    recipient  text NOT NULL,
    expires_at timestamptz NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX report_links_job ON report_links (job_id);
ALTER TABLE report_links ENABLE ROW LEVEL SECURITY;
ALTER TABLE report_links FORCE ROW LEVEL SECURITY;
-- Not granted to portal_app: a link is opened through report_link_file().

-- report_jobs_of() now says which schedule made a report and how its mail
-- went, report_job_claim() the schedule of the job it claims (new return
-- types).
DROP FUNCTION IF EXISTS report_jobs_of(bigint, int);
DROP FUNCTION IF EXISTS report_job_claim(int, int);
