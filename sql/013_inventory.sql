-- 013_inventory.sql - what probes and agents report (assets,
-- vulnerabilities, incidents), the API keys they use, and the rollups the
-- dashboards read.
--
-- Rollups: tenant_stats has one row per tenant holding the totals of the
-- tenant AND everything below it. Statement-level triggers (with transition
-- tables, so a batch of 5,000 rows costs one update per tenant) add the
-- changes to the row of the tenant and of each of its ancestors, in the
-- same transaction as the write. A dashboard therefore reads one row per
-- tenant on screen, whatever the number of rows stored.

CREATE TABLE api_keys (
    id           bigserial PRIMARY KEY,
    tenant_id    bigint NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    root_id      bigint NOT NULL,
    name         text NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 80),
    prefix       text NOT NULL,              -- first characters, shown to tell keys apart
    key_hash     text NOT NULL UNIQUE CHECK (key_hash ~ '^[0-9a-f]{64}$'),
    created_by   bigint REFERENCES users(id) ON DELETE SET NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    last_used_at timestamptz,
    revoked_at   timestamptz
);

CREATE TABLE assets (
    id          bigserial PRIMARY KEY,
    tenant_id   bigint NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    root_id     bigint NOT NULL,
    external_id text NOT NULL CHECK (length(external_id) BETWEEN 1 AND 200),
    kind        text NOT NULL CHECK (kind IN ('probe', 'agent', 'discovered', 'external')),
    name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 255),
    address     text CHECK (length(address) <= 255),
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    UNIQUE (tenant_id, external_id)
);

CREATE TABLE vulnerabilities (
    id          bigserial PRIMARY KEY,
    tenant_id   bigint NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    root_id     bigint NOT NULL,
    external_id text NOT NULL CHECK (length(external_id) BETWEEN 1 AND 200),
    asset_id    bigint REFERENCES assets(id) ON DELETE SET NULL,
    cve         text NOT NULL CHECK (cve ~ '^CVE-[0-9]{4}-[0-9]{4,7}$'),
    severity    text NOT NULL CHECK (severity IN ('critical', 'high', 'medium', 'low')),
    first_seen  timestamptz NOT NULL DEFAULT now(),
    fixed_at    timestamptz,
    UNIQUE (tenant_id, external_id)
);
CREATE INDEX vulnerabilities_open_cve ON vulnerabilities (cve) WHERE fixed_at IS NULL;

CREATE TABLE incidents (
    id              bigserial PRIMARY KEY,
    tenant_id       bigint NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    root_id         bigint NOT NULL,
    external_id     text NOT NULL CHECK (length(external_id) BETWEEN 1 AND 200),
    severity        text NOT NULL CHECK (severity IN ('critical', 'high', 'medium', 'low')),
    title           text NOT NULL CHECK (length(title) BETWEEN 1 AND 300),
    indicator       text CHECK (length(indicator) <= 300),
    indicator_kind  text CHECK (indicator_kind IN ('hash', 'domain', 'ip', 'cve')),
    opened_at       timestamptz NOT NULL DEFAULT now(),
    acknowledged_at timestamptz,
    closed_at       timestamptz,
    resolution_note text CHECK (length(resolution_note) <= 2000),
    UNIQUE (tenant_id, external_id)
);
CREATE INDEX incidents_indicator ON incidents (indicator, opened_at) WHERE indicator IS NOT NULL;
CREATE INDEX incidents_open ON incidents (tenant_id) WHERE closed_at IS NULL;

CREATE TABLE tenant_stats (
    tenant_id         bigint PRIMARY KEY REFERENCES tenants(id) ON DELETE CASCADE,
    probes            bigint NOT NULL DEFAULT 0,
    agents            bigint NOT NULL DEFAULT 0,
    discovered        bigint NOT NULL DEFAULT 0,
    external          bigint NOT NULL DEFAULT 0,
    vuln_critical     bigint NOT NULL DEFAULT 0,   -- open (not fixed) vulnerabilities
    vuln_high         bigint NOT NULL DEFAULT 0,
    vuln_medium       bigint NOT NULL DEFAULT 0,
    vuln_low          bigint NOT NULL DEFAULT 0,
    incidents_open    bigint NOT NULL DEFAULT 0,
    incidents_open_critical bigint NOT NULL DEFAULT 0
);

-- Row-Level Security, as for every tenant table.
ALTER TABLE api_keys ENABLE ROW LEVEL SECURITY;
ALTER TABLE api_keys FORCE ROW LEVEL SECURITY;
ALTER TABLE assets ENABLE ROW LEVEL SECURITY;
ALTER TABLE assets FORCE ROW LEVEL SECURITY;
ALTER TABLE vulnerabilities ENABLE ROW LEVEL SECURITY;
ALTER TABLE vulnerabilities FORCE ROW LEVEL SECURITY;
ALTER TABLE incidents ENABLE ROW LEVEL SECURITY;
ALTER TABLE incidents FORCE ROW LEVEL SECURITY;
ALTER TABLE tenant_stats ENABLE ROW LEVEL SECURITY;
ALTER TABLE tenant_stats FORCE ROW LEVEL SECURITY;

GRANT SELECT, INSERT, UPDATE ON api_keys, assets, vulnerabilities, incidents TO portal_app;
GRANT SELECT ON tenant_stats TO portal_app;
GRANT USAGE ON SEQUENCE api_keys_id_seq, assets_id_seq, vulnerabilities_id_seq, incidents_id_seq TO portal_app;

-- The functions, triggers and policies this migration defined or changed
-- live in sql/functions, sql/triggers and sql/policies now, each in one
-- file holding its current definition:
--   stats_apply, assets_stats, vulnerabilities_stats, incidents_stats,
--   assets_stats_ins, assets_stats_upd, assets_stats_del,
--   vulnerabilities_stats_ins, vulnerabilities_stats_upd,
--   vulnerabilities_stats_del, incidents_stats_ins, incidents_stats_upd,
--   incidents_stats_del, tenants_move_stats, api_keys_visible,
--   assets_visible, vulnerabilities_visible, incidents_visible,
--   tenant_stats_visible.
