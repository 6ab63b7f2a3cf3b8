-- One page (50 rows) of a list below p_tenant, read by p_reader (a
-- list's reader, made by list_reader(): incident_reader, ...): the rows
-- of its set p_set, with p_args its conditions' text arguments, after the
-- row p_after or before the row p_before. ids: the page's rows in order,
-- NULL when the viewer may not see the tenant; has_prev / has_next: is
-- there a page before / after it. With p_count, counted: the set's rows
-- counted up to 1,001.
CREATE OR REPLACE FUNCTION list_page(p_tenant bigint, p_reader text, p_set text, p_args text[], p_after bigint,
                                     p_before bigint, p_count boolean,
                                     OUT ids bigint[], OUT has_prev boolean, OUT has_next boolean, OUT counted bigint)
LANGUAGE plpgsql STABLE AS $$
DECLARE
    sc bigint[] := app_scope();
    ex bigint[] := app_exact();
    t tenants%ROWTYPE;
    pl record;           -- read_plan()
    r record;            -- the reader's
    back boolean;
BEGIN
    SELECT * INTO t FROM tenants WHERE tenants.id = p_tenant;
    IF NOT FOUND OR NOT scope_sees(t.ancestors, t.id, sc, ex) THEN
        RETURN;
    END IF;
    pl := read_plan(t, sc, ex);
    -- Each reader called by its name, not through EXECUTE, which would
    -- plan a statement at every call (10-23 us; the readers' own are
    -- planned once per connection). A reader not named here is an error.
    CASE p_reader
    WHEN 'incident_reader' THEN
        r := incident_reader(pl.tids, t.root_id, t.id, sc, ex, p_args, pl.how, p_set, coalesce(p_before, p_after),
                             p_before IS NOT NULL, p_count);
    WHEN 'vulnerability_reader' THEN
        r := vulnerability_reader(pl.tids, t.root_id, t.id, sc, ex, p_args, pl.how, p_set, coalesce(p_before, p_after),
                                  p_before IS NOT NULL, p_count);
    WHEN 'asset_reader' THEN
        r := asset_reader(pl.tids, t.root_id, t.id, sc, ex, p_args, pl.how, p_set, coalesce(p_before, p_after),
                          p_before IS NOT NULL, p_count);
    END CASE;
    ids := r.ids;
    counted := r.counted;
    back := p_before IS NOT NULL AND r.cursor_found;
    IF back AND cardinality(ids) = 0 THEN
        -- Nothing before the cursor any more (rows left the list): the first page.
        SELECT * INTO ids, has_prev, has_next, counted FROM list_page(p_tenant, p_reader, p_set, p_args, NULL, NULL, p_count);
        RETURN;
    END IF;
    IF back THEN
        has_prev := cardinality(ids) > 50;
        has_next := true;
        ids := ARRAY(SELECT i FROM unnest(ids[1:50]) WITH ORDINALITY AS u(i, n) ORDER BY n DESC);
    ELSE
        has_prev := r.cursor_found;
        has_next := cardinality(ids) > 50;
        ids := ids[1:50];
    END IF;
END $$;
REVOKE ALL ON FUNCTION list_page(bigint, text, text, text[], bigint, bigint, boolean) FROM PUBLIC;
