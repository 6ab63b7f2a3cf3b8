-- 065_billing_reports.sql - the billing statement as a PDF and on a
-- schedule, and the end of a billed account (issue #21; docs/billing.md,
-- "The statement as a PDF" and "When a billed MSP joins an MSSP").

-- A report of kind billing is a month's statement of a billed account,
-- made by the reporter like the executive reports and seen only by those
-- who may see the account's billing (billing_may_see()).
ALTER TABLE report_jobs DROP CONSTRAINT report_jobs_kind_check,
    ADD CONSTRAINT report_jobs_kind_check CHECK (kind IN ('executive', 'consolidated', 'billing'));
ALTER TABLE report_schedules DROP CONSTRAINT report_schedules_kind_check,
    ADD CONSTRAINT report_schedules_kind_check CHECK (kind IN ('executive', 'consolidated', 'billing')),
    ADD CHECK (kind <> 'billing' OR cadence = 'monthly');

-- report_job_visible() now takes the job's kind; the policy that calls it
-- is made again from sql/policies/report_jobs.sql.
DROP POLICY IF EXISTS report_jobs_visible ON report_jobs;
DROP FUNCTION IF EXISTS report_job_visible(bigint, bigint);
-- billing_page() takes the number of rows (25 on the page, more in the PDF).
DROP FUNCTION IF EXISTS billing_page(bigint, text, text, boolean, int, bigint);

-- The last day an account is billed on its own: a standalone MSP that
-- joins an MSSP is billed through the MSSP from that day on
-- (billing_account_end()); its last month closes prorated to this day.
ALTER TABLE billing_accounts ADD COLUMN ends_on date,
    ADD CHECK (ends_on IS NULL OR ends_on >= starts_on);
