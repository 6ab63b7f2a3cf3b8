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

-- Add per-tenant deltas to each tenant and its ancestors. d is a set of
-- (tenant_id, column deltas); run from the triggers below.
CREATE FUNCTION stats_apply(d jsonb) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    INSERT INTO tenant_stats AS s (tenant_id, probes, agents, discovered, external, vuln_critical, vuln_high,
                                   vuln_medium, vuln_low, incidents_open, incidents_open_critical)
    SELECT a.id, coalesce(sum(x.probes), 0), coalesce(sum(x.agents), 0), coalesce(sum(x.discovered), 0),
           coalesce(sum(x.external), 0), coalesce(sum(x.vuln_critical), 0), coalesce(sum(x.vuln_high), 0),
           coalesce(sum(x.vuln_medium), 0), coalesce(sum(x.vuln_low), 0), coalesce(sum(x.incidents_open), 0),
           coalesce(sum(x.incidents_open_critical), 0)
      FROM jsonb_to_recordset(d) AS x(tenant_id bigint, probes bigint, agents bigint, discovered bigint,
                                      external bigint, vuln_critical bigint, vuln_high bigint, vuln_medium bigint,
                                      vuln_low bigint, incidents_open bigint, incidents_open_critical bigint)
      JOIN tenants t ON t.id = x.tenant_id
      JOIN tenants a ON a.id = ANY (t.ancestors)
     GROUP BY a.id
     ORDER BY a.id   -- a fixed order: concurrent batches lock rows alike, no deadlock
    ON CONFLICT (tenant_id) DO UPDATE SET
        probes = s.probes + excluded.probes, agents = s.agents + excluded.agents,
        discovered = s.discovered + excluded.discovered, external = s.external + excluded.external,
        vuln_critical = s.vuln_critical + excluded.vuln_critical, vuln_high = s.vuln_high + excluded.vuln_high,
        vuln_medium = s.vuln_medium + excluded.vuln_medium, vuln_low = s.vuln_low + excluded.vuln_low,
        incidents_open = s.incidents_open + excluded.incidents_open,
        incidents_open_critical = s.incidents_open_critical + excluded.incidents_open_critical;
END $$;

-- Each trigger turns the statement's old and new rows into signed deltas
-- per tenant ("n" is +1 for a new row, -1 for an old one); the transition
-- tables that exist depend on the event, hence the branches.
CREATE FUNCTION assets_stats() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp SET client_min_messages = warning AS $$
DECLARE d jsonb;
BEGIN
    CREATE TEMP TABLE IF NOT EXISTS stats_rows (tenant_id bigint, kind text, sev text, n int) ON COMMIT DROP;
    TRUNCATE stats_rows;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO stats_rows SELECT tenant_id, kind, NULL, 1 FROM new_rows;
    END IF;
    IF TG_OP IN ('DELETE', 'UPDATE') THEN
        INSERT INTO stats_rows SELECT tenant_id, kind, NULL, -1 FROM old_rows;
    END IF;
    SELECT jsonb_agg(g) INTO d FROM (
        SELECT jsonb_build_object('tenant_id', tenant_id,
               'probes', coalesce(sum(n) FILTER (WHERE kind = 'probe'), 0),
               'agents', coalesce(sum(n) FILTER (WHERE kind = 'agent'), 0),
               'discovered', coalesce(sum(n) FILTER (WHERE kind = 'discovered'), 0),
               'external', coalesce(sum(n) FILTER (WHERE kind = 'external'), 0)) g
          FROM stats_rows GROUP BY tenant_id HAVING bool_or(n <> 0)) x;
    IF d IS NOT NULL THEN
        PERFORM stats_apply(d);
    END IF;
    RETURN NULL;
END $$;

-- Open vulnerabilities by severity: a fixed one no longer counts.
CREATE FUNCTION vulnerabilities_stats() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp SET client_min_messages = warning AS $$
DECLARE d jsonb;
BEGIN
    CREATE TEMP TABLE IF NOT EXISTS stats_rows (tenant_id bigint, kind text, sev text, n int) ON COMMIT DROP;
    TRUNCATE stats_rows;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO stats_rows SELECT tenant_id, NULL, severity, 1 FROM new_rows WHERE fixed_at IS NULL;
    END IF;
    IF TG_OP IN ('DELETE', 'UPDATE') THEN
        INSERT INTO stats_rows SELECT tenant_id, NULL, severity, -1 FROM old_rows WHERE fixed_at IS NULL;
    END IF;
    SELECT jsonb_agg(g) INTO d FROM (
        SELECT jsonb_build_object('tenant_id', tenant_id,
               'vuln_critical', coalesce(sum(n) FILTER (WHERE sev = 'critical'), 0),
               'vuln_high', coalesce(sum(n) FILTER (WHERE sev = 'high'), 0),
               'vuln_medium', coalesce(sum(n) FILTER (WHERE sev = 'medium'), 0),
               'vuln_low', coalesce(sum(n) FILTER (WHERE sev = 'low'), 0)) g
          FROM stats_rows GROUP BY tenant_id) x;
    IF d IS NOT NULL THEN
        PERFORM stats_apply(d);
    END IF;
    RETURN NULL;
END $$;

-- Open incidents, and open critical ones.
CREATE FUNCTION incidents_stats() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp SET client_min_messages = warning AS $$
DECLARE d jsonb;
BEGIN
    CREATE TEMP TABLE IF NOT EXISTS stats_rows (tenant_id bigint, kind text, sev text, n int) ON COMMIT DROP;
    TRUNCATE stats_rows;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO stats_rows SELECT tenant_id, NULL, severity, 1 FROM new_rows WHERE closed_at IS NULL;
    END IF;
    IF TG_OP IN ('DELETE', 'UPDATE') THEN
        INSERT INTO stats_rows SELECT tenant_id, NULL, severity, -1 FROM old_rows WHERE closed_at IS NULL;
    END IF;
    SELECT jsonb_agg(g) INTO d FROM (
        SELECT jsonb_build_object('tenant_id', tenant_id, 'incidents_open', sum(n),
               'incidents_open_critical', coalesce(sum(n) FILTER (WHERE sev = 'critical'), 0)) g
          FROM stats_rows GROUP BY tenant_id) x;
    IF d IS NOT NULL THEN
        PERFORM stats_apply(d);
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER assets_stats_ins AFTER INSERT ON assets REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION assets_stats();
CREATE TRIGGER assets_stats_upd AFTER UPDATE ON assets REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION assets_stats();
CREATE TRIGGER assets_stats_del AFTER DELETE ON assets REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION assets_stats();
CREATE TRIGGER vulnerabilities_stats_ins AFTER INSERT ON vulnerabilities REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION vulnerabilities_stats();
CREATE TRIGGER vulnerabilities_stats_upd AFTER UPDATE ON vulnerabilities
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION vulnerabilities_stats();
CREATE TRIGGER vulnerabilities_stats_del AFTER DELETE ON vulnerabilities REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION vulnerabilities_stats();
CREATE TRIGGER incidents_stats_ins AFTER INSERT ON incidents REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION incidents_stats();
CREATE TRIGGER incidents_stats_upd AFTER UPDATE ON incidents
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION incidents_stats();
CREATE TRIGGER incidents_stats_del AFTER DELETE ON incidents REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION incidents_stats();

-- When an MSP joins an MSSP, the MSSP's totals gain the MSP's (which
-- already include its companies').
CREATE FUNCTION tenants_move_stats() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    IF NEW.parent_id IS DISTINCT FROM OLD.parent_id THEN
        IF OLD.parent_id IS NOT NULL THEN
            RAISE EXCEPTION 'moving a tenant away from its parent is not supported' USING ERRCODE = 'check_violation';
        END IF;
        PERFORM stats_apply(jsonb_build_array(to_jsonb(s) || jsonb_build_object('tenant_id', NEW.parent_id)))
           FROM tenant_stats s WHERE s.tenant_id = NEW.id;
        -- The rows below the MSP now belong to the MSSP's tree.
        UPDATE assets SET root_id = NEW.root_id WHERE tenant_id IN (SELECT id FROM tenants WHERE NEW.id = ANY (ancestors));
        UPDATE vulnerabilities SET root_id = NEW.root_id WHERE tenant_id IN (SELECT id FROM tenants WHERE NEW.id = ANY (ancestors));
        UPDATE incidents SET root_id = NEW.root_id WHERE tenant_id IN (SELECT id FROM tenants WHERE NEW.id = ANY (ancestors));
        UPDATE api_keys SET root_id = NEW.root_id WHERE tenant_id IN (SELECT id FROM tenants WHERE NEW.id = ANY (ancestors));
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER tenants_move_stats AFTER UPDATE OF parent_id ON tenants
    FOR EACH ROW EXECUTE FUNCTION tenants_move_stats();

-- Row-Level Security, as for every tenant table.
ALTER TABLE api_keys ENABLE ROW LEVEL SECURITY;
ALTER TABLE api_keys FORCE ROW LEVEL SECURITY;
CREATE POLICY api_keys_visible ON api_keys USING (tenant_id IN (SELECT visible_tenant_ids()))
    WITH CHECK (tenant_id IN (SELECT visible_tenant_ids()));
ALTER TABLE assets ENABLE ROW LEVEL SECURITY;
ALTER TABLE assets FORCE ROW LEVEL SECURITY;
CREATE POLICY assets_visible ON assets USING (tenant_id IN (SELECT visible_tenant_ids()))
    WITH CHECK (tenant_id IN (SELECT visible_tenant_ids()));
ALTER TABLE vulnerabilities ENABLE ROW LEVEL SECURITY;
ALTER TABLE vulnerabilities FORCE ROW LEVEL SECURITY;
CREATE POLICY vulnerabilities_visible ON vulnerabilities USING (tenant_id IN (SELECT visible_tenant_ids()))
    WITH CHECK (tenant_id IN (SELECT visible_tenant_ids()));
ALTER TABLE incidents ENABLE ROW LEVEL SECURITY;
ALTER TABLE incidents FORCE ROW LEVEL SECURITY;
CREATE POLICY incidents_visible ON incidents USING (tenant_id IN (SELECT visible_tenant_ids()))
    WITH CHECK (tenant_id IN (SELECT visible_tenant_ids()));
ALTER TABLE tenant_stats ENABLE ROW LEVEL SECURITY;
ALTER TABLE tenant_stats FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_stats_visible ON tenant_stats USING (tenant_id IN (SELECT visible_tenant_ids()));

GRANT SELECT, INSERT, UPDATE ON api_keys, assets, vulnerabilities, incidents TO portal_app;
GRANT SELECT ON tenant_stats TO portal_app;
GRANT USAGE ON SEQUENCE api_keys_id_seq, assets_id_seq, vulnerabilities_id_seq, incidents_id_seq TO portal_app;
