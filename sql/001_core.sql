-- 001_core.sql - tenants, users, memberships, sessions, audit log, outbox,
-- branding defaults, and the Row-Level Security foundation.
--
-- Runs as the owner role (portal_owner). The application connects as
-- portal_app, which owns nothing, has no BYPASSRLS, and reaches private
-- tables (users, sessions) only through the SECURITY DEFINER functions
-- granted to it below.

REVOKE ALL ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO portal_app;

-- ---------------------------------------------------------------- tenants
CREATE TABLE tenants (
    id          bigserial PRIMARY KEY,
    parent_id   bigint REFERENCES tenants(id),
    root_id     bigint NOT NULL,
    kind        text NOT NULL CHECK (kind IN ('mssp', 'msp', 'company')),
    name        text NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 120),
    region      text NOT NULL CHECK (region ~ '^[a-z]{2}(-[a-z0-9]{1,16}){0,2}$'),
    status      text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'archived')),
    ancestors   bigint[] NOT NULL,   -- [root, ..., self]: at most three
    created_at  timestamptz NOT NULL DEFAULT now(),
    CHECK (cardinality(ancestors) BETWEEN 1 AND 3),
    CHECK (ancestors[cardinality(ancestors)] = id),
    CHECK (root_id = ancestors[1])
);
CREATE INDEX tenants_parent ON tenants (parent_id);
CREATE INDEX tenants_root ON tenants (root_id);
CREATE INDEX tenants_ancestors ON tenants USING gin (ancestors);
CREATE UNIQUE INDEX tenants_sibling_name ON tenants (coalesce(parent_id, 0), kind, lower(name))
    WHERE status = 'active';

-- ---------------------------------------------------------------- people
CREATE TABLE users (
    id            bigserial PRIMARY KEY,
    email         text NOT NULL CHECK (email ~ '^[^@\s]{1,64}@[^@\s]{1,255}$'),
    name          text NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 120),
    password_hash text,
    status        text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'invited', 'disabled')),
    created_at    timestamptz NOT NULL DEFAULT now(),
    password_changed_at timestamptz
);
CREATE UNIQUE INDEX users_email ON users (lower(email));

CREATE TABLE memberships (
    user_id    bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    tenant_id  bigint NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    role       text NOT NULL CHECK (role IN ('mssp_admin', 'mssp_analyst', 'owner', 'admin', 'analyst', 'viewer')),
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, tenant_id)
);
CREATE INDEX memberships_tenant ON memberships (tenant_id);

-- MSSP analysts see only the tenants assigned to them (and what is below).
CREATE TABLE analyst_assignments (
    user_id    bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    tenant_id  bigint NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, tenant_id)
);

-- ---------------------------------------------------------------- sessions
CREATE TABLE sessions (
    id           bigserial PRIMARY KEY,
    token_hash   text NOT NULL UNIQUE CHECK (token_hash ~ '^[0-9a-f]{64}$'),
    user_id      bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at   timestamptz NOT NULL DEFAULT now(),
    last_seen_at timestamptz NOT NULL DEFAULT now(),
    expires_at   timestamptz NOT NULL,
    ip           text,
    user_agent   text
);
CREATE INDEX sessions_user ON sessions (user_id);

-- ---------------------------------------------------------------- audit
CREATE TABLE audit_log (
    id         bigserial PRIMARY KEY,
    at         timestamptz NOT NULL DEFAULT now(),
    tenant_id  bigint REFERENCES tenants(id) ON DELETE SET NULL,
    root_id    bigint,
    user_id    bigint REFERENCES users(id) ON DELETE SET NULL,
    action     text NOT NULL,
    target     text,
    ip         text,
    details    jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_log_tenant_at ON audit_log (tenant_id, at DESC);
CREATE INDEX audit_log_at ON audit_log (at DESC);

-- ---------------------------------------------------------------- branding
CREATE TABLE portal_settings (
    id         int PRIMARY KEY DEFAULT 1 CHECK (id = 1),
    page_title text NOT NULL DEFAULT 'MSSP Portal',
    footer     text NOT NULL DEFAULT 'MSSP Portal'
);
INSERT INTO portal_settings DEFAULT VALUES;

CREATE TABLE branding (
    tenant_id  bigint PRIMARY KEY REFERENCES tenants(id) ON DELETE CASCADE,
    root_id    bigint NOT NULL,
    page_title text CHECK (length(page_title) BETWEEN 1 AND 80),
    footer     text CHECK (length(footer) BETWEEN 1 AND 500),
    host       text UNIQUE CHECK (host ~ '^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)+$'),
    updated_at timestamptz NOT NULL DEFAULT now()
);

-- ---------------------------------------------------------------- mail
CREATE TABLE mail_outbox (
    id              bigserial PRIMARY KEY,
    created_at      timestamptz NOT NULL DEFAULT now(),
    tenant_id       bigint REFERENCES tenants(id) ON DELETE SET NULL,
    root_id         bigint,
    to_addr         text NOT NULL,
    subject         text NOT NULL,
    body_text       text NOT NULL,
    body_html       text NOT NULL,
    status          text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'sent', 'failed')),
    attempts        int NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    last_error      text,
    sent_at         timestamptz
);
CREATE INDEX mail_outbox_due ON mail_outbox (next_attempt_at) WHERE status = 'queued';

-- ---------------------------------------------------------------- RLS
ALTER TABLE tenants ENABLE ROW LEVEL SECURITY;
ALTER TABLE tenants FORCE ROW LEVEL SECURITY;

ALTER TABLE memberships ENABLE ROW LEVEL SECURITY;
ALTER TABLE memberships FORCE ROW LEVEL SECURITY;

ALTER TABLE analyst_assignments ENABLE ROW LEVEL SECURITY;
ALTER TABLE analyst_assignments FORCE ROW LEVEL SECURITY;

ALTER TABLE audit_log ENABLE ROW LEVEL SECURITY;
ALTER TABLE audit_log FORCE ROW LEVEL SECURITY;

ALTER TABLE branding ENABLE ROW LEVEL SECURITY;
ALTER TABLE branding FORCE ROW LEVEL SECURITY;

ALTER TABLE mail_outbox ENABLE ROW LEVEL SECURITY;
ALTER TABLE mail_outbox FORCE ROW LEVEL SECURITY;

GRANT SELECT, INSERT, UPDATE ON tenants, memberships, analyst_assignments, branding TO portal_app;
GRANT DELETE ON memberships, analyst_assignments TO portal_app;
GRANT SELECT, INSERT ON audit_log TO portal_app;
GRANT INSERT ON mail_outbox TO portal_app;
GRANT USAGE ON SEQUENCE tenants_id_seq, audit_log_id_seq, mail_outbox_id_seq TO portal_app;
GRANT SELECT ON portal_settings TO portal_app;

-- The functions, triggers and policies this migration defined or changed
-- live in sql/functions, sql/triggers and sql/policies now, each in one
-- file holding its current definition:
--   app_user_id, tenants_tree_check, tenants_tree, tenants_move_children,
--   tenants_move, visible_tenant_ids, brand_for_tenant, brand_for_host,
--   tenants_visible, memberships_visible, analyst_assignments_visible,
--   audit_log_visible, branding_visible, mail_outbox_insert.
