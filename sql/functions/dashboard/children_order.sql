-- The order of a dashboard's table (docs/dashboards.md, "The table"): the
-- positions in p_rows (1, 2, ...: p_rows[i] is the row, whatever its
-- length, without a join on the ids) of rows p_offset + 1 .. p_offset +
-- p_limit of p_rows sorted by p_sort (a column key, children_sort_keys();
-- anything else sorts by name) in p_dir ('desc', else ascending), then by
-- name and id. Descending is the exact reverse of ascending, ties and
-- all: by critical findings descending, the companies with as many are
-- by name descending too, so a kept order ascending read from its end is
-- the order descending (children_orders(), order_page()). A number
-- not known (a tenant without its rollup row yet) sorts as the 0 the
-- table shows for it. The one order of the table: tenant_children_rows_as()
-- sorts the rows it reads by it, children_orders() keeps it by every
-- column for a dashboard's rows.
--
-- p_rows come in the order by name (lower(name), then id), as every
-- caller has them: a row's position is then its place by name, so the
-- pages by name are positions, and a sort by a number
-- breaks its ties by position, without a name computed or compared (100
-- kept rows by critical findings: 160 -> 60 us a call).
CREATE OR REPLACE FUNCTION children_order(p_rows dashboard_row[], p_sort text, p_dir text, p_limit int, p_offset int)
RETURNS bigint[]
-- PL/pgSQL, so its statements are planned once per connection (an SQL
-- function's are planned at every call).
LANGUAGE plpgsql STABLE AS $$
DECLARE
    -- the column by its place, not its key: a CASE on the key compared
    -- text for each row up to eleven times (100 rows by critical findings:
    -- 44 -> 32 us a call)
    k int := array_position(children_sort_keys(), p_sort);
    sgn int := CASE WHEN p_dir = 'desc' THEN -1 ELSE 1 END;
BEGIN
    IF p_limit < 0 OR p_offset < 0 THEN
        RAISE EXCEPTION 'children_order: negative limit or offset' USING ERRCODE = '2201W';
    END IF;
    IF k IS NULL THEN  -- by name: the positions, from the end when descending
        RETURN ARRAY(SELECT CASE WHEN sgn < 0 THEN cardinality(p_rows) + 1 - g ELSE g END
                       FROM generate_series(p_offset::bigint + 1,
                                            least(cardinality(p_rows), p_offset::bigint + p_limit)) g);
    END IF;
    RETURN ARRAY(SELECT u.ordinality FROM unnest(p_rows) WITH ORDINALITY u
                  ORDER BY sgn * coalesce(CASE k WHEN 1 THEN u.companies WHEN 2 THEN u.probes WHEN 3 THEN u.agents
                                          WHEN 4 THEN u.discovered WHEN 5 THEN u.external WHEN 6 THEN u.vulns
                                          WHEN 7 THEN u.critical WHEN 8 THEN u.high WHEN 9 THEN u.medium
                                          WHEN 10 THEN u.low WHEN 11 THEN u.open_critical END, 0),
                           sgn * u.ordinality
                  LIMIT p_limit OFFSET p_offset);
END $$;
REVOKE ALL ON FUNCTION children_order(dashboard_row[], text, text, int, int) FROM PUBLIC;
