-- 031_finding_pages.sql - the vulnerabilities and assets lists of a tenant
-- read a page of rows, not every row below the tenant.
--
-- The lists (cgi/pages/findings.c) sorted every row of the subtree under
-- the visibility policy and counted them all (count(*) OVER ()) for each
-- page: at L an MSSP's vulnerabilities page sorted 10M rows (18 s) and its
-- assets page 1M (2.4 s), and a deep page read every row before its OFFSET.
-- Now (docs/dashboards.md, "Lists"):
--
-- * Pages are keyset pages: a page starts after (or ends before) a cursor,
--   the id of the row the previous (next) page ended (began) with, so page
--   10,000 costs what page 1 costs. The rows come in the list's order from
--   an index. Below a tenant with at most 200 visible tenants at or below
--   it (a company, an MSP, an analyst's assignments) a page reads at most
--   a page per tenant from a (tenant, order) index and keeps the first page
--   of those; below a larger one it walks the tree's (root, order) index,
--   checking each row's tenant unless the viewer sees the whole tree.
-- * The count comes from the rollups (sql/013) when they hold it: open
--   findings (one severity or all) and assets (one kind or all) of a
--   subtree the viewer sees whole. Otherwise (a CVE, fixed findings, an
--   MSSP Analyst on the MSSP) rows are counted up to 1,000 and the page
--   says "1,000+" beyond.
--
-- The readers apply the visibility rule themselves (SECURITY DEFINER, like
-- dashboard_overview()) and return NULL for a tenant the viewer may not
-- see. A cursor that is not a row below the tenant the viewer may see
-- starts at the top; one that has left the list since (fixed, resolved,
-- another severity) still marks the place.

-- The list's severity order: critical first.
CREATE FUNCTION severity_weight(text) RETURNS int
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE $1 WHEN 'critical' THEN 4 WHEN 'high' THEN 3 WHEN 'medium' THEN 2 WHEN 'low' THEN 1 END
$$;

-- The vulnerabilities list: severity (critical first), newest first, id
-- (highest first): these keys descending; open and fixed findings apart
-- (fixed ones are mostly old: walking both for one kind read past all
-- the newest of the other), merged when the list shows both.
CREATE INDEX vulnerabilities_root_open ON vulnerabilities (root_id, severity_weight(severity), first_seen, id)
    WHERE fixed_at IS NULL;
CREATE INDEX vulnerabilities_root_fixed ON vulnerabilities (root_id, severity_weight(severity), first_seen, id)
    WHERE fixed_at IS NOT NULL;
CREATE INDEX vulnerabilities_tenant_open ON vulnerabilities (tenant_id, severity_weight(severity), first_seen, id)
    WHERE fixed_at IS NULL;
CREATE INDEX vulnerabilities_tenant_fixed ON vulnerabilities (tenant_id, severity_weight(severity), first_seen, id)
    WHERE fixed_at IS NOT NULL;
-- A CVE's findings in a tree, in the list's order (a CVE is a few percent
-- of a tree's findings at most: found by walking the tree's index, it
-- took 0.5 s at L). The index on open findings by CVE (sql/013, from
-- before the cve_open rollup) becomes the open half.
DROP INDEX vulnerabilities_open_cve;
CREATE INDEX vulnerabilities_cve_open ON vulnerabilities (cve, root_id, severity_weight(severity), first_seen, id)
    WHERE fixed_at IS NULL;
CREATE INDEX vulnerabilities_cve_fixed ON vulnerabilities (cve, root_id, severity_weight(severity), first_seen, id)
    WHERE fixed_at IS NOT NULL;
-- The assets list: kind, name (case-insensitive), id: ascending.
CREATE INDEX assets_root_order ON assets (root_id, kind, lower(name), id);
CREATE INDEX assets_tenant_order ON assets (tenant_id, kind, lower(name), id);

-- How to read rows below tenant t for a viewer of scope sc / ex (sql/021):
-- 'tenants', with tids the visible tenants at or below t (at most 200);
-- 'root', the tree's index, when t is a root the viewer sees whole; or
-- 'check', the tree's index with each row's tenant checked.
CREATE FUNCTION read_plan(t tenants, sc bigint[], ex bigint[], OUT how text, OUT tids bigint[])
LANGUAGE plpgsql STABLE AS $$
BEGIN
    IF NOT (t.ancestors && sc AND (SELECT s.msps + s.companies FROM tenant_stats s WHERE s.tenant_id = t.id) >= 200) THEN
        tids := ARRAY(SELECT c.id FROM tenants c
                       WHERE c.ancestors @> ARRAY[t.id] AND scope_sees(c.ancestors, c.id, sc, ex) LIMIT 201);
    END IF;
    how := CASE WHEN cardinality(tids) <= 200 THEN 'tenants'
                WHEN t.parent_id IS NULL AND t.ancestors && sc THEN 'root' ELSE 'check' END;
    IF how <> 'tenants' THEN
        tids := NULL;
    END IF;
END $$;
REVOKE ALL ON FUNCTION read_plan(tenants, bigint[], bigint[]) FROM PUBLIC;

-- For a 'root' or 'check' plan, the condition on the rows p_alias of the
-- tree, for a dynamic statement whose parameters are $2 the tree's root,
-- $3 the tenant on screen and $4 / $5 the viewer's scope / exact tenants.
CREATE FUNCTION read_plan_rows(p_how text, p_alias text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT format('%1$I.root_id = $2', p_alias)
           || CASE WHEN p_how = 'check' THEN
                  format(' AND EXISTS (SELECT 1 FROM tenants c WHERE c.id = %1$I.tenant_id'
                         ' AND c.ancestors @> ARRAY[$3] AND scope_sees(c.ancestors, c.id, $4, $5) OFFSET 0)', p_alias)
              ELSE '' END
$$;
REVOKE ALL ON FUNCTION read_plan_rows(text, text) FROM PUBLIC;

-- One page (50 rows) of the rows x of p_table below p_tenant that match
-- p_filter (a condition on x; its parameter $6 is p_args) and one of
-- p_parts (conditions, each matching the rows of one of the order indexes:
-- the rows of each are read in order and merged), in the order of the
-- keys p_keys (expressions on x, those indexes' columns after the tenant
-- or root), descending when p_desc. ids: the page's rows in order, NULL
-- when the viewer may not see the tenant; has_prev / has_next: is there a
-- page before / after it. With p_count, counted: the matching rows counted
-- up to 1,001.
CREATE FUNCTION list_page(p_tenant bigint, p_table text, p_keys text[], p_desc boolean, p_filter text,
                          p_parts text[], p_args text[], p_after bigint, p_before bigint, p_count boolean,
                          OUT ids bigint[], OUT has_prev boolean, OUT has_next boolean, OUT counted bigint)
LANGUAGE plpgsql STABLE AS $$
DECLARE
    sc bigint[] := app_scope();
    ex bigint[] := app_exact();
    t tenants%ROWTYPE;
    pl record;           -- read_plan()
    src text;            -- where a part's rows come from: %1$s the part's condition (and the cursor's),
                         -- %2$s what ends each tenant's read (a page per tenant)
    back boolean := p_before IS NOT NULL;
    cur text[];          -- the cursor row's keys
    dir text;
    ord text;
    cond text := '';
    q text;
BEGIN
    SELECT * INTO t FROM tenants WHERE tenants.id = p_tenant;
    IF NOT FOUND OR NOT scope_sees(t.ancestors, t.id, sc, ex) THEN
        RETURN;
    END IF;
    pl := read_plan(t, sc, ex);
    IF pl.how = 'tenants' THEN                  -- a page per tenant
        src := format('unnest($1) AS u(tid) CROSS JOIN LATERAL (SELECT x.* FROM %I x WHERE x.tenant_id = u.tid'
                      ' AND %s AND %%1$s %%2$s) x', p_table, p_filter);
    ELSE                                        -- the tree (every row visible, or each checked)
        src := format('%I x WHERE %s AND %s AND %%1$s', p_table, read_plan_rows(pl.how, 'x'), p_filter);
    END IF;
    -- The cursor row's keys, if it is a row below t the viewer may see, as
    -- literals for the statement below (values read from the database,
    -- quoted by format()). Not checked against the filters: a row that
    -- left the list since (fixed, resolved) still marks where the page was.
    IF coalesce(p_before, p_after) IS NOT NULL THEN
        EXECUTE format('SELECT ARRAY[%s]::text[] FROM %I x JOIN tenants c ON c.id = x.tenant_id'
                       ' WHERE x.id = $1 AND c.ancestors @> ARRAY[$2::bigint] AND scope_sees(c.ancestors, c.id, $3, $4)',
                       array_to_string(p_keys, ', '), p_table)
            INTO cur USING coalesce(p_before, p_after), t.id, sc, ex;
    END IF;
    IF cur IS NULL THEN
        back := false;
    ELSE
        cond := format(' AND (%s) %s (%s)', array_to_string(p_keys, ', '), CASE WHEN back = p_desc THEN '>' ELSE '<' END,
                       (SELECT string_agg(quote_literal(k), ', ' ORDER BY n) FROM unnest(cur) WITH ORDINALITY AS c(k, n)));
    END IF;
    -- The page and one row more (is there another page?), in the list's
    -- order or, going back, the other way round: the first 51 rows of each
    -- part (of each tenant's part), merged.
    dir := CASE WHEN back = p_desc THEN ' ASC' ELSE ' DESC' END;
    ord := array_to_string(ARRAY(SELECT k || dir FROM unnest(p_keys) k), ', ');
    q := (SELECT string_agg(format('(SELECT x.id, %s FROM %s ORDER BY %s LIMIT 51)',
                                   (SELECT string_agg(k || ' AS k' || n, ', ' ORDER BY n)
                                      FROM unnest(p_keys) WITH ORDINALITY AS c(k, n)),
                                   format(src, '(' || part || ')' || cond, 'ORDER BY ' || ord || ' LIMIT 51'), ord),
                            ' UNION ALL ')
            FROM unnest(p_parts) part);
    EXECUTE format('SELECT ARRAY(SELECT x.id FROM (%s) x ORDER BY %s LIMIT 51)', q,
                   array_to_string(ARRAY(SELECT 'x.k' || n || dir FROM generate_series(1, cardinality(p_keys)) n), ', '))
        INTO ids USING pl.tids, t.root_id, t.id, sc, ex, p_args;
    IF back AND cardinality(ids) = 0 THEN
        -- Nothing before the cursor any more (rows left the list): the first page.
        SELECT * INTO ids, has_prev, has_next, counted
          FROM list_page(p_tenant, p_table, p_keys, p_desc, p_filter, p_parts, p_args, NULL, NULL, p_count);
        RETURN;
    END IF;
    IF back THEN
        has_prev := cardinality(ids) > 50;
        has_next := true;
        ids := ARRAY(SELECT i FROM unnest(ids[1:50]) WITH ORDINALITY AS u(i, n) ORDER BY n DESC);
    ELSE
        has_prev := cur IS NOT NULL;
        has_next := cardinality(ids) > 50;
        ids := ids[1:50];
    END IF;
    IF p_count THEN
        q := (SELECT string_agg(format('(SELECT 1 FROM %s LIMIT 1001)', format(src, '(' || part || ')', 'LIMIT 1001')),
                                  ' UNION ALL ')
                FROM unnest(p_parts) part);
        EXECUTE format('SELECT count(*) FROM (SELECT 1 FROM (%s) x LIMIT 1001) x', q)
            INTO counted USING pl.tids, t.root_id, t.id, sc, ex, p_args;
    END IF;
END $$;
REVOKE ALL ON FUNCTION list_page(bigint, text, text[], boolean, text, text[], text[], bigint, bigint, boolean) FROM PUBLIC;

-- A page's total and cursors, for the JSON of a list: p_total exact (from
-- the rollups), else p_counted up to 1,000 ("more" beyond); next / prev
-- the cursors of the pages after and before.
CREATE FUNCTION list_meta(p_ids bigint[], p_has_prev boolean, p_has_next boolean, p_total bigint, p_counted bigint)
RETURNS jsonb
LANGUAGE sql IMMUTABLE AS $$
    SELECT jsonb_strip_nulls(jsonb_build_object(
        'total', coalesce(p_total, least(p_counted, 1000)), 'more', p_total IS NULL AND p_counted > 1000,
        'prev', CASE WHEN p_has_prev AND cardinality(p_ids) > 0 THEN p_ids[1] END,
        'next', CASE WHEN p_has_next AND cardinality(p_ids) > 0 THEN p_ids[cardinality(p_ids)] END))
$$;

-- The vulnerabilities below p_tenant: p_severity ('' or one), p_cve (''
-- or an id), p_status ('open', 'fixed' or 'all').
CREATE FUNCTION vulnerability_page(p_tenant bigint, p_severity text, p_cve text, p_status text,
                                   p_after bigint, p_before bigint) RETURNS jsonb
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    w int := severity_weight(nullif(p_severity, ''));
    total bigint;
    p record;
BEGIN
    -- The count from the rollups, if they hold it and the viewer sees the
    -- whole subtree: open findings of a severity (or all), or of a CVE.
    IF p_status = 'open' AND p_cve = '' THEN
        SELECT CASE w WHEN 4 THEN s.vuln_critical WHEN 3 THEN s.vuln_high WHEN 2 THEN s.vuln_medium
                      WHEN 1 THEN s.vuln_low ELSE s.vuln_critical + s.vuln_high + s.vuln_medium + s.vuln_low END
          INTO total
          FROM tenants t LEFT JOIN tenant_stats s ON s.tenant_id = t.id
         WHERE t.id = p_tenant AND t.ancestors && app_scope();
        total := CASE WHEN FOUND THEN coalesce(total, 0) END;
    ELSIF p_status = 'open' AND w IS NULL THEN
        SELECT o.open INTO total
          FROM tenants t LEFT JOIN cve_open o ON o.tenant_id = t.id AND o.cve = p_cve
         WHERE t.id = p_tenant AND t.ancestors && app_scope();
        total := CASE WHEN FOUND THEN coalesce(total, 0) END;
    END IF;
    p := list_page(p_tenant, 'vulnerabilities', ARRAY['severity_weight(x.severity)', 'x.first_seen', 'x.id'], true,
                   'severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int AND ($6[3] = '''' OR x.cve = $6[3])',
                   CASE p_status WHEN 'open' THEN ARRAY['x.fixed_at IS NULL'] WHEN 'fixed' THEN ARRAY['x.fixed_at IS NOT NULL']
                                 ELSE ARRAY['x.fixed_at IS NULL', 'x.fixed_at IS NOT NULL'] END,
                   ARRAY[coalesce(w, 1)::text, coalesce(w, 4)::text, p_cve], p_after, p_before, total IS NULL);
    IF p.ids IS NULL THEN
        RETURN NULL;
    END IF;
    RETURN list_meta(p.ids, p.has_prev, p.has_next, total, p.counted) || jsonb_build_object('rows',
        (SELECT coalesce(jsonb_agg(jsonb_strip_nulls(jsonb_build_object(
                    'id', v.id, 'customer', c.name, 'cve', v.cve, 'severity', v.severity, 'asset', coalesce(a.name, ''),
                    'first_seen', to_char(v.first_seen, 'YYYY-MM-DD'), 'fixed', to_char(v.fixed_at, 'YYYY-MM-DD')))
                    ORDER BY u.n), '[]')
           FROM unnest(p.ids) WITH ORDINALITY AS u(id, n)
           JOIN vulnerabilities v ON v.id = u.id JOIN tenants c ON c.id = v.tenant_id
           LEFT JOIN assets a ON a.id = v.asset_id));
END $$;

-- The assets below p_tenant: p_kind ('' or one).
CREATE FUNCTION asset_page(p_tenant bigint, p_kind text, p_after bigint, p_before bigint) RETURNS jsonb
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    total bigint;
    p record;
BEGIN
    SELECT CASE p_kind WHEN 'probe' THEN s.probes WHEN 'agent' THEN s.agents WHEN 'discovered' THEN s.discovered
                       WHEN 'external' THEN s.external ELSE s.probes + s.agents + s.discovered + s.external END
      INTO total
      FROM tenants t LEFT JOIN tenant_stats s ON s.tenant_id = t.id
     WHERE t.id = p_tenant AND t.ancestors && app_scope();
    total := CASE WHEN FOUND THEN coalesce(total, 0) END;
    p := list_page(p_tenant, 'assets', ARRAY['x.kind', 'lower(x.name)', 'x.id'], false,
                   'x.kind BETWEEN $6[1] AND $6[2]', ARRAY['true'],
                   CASE WHEN p_kind = '' THEN ARRAY['agent', 'probe'] ELSE ARRAY[p_kind, p_kind] END,
                   p_after, p_before, total IS NULL);
    IF p.ids IS NULL THEN
        RETURN NULL;
    END IF;
    RETURN list_meta(p.ids, p.has_prev, p.has_next, total, p.counted) || jsonb_build_object('rows',
        (SELECT coalesce(jsonb_agg(jsonb_build_object(
                    'id', a.id, 'customer', c.name, 'kind', a.kind, 'name', a.name, 'address', coalesce(a.address, ''),
                    'updated', to_char(a.updated_at, 'YYYY-MM-DD HH24:MI')) ORDER BY u.n), '[]')
           FROM unnest(p.ids) WITH ORDINALITY AS u(id, n)
           JOIN assets a ON a.id = u.id JOIN tenants c ON c.id = a.tenant_id));
END $$;
REVOKE ALL ON FUNCTION vulnerability_page(bigint, text, text, text, bigint, bigint), asset_page(bigint, text, bigint, bigint)
    FROM PUBLIC;
GRANT EXECUTE ON FUNCTION vulnerability_page(bigint, text, text, text, bigint, bigint), asset_page(bigint, text, bigint, bigint)
    TO portal_app;
