-- Keep the dashboard of tenant p_tenant (an MSSP or an MSP) in
-- dashboard_docs (sql/068) as of now: its board for the default period
-- and its table's first 200 rows by name (four pages: every child of an
-- MSP of up to 200 companies) as the page sends them (lines,
-- dashboard_row_lines(); the first 50 joined: first_page) and, when those
-- rows are every child, their orders by every column (orders,
-- children_orders(); NULL otherwise), from which dashboard_page() serves
-- any page in any order without reading the rows again,
-- as a viewer who sees its whole subtree sees them. Nothing when the row
-- is of the tenant's current version and has not lapsed
-- (dashboard_doc_lapsed(): a transaction that bumped the version several
-- times builds it once), or for a company or a tenant that is gone.
-- Called at commit by dashboard_doc_keep(), and after an ingest batch by
-- dashboard_docs_refresh(); owner only.
-- requires: dashboard_row_lines
CREATE OR REPLACE FUNCTION dashboard_doc_build(p_tenant bigint) RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    t tenants%ROWTYPE;
    v bigint;
    h0 timestamptz := date_trunc('hour', now(), 'UTC');
    own bigint[];
    board json;
    kids dashboard_row[];
    lns text[];
    lapse bigint;
BEGIN
    SELECT s.version INTO v FROM tenant_stats s WHERE s.tenant_id = p_tenant;
    IF NOT FOUND OR EXISTS (SELECT 1 FROM dashboard_docs d WHERE d.tenant_id = p_tenant AND d.version = v
                                                             AND NOT dashboard_doc_lapsed(d)) THEN
        RETURN;
    END IF;
    SELECT * INTO t FROM tenants WHERE tenants.id = p_tenant;
    IF NOT FOUND OR t.kind = 'company' THEN
        RETURN;
    END IF;
    own := ARRAY[t.id];
    board := dashboard_board(t, 24, own, '{}');
    kids := ARRAY(SELECT ROW(x.*)::dashboard_row FROM tenant_children_rows_as(t.id, '', 'name', 'asc', 200, 0, own, '{}') x);
    -- The first pending request shown (the MSSP's list, or a row's) to
    -- expire: the row serves until a second before it (the epoch is
    -- rounded to the nearest second, as the page reads it).
    SELECT min(e) INTO lapse
      FROM (SELECT (p->>'expires')::bigint AS e FROM json_array_elements(board->'pending') p
            UNION ALL
            SELECT k.request_expires FROM unnest(kids) k) x;
    -- built_at: its transaction's start; what it shows is no older. How
    -- long dashboard_page() may serve it behind the version (sql/070).
    lns := dashboard_row_lines(kids);
    INSERT INTO dashboard_docs AS d (tenant_id, version, hour, valid_until, board, lines, first_page, orders,
                                     built_at)
    VALUES (t.id, v, h0, to_timestamp(lapse - 1), board::text, lns, array_to_string(lns[1:50], E'\n'),
            CASE WHEN cardinality(kids) = coalesce((kids[1]).total, 0) THEN children_orders(kids) END, now())
    ON CONFLICT (tenant_id) DO UPDATE
       SET version = excluded.version, hour = excluded.hour, valid_until = excluded.valid_until,
           board = excluded.board, lines = excluded.lines,
           first_page = excluded.first_page, orders = excluded.orders,
           built_at = excluded.built_at
     -- Two builders of one tenant (dashboard_docs_refresh() after two
     -- batches): the row of the later version stays; of the same version
     -- and hour (a lapsed request), the newer build.
     WHERE (d.hour, d.version) <= (excluded.hour, excluded.version);
END $$;
REVOKE ALL ON FUNCTION dashboard_doc_build(bigint) FROM PUBLIC;
