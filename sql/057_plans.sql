-- 057_plans.sql - shared configuration plans (docs/plans.md).
--
-- A plan belongs to a tenant and holds the shared sections of a security
-- configuration; shared with an account below its owner, it applies to
-- that account and to every account and device below it. An account (or
-- one device) overrides a section with its own document; the never-shared
-- sections exist only per account and device. Every change is a row of
-- config_history.

-- The sections, in the order pages show them. shared: may be in a plan;
-- the others stay local to an account or a device. default_doc is what an
-- account with no plan and no override of its own gets.
CREATE TABLE config_sections (
    section     text PRIMARY KEY CHECK (section ~ '^[a-z_]{1,40}$'),
    title       text NOT NULL,
    shared      boolean NOT NULL,
    position    int NOT NULL UNIQUE,
    default_doc jsonb NOT NULL
);
INSERT INTO config_sections (section, title, shared, position, default_doc) VALUES
 ('access_policy', 'Access policy', true, 1,
  '{"rules": [{"name": "Block inbound by default", "source": "any", "destination": "internal", "service": "any", "action": "drop", "log": true},
              {"name": "Allow outbound web", "source": "internal", "destination": "any", "service": "https", "action": "accept", "log": false}]}'),
 ('threat_prevention', 'Threat prevention', true, 2,
  '{"ips": "prevent", "profile": "optimized", "antivirus": true, "anti_bot": true, "exceptions": []}'),
 ('url_filtering', 'Application & URL filtering', true, 3,
  '{"blocked_categories": ["anonymizers", "crypto_mining", "malware", "phishing"], "custom_blocked": [], "custom_allowed": []}'),
 ('ssl_inspection', 'SSL inspection', true, 4,
  '{"enabled": false, "bypass_categories": ["finance", "health"]}'),
 ('vuln_scanning', 'Vulnerability scanning', true, 5,
  '{"schedule": "weekly", "intensity": "normal", "excluded_ranges": []}'),
 ('agent_updates', 'Agent updates', true, 6,
  '{"ring": "broad", "window_day": "sun", "window_start": "02:00", "window_hours": 4}'),
 ('vpn', 'VPN', false, 7, '{"enabled": false, "peers": []}'),
 ('local_network', 'Local network', false, 8, '{"lan_ranges": [], "dns_servers": []}'),
 ('notifications', 'Enhanced notifications', false, 9, '{"emails": [], "min_severity": "high"}');
GRANT SELECT ON config_sections TO portal_app;

CREATE TABLE plans (
    id             bigserial PRIMARY KEY,
    tenant_id      bigint NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,   -- the owner
    root_id        bigint NOT NULL,
    name           text NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 120),
    cloned_from    bigint REFERENCES plans(id) ON DELETE SET NULL,
    cloned_version bigint,
    version        bigint NOT NULL DEFAULT 1,    -- bumped by every change of a section
    created_by     bigint REFERENCES users(id) ON DELETE SET NULL,
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    UNIQUE (tenant_id, name)
);

-- The current document of each shared section of a plan (all six).
CREATE TABLE plan_sections (
    plan_id    bigint NOT NULL REFERENCES plans(id) ON DELETE CASCADE,
    tenant_id  bigint NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,   -- the plan's owner
    root_id    bigint NOT NULL,
    section    text NOT NULL REFERENCES config_sections(section),
    doc        jsonb NOT NULL,
    version    bigint NOT NULL,              -- the plan's version that last changed it
    updated_by bigint REFERENCES users(id) ON DELETE SET NULL,
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (plan_id, section)
);

-- A plan shared with an account by the plan's owner (a strict ancestor).
-- An account may be given one plan by each tenant above it; the one it
-- follows is the nearest (config_effective()).
CREATE TABLE plan_shares (
    tenant_id  bigint NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,   -- the account
    owner_id   bigint NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,   -- the plan's owner
    root_id    bigint NOT NULL,
    plan_id    bigint NOT NULL REFERENCES plans(id) ON DELETE CASCADE,
    shared_by  bigint REFERENCES users(id) ON DELETE SET NULL,
    shared_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, owner_id),
    CHECK (tenant_id <> owner_id)
);
CREATE INDEX plan_shares_plan ON plan_shares (plan_id);

-- An account's own document of a section (device_id NULL) or one
-- device's: an override of a shared section, or a never-shared one.
CREATE TABLE config_overrides (
    id         bigserial PRIMARY KEY,
    tenant_id  bigint NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    root_id    bigint NOT NULL,
    device_id  bigint REFERENCES assets(id) ON DELETE CASCADE,
    section    text NOT NULL REFERENCES config_sections(section),
    doc        jsonb NOT NULL,
    version    bigint NOT NULL DEFAULT 1,
    updated_by bigint REFERENCES users(id) ON DELETE SET NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX config_overrides_one ON config_overrides (tenant_id, coalesce(device_id, 0), section);
CREATE INDEX config_overrides_device ON config_overrides (device_id) WHERE device_id IS NOT NULL;

-- Every change: a plan's section edited or restored, a plan made or
-- cloned, shared or unshared; an override saved or reverted. doc is the
-- section after the change (NULL: reverted to the plan), before what it
-- replaced: the pages show the diff.
CREATE TABLE config_history (
    id        bigserial PRIMARY KEY,
    tenant_id bigint NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,   -- the plan's owner or the account
    root_id   bigint NOT NULL,
    plan_id   bigint REFERENCES plans(id) ON DELETE CASCADE,
    device_id bigint REFERENCES assets(id) ON DELETE CASCADE,
    section   text REFERENCES config_sections(section),
    version   bigint NOT NULL,
    action    text NOT NULL CHECK (action IN ('create', 'edit', 'restore', 'clone', 'share', 'unshare',
                                              'override', 'revert')),
    target    bigint REFERENCES tenants(id) ON DELETE CASCADE,   -- share, unshare: the account
    doc       jsonb,
    before    jsonb,
    actor     bigint REFERENCES users(id) ON DELETE SET NULL,
    at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX config_history_plan ON config_history (plan_id, id DESC) WHERE plan_id IS NOT NULL;
CREATE INDEX config_history_tenant ON config_history (tenant_id, id DESC);

ALTER TABLE plans ENABLE ROW LEVEL SECURITY;
ALTER TABLE plans FORCE ROW LEVEL SECURITY;
ALTER TABLE plan_sections ENABLE ROW LEVEL SECURITY;
ALTER TABLE plan_sections FORCE ROW LEVEL SECURITY;
ALTER TABLE plan_shares ENABLE ROW LEVEL SECURITY;
ALTER TABLE plan_shares FORCE ROW LEVEL SECURITY;
ALTER TABLE config_overrides ENABLE ROW LEVEL SECURITY;
ALTER TABLE config_overrides FORCE ROW LEVEL SECURITY;
ALTER TABLE config_history ENABLE ROW LEVEL SECURITY;
ALTER TABLE config_history FORCE ROW LEVEL SECURITY;
-- Reads through the functions of sql/functions/plans (which apply the
-- rules of who follows what); writes only through them too.
GRANT SELECT ON plans, plan_sections, plan_shares, config_overrides, config_history TO portal_app;
