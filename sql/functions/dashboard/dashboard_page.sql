-- requires: dashboard_row_lines
-- The dashboard page in one statement (cgi/pages/dashboard.c): the
-- dashboard as JSON text, {"ancestors" : the path, "board" : the board
-- (dashboard_board()'s object)}, and one page of the table below
-- (tenant_children_rows()) as lines of dashboard_row_lines() joined by
-- line breaks ('' or NULL: no rows), in one row. No row when the viewer
-- may not see the tenant. The board goes in whole, after the path, not
-- merged into one object as dashboard_overview() does: taking its "{"
-- off (substr()) counts the characters of all 2 kB, 11 us a call.
-- A viewer who sees the tenant's whole subtree gets, for the default
-- period, the board kept on write when it is current (sql/068): its
-- version the tenant's, its hour this one, no request it shows expired;
-- and the table kept with it (its first 200 rows by name) when they ask
-- for its first page by name, unsearched (first_page: made with the
-- row, sql/075), or for any page in any order when the kept rows are
-- every child (their lines picked in the order kept with them, sql/076).
-- A row behind the version is served too while it is younger than the
-- session's portal.dashboard_lag seconds (PORTAL_DASHBOARD_LAG,
-- sql/070): only ingest batches leave it behind, and the API worker
-- rebuilds it after one of them (dashboard_docs_stale()). Anything else
-- is computed now, as for every other viewer; the dashboard then says
-- "stale" when a current row would have served it. With a lag, an
-- MSSP's or MSP's dashboard says until when it may be shown whatever
-- ingest batches come ("lag_until", epoch seconds: the lag after the
-- time of what it shows, the row's built_at or now), which its page cache
-- entry must not outlive (cgi/pages/dashboard.c).
CREATE OR REPLACE FUNCTION dashboard_page(p_tenant bigint, p_hours int, p_q text, p_sort text, p_dir text,
                                          p_limit int, p_offset int)
RETURNS TABLE (ov text, rows text)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp
SET plan_cache_mode = force_generic_plan AS $$
#variable_conflict use_column
DECLARE
    sc bigint[] := app_scope();
    ex bigint[] := app_exact();
    t tenants%ROWTYPE;
    d dashboard_docs%ROWTYPE;
    path json;
    lns text[];
    k int;          -- the sort key's place in children_sort_keys()
    ov text;
    rows text;
    kept boolean;   -- a row kept could serve this viewer and period
    lapsed boolean; -- ... and none is of this hour with its requests live
    rebuild boolean; -- ... and this page should have it rebuilt ("stale")
    v bigint;
    lag int := dashboard_lag();
    behind timestamptz;  -- a row behind the version served: when it was built
BEGIN
    IF p_limit < 0 OR p_offset < 0 THEN  -- as LIMIT and OFFSET (order_page() slices)
        RAISE EXCEPTION 'dashboard_page: negative limit or offset' USING ERRCODE = '2201W';
    END IF;
    SELECT * INTO t FROM tenants x WHERE x.id = p_tenant;
    IF NOT FOUND OR NOT scope_sees(t.ancestors, t.id, sc, ex) THEN
        RETURN;
    END IF;
    path := dashboard_ancestors(t, sc, ex);
    kept := t.ancestors && sc AND t.kind <> 'company' AND p_hours = 24;
    IF kept THEN
        SELECT x.* INTO d FROM dashboard_docs x WHERE x.tenant_id = t.id;
        SELECT s.version INTO v FROM tenant_stats s WHERE s.tenant_id = t.id;
        lapsed := dashboard_doc_lapsed(d);
        IF NOT lapsed AND d.version < v AND lag > 0 AND d.built_at > now() - make_interval(secs => lag) THEN
            behind := d.built_at;
        ELSIF lapsed OR d.version IS DISTINCT FROM v THEN
            -- Computed now. With a lag, a row behind and older than it
            -- is one whose rebuild did not come (dashboard_docs_stale()
            -- leaves a young row to a later batch, which may not come):
            -- rebuilt once answered, as a lapsed one.
            rebuild := lapsed OR (lag > 0 AND d.version < v);
            d := NULL;
        END IF;
    END IF;
    -- The table kept (its first page by name, unsearched), or as asked.
    IF d.tenant_id IS NOT NULL AND p_q = '' AND p_sort = 'name' AND p_dir = 'asc' AND p_limit = 50
       AND p_offset = 0 THEN
        rows := d.first_page;
    ELSIF d.tenant_id IS NOT NULL AND p_q = '' AND d.orders IS NOT NULL THEN
        -- The kept rows are every child: sorted another way or another
        -- page, their lines sent as made, in the order kept (orders:
        -- children_orders(), the name's too; a page of one a slice,
        -- order_page(), read from its end when descending). Neither the
        -- rows nor their sort: a view by critical findings 310 -> 253 us
        -- of PostgreSQL (docs/performance.md, "Session 41"), and the page
        -- a slice, not a call (45 -> 19 us, "Session 42"). Each kept value
        -- named once: they are out of line (TOAST), fetched and
        -- decompressed again wherever a statement names them.
        lns := d.lines;
        k := coalesce(array_position(children_sort_keys(), p_sort), 0);  -- 0: by name
        rows := array_to_string(ARRAY(SELECT lns[o.i]
                                        FROM unnest(order_page(d.orders, k, cardinality(lns), p_dir, p_limit,
                                                               p_offset))
                                             WITH ORDINALITY AS o(i, n)
                                       ORDER BY CASE WHEN p_dir = 'desc' THEN -o.n ELSE o.n END), E'\n');
    ELSE
        rows := array_to_string(dashboard_row_lines(ARRAY(SELECT ROW(x.*)::dashboard_row
                                                             FROM tenant_children_rows_as(t.id, p_q, p_sort, p_dir,
                                                                                          p_limit, p_offset, sc, ex) x)),
                                E'\n');
    END IF;
    ov := '"ancestors" : ' || path::text || ', "board" : ' || coalesce(d.board, dashboard_board(t, p_hours, sc, ex)::text)
          || '}';
    -- A row could have served this and has lapsed (no row, the hour
    -- turned, a request it showed expired): "stale" asks the caller to
    -- rebuild it once it has answered (dashboard_doc_refresh()), so a
    -- tenant nobody writes to is computed once, not at every view until a
    -- write. A row only behind the version is being rebuilt by its writer
    -- (at the commit, or by the API worker after an ingest batch), but
    -- with a lag, once older than it (above).
    IF lag > 0 AND t.kind <> 'company' THEN
        ov := '"lag_until" : ' || (floor(extract(epoch FROM coalesce(behind, now())))::bigint + lag) || ', ' || ov;
    END IF;
    IF kept AND rebuild THEN
        ov := '"stale" : true, ' || ov;
    END IF;
    RETURN QUERY SELECT '{' || ov, rows;
END $$;
REVOKE ALL ON FUNCTION dashboard_page(bigint, int, text, text, text, int, int) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION dashboard_page(bigint, int, text, text, text, int, int) TO portal_app;
