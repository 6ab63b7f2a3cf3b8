-- seed_demo.sql - demo tenants and users. Defines pg_temp.seed_demo(size,
-- password_hash), which `ctl seed-demo` calls as the owner role; the
-- function vanishes with the session. Idempotent: a second run changes
-- nothing. Sizes: S = 3 MSPs x 10 companies (make run), M = 50 x 40,
-- L = 200 x 100; plus two MSPs not yet managed by the MSSP, to try the
-- onboarding handshake with.
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
        RETURN 'seed-demo: demo data already present';
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

    RETURN format('seed-demo: size %s: 1 MSSP, %s MSPs, %s companies, 2 unmanaged MSPs',
                  p_size, n_msp, n_msp * n_co);
END $$;
