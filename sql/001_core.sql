-- 001_core.sql - tenants, users, memberships, sessions, audit log, outbox,
-- branding defaults, and the Row-Level Security foundation.
--
-- Runs as the owner role (portal_owner). The application connects as
-- portal_app, which owns nothing, has no BYPASSRLS, and reaches private
-- tables (users, sessions) only through the SECURITY DEFINER functions
-- granted to it below.

REVOKE ALL ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO portal_app;

-- Identity of the current request, set per transaction with
-- set_config('app.user_id', id, true). No identity: NULL, and every
-- tenant-scoped policy matches no row.
CREATE FUNCTION app_user_id() RETURNS bigint
LANGUAGE sql STABLE PARALLEL SAFE AS
$$ SELECT nullif(current_setting('app.user_id', true), '')::bigint $$;

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

-- The tree rules live here so no client can break them: an MSSP is a root;
-- an MSP is a root or the child of an MSSP; a company is the child of an
-- MSP. That bounds depth at three. A child shares its parent's region.
CREATE FUNCTION tenants_tree_check() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    p tenants%ROWTYPE;
BEGIN
    IF NEW.parent_id IS NULL THEN
        IF NEW.kind = 'company' THEN
            RAISE EXCEPTION 'a company must belong to an MSP' USING ERRCODE = 'check_violation',
                CONSTRAINT = 'tenant_tree';
        END IF;
        NEW.ancestors := ARRAY[NEW.id];
    ELSE
        SELECT * INTO p FROM tenants WHERE id = NEW.parent_id;
        IF NOT FOUND THEN
            RAISE EXCEPTION 'parent tenant % does not exist', NEW.parent_id
                USING ERRCODE = 'foreign_key_violation';
        END IF;
        IF cardinality(p.ancestors) >= 3 THEN
            RAISE EXCEPTION 'the tenant tree has at most three levels (MSSP > MSP > company)'
                USING ERRCODE = 'check_violation', CONSTRAINT = 'tenant_depth';
        END IF;
        IF NOT ((NEW.kind = 'msp' AND p.kind = 'mssp') OR (NEW.kind = 'company' AND p.kind = 'msp')) THEN
            RAISE EXCEPTION 'a % cannot be placed under a %', NEW.kind, p.kind
                USING ERRCODE = 'check_violation', CONSTRAINT = 'tenant_tree';
        END IF;
        IF NEW.region <> p.region THEN
            RAISE EXCEPTION 'region % does not match the parent''s region %', NEW.region, p.region
                USING ERRCODE = 'check_violation', CONSTRAINT = 'tenant_region';
        END IF;
        NEW.ancestors := p.ancestors || NEW.id;
        IF cardinality(NEW.ancestors) > 3 THEN
            RAISE EXCEPTION 'the tenant tree has at most three levels (MSSP > MSP > company)'
                USING ERRCODE = 'check_violation', CONSTRAINT = 'tenant_depth';
        END IF;
    END IF;
    NEW.root_id := NEW.ancestors[1];
    RETURN NEW;
END $$;

CREATE TRIGGER tenants_tree BEFORE INSERT OR UPDATE OF parent_id, kind, region ON tenants
    FOR EACH ROW EXECUTE FUNCTION tenants_tree_check();

-- When a tenant moves (an MSP joins an MSSP), its children follow.
CREATE FUNCTION tenants_move_children() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.ancestors IS DISTINCT FROM OLD.ancestors THEN
        UPDATE tenants SET parent_id = parent_id WHERE parent_id = NEW.id;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER tenants_move AFTER UPDATE OF parent_id ON tenants
    FOR EACH ROW EXECUTE FUNCTION tenants_move_children();

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

-- Every tenant the current user may see: the subtree of each membership
-- (an MSSP analyst's membership gives the MSSP itself only), plus the
-- subtrees of an analyst's assignments. Used by every RLS policy as an
-- uncorrelated subquery, so it is evaluated once per statement.
CREATE FUNCTION visible_tenant_ids() RETURNS SETOF bigint
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT t.id FROM memberships m JOIN tenants t ON m.tenant_id = ANY (t.ancestors)
     WHERE m.user_id = app_user_id() AND m.role <> 'mssp_analyst'
    UNION
    SELECT m.tenant_id FROM memberships m
     WHERE m.user_id = app_user_id() AND m.role = 'mssp_analyst'
    UNION
    SELECT t.id FROM analyst_assignments a JOIN tenants t ON a.tenant_id = ANY (t.ancestors)
     WHERE a.user_id = app_user_id()
$$;

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

-- Effective branding of a tenant: each field from the nearest tenant on
-- its ancestor path that sets it, else the portal default.
CREATE FUNCTION brand_for_tenant(p_tenant bigint)
RETURNS TABLE (tenant_id bigint, page_title text, footer text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT p_tenant,
           coalesce((SELECT b.page_title FROM tenants t JOIN branding b ON b.tenant_id = ANY (t.ancestors)
                      WHERE t.id = p_tenant AND b.page_title IS NOT NULL
                      ORDER BY array_position(t.ancestors, b.tenant_id) DESC LIMIT 1), s.page_title),
           coalesce((SELECT b.footer FROM tenants t JOIN branding b ON b.tenant_id = ANY (t.ancestors)
                      WHERE t.id = p_tenant AND b.footer IS NOT NULL
                      ORDER BY array_position(t.ancestors, b.tenant_id) DESC LIMIT 1), s.footer)
      FROM portal_settings s
$$;

-- Branding for a request's Host before anyone signs in.
CREATE FUNCTION brand_for_host(p_host text)
RETURNS TABLE (tenant_id bigint, page_title text, footer text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT * FROM brand_for_tenant((SELECT b.tenant_id FROM branding b WHERE b.host = lower(p_host)))
$$;

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
CREATE POLICY tenants_visible ON tenants
    USING (id IN (SELECT visible_tenant_ids()))
    WITH CHECK (id IN (SELECT visible_tenant_ids()) OR parent_id IN (SELECT visible_tenant_ids()));

ALTER TABLE memberships ENABLE ROW LEVEL SECURITY;
ALTER TABLE memberships FORCE ROW LEVEL SECURITY;
CREATE POLICY memberships_visible ON memberships
    USING (tenant_id IN (SELECT visible_tenant_ids()))
    WITH CHECK (tenant_id IN (SELECT visible_tenant_ids()));

ALTER TABLE analyst_assignments ENABLE ROW LEVEL SECURITY;
ALTER TABLE analyst_assignments FORCE ROW LEVEL SECURITY;
CREATE POLICY analyst_assignments_visible ON analyst_assignments
    USING (tenant_id IN (SELECT visible_tenant_ids()))
    WITH CHECK (tenant_id IN (SELECT visible_tenant_ids()));

ALTER TABLE audit_log ENABLE ROW LEVEL SECURITY;
ALTER TABLE audit_log FORCE ROW LEVEL SECURITY;
CREATE POLICY audit_log_visible ON audit_log
    USING (tenant_id IN (SELECT visible_tenant_ids()))
    WITH CHECK (user_id = app_user_id() AND (tenant_id IS NULL OR tenant_id IN (SELECT visible_tenant_ids())));

ALTER TABLE branding ENABLE ROW LEVEL SECURITY;
ALTER TABLE branding FORCE ROW LEVEL SECURITY;
CREATE POLICY branding_visible ON branding
    USING (tenant_id IN (SELECT visible_tenant_ids()))
    WITH CHECK (tenant_id IN (SELECT visible_tenant_ids()));

ALTER TABLE mail_outbox ENABLE ROW LEVEL SECURITY;
ALTER TABLE mail_outbox FORCE ROW LEVEL SECURITY;
CREATE POLICY mail_outbox_insert ON mail_outbox FOR INSERT
    WITH CHECK (tenant_id IS NULL OR tenant_id IN (SELECT visible_tenant_ids()));

GRANT SELECT, INSERT, UPDATE ON tenants, memberships, analyst_assignments, branding TO portal_app;
GRANT DELETE ON memberships, analyst_assignments TO portal_app;
GRANT SELECT, INSERT ON audit_log TO portal_app;
GRANT INSERT ON mail_outbox TO portal_app;
GRANT USAGE ON SEQUENCE tenants_id_seq, audit_log_id_seq, mail_outbox_id_seq TO portal_app;
GRANT SELECT ON portal_settings TO portal_app;
