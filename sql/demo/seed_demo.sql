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
        RETURN 'seed-demo: demo tenants already present; ' || pg_temp.seed_inventory(p_size) || pg_temp.seed_plans() || pg_temp.seed_reports() || pg_temp.seed_branding() || pg_temp.seed_billing()
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
                  p_size, n_msp, n_msp * n_co) || pg_temp.seed_inventory(p_size) || pg_temp.seed_plans() || pg_temp.seed_reports() || pg_temp.seed_branding() || pg_temp.seed_billing();
END $$;

-- White labelling (docs/white-labelling.md), once: Northwind's own brand,
-- which its MSPs and companies inherit and its reports and emails wear: a
-- title, a footer and a logo for light and for dark backgrounds (320 x 80
-- PNG, drawn from an SVG with DejaVu Sans).
CREATE FUNCTION pg_temp.seed_branding() RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    nw tenants%ROWTYPE;
    light bytea := decode('iVBORw0KGgoAAAANSUhEUgAAAUAAAABQCAYAAABoMayFAAAQAElEQVR4nOydCXxTVb7H/+fepKQCljZBFkVBXLEtbZBBBVHHZXD0' || 'PZ8+qwM0ZVHc19GPoqJUwBkHFLenKKMCTQG1I/Jx3nsugHYGBJfpyqKISFUsBZIUKKWhTe6Z/wm0JDc3TdLeLLT/7+fTT3LPPcs9' || 't7m/+z/nfxYJCIIguikSEARBdFNIAAmC6LaQABIE0W0hASQIottCAkgQRLfFAEnIwMnV54Di/QNnkCeOGYcSkOR3ahdnfwcEQRA6' || 'wSBJ8Bc9BmyYVhwOfAuJIUEQepFQAYxE9EJBYkgQRGeJuwB2RvRCQWJIEERHiIsAxkL0QkFiSBBEpMRMAOMpeqEgMSQIoj10FcBk' || 'EL1QkBgSBKGm0wKYzKIXChJDgiAEHRLA41H0QkFiSBDdl4gFsCuJXihIDAmiexG5AE6q5NCNqF2SkzSDxAmCiA00F5ggiG4LCSBB' || 'EN0WEkCCILotSbkaTFfAkmt7Ghh7Sh2uKDDNVVn0plYac25BCWNwo3+YR5GG7KtcXAPHMeYc22NMYn/yD/N6+cX1VfZ1kISkD7eN' || 'kWW21j+MK/xxZ6X9z5BgQvxG0vE3sg+IqCEBjDOM8Zkw4rYlULawBY5T8CFcjw/hhX5BdY7yogFAEMcZ1ASOM4yxUzK87ruAIIiE' || 'E3MLsG+aAWbcNBAuyeztO35/Qz3MfqcW9EZdzj82NcCc92ph734PJBuSBNMh2/YmVNsbgUg+FGU/l+TVAWES+wWILkfMBfDpCSfD' || 'daP6tB3fMa4vDDmpB0x9eQfoibqcG0eng9HA4K4FP0ES0t8swX1OgIT3KRHB1G9cuhE/rgSiyxNzAbxieO+gsN9ZT/QJ1sxlv4Je' || 'aJUz9rzekKwwCf6YPiLvtfqykv3QQTB9muQ13YXN6iwO/AxgcDZwqMfct+Hpbdhz/6mzsnhlqPTtOScsVtt/cA6TMS8r9vcN9ire' || 'ubIkPxIiq/4Wa4FqoDxf6yi3j4X2GJaXkmHC6wc2lgFkA+e9OIMNjMMnjgr3XwFKvP7R0bF0B/YhLAjIw6Oc46gu3tp62Cd3wmkG' || 'Zqjxj9LsbjIf2FLiasvHOmkEXt+/Aq6W8wJnhd0uvkfqBDFbC5rxuo1+mXzsqLBfnZadbzUY2FQ8N5z76gXi+r5kXv6q/7Vq0Sdn' || 'Qo5Bku/kwLIZ55n4uQX/r5sx82Jnuf0zIHQl5n2APU2yZvitV1lgyuUWiGU56b1kSCZQpDYdO2IWSTE9DB2DZeTYpsnc9K1PwBiM' || 'RxEciUJyIn6ehoJ1Bf7dySTpA3RYrDoxZ8KZkWYsSyCbc21/wyI+xLxuEOIHsUBivc09UtdKwF5AobgeQ4aiuPXDOvyXEDlzrunL' || '3ucUmP2TYLO0VJ2NIrMx/scyM1ysjmNMSQ0IUxQ+Rh3H3eL5FHQAXyqTUfy+wnrcjfdwzNH/yUj8uxcMUiW+KG4PldZizb8NxW89' || 'prsN78kFeB964f3/DX6fgvmswRfAQ0DoSkKdILMmDoTfZievldYp0N2rDkIBnI9WwsG2KAAP9Mwc3w+iBC2POZLEFmIOYT2vQgyN' || 'kvyNsIwgItgsfFj/G2KMDPxV8XCHOo/XcH6PVH6ff5izbPF3aKntDIwHgWLG+Wh1XlwKjKNOg5bu5sZNy3dDJ8F/eCY+UX9FsQrV' || 'sjJhWc+eOCwvQ30ChfFafBzfwKtLDVkAY89hKSOB0I2ECiA+xLDwnsGQeVoqdAe4wnZzxl5uC8A3fKrB8GgUWUBGTv5FKJyPq8MV' || 'gHleRblWAWUqPmQb/M/hA5kmM/ltiGTuN4OjzVbehE90JapD1ZFj6QCaTpeJv0BL1vfgO1vPtf61ePgD7ZfDhmA+wkP1LjYv52Ie' || 'X6qjYHP4ftFMVl1foHOCw2Wq80HWHTYlLwqMwi9WRSgFHRAefiF+QlDxwl5EsbZjHQ8ExoE+RpPp1sCUefg+4HOCMuR8N96XRfi/' || 'fa71/ggLHwjdSPg4wNQUCZY/fDpc+eRWqNuXfB5bvVFY01yJm+4WouQLkNidGdkT57uql+6MJL0kmlLqPDk85Koomt96jH2DK7CM' || 'dVhGZmsYfv+teXjBSGdV0ddhihD9Yau8XL6pdXAtXt8pYJQkR1nxz+IYm9UN/lKKX1sclcWlECXcyyc6q+zvtWaDlu16X9Pv2DWn' || 'WYypgx0A37clUlgpvrYnt8VBQcjInDLItWnRL72ybSe11hkFo6Wtfw6boH2H5fXau6XkYHq2LVM0tQPri3nqBYcvpMNN40RZ4vCI' || 'ZQd/V8XJ9D/MsKagVceGB8bhO/CFeTH+v1o7yhl2TbzENP7/RMdJinGAGb0N8O6jQ6GXqQsNS8SnSiOQHXF6sLl+gSbJID0JkWbL' || '2OjAYqDGJZle8Q87WsZfghLLoZucfjnukg67b/CfWSDEub7M/jPoCIrs+66q4vcCg/hH6niKrJweeMw/V8dhKd5LxGeKfMyyQyvv' || 'y1ZLVQih13iCzwqUZB7UR+j1eNaATngUuLdV/AQOZvpEiLF/HLQChwQkUqQsdT7463neT/x8QfhSegrzagBCN5JGcc4YYIIlDw4B' || 'Q3L5LWKC08Nfwo+61mP8UU9Ny5pwerh0oh8PH+ZBgaG8TGtWSYvi+Uoji1EQFrbQ/wGOGZz9Pahkhk1pFZICAY4QIcQolN8G5nWk' || '30/ix14O+P5Zj2W0eXIlSRl9tBB1H2HZ/o3L6kEPOGzbV1VUEZj7whZsgrsCLzewTujIygnKywP/UgcdfSltBkI3ksrkuuDsXvDK' || 'bd2gi6Pa3qgAb7PQRL+RwWh4OlwyxuXzNEL3aMU1HGS7g9MHNr20wOb0JogHEg8aWIxNvsMQEaom69F+P7SajlmAjH/BuPJFW95w' || 'RPjwHlwRWCj8A3SCM645WBpfcO4wKYeqQzzcu1c7Kmj+v4mOkXRtzv8c1Qf+eF3UjtHjDpdLfh0tmbZR2mjZ5ePHue0mUkCjGcpP' || '0orq6cWDbiI2CcPOZuBM6bQ3NBIULzQHBTLhywkP3rfPA5OxzPQRtlOF57gtzO3+HJv8fuPm+MVmq+1cdf+flyu6ja1DcW3WDIdw' || '9WJBU6MMTO6rHRU0/99Ex0iYAK7YELrV8dD1/eGGC9OhS1Oz2I1WSsAgZGwCntdeknpj6tajntNjaQCsAJcGObOMkiG4ucvYRgiH' || 'l0Ww8jdP6OrgXq93tTpMVsB/5Z0y0YxHp80uvF++gccojilYs4BxdFgLxdB8WDcLsMMofFtQmAHOVwf1yZkspjq1+xshoiNhAvjg' || 'mz/Dl1tDdzXNv2UQjDqrJ3RlHOWH38LH8MeIE/j6k1hgE5WxIRbrqU/4B/nGFnKYrpHDt6AHLLAZhmpoDhquEkNEnx1agYEzORgr' || 'aPvOeVvTF0VvnVYc3zlsJselvzMMeL3b1WFCrNFrf7J/kMy8s/CF10UHziaGhA2D8XgBJr2wAz5++iwY0q9H0Hkxj1c4Ra6ZtQ22' || '74qwa+i4o8TLua0QLb+iiJNwmIcCtFQVWmjOLRiDD80ifKWdhZbNNMxzYEAyDpudXv4B6AFnO1XDYIwWU+r7irWgWFKONKGbmg3f' || 'NW5ZXAcxApu9/8SPY01evylpXDkmgAqKnATsFnWcI/Hgn5AESO6Uj3hPzy8BDi58sTGJl5mtBf8vxlniuTH+Q4QIfUhoH+BBtwI3' || 'z90Orgbt8X+9U2V495GhSTelTU+cFUOFmFVHGt9RWbQMLYZX1OFixgf+N0VeM4PETwzGZTxPr9VnsLP/fzWCr8Uf0zvobv1c/JlS' || 'lN9BLGln8LJkgDbvL/6y1kLIPHQc/9cJHFvfbuBeJXhapG9qIEzB+/pwm/j5zSQiOk/CnSC/Oltg/HM/osWg3U88IN3oGyhtMnbV' || 'TdoK0fHKw3qA/UHRfECsLC3G7IWLi5bfamw8jXKW2/Vp/iKucvsneM2fQAIRTg7Rh6cOF0NkRN9f6/GB8uIf/J1NfvGanQ17Q4tj' || 'nDkyJlK53TcDJwRo2T6D3uyPgdCNpPACb/qpCW77nxoxSV3zfNbgE3xT5lgX1UAUpxXqPq32KVTEsvpe5j4XhWgGmnjLMf03wtIT' || 'D7sQPfx8HW9nnrOi6EoxhxZ0xlnuvgbLme4rl4P+CzyGQfTdYR/eenU4/kaCl9lnTEPosAn9w0dJ1bfiKC9e6FG8F6HULRRT31oH' || 'UOP9XYN/Vzor7TOA0JVo9gUWY5l6QJT8uni4ZvjJk6uCwm650gKzJp4MoXjzU0fIJbSiKScCDtcuyTEBQRBdmogtQHwbxXzTlbdW' || 'OaC41BnyvFhCa+IlGRBr4lFXgiAST+RNYM7dEAemL9kJa6oOhDz/7KRTYr6EFnpTSQAJohsQuQAy5oQ4IIbYiv7AjTWHNM/HYwkt' || 'vIQOr9JMEMTxQ8QCiFbRNogT7hbu8wzvqtfeObJ1Ca3+fWIzjBE7RvXdsIQgiKQkCi8w192T2B71B72+MYINTV7N87FdQiu+dSUI' || 'IjFE4QRhP0CcETNAxGyRUBxZQivsKlJRk4i6EgQRfyIXQImvgwTw1feNcO8bodfivODsnvDitFNBTxJVV4Ig4kvEAli3OLdGa0R9' || 'PBArx8xfGXqVprzR+q0cI+oo6goEQXR5outAY2w1JIjnV9bBh1/FYXRKAutIEER8iUoAOePFkEDuXfhTu0to6UGi60gQRPyIahwJ' || 'Ng1LB0yq3M0AErJkc7gltDoL57CnbkluKehE2ohJQw1cEfM3L2TABmHzuoYx2Ixels8ch91vw5aSoBWEzdaCF/H+3h8yU0W5rL0d' || '2NKy860GmU0Tu4wx4Flo0e7Gim3loMx3VizV2PznUoPFemoLByh2lhfZ1GczrBMvkEDewIE/6iy3zw13vWI+Mh7/gPfyA2e9/JxY' || '+DXUtXa2rgTRWaIeSIc/WGEhJWyH+tYltD4uPMs3FEZPUJzsoBNiAyNZUb5hjKWi8K1FgVmJJfTF71kYtqAn9FzZ6LcxkhrfXrmM' || 'BZm7ChhqQqUx59jmYCUew3rswHLWY5lrUARPQq/2UMbk1Rm5tltdFfa3IAa0Xq/EIR3bFZdgHWdbMpRMRw38IdK06vD26koQehC1' || 'gnia5XmGFO/d+DVhiwW0LqG18okzfIOi9YHv9yrSXNAJmRlmYp69PYpn5L7KZZX+58T+tY3Q2G6HprtZfiGaBUVR/CYziT2BwrcM' || 'Go13OLe+HbB9YnrOpNES4/qPGTqK+notuQXL8G05Pj1r4jP1G5dujCYtQcSLqNVjz/Ks3QqHlyDBhFtCK2o4vLjbPly3HbfQUs7G' || 'PL9Xi5/gYLV9j1bzt6NYzp7am0nwJ7FHsLPBMdWhEj9BfeWSL5wVdt0s3HAoAD5nkiyzbCCIJKVDbUiPwfSM0eOewhK8Q9Vn1Q1Q' || 'uLy23SW0IgH7rfa2GFKfBx0Rw2nw/lydkVtwoauiaANEicmkXJiakx+0c5RWn5hyQvNVEkgDsNDHk2WNO8Z5P98CjpIUdl51NHUl' || 'CD3pkAA63j6nYYCt02p0NQAABc1JREFUciaaOQvCxXU1eLGvTg4K0wuxhJZwiEy5whJ0rtbVElkmCnvKseScBtAThf0FZBgnMVhv' || 'zrV9g5JgZwp84qgq+j6S5CgdK1A8QpxShzDfXhJcYpFvsBQj0rImpBuNUh72Oz6Gh3WOPU1rwqWJqq4EoSMd7kDbZc95HS2OsFPG' || '1m5piCisM8wo/hU+rQheQuu9da6wabEBvdlXF51xVhV9zZk0Agt4EwXqdDSGXkZB3Gq22qrTc2y/D5cer+sG4QUN+tPA53gQn0p8' || '9vTVItWk7LJYC7jRaMCbLr3BONQp4L0edpY0hUsbTV0JQk865Ub1gFwgg7KOtSOkYgVn0U83NrM3fgKUbmqAOe/qv4L6Ha/VwFv3' || 'DYHLso6sFbhotQPmrWi/X52LHVk5TIUYcXQp+mkAhbebc7aN4JI0hnH2kCzB/2Xk5F/lqixeFSqt2y1taNxSFJFjAG/vTrQ0wctY' || 'f0gQQsSYotSj6GfhYT5eTh8GUkTLikVTV4LQk04J4J6i7A0DCypmo4UzM1Scvfs9cE87c3n14nALh/znf4QzB/aAA4e8sHufJ2wa' || '7Keavaso92uIOYWKsxKwGQzfpGXbVhoN7EfG2B14vAp0AB0gvn1l8S00GKKm1MOhQGy7qDmfkCtShsiYc+ZoLxc/ESvtOyxvETel' || 'VjJgS7Hu54v6A0EkIZ0eQ1JblFuIb/+k2alqW+3hiMRPXLO4dogz+6vtO9Dq3MfEZuI64WSpa1GhdmCP2QQxsBmihaOAcjhT6xSK' || 'mC9c4krE/YtiwyKFK4/i11xz7vaJQBBJii6D6Fpk0034AEa8t22iQfHb6LvmGGLJtV0CGp34wiuM/YF98FQZ6EXZwha8/0+iWGWZ' || 'rYMWi2Ex6ihiHCA6Y2ya6TlfiVd6VoY1f1xA+LC8FGxaTxYebcdBZ1SebFdF8Qr0rm/Fr9PRAkyK3QcJQo0uUymEVzhjYtU1PWTs' || 'D2TsNEhixMN82Cv93qW311cNYy9YrLb+wFkptv98e/KiGg5A8ZuCAvxLs9Ty5/aSm1K8D/bILQiaHSEB/8hRYQ/aQtNRWbzUnGM7' || 'V8wEgZ6eC1Ds1qMg1mChClZ6FLb3xymc3aJVllOBly0S3CIBW4HpXkQPrs9xITF+FX7kMIXnd2B4DcfyX8DyX0/P3X5TfQW8AzrV' || 'lSD0Qre5ZK6lw3f2s1VdJjNlHT7qAyEZ4XwXl+BSV9HwnRBjFC+bjgIyDp/isWj+jEdraD86QHagx2IBk/m8hrLl7fapMYk9oj0G' || 'hAtPr6YoiH1j07LzV7TOBcYybxbmLopiKaa73FVh/0wzy2p7Y0vWhJFGo/wsHl2HwnOq2BkP+/22onBe7qws1k4XBoe7aZGlh2mW' || 'DEw0h98Fn/EdTEfqShB6oPs4q/6TKs9D50IpWoIWSCLQ8nMAN4zdZc/6FgiCIECnPkB/6pbkbFa49Bu0PrZAkiCuRVwTiR9BEP7E' || 'bKR9et72NFPqgQ/REhwLCQTFb5X70Il59SVDaatLgiACiO1UozwuD0ytehj7kWZjUUaIK7xFTHGrdQ+fByVMv7l3BEF0GeIy13KA' || 'beP5jHmWY2f8GRAPOP+Bc8N4bPJSBzpBECGJ22TzvnmbehlSWxZhk/hGiCHo7Pibp8k4ZW9JZmzXzicI4rgn7qttDCioup8xXohf' || '+4C+iGEbhbuKhid8rUKCII4PErLcUNqE6vQTDMoMLPwevIIU6AwcmjmDVw+1SLP3L8uuB4IgiAhJ6Hpr/SdXDGYKm4VXMZFFu0Od' || 'WHSYw1LGDTNq7ZmxX22BIIguR1IsONnPVpUpMeVx7B8cH0l87Odbzr18Tt1Sa9KMNSQI4vgjqVbcHThl4yDweu5D626yeiaJmMnB' || 'gC1okQyv7V2cSWvHEQTRaZJzyfGrt/Xof9Khmxko94hDzqVX6/ae8A58dGZS7HdBEETXgPZcIAii20LrtBEE0W0hASQIottCAkgQ' || 'RLfl3wAAAP//SJBvrQAAAAZJREFUAwC+g77lAppi3wAAAABJRU5ErkJggg==', 'base64');
    dark bytea := decode('iVBORw0KGgoAAAANSUhEUgAAAUAAAABQCAYAAABoMayFAAAQAElEQVR4nOydCZQU1RWGbzWrBAQEF1SOIyogEtGooBjBIfFEQB1A' || 'BVRC1CSauODRxAVEaDZRSYxRkeQkmiAYUZFFCRIWHROQRTHCILiADmJAFhUEWWagK/+dqpaeN6+6q6dfdddM3++ce6rrLVX1urv+' || 'evWW+yIkCIKQp0RIEAQhTxEBFAQhbxEBFAQhbxEBFAQhbxEBFAQhb6lLIST6qt0+dpAGWhZdzfu2TS9F6tK06OXWByQIgmAIi0KC' || 'InodPJKtFTEUBMEUORVAn6LnhYihIAgZkXUBzFD0vBAxFAQhbbIigAGJnhcihoIg+CIwAcyy6HkhYigIgidGBTAkoueFiKEgCJXI' || 'WABDLnpeiBgKglA9AayhoueFiKEg5Cm+BbCWiZ4XIoaCkEf4ngliH6J1VmiGTQdGB5RxJMo6kkI0SFwQhGCQucCCIOQtIoCCIOQt' || 'IoCCIOQtIoABYdv247aee5LkWaBJ35FqOCjDBE25elNI4WvTXO8ECgEe/5FWJFQLEcDsczf+sEdQDQbXX6LcgF+TINRARACzT0vY' || 'vSQIQs4J3CFq4wZEl5xBdMoxzv7qTUTz3yfjqOfZsI1oAc6z5wCFkTv4FdmyrK9ICCM7YSuUsM9IqHUELoCXfp+o4wmH97ueSnRU' || 'Y6Jpy8ko6nk6tSaqg/rt9HcojDSDDYXdTULowINpCTZdSKj1BP4K3PbYqmHtj3MEK+jztDmawszNqAUeSxnA+d0OhrmwdbB9sG2w' || '5bDnYTekyO/ZOYHtYNhC2FY3/Jl4AkSrHTPNNMd5j1Jf//dgo2CLYJthO2Gvw4bB6mvSD9Oc51wlzRmaNCcoaXpo0gxJiPfVCYKw' || 'g0qaJW54Iew52Crb+U34t5miXqvHd9IN9gJsDWw/bC1sBuxKEowTuADW96hjnt+GqPPJFOh5GtWnsFGa8LkJ7AGqBrgZIjBuR1wH' || '+y2sJ6w9rCGMZb8zbCCMRYvF8Af+j051kX4htpNhP4IdQ8HQFPY2bASsB6yVG1YIGwdbjetoreRZqDlOobLfQ5PmEmW/mybNHDIA' || 'rvlOcq7zWtiZ5Pwm/NsMgi1F/NAkee9z8/aHoUGH0LBDp8P6wqYjfiwJRslpJ0hP1AJPC+r2CidPwBJbJX+BP3UbSp8nYQ/BmvtI' || 'y2K4mGtG5I8oOcIXNI+Sc3N70Y6UJgK8mnK73A4lXVdl/0Kqyg9TpCnFsT+hzGkL+x1531f8mB6u1kgZhP0Um/GweuTN/bBOJBgj' || 'pwLIc4v74/Zs1ZTyha2wZxL2+QmfVi0QNwrX9n6tiforjG+i38DWKHE87ObvXHOk1Jzlbsth62Eb3P1d5NRE2EqVPHsS4uJ2JyWH' || 'X/9jsH/B/gLTdY3xA+J7SthiZV8VM13bXWdl/zxl/y0yA/fw83dcSk4N+lXYfiVNI9htiQHu6/5IzfH4O58Je5oOfz/hbtipYeR8' || 'Wcx6dXDXXkA0qZho937KB0bBridHlJhBuAEeRg3Er/eZIZqwscj/nZBy+xM2y2AFCWm4/YlrdgsoNdxF1RfH3OIej1/hIthf6+6P' || 'UdIfRNwsSp9bkO/P7jFZOFaT8+oXh78jPvfKhLA3YX0S9o9G3tNxHG5nK6DDZT4Eq+N+7oC4FkjzJbZcY1QfucVkjhJYIZ+Ld9ya' || '3bNKGrU2zq/xpyhh/LDshuN85B6Hvx8W1UEkGCMU4wAboR70M/wtG4RylWKj4P9s8R/7qYQwLvUo8o/akL4N9qByEj7Ho5q8F1Bq' || 'eFBz77j4ucf7IC5+BlkUFz/3HFwb1LXxtVX252vS/FjZMlwLLnU/10mIK9Tk/yeZY0hc/FymkyPGiZyk7J+lOc7EuPgx7vfDs4jy' || 'o5qQJUIzELolugSu7cLVDMoHWLB2JuxfhSd8yrYdtx2vpRJcgptjnyb5Ek3YeZSaqcoNHBS6TgfdeVsk7rhCrI7Ju1DZMlyLXaZJ' || 'oz4EPsIxN5MZNuNYxYkB7m+zR0nXTNnX/fZVBoq5D6UNJBgjVDNBTsKt3e8cqvW4A6AfTwji38FPD5+uprDdI+3nmrD2lJoSyg6b' || 'NGF+h62rbXbxdr9EcVtClR8C8Ti1Q0T3oKguXkJaRskp0IRt9Ui7gwRjhG4qHA9m7t6O8oHfU2Xxugx2aoo8n2rCvBrFT9SE+anp' || 'bKHsoHuVi5E/3lD2C1A7Zi/lif8cfq2dl7B/NtKwUKrtf6+TObyELlW5vtCEeY0RbUmCMXImgKs/944rRD3lzBOpVoNa4DdUtZ2u' || 'IEW2/1LVm6kjbuyGmrS64SB+JiHahtIEie71eXTCZ36t/RLGvdjxfxq3A6ozb7gcr1Hu0b3WVunNth2vL6eQYIycCeCsd4k2JqnM' || 'F52NV+IWVNthAfzCb2K3PUkdr8Y1hYcTA9yxhXdpDrGOzKD+ck00w1UCw22z+1AJTuwZXu7xuY+SZ3WW2jtTsV4Tdiu+0+86gNxe' || '4EfIGVgtGCJnAhjDs/cf+Gt+tUcfz/N4uVOkZWOqteDm41em8enlosc0YUPcGR9803DbIs+wKFDSlMKeIzOor9Jcu3oN5/4VrI9r' || 'QddU3tJcQ5wlHunqKHlMtv9lwgyq+lDhB9sKdxocj/HkIUIyBMYwOW0DPHCQaDL+nns9mr4b1CMa3DWUU9pMwkNifM9CgGhOxGaq' || 'JooH+/IMkdthRylx3N420KD3Gd0r6EWwSeQM3GW7nIKlOEncooTPb1TzGFkDvwu3BQ/XRHF7JQ8q/zkdHjsYTv9GNZScd4Lswkvd' || 'lKVE5Yf08Uce4QyUrltLPRfiz4/HQOVxfD5gJwc8F9iPI1KePtYd5zHmfwfHmobNUsot3Mmha4v8zG37qwCfud1U11PO/7gwtP9V' || '4I6J5HnC5UmS8cPyPyQYIxSysmUX0YsruJ1DH9+qGdGAzrV3nUr8+Xmq04dppOeZF9wexHNpuR2Rb2SeScI1Pb7ZWfRegN2EdF3c' || 'ObSmuZictkc+b9b9Grptd7ohO8t9hr2LY3g0wOQGXA/P7+YB2y+S02EVrxawU7f+iL+VBKP41pQRs+z9ljN3NS2iRR7hs6uGdWnj' || 'OEjwYhleFOeVZH6eVECHD4zuY0ljsyDUctKpAe6kgFkOgVtZ6h3PLrTOOYmyQeBlFQQh9/gXQDs7cxDnrCL6eKt3/GWdsuJCSwRQ' || 'EPIA3wJo6edpGoebAV9Ai9UWDwnKhgsty65wQyQIQi3HtwDaFn1MWeJgzOkZ/mafPj7uQqtJQK10KOunJAhCrSedV2C//uqMsLeM' || '6Nm30BvhMSggUBdaWS6rIAi5wbcARvTTdQJlxx5ntogXFS60zifj5KKsgiBkn3R6gRdTDtiIlscZK73jeb5w33SW/PFHTsoqCEJ2' || '8S2A0b5WqW3TRsoB7DmmOMkw4U6tyRhcRi4rCYJQ60l3JshCyhHFaJVb8z/KBjkroyAI2SUtAYzoJ+FnDX4V3hiwP9xcl1EQhOyR' || 'lgDi1bDY9nbVHTipXGhljE3buIxkCNu2z4LNhG2CHYChGcGeDxvm5T8P4ZPt5PRJcc5C2DRYCWw/bDOM1wW+yiN9Q/e4r3rE/8SN' || 'H+/zevfBPoQ9CjuSkl9rRmUVhExJfxCJjRqSVbH2bE6Iu9C6ubszFMYk0NcpZAh3ASPuTOGr5G6cueS4M2fX7ePIcVaQbIEbXiv3' || 'W034+iTnZFdZvGYwO1nlCfS8hCS7zGcHqS8h/h7LsiZQMMSvlxf84aUneV1gLuulaeRVkd54IVDSFsCDEZpQzyb2SpEzZwFxF1o3' || 'XuQMijYBOj92RewKj7um4LVzeV3bQojOvyufq2L92u0p8vNawb5XAMMxWXBuIUdor3d9zCXG96LUa45kQqXrxfn4OnpieyHCUzke' || 'TausgmCKtN1hPVhkbUVN6Y+UY1K50KoGj0X7WdvIHFwD3KSKH4OwUti3ZAiIDNfyeGF0vv4Bqvi555wLe5yyR3yxobNJEEJKteZR' || '7Ldo3BExugGvwsG7JUjCx7jd561J7kLLDxDR7fsjFau0mYSXfewGcboUwjOvGvm7I2+VkuFYszRp2RlYc9iEEPm4i/83/MyrTqes' || 'gmCMagngI0XW7uhseySEY1KqtDylTXVpvzfVKqlpwC60WqA7oXObqnFec4lVIhEawWUis7CzUHYTz2tl8NQ69qI8Bzf1Sp/5n/YI' || '1/lwjI+E9O1aPyhQ1uOxGUyOa352afGKj2zplFUQjFHtmbTRIutPI2fZ3BmStF3pk+3OWr9qmEnmlhA1bUTU7rjK4e99ljov3qDf' || 'H4WykGEgdAsgBiyAvBQjdwRE2RDGjhYeQHyqBYp4HQi/npabu1vfK8wFwHq7cnsEL5x0I8rppwaYTlkFwRgZuRKIxWhwxEJPp+Xd' || 'lsgenPm+aHOMs92A19b5flanTZOX3iYa2AVq7L54rUBd6PVULg1siuHCb6SAcF3RXw1h4O/5Ylg3cjoqpiKsHPEvJsn+ZhodA/Eh' || '4q0od8RFrBNsAIyHwPj1q5hOWQXBGBkJ4Jh+1tIRM+0xeE8Z6ZVmzwGil/2+9GUAu9Caip7ho5ugjbKcaLcP963Q4zGj+gayXkYl' || '3IWPeIbJQgjfdGxXwW4iZ+0HE8RdlRVQmuDaeKwgtxs280jS0t2m8gcZF7FZOB6vTseLF0zB5w5u+QUhdGS8KNLovlYUm+o08gfC' || '9t3+xA/Mc689q0AMeH3XvVR16cpM4EWReIA61zarMzyJO2xO9og7zd36HpPnLlg0ws17CwlCSDGyKtw+i/qTs3BzjQA1vxL3moM7' || 'h20XwSKacG4PRIslvUeGgOBwd89YckRsujssRj1vL9gQj0PwOr8nIP4aJQ/PVrmOnDGL6c6Rfgb2OewutwlAEEKHkT9mRa/wy3Zv' || 'NKgttizKzrJF1YS9vURi1OuRK433+qrwjIu/4eZfRoeXvORuGp6SxjOaoyny34u8urGC3JO8SA1E2JNIz8tk8kyQVfjMM0HYew/3' || 'TJxDzuyMu0kPL8c4CMZT07idMl6H7kFOJ9ft6Q6vQfoYjsXr2PKax78kSjpiIK2yCoIpjA4zGP6KfXKdWMX0r+MphED8tqBK1jUb' || '7q5wQ3NHANf2WHjawriWxp0V/P2MS1y8W8k3mZxhJF4MddeP9TpvITY3kzMQ+3Q3GF1EFWMEZyTJx7/ZH2DoSqoQan5AlMLGp8gX' || 'v95T1Y4MtwbJvcE8QLsdi6JHXi+SllUQMsX4OKsHXrHPQA2rmA43noeFHYdi1G1sP2sdCYIgkKE2wETGXGG9fyhCnfFxLYWHtXxN' || 'In6CICQS2Ej7exfYTRt+WzELoBvlELz2LjjQmK5++BJLlroUBKESxmuAcVhw1pZRD7TA3wcRKqcs455z6Lpy6iniJwiCjqzMtYzO' || 'ts+FID1PwbpjSmQ9eqOviRZZ75AgCIIHgdUAE2Ehssoq3CJNp+CZzucS8RMEIRVZ97YxYrZ9h2VXjIFrRmbZaVsUHV1k5dxXoSAI' || 'NYOcuBu6b47dvEE5rgmhsgAAAMVJREFUDcfH23AF9SkTbCqD8E0sq0tjHrrM+poEQRB8klN/a9GZdkHMotGoEV6XzKOMFptiEL7n' || 'rAgNH3WF5cPxlSAIQmVC4XAyOsPuCCEcxh0XftJzh0rEorHRPlaYxhoKglDDCJXH3ftn2a3rEvGE/eup6kySHajxTYrUpaeiva1c' || 'Ov4UBKGWEEqX47fPtRu0KKMBMRtthEyEJn5dj6Y90cs6QIIgCIaQNRcEQchbsjIOUBAEIYyIAAqCkLeIAAqCkLf8HwAA//+VVytA' || 'AAAABklEQVQDAI9bPr2XpNgeAAAAAElFTkSuQmCC', 'base64');
    l bigint;
    d bigint;
BEGIN
    SELECT * INTO nw FROM tenants WHERE kind = 'mssp' AND name = 'Northwind Security';
    IF nw.id IS NULL OR EXISTS (SELECT 1 FROM branding WHERE tenant_id = nw.id) THEN
        RETURN '';
    END IF;
    INSERT INTO branding_logos (tenant_id, root_id, variant, content_type, bytes, sha256, width, height)
    VALUES (nw.id, nw.root_id, 'light', 'image/png', light, encode(sha256(light), 'hex'), 320, 80) RETURNING id INTO l;
    INSERT INTO branding_logos (tenant_id, root_id, variant, content_type, bytes, sha256, width, height)
    VALUES (nw.id, nw.root_id, 'dark', 'image/png', dark, encode(sha256(dark), 'hex'), 320, 80) RETURNING id INTO d;
    INSERT INTO branding (tenant_id, root_id, page_title, footer, logo_light_id, logo_dark_id)
    VALUES (nw.id, nw.root_id, 'Northwind Secure',
            'Northwind Security · managed detection and response · [Status and support](https://status.northwind.example/)',
            l, d);
    RETURN '; branding: Northwind Secure';
END $$;

-- Executive reports (docs/reports.md), once: Nora (Northwind's admin)
-- mails herself the consolidated report of every month, as a PDF.
-- Billing (docs/billing.md), once: the operator's price book "Northwind
-- Standard" (graduated tiers, a committed minimum) from the first day of
-- last month, Northwind billed on it from then, its companies customers
-- from the day their first asset was added; the billing job then fills
-- the days in from the data and closes last month.
CREATE FUNCTION pg_temp.seed_billing() RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    nw tenants%ROWTYPE;
    first date := (date_trunc('month', now() AT TIME ZONE 'UTC') - interval '1 month')::date;
BEGIN
    SELECT * INTO nw FROM tenants WHERE kind = 'mssp' AND name = 'Northwind Security';
    IF nw.id IS NULL OR EXISTS (SELECT 1 FROM billing_accounts WHERE tenant_id = nw.id) THEN
        RETURN '';
    END IF;
    PERFORM billing_book_save(jsonb_build_object(
        'name', 'Northwind Standard', 'from', first, 'currency', 'EUR', 'metering', 'max', 'minimum', '2000.00',
        'metrics', '{"tenants": {"mode": "graduated", "tiers": [{"up_to": 10, "price": "40.00"}, {"up_to": 50, "price": "30.00"}, {"up_to": null, "price": "20.00"}]},
                     "agents": {"mode": "graduated", "tiers": [{"up_to": 250, "price": "3.00"}, {"up_to": 1000, "price": "2.50"}, {"up_to": null, "price": "2.00"}]},
                     "probes": {"mode": "volume", "tiers": [{"up_to": 25, "price": "15.00"}, {"up_to": null, "price": "12.00"}]},
                     "gateways": {"mode": "graduated", "tiers": [{"up_to": null, "price": "45.00"}]}}'::jsonb));
    UPDATE tenants t SET created_at = least(t.created_at, (SELECT min(a.created_at) FROM assets a WHERE a.tenant_id = t.id))
     WHERE t.root_id = nw.id AND t.id <> nw.id AND EXISTS (SELECT 1 FROM assets a WHERE a.tenant_id = t.id);
    UPDATE tenants t SET created_at = least(t.created_at, (SELECT min(c.created_at) FROM tenants c WHERE c.parent_id = t.id))
     WHERE t.root_id = nw.id AND t.kind = 'msp';
    PERFORM billing_assign(nw.id, 'Northwind Standard', 'UTC', 30, first);
    PERFORM billing_run();
    RETURN '; billing: Northwind on the price book "Northwind Standard", last month closed';
END $$;

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
