-- The positions on one page of a dashboard's table, from the orders kept
-- with its p_n rows (docs/dashboards.md, "The table"): rows p_offset + 1
-- .. p_offset + p_limit of the order by the column at p_key (0: the name,
-- else its place in children_sort_keys()) in direction p_dir ('desc',
-- else ascending), as they stand in the order ascending: a page
-- descending is read from its end (descending is the exact reverse of
-- ascending, ties and all). p_orders: children_orders(), the orders
-- ascending one after another; the one reader of their layout: the order
-- at k is p_orders[k * p_n + 1 .. (k + 1) * p_n]. A page is then a slice:
-- SQL of one expression, inlined where it is called, with no statement of
-- its own (a PL/pgSQL function that generated the positions: 45 us to
-- pick a page of 50 and join its lines, this 19; docs/performance.md,
-- "Session 42"). The caller refuses a negative limit or offset
-- (dashboard_page()), as LIMIT and OFFSET do.
CREATE OR REPLACE FUNCTION order_page(p_orders smallint[], p_key int, p_n int, p_dir text, p_limit int,
                                      p_offset int)
RETURNS smallint[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    -- (the bounds within 0 .. p_n + 1 of the order's start, whatever the offset)
    SELECT CASE WHEN p_dir = 'desc'
                THEN p_orders[p_key * p_n + greatest(1, p_n - p_offset::bigint - p_limit + 1)::int
                              : p_key * p_n + greatest(0, p_n - p_offset::bigint)::int]
                ELSE p_orders[p_key * p_n + least(p_n, p_offset::bigint)::int + 1
                              : p_key * p_n + least(p_n, p_offset::bigint + p_limit)::int] END
$$;
REVOKE ALL ON FUNCTION order_page(smallint[], int, int, text, int, int) FROM PUBLIC;
