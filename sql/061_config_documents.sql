-- 061_config_documents.sql - the documents device polls read (issue #19,
-- "Performance"; docs/performance.md, "Devices polling their
-- configuration"). A device's effective configuration is its account's
-- document with the device named in it (unless the device has sections of
-- its own), so a poll keeps its account's document, built once, and every
-- other device of the account reads it.
--
-- config_generation: one row, bumped (once per transaction) by
-- config_changed() on every table an account's document is read from:
-- plans, their sections and shares, overrides, config_sections, tenants
-- and users' names. A kept document counts only while its generation is
-- the current one; a poll reads the generation before it builds, so a
-- document built while a change commits is never taken for the new one.
CREATE TABLE config_generation (
    one        boolean PRIMARY KEY DEFAULT true CHECK (one),
    generation bigint NOT NULL
);
INSERT INTO config_generation (generation) VALUES (1);

-- An account's document (config_document() with no device) as a viewer
-- sees it: viewer_id is the tenant of the API key that polled (its scope
-- names, or not, the plan's owner). At most one row per account and
-- tenant above it; written and read only by config_poll().
CREATE TABLE config_documents (
    tenant_id  bigint NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    viewer_id  bigint NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    root_id    bigint NOT NULL,
    generation bigint NOT NULL,
    doc        jsonb NOT NULL,
    PRIMARY KEY (tenant_id, viewer_id)
);
ALTER TABLE config_documents ENABLE ROW LEVEL SECURITY;
ALTER TABLE config_documents FORCE ROW LEVEL SECURITY;
-- Not granted to portal_app: polls read it through config_poll().
