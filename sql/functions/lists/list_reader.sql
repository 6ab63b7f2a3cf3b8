-- requires: read_plan_rows
-- Makes (CREATE OR REPLACE) the reader p_name of a list: the function
-- list_page() runs to read a page of the rows x of p_table, whose
-- statements are static, so PL/pgSQL plans each once per connection
-- (a dynamic statement is planned at every call: 108 against 13 us for a
-- company's incidents; docs/performance.md, "Session 32" and "Session
-- 33"). The definition files of the readers call it (incident_reader.sql,
-- ...); the reader it makes is in sql/schema.sql like any function.
--
-- The list: its rows are those of p_table matching p_filter (a condition
-- on x) and one of the parts of the set the caller names, in the order of
-- the keys p_keys (expressions on x: the order indexes' columns after the
-- tenant or root), descending when p_desc. p_sets names the sets; row i of
-- p_parts holds set i's parts (conditions, each matching the rows of one
-- order index; a shorter set padded with NULL): each part's rows are read in
-- order and merged. In the conditions, $1 .. $6 are the reader's first six
-- arguments: the tenants (read_plan()'s tids), the root, the tenant, the
-- viewer's scope and exact tenants (app_scope(), app_exact()), and the
-- caller's text arguments.
--
-- The reader: reader(tids, root, tenant, scope, exact, args, how, set,
-- cursor, back, count) -> (ids, cursor_found, counted). how is read_plan()'s:
-- 'tenants' (a page per tenant of tids, merged; one tenant's read from its
-- index alone), 'root' or 'check' (the tree, read_plan_rows()). cursor: a
-- row whose keys the page starts after (before, when back), if it is a row
-- below the tenant the viewer may see (cursor_found). Not checked against
-- the filters: a row that left the list since (fixed, resolved) still
-- marks where the page was. ids: up to 51 rows (one more than a page: is
-- there another?) in the list's order or, going back, the other way round.
-- counted (when count): the set's rows up to 1,001.
CREATE OR REPLACE FUNCTION list_reader(p_name text, p_table text, p_keys text[], p_desc boolean, p_filter text,
                                       p_sets text[], p_parts text[]) RETURNS void
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    body text := '';
    how text;
    src text;            -- where a part's rows come from: %1$s the part's condition (and the cursor's),
                         -- %2$s what ends each tenant's read (a page per tenant)
    mode text;
    cond text;
    dir text;
    op text;             -- the cursor's comparison: > or <
    sel text;            -- the keys named k1, k2, ... (for the merge of several parts)
    ord text;            -- the keys in the page's order
    merged text;         -- the same order on k1, k2, ...
    curk text := '';     -- the cursor's keys, cur.k1, cur.k2, ...
    q text;
    c text;
    parts text[];        -- the set's parts (its row of p_parts without the padding)
    s int;
    kn int;
BEGIN
    FOR kn IN 1 .. cardinality(p_keys) LOOP
        curk := curk || CASE WHEN kn = 1 THEN '' ELSE ', ' END || 'cur.k' || kn;
    END LOOP;
    -- 'one': a 'tenants' plan of one tenant (a company's lists), read
    -- from its order index without the merge of the tenants' pages.
    FOREACH how IN ARRAY ARRAY['one', 'tenants', 'root', 'check'] LOOP
        IF how = 'one' THEN
            src := format('%I x WHERE x.tenant_id = $1[1] AND (%s) AND %%1$s', p_table, p_filter);
        ELSIF how = 'tenants' THEN
            src := format('unnest($1) AS u(tid) CROSS JOIN LATERAL (SELECT x.* FROM %I x WHERE x.tenant_id = u.tid'
                          ' AND (%s) AND %%1$s %%2$s) x', p_table, p_filter);
        ELSE
            src := format('%I x WHERE %s AND (%s) AND %%1$s', p_table, read_plan_rows(how, 'x'), p_filter);
        END IF;
        body := body || CASE WHEN how = 'one' THEN E'    IF p_how = ''tenants'' AND cardinality(p_tids) = 1 THEN\n'
                             ELSE format(E'    ELSIF p_how = %L THEN\n', how) END;
        FOR s IN 1 .. cardinality(p_sets) LOOP
            body := body || format(E'        %s p_set = %L THEN\n', CASE WHEN s = 1 THEN 'IF' ELSE 'ELSIF' END, p_sets[s]);
            parts := ARRAY(SELECT u.part FROM unnest(p_parts[s:s]) WITH ORDINALITY AS u(part, n) WHERE u.part IS NOT NULL ORDER BY u.n);
            -- The page: the first (no cursor), the one after the cursor, the one before it.
            FOREACH mode IN ARRAY ARRAY['first', 'after', 'before'] LOOP
                -- After the cursor's keys, and so the first key on the
                -- cursor's side of it (implied, not a filter): the index
                -- scan of a part whose first key is fixed on the other side
                -- ("new", a severity each) knows at once it has no row,
                -- where the row comparison alone read the part's every
                -- entry in the window (docs/performance.md, "Session 45").
                op := CASE WHEN (mode = 'before') = p_desc THEN '>' ELSE '<' END;
                cond := CASE mode WHEN 'first' THEN ''
                              ELSE format(' AND (%s) %s (%s) AND %s %s= cur.k1', array_to_string(p_keys, ', '), op,
                                          curk, p_keys[1], op) END;
                dir := CASE WHEN (mode = 'before') = p_desc THEN ' ASC' ELSE ' DESC' END;
                sel := '';
                ord := '';
                merged := '';
                FOR kn IN 1 .. cardinality(p_keys) LOOP
                    sel := sel || ', ' || p_keys[kn] || ' AS k' || kn;
                    ord := ord || CASE WHEN kn = 1 THEN '' ELSE ', ' END || p_keys[kn] || dir;
                    merged := merged || CASE WHEN kn = 1 THEN '' ELSE ', ' END || 'x.k' || kn || dir;
                END LOOP;
                IF cardinality(parts) = 1 THEN   -- one part: its rows
                    q := format('SELECT ARRAY(SELECT x.id FROM %s ORDER BY %s LIMIT 51)',
                                format(src, '(' || parts[1] || ')' || cond, 'ORDER BY ' || ord || ' LIMIT 51'), ord);
                ELSE                             -- several: each part's first rows, merged
                    q := NULL;
                    FOREACH c IN ARRAY parts LOOP
                        q := CASE WHEN q IS NULL THEN '' ELSE q || ' UNION ALL ' END
                             || format('(SELECT x.id%s FROM %s ORDER BY %s LIMIT 51)', sel,
                                       format(src, '(' || c || ')' || cond, 'ORDER BY ' || ord || ' LIMIT 51'), ord);
                    END LOOP;
                    q := format('SELECT ARRAY(SELECT x.id FROM (%s) x ORDER BY %s LIMIT 51)', q, merged);
                END IF;
                body := body || format(E'            %s\n                %s INTO ids;\n',
                                       CASE mode WHEN 'first' THEN 'IF NOT cursor_found THEN' WHEN 'after' THEN 'ELSIF NOT p_back THEN'
                                                 ELSE 'ELSE' END, q);
            END LOOP;
            q := NULL;
            FOREACH c IN ARRAY parts LOOP
                q := CASE WHEN q IS NULL THEN '' ELSE q || ' UNION ALL ' END
                     || format('(SELECT 1 FROM %s LIMIT 1001)', format(src, '(' || c || ')', 'LIMIT 1001'));
            END LOOP;
            body := body || format(E'            END IF;\n            IF p_count THEN\n'
                                   '                SELECT count(*) FROM (SELECT 1 FROM (%s) x LIMIT 1001) x INTO counted;\n'
                                   '            END IF;\n', q);
        END LOOP;
        body := body || E'        ELSE\n            RAISE EXCEPTION ''list_reader: no set %'', p_set;\n        END IF;\n';
    END LOOP;
    body := body || E'    END IF;\n';
    EXECUTE format(
        E'CREATE OR REPLACE FUNCTION %1$I(p_tids bigint[], p_root bigint, p_tenant bigint, p_sc bigint[], p_ex bigint[],\n'
        '    p_args text[], p_how text, p_set text, p_cursor bigint, p_back boolean, p_count boolean,\n'
        '    OUT ids bigint[], OUT cursor_found boolean, OUT counted bigint)\n'
        -- A generic plan: planned once, the tenants and the cursor as parameters.
        'LANGUAGE plpgsql STABLE SET plan_cache_mode = force_generic_plan AS $reader$\n'
        '-- Made by list_reader() (sql/functions/lists/list_reader.sql); the list is in %2$s.sql.\n'
        'DECLARE\n'
        '    cur record;\n'
        'BEGIN\n'
        '    IF p_cursor IS NOT NULL THEN\n'
        '        SELECT %3$s INTO cur FROM %4$I x JOIN tenants c ON c.id = x.tenant_id\n'
        '         WHERE x.id = p_cursor AND c.ancestors @> ARRAY[$3] AND scope_sees(c.ancestors, c.id, $4, $5);\n'
        '    END IF;\n'
        '    cursor_found := p_cursor IS NOT NULL AND FOUND;\n'
        '%5$s'
        'END $reader$', p_name, p_name,
        (SELECT string_agg(k || ' AS k' || n, ', ' ORDER BY n) FROM unnest(p_keys) WITH ORDINALITY AS u(k, n)),
        p_table, body);
    EXECUTE format('REVOKE ALL ON FUNCTION %I(bigint[], bigint, bigint, bigint[], bigint[], text[], text, text, bigint,'
                   ' boolean, boolean) FROM PUBLIC', p_name);
END $$;
REVOKE ALL ON FUNCTION list_reader(text, text, text[], boolean, text, text[], text[]) FROM PUBLIC;
