-- One page of a dashboard's table from an order of its p_n rows
-- (docs/dashboards.md, "The table"): positions p_offset + 1 .. p_offset +
-- p_limit of the order read from its end (p_dir 'desc': descending is the
-- exact reverse of ascending, ties and all) or else from its start.
-- p_orders: the orders children_orders() keeps, one per column of
-- children_sort_keys(), each the rows' positions ascending; p_key: the
-- place of the column in children_sort_keys() whose order is read, NULL
-- for the order by name (the positions themselves; p_orders unread). The
-- one reader of their layout: column k's order is p_orders[(k - 1) * p_n
-- + 1 .. k * p_n]. children_order() pages the order by name with it,
-- dashboard_page() the orders a dashboard keeps, so both read a page the
-- same way. A negative limit or offset is an error, as LIMIT and OFFSET
-- make it.
CREATE OR REPLACE FUNCTION order_page(p_orders smallint[], p_key int, p_n int, p_dir text, p_limit int,
                                      p_offset int)
RETURNS int[]
-- PL/pgSQL, so its statements are planned once per connection.
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
    base int := (p_key - 1) * p_n;   -- NULL for the order by name
BEGIN
    IF p_limit < 0 OR p_offset < 0 THEN
        RAISE EXCEPTION 'children_order: negative limit or offset' USING ERRCODE = '2201W';
    END IF;
    -- g is at most p_n: an int
    IF p_dir = 'desc' THEN
        RETURN ARRAY(SELECT CASE WHEN p_key IS NULL THEN g::int ELSE p_orders[base + g::int] END
                       FROM generate_series(p_n - p_offset::bigint,
                                            greatest(p_n - p_offset::bigint - p_limit + 1, 1), -1) g);
    END IF;
    RETURN ARRAY(SELECT CASE WHEN p_key IS NULL THEN g::int ELSE p_orders[base + g::int] END
                   FROM generate_series(p_offset::bigint + 1, least(p_n, p_offset::bigint + p_limit)) g);
END $$;
REVOKE ALL ON FUNCTION order_page(smallint[], int, int, text, int, int) FROM PUBLIC;
