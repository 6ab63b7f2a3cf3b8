-- seed_demo.sql - demo tenants and users. Defines pg_temp.seed_demo(size,
-- password_hash), which `ctl seed-demo` calls as the owner role; the
-- function vanishes with the session. Idempotent: a second run adds
-- nothing; it moves the demo's times to the present (seed_refresh: by the
-- whole hours since it was loaded or last moved), so an old var/ shows
-- the same last 24 hours and 30 days as the day it was loaded. Sizes: S = 3 MSPs x 10 companies (make run), M = 50 x 40,
-- L = 200 x 100; plus two MSPs not yet managed by the MSSP, to try the
-- onboarding handshake with.
-- Inventory per size (seed_inventory): S 1,067 assets, 1,514
-- vulnerabilities, 118 incidents; M (the issue's M) about 208,000 assets,
-- 2.0M vulnerabilities, 200,000 incidents; L about 1.08M assets, 10.2M
-- vulnerabilities, 1M incidents. M and L print a progress line per phase
-- (RAISE NOTICE, let through by a transaction-local client_min_messages;
-- libpq prints notices on stderr as they arrive).
CREATE FUNCTION pg_temp.seed_demo(p_size text, p_hash text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    n_msp int := CASE p_size WHEN 'S' THEN 3 WHEN 'M' THEN 50 ELSE 200 END;
    n_co  int := CASE p_size WHEN 'S' THEN 10 WHEN 'M' THEN 40 ELSE 100 END;
    msp_names text[] := ARRAY['Bluefin IT', 'Cobalt Managed Services', 'Driftwood Networks'];
    co_words text[] := ARRAY['Acme', 'Globex', 'Initech', 'Umbrella', 'Hooli', 'Vandelay', 'Stark',
                             'Wayne', 'Tyrell', 'Cyberdyne', 'Soylent', 'Wonka', 'Gringotts', 'Oscorp'];
    mssp bigint;
    msp bigint;
    uid bigint;
    i int;
    mname text;
BEGIN
    IF EXISTS (SELECT 1 FROM tenants WHERE kind = 'mssp' AND name = 'Northwind Security') THEN
        RETURN 'seed-demo: demo tenants already present; ' || pg_temp.seed_inventory(p_size) || pg_temp.seed_plans() || pg_temp.seed_reports()
               || pg_temp.seed_refresh();
    END IF;
    INSERT INTO tenants (kind, name, region, ancestors, root_id)
    VALUES ('mssp', 'Northwind Security', 'eu', '{0}', 0) RETURNING id INTO mssp;
    INSERT INTO users (email, name, password_hash, password_changed_at)
    VALUES ('admin@northwind.example', 'Nora Admin', p_hash, now()) RETURNING id INTO uid;
    INSERT INTO memberships VALUES (uid, mssp, 'mssp_admin');
    INSERT INTO users (email, name, password_hash, password_changed_at)
    VALUES ('analyst@northwind.example', 'Ned Analyst', p_hash, now()) RETURNING id INTO uid;
    INSERT INTO memberships VALUES (uid, mssp, 'mssp_analyst');

    FOR i IN 1..n_msp LOOP
        mname := CASE WHEN i <= 3 THEN msp_names[i] ELSE format('MSP %s', lpad(i::text, 3, '0')) END;
        INSERT INTO tenants (kind, name, region, parent_id, ancestors, root_id)
        VALUES ('msp', mname, 'eu', mssp, '{0}', 0) RETURNING id INTO msp;
        IF i = 1 THEN
            -- the analyst is assigned to the first MSP only
            INSERT INTO analyst_assignments SELECT id, msp FROM users WHERE email = 'analyst@northwind.example';
        END IF;
        IF i <= 3 THEN
            INSERT INTO users (email, name, password_hash, password_changed_at)
            VALUES (format('owner@msp%s.example', i), format('%s Owner', mname), p_hash, now())
            RETURNING id INTO uid;
            INSERT INTO memberships VALUES (uid, msp, 'owner');
        END IF;
        INSERT INTO tenants (kind, name, region, parent_id, ancestors, root_id)
        SELECT 'company', format('%s %s %s', co_words[1 + (i * 7 + j) % array_length(co_words, 1)],
                                 CASE j % 3 WHEN 0 THEN 'Ltd' WHEN 1 THEN 'GmbH' ELSE 'Inc' END, i * 1000 + j),
               'eu', msp, '{0}', 0
          FROM generate_series(1, n_co) j;
    END LOOP;

    -- Two MSPs that no MSSP manages yet, each with an owner and companies.
    FOR i IN 1..2 LOOP
        mname := (ARRAY['Evergreen MSP', 'Foxglove Systems'])[i];
        INSERT INTO tenants (kind, name, region, ancestors, root_id)
        VALUES ('msp', mname, 'eu', '{0}', 0) RETURNING id INTO msp;
        INSERT INTO users (email, name, password_hash, password_changed_at)
        VALUES ((ARRAY['owner@evergreen.example', 'owner@foxglove.example'])[i],
                format('%s Owner', mname), p_hash, now()) RETURNING id INTO uid;
        INSERT INTO memberships VALUES (uid, msp, 'owner');
        INSERT INTO tenants (kind, name, region, parent_id, ancestors, root_id)
        SELECT 'company', format('%s Client %s', split_part(mname, ' ', 1), j), 'eu', msp, '{0}', 0
          FROM generate_series(1, 4) j;
    END LOOP;
    -- More people of the first MSP (Bluefin IT), one per role, and two of
    -- its first company: every role has a demo login.
    msp := (SELECT id FROM tenants WHERE parent_id = mssp ORDER BY id LIMIT 1);
    INSERT INTO users (email, name, password_hash, password_changed_at)
    VALUES ('admin@msp1.example', 'Ada Admin', p_hash, now()),
           ('analyst@msp1.example', 'Ari Analyst', p_hash, now()),
           ('viewer@msp1.example', 'Vic Viewer', p_hash, now()),
           ('owner@company.example', 'Olga Owner', p_hash, now()),
           ('viewer@company.example', 'Cora Viewer', p_hash, now());
    INSERT INTO memberships (user_id, tenant_id, role)
    SELECT u.id, msp, split_part(split_part(u.email, '@', 1), '.', 1)
      FROM users u WHERE u.email IN ('admin@msp1.example', 'analyst@msp1.example', 'viewer@msp1.example');
    INSERT INTO memberships (user_id, tenant_id, role)
    SELECT u.id, (SELECT id FROM tenants WHERE parent_id = msp ORDER BY id LIMIT 1),
           split_part(u.email, '@', 1)
      FROM users u WHERE u.email IN ('owner@company.example', 'viewer@company.example');

    RETURN format('seed-demo: size %s: 1 MSSP, %s MSPs, %s companies, 2 unmanaged MSPs; ',
                  p_size, n_msp, n_msp * n_co) || pg_temp.seed_inventory(p_size) || pg_temp.seed_plans() || pg_temp.seed_reports();
END $$;

-- Executive reports (docs/reports.md), once: Nora (Northwind's admin)
-- mails herself the consolidated report of every month, as a PDF.
CREATE FUNCTION pg_temp.seed_reports() RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    nw tenants%ROWTYPE;
    nora bigint := (SELECT id FROM users WHERE email = 'admin@northwind.example');
BEGIN
    SELECT * INTO nw FROM tenants WHERE kind = 'mssp' AND name = 'Northwind Security';
    IF nw.id IS NULL OR nora IS NULL OR EXISTS (SELECT 1 FROM report_schedules WHERE tenant_id = nw.id) THEN
        RETURN '';
    END IF;
    INSERT INTO report_schedules (tenant_id, root_id, created_by, kind, paper, cadence, delivery, recipients,
                                  next_run_at)
    VALUES (nw.id, nw.root_id, nora, 'consolidated', 'a4', 'monthly', 'attachment',
            ARRAY['admin@northwind.example'], report_next_run('monthly', now()));
    RETURN '; reports: a monthly consolidated report for Northwind';
END $$;

-- Shared configuration plans (docs/plans.md), once: Northwind's baseline
-- shared with every MSP; Cobalt Managed Services overrides URL filtering
-- on its own account; Bluefin IT clones the baseline as "Bluefin strict"
-- (SSL inspection on) and shares it with its first three companies. Made
-- as the owner role, so each document is checked with the validator the
-- pages use (config_doc_error()) and the history written as they write it.
CREATE FUNCTION pg_temp.seed_plans() RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    nw tenants%ROWTYPE;
    bf tenants%ROWTYPE;
    cobalt tenants%ROWTYPE;
    nora bigint := (SELECT id FROM users WHERE email = 'admin@northwind.example');
    bowner bigint := (SELECT id FROM users WHERE email = 'owner@msp1.example');
    cowner bigint := (SELECT id FROM users WHERE email = 'owner@msp2.example');
    base bigint;
    tight bigint;
    url jsonb := '{"blocked_categories": ["anonymizers", "crypto_mining", "gambling", "malware", "phishing"],
                   "custom_blocked": ["pastebin.example.com"], "custom_allowed": []}';
    cobalt_url jsonb := '{"blocked_categories": ["anonymizers", "crypto_mining", "gambling", "games", "malware",
                                                 "phishing", "social_media"],
                          "custom_blocked": ["pastebin.example.com"], "custom_allowed": ["cobalt-intranet.example.com"]}';
    ssl jsonb := '{"enabled": true, "bypass_categories": ["finance", "government", "health"]}';
BEGIN
    SELECT * INTO nw FROM tenants WHERE kind = 'mssp' AND name = 'Northwind Security';
    IF nw.id IS NULL OR EXISTS (SELECT 1 FROM plans WHERE tenant_id = nw.id) THEN
        RETURN '';
    END IF;
    SELECT * INTO bf FROM tenants WHERE parent_id = nw.id AND name = 'Bluefin IT';
    SELECT * INTO cobalt FROM tenants WHERE parent_id = nw.id AND name = 'Cobalt Managed Services';
    IF config_doc_error('url_filtering', url) IS NOT NULL OR config_doc_error('url_filtering', cobalt_url) IS NOT NULL
       OR config_doc_error('ssl_inspection', ssl) IS NOT NULL THEN
        RAISE EXCEPTION 'seed_plans: a demo document is invalid';
    END IF;
    -- The baseline: the defaults, then URL filtering tightened (version 2).
    INSERT INTO plans (tenant_id, root_id, name, version, created_by)
    VALUES (nw.id, nw.root_id, 'Northwind baseline', 2, nora) RETURNING id INTO base;
    INSERT INTO plan_sections (plan_id, tenant_id, root_id, section, doc, version, updated_by)
    SELECT base, nw.id, nw.root_id, c.section, CASE c.section WHEN 'url_filtering' THEN url ELSE c.default_doc END,
           CASE c.section WHEN 'url_filtering' THEN 2 ELSE 1 END, nora
      FROM config_sections c WHERE c.shared;
    INSERT INTO config_history (tenant_id, root_id, plan_id, section, version, action, doc, actor)
    SELECT nw.id, nw.root_id, base, c.section, 1, 'create', c.default_doc, nora FROM config_sections c WHERE c.shared;
    INSERT INTO config_history (tenant_id, root_id, plan_id, section, version, action, doc, before, actor)
    SELECT nw.id, nw.root_id, base, 'url_filtering', 2, 'edit', url, c.default_doc, nora
      FROM config_sections c WHERE c.section = 'url_filtering';
    INSERT INTO plan_shares (tenant_id, owner_id, root_id, plan_id, shared_by)
    SELECT m.id, nw.id, nw.root_id, base, nora FROM tenants m WHERE m.parent_id = nw.id AND m.kind = 'msp';
    INSERT INTO config_history (tenant_id, root_id, plan_id, version, action, target, actor)
    SELECT nw.id, nw.root_id, base, 2, 'share', m.id, nora FROM tenants m WHERE m.parent_id = nw.id AND m.kind = 'msp';
    -- Cobalt unlocks URL filtering on its own account.
    IF cobalt.id IS NOT NULL THEN
        INSERT INTO config_overrides (tenant_id, root_id, section, doc, updated_by)
        VALUES (cobalt.id, cobalt.root_id, 'url_filtering', cobalt_url, cowner);
        INSERT INTO config_history (tenant_id, root_id, section, version, action, doc, actor)
        VALUES (cobalt.id, cobalt.root_id, 'url_filtering', 1, 'override', cobalt_url, cowner);
    END IF;
    -- Bluefin IT clones it, turns SSL inspection on, shares the clone.
    IF bf.id IS NOT NULL THEN
        INSERT INTO plans (tenant_id, root_id, name, cloned_from, cloned_version, version, created_by)
        VALUES (bf.id, bf.root_id, 'Bluefin strict', base, 2, 2, bowner) RETURNING id INTO tight;
        INSERT INTO plan_sections (plan_id, tenant_id, root_id, section, doc, version, updated_by)
        SELECT tight, bf.id, bf.root_id, s.section, CASE s.section WHEN 'ssl_inspection' THEN ssl ELSE s.doc END,
               CASE s.section WHEN 'ssl_inspection' THEN 2 ELSE 1 END, bowner
          FROM plan_sections s WHERE s.plan_id = base;
        INSERT INTO config_history (tenant_id, root_id, plan_id, section, version, action, doc, actor)
        SELECT bf.id, bf.root_id, tight, s.section, 1, 'clone', s.doc, bowner FROM plan_sections s WHERE s.plan_id = base;
        INSERT INTO config_history (tenant_id, root_id, plan_id, section, version, action, doc, before, actor)
        SELECT bf.id, bf.root_id, tight, 'ssl_inspection', 2, 'edit', ssl, s.doc, bowner
          FROM plan_sections s WHERE s.plan_id = base AND s.section = 'ssl_inspection';
        INSERT INTO plan_shares (tenant_id, owner_id, root_id, plan_id, shared_by)
        SELECT c.id, bf.id, bf.root_id, tight, bowner
          FROM (SELECT id FROM tenants WHERE parent_id = bf.id ORDER BY id LIMIT 3) c;
        INSERT INTO config_history (tenant_id, root_id, plan_id, version, action, target, actor)
        SELECT bf.id, bf.root_id, tight, 2, 'share', c.id, bowner
          FROM (SELECT id FROM tenants WHERE parent_id = bf.id ORDER BY id LIMIT 3) c;
    END IF;
    RETURN '; plans: Northwind baseline shared with its MSPs, Cobalt overrides URL filtering, Bluefin strict';
END $$;

-- Assets, vulnerabilities and incidents for every demo company that has
-- none yet: deterministic (derived from ids), set-based, one statement per
-- table so the rollup triggers run once per table. Some indicators recur
-- across customers, so threat correlation has something to find.
CREATE FUNCTION pg_temp.seed_inventory(p_size text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    per_co int := CASE p_size WHEN 'S' THEN 24 WHEN 'M' THEN 100 ELSE 50 END;
    vulns_per_asset int := CASE p_size WHEN 'S' THEN 2 ELSE 13 END;
    -- incidents per company: S 1 + id % 5; M about 100; L about 50
    inc_base int := CASE p_size WHEN 'S' THEN 1 WHEN 'M' THEN 95 ELSE 45 END;
    inc_mod int := CASE p_size WHEN 'S' THEN 5 ELSE 11 END;
    show_progress boolean := p_size <> 'S';
    t0 timestamptz := clock_timestamp();
    cves text[] := ARRAY['CVE-2024-3400', 'CVE-2023-4966', 'CVE-2024-21887', 'CVE-2023-34362', 'CVE-2024-1709',
                         'CVE-2023-20198', 'CVE-2024-23897', 'CVE-2023-46805', 'CVE-2021-44228', 'CVE-2023-22515',
                         'CVE-2024-6387', 'CVE-2023-3519', 'CVE-2024-4577', 'CVE-2022-41040', 'CVE-2023-27997',
                         'CVE-2024-27198', 'CVE-2023-42793', 'CVE-2024-0012', 'CVE-2023-44487', 'CVE-2022-22965'];
    sev text[] := ARRAY['critical', 'high', 'high', 'medium', 'medium', 'medium', 'low', 'low', 'low', 'low'];
    indicators text[] := ARRAY['185.220.101.4', 'update-check.example-cdn.net', '45.9.148.108',
                               'e3b0c44298fc1c149afbf4c8996fb924', 'login-microsoft.example.org', '91.92.250.11'];
    n_assets bigint;
    n_vulns bigint;
    n_inc bigint;
    idx text[];   -- the secondary indexes of the three tables, rebuilt after an M or L load
    def text;
BEGIN
    CREATE TEMP TABLE seed_cos ON COMMIT DROP AS
    SELECT t.id, t.root_id FROM tenants t
     WHERE t.kind = 'company' AND NOT EXISTS (SELECT 1 FROM assets a WHERE a.tenant_id = t.id)
       AND t.root_id IN (SELECT id FROM tenants WHERE name IN ('Northwind Security', 'Evergreen MSP', 'Foxglove Systems'));
    IF show_progress THEN
        -- ctl runs with client_min_messages = warning: let the progress
        -- lines through for the rest of this transaction.
        PERFORM set_config('client_min_messages', 'notice', true);
        RAISE NOTICE 'seed-demo %: % companies to fill; assets ...', p_size, (SELECT count(*) FROM seed_cos);
        -- Millions of rows: build the list and rollup indexes once at the
        -- end instead of row by row (keys and unique constraints stay).
        SELECT array_agg(i.indexdef ORDER BY i.indexname) INTO idx
          FROM pg_indexes i
         WHERE i.schemaname = 'public' AND i.tablename IN ('assets', 'vulnerabilities', 'incidents')
           AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conname = i.indexname);
        EXECUTE (SELECT 'DROP INDEX ' || string_agg(format('%I', i.indexname), ', ')
                   FROM pg_indexes i
                  WHERE i.schemaname = 'public' AND i.tablename IN ('assets', 'vulnerabilities', 'incidents')
                    AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conname = i.indexname));
    END IF;
    -- First reported over the 90 days before the load (the reports' coverage).
    INSERT INTO assets (tenant_id, root_id, external_id, kind, name, address, created_at)
    SELECT c.id, c.root_id, format('asset-%s', g),
           CASE WHEN g <= 1 + c.id % 2 THEN 'probe' WHEN g % 7 = 0 THEN 'external'
                WHEN g % 3 = 0 THEN 'discovered' ELSE 'agent' END,
           format('host-%s-%s', c.id, g), format('10.%s.%s.%s', c.id % 250, g / 250, g % 250),
           now() - make_interval(days => ((c.id * 7 + g * 13) % 90)::int)
      FROM seed_cos c, generate_series(1, per_co + (c.id % 9)) g;
    GET DIAGNOSTICS n_assets = ROW_COUNT;
    IF show_progress THEN
        RAISE NOTICE 'seed-demo %: % assets (% s); vulnerabilities ...', p_size, n_assets,
            round(extract(epoch FROM clock_timestamp() - t0)::numeric, 1);
    END IF;
    INSERT INTO vulnerabilities (tenant_id, root_id, external_id, asset_id, cve, severity, first_seen, fixed_at)
    SELECT a.tenant_id, a.root_id, format('%s-v%s', a.external_id, k), a.id,
           cves[1 + (a.id * 7 + k * 13) % array_length(cves, 1)],
           sev[1 + (a.id * 3 + k) % array_length(sev, 1)],
           now() - make_interval(days => ((a.id + k) % 60)::int),
           CASE WHEN (a.id + k) % 3 = 0 THEN now() - make_interval(days => ((a.id + k) % 20)::int) END
      FROM assets a JOIN seed_cos c ON c.id = a.tenant_id, generate_series(1, vulns_per_asset) k
     WHERE a.kind <> 'probe' AND (a.id + k) % 4 <> 0;
    GET DIAGNOSTICS n_vulns = ROW_COUNT;
    IF show_progress THEN
        RAISE NOTICE 'seed-demo %: % vulnerabilities (% s); incidents ...', p_size, n_vulns,
            round(extract(epoch FROM clock_timestamp() - t0)::numeric, 1);
    END IF;
    -- A managed security gateway at every third company (a device: it
    -- follows the plans and polls its configuration, docs/plans.md).
    INSERT INTO assets (tenant_id, root_id, external_id, kind, name, address, created_at)
    SELECT c.id, c.root_id, 'gateway-1', 'gateway', format('gw-%s', c.id), format('10.%s.255.1', c.id % 250),
           now() - make_interval(days => (c.id % 60)::int)
      FROM seed_cos c WHERE c.id % 3 = 0;
    -- Opened up to 30 days before the load; at size S one in eight in
    -- the last 24 hours, so the day's figures are not empty at once (the
    -- benchmark sizes keep their shape).
    INSERT INTO incidents (tenant_id, root_id, external_id, severity, title, indicator, indicator_kind,
                           opened_at, acknowledged_at, closed_at)
    SELECT c.id, c.root_id, format('inc-%s', k), sev[1 + (c.id * 7 + k * 3) % 10],
           (ARRAY['Beacon to known C2 address', 'Suspicious PowerShell download', 'Credential phishing link clicked',
                  'Exploit attempt on edge device', 'Ransomware precursor behaviour'])[1 + (c.id + k) % 5],
           indicators[1 + (c.id * k) % array_length(indicators, 1)],
           (ARRAY['ip', 'domain', 'ip', 'hash', 'domain', 'ip'])[1 + (c.id * k) % 6],
           now() - make_interval(hours => h.x),
           CASE WHEN (c.id + k) % 4 <> 0 THEN now() - make_interval(hours => greatest(h.x - 1, 0)) END,
           CASE WHEN (c.id + k) % 5 < 3 THEN now() - make_interval(hours => greatest(h.x - 20, 0)) END
      FROM seed_cos c, generate_series(1, inc_base + c.id % inc_mod) k,
           LATERAL (SELECT CASE WHEN p_size = 'S' AND (c.id + k) % 8 = 1 THEN ((c.id * 7 + k * 5) % 24)::int
                                ELSE ((c.id * 13 + k * 29) % 720)::int END AS x) h;
    GET DIAGNOSTICS n_inc = ROW_COUNT;
    IF show_progress THEN
        RAISE NOTICE 'seed-demo %: % incidents (% s); indexes ...', p_size, n_inc,
            round(extract(epoch FROM clock_timestamp() - t0)::numeric, 1);
        FOREACH def IN ARRAY idx LOOP
            EXECUTE def;
        END LOOP;
        -- Statistics now, not when autovacuum comes by: until then the
        -- planner takes the new tables for empty (pages of seconds).
        ANALYZE tenants, assets, vulnerabilities, incidents, tenant_stats, vuln_daily, cve_open, incident_hourly,
                indicator_hourly, indicator_customers, incident_recent;
        RAISE NOTICE 'seed-demo %: % indexes, statistics (% s); committing ...', p_size, cardinality(idx),
            round(extract(epoch FROM clock_timestamp() - t0)::numeric, 1);
    END IF;
    RETURN format('inventory: %s assets, %s vulnerabilities, %s incidents', n_assets, n_vulns, n_inc);
END $$;

-- The demo loaded hours or days ago, moved to the present: the times of
-- the seeded incidents (inc-N) and vulnerabilities (asset-N-vK) of the demo
-- trees move forward by the whole hours since it was loaded, in two
-- statements (the rollup triggers move the hourly and daily series with
-- them). When it was loaded: the MSSP's creation, or the anchor of its last
-- move (an audit row, operator.demo_moved, which also tells the admins).
-- Rows written since, by the portal or the demo feeder, keep their times.
-- Nothing within the hour of the load; not the large sizes (a million
-- updated rows is not worth a restart: seed a fresh var/ instead).
CREATE FUNCTION pg_temp.seed_refresh() RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    roots bigint[] := ARRAY(SELECT id FROM tenants WHERE parent_id IS NULL
                              AND name IN ('Northwind Security', 'Evergreen MSP', 'Foxglove Systems'));
    mssp tenants%ROWTYPE;
    anchor timestamptz;
    hours int;
    n_inc bigint;
    n_vulns bigint;
BEGIN
    SELECT * INTO mssp FROM tenants WHERE kind = 'mssp' AND name = 'Northwind Security';
    anchor := coalesce((SELECT (details->>'anchor')::timestamptz FROM audit_log
                         WHERE tenant_id = mssp.id AND action = 'operator.demo_moved' ORDER BY id DESC LIMIT 1),
                       mssp.created_at);
    hours := floor(extract(epoch FROM now() - anchor) / 3600);
    IF anchor IS NULL OR hours < 1 THEN
        RETURN '';
    END IF;
    IF (SELECT count(*) FROM vulnerabilities WHERE root_id = ANY (roots)) > 100000 THEN
        RETURN format('; the demo is %s hours old (too large to move: seed a fresh var/ instead)', hours);
    END IF;
    UPDATE incidents SET opened_at = opened_at + make_interval(hours => hours),
                         acknowledged_at = acknowledged_at + make_interval(hours => hours),
                         closed_at = closed_at + make_interval(hours => hours)
     WHERE root_id = ANY (roots) AND external_id ~ '^inc-[0-9]+$';
    GET DIAGNOSTICS n_inc = ROW_COUNT;
    UPDATE vulnerabilities SET first_seen = first_seen + make_interval(hours => hours),
                               fixed_at = fixed_at + make_interval(hours => hours)
     WHERE root_id = ANY (roots) AND external_id ~ '^asset-[0-9]+-v[0-9]+$';
    GET DIAGNOSTICS n_vulns = ROW_COUNT;
    INSERT INTO audit_log (tenant_id, root_id, action, target, details)
    VALUES (mssp.id, mssp.root_id, 'operator.demo_moved', 'tenant:' || mssp.id,
            jsonb_build_object('hours', hours, 'anchor', anchor + make_interval(hours => hours),
                               'incidents', n_inc, 'vulnerabilities', n_vulns));
    RETURN format('; moved to the present: %s incidents and %s vulnerabilities, %s hours later', n_inc, n_vulns, hours);
END $$;
