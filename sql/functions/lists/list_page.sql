-- One page (50 rows) of the rows x of p_table below p_tenant that match
-- p_filter (a condition on x, put in parentheses; its parameter $6 is p_args) and one of
-- p_parts (conditions, each matching the rows of one of the order indexes:
-- the rows of each are read in order and merged), in the order of the
-- keys p_keys (expressions on x, those indexes' columns after the tenant
-- or root), descending when p_desc. ids: the page's rows in order, NULL
-- when the viewer may not see the tenant; has_prev / has_next: is there a
-- page before / after it. With p_count, counted: the matching rows counted
-- up to 1,001.
CREATE OR REPLACE FUNCTION list_page(p_tenant bigint, p_table text, p_keys text[], p_desc boolean, p_filter text,
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
    sel text := '';      -- the keys named k1, k2, ... (for the merge of several parts)
    ord text := '';      -- the keys in the page's order
    merged text := '';   -- the same order on k1, k2, ...
    cond text := '';
    q text;
    item text;           -- a cursor value, a key or a part, in the loops below
    kn int := 0;         -- the key's number
BEGIN
    SELECT * INTO t FROM tenants WHERE tenants.id = p_tenant;
    IF NOT FOUND OR NOT scope_sees(t.ancestors, t.id, sc, ex) THEN
        RETURN;
    END IF;
    pl := read_plan(t, sc, ex);
    IF pl.how = 'tenants' AND cardinality(pl.tids) = 1 THEN   -- one tenant (a company): its rows, no merge
        -- (Planned in half the time of the form below, which is planned
        -- at every call: docs/performance.md, "Session 32".)
        src := format('%I x WHERE x.tenant_id = $1[1] AND (%s) AND %%1$s', p_table, p_filter);
    ELSIF pl.how = 'tenants' THEN               -- a page per tenant
        src := format('unnest($1) AS u(tid) CROSS JOIN LATERAL (SELECT x.* FROM %I x WHERE x.tenant_id = u.tid'
                      ' AND (%s) AND %%1$s %%2$s) x', p_table, p_filter);
    ELSE                                        -- the tree (every row visible, or each checked)
        src := format('%I x WHERE %s AND (%s) AND %%1$s', p_table, read_plan_rows(pl.how, 'x'), p_filter);
    END IF;
    -- The cursor row's keys, if it is a row below t the viewer may see, as
    -- literals for the statement below (values read from the database,
    -- quoted by quote_nullable()). Not checked against the filters: a row that
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
        FOREACH item IN ARRAY cur LOOP
            cond := cond || CASE WHEN cond = '' THEN '' ELSE ', ' END || quote_nullable(item);
        END LOOP;
        cond := format(' AND (%s) %s (%s)', array_to_string(p_keys, ', '), CASE WHEN back = p_desc THEN '>' ELSE '<' END,
                       cond);
    END IF;
    -- The page and one row more (is there another page?), in the list's
    -- order or, going back, the other way round: the first 51 rows of each
    -- part (of each tenant's part), merged. (The statement is put together
    -- in PL/pgSQL's own expressions: each subquery over the arrays was a
    -- statement of its own, a third of the call; docs/performance.md,
    -- "Session 28".)
    dir := CASE WHEN back = p_desc THEN ' ASC' ELSE ' DESC' END;
    FOREACH item IN ARRAY p_keys LOOP
        kn := kn + 1;
        sel := sel || ', ' || item || ' AS k' || kn;
        ord := ord || CASE WHEN kn = 1 THEN '' ELSE ', ' END || item || dir;
        merged := merged || CASE WHEN kn = 1 THEN '' ELSE ', ' END || 'x.k' || kn || dir;
    END LOOP;
    IF cardinality(p_parts) = 1 THEN
        q := format('SELECT ARRAY(SELECT x.id FROM %s ORDER BY %s LIMIT 51)',
                    format(src, '(' || p_parts[1] || ')' || cond, 'ORDER BY ' || ord || ' LIMIT 51'), ord);
    ELSE
        FOREACH item IN ARRAY p_parts LOOP
            q := CASE WHEN q IS NULL THEN '' ELSE q || ' UNION ALL ' END
                 || format('(SELECT x.id%s FROM %s ORDER BY %s LIMIT 51)', sel,
                           format(src, '(' || item || ')' || cond, 'ORDER BY ' || ord || ' LIMIT 51'), ord);
        END LOOP;
        q := format('SELECT ARRAY(SELECT x.id FROM (%s) x ORDER BY %s LIMIT 51)', q, merged);
    END IF;
    EXECUTE q INTO ids USING pl.tids, t.root_id, t.id, sc, ex, p_args;
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
        q := NULL;
        FOREACH item IN ARRAY p_parts LOOP
            q := CASE WHEN q IS NULL THEN '' ELSE q || ' UNION ALL ' END
                 || format('(SELECT 1 FROM %s LIMIT 1001)', format(src, '(' || item || ')', 'LIMIT 1001'));
        END LOOP;
        EXECUTE format('SELECT count(*) FROM (SELECT 1 FROM (%s) x LIMIT 1001) x', q)
            INTO counted USING pl.tids, t.root_id, t.id, sc, ex, p_args;
    END IF;
END $$;
REVOKE ALL ON FUNCTION list_page(bigint, text, text[], boolean, text, text[], text[], bigint, bigint, boolean) FROM PUBLIC;
