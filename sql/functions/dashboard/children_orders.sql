-- A dashboard's rows (p_rows, in the order by name) sorted by every
-- column but the name, kept with them (dashboard_docs.orders,
-- dashboard_doc_build()): for the k-th key of children_sort_keys(), the
-- rows' positions in children_order()'s order ascending, at [(k - 1) * n
-- + 1 .. k * n] (n rows). order_page() reads a page of one, either way:
-- a view of the kept rows sorted by a column then neither reads the rows
-- nor sorts them (docs/performance.md, "Session 41"). Positions fit a
-- smallint: a dashboard keeps at most 200 rows.
CREATE OR REPLACE FUNCTION children_orders(p_rows dashboard_row[]) RETURNS smallint[]
LANGUAGE plpgsql STABLE AS $$
DECLARE
    n int := cardinality(p_rows);
    key text;
    o smallint[] := '{}';
BEGIN
    FOREACH key IN ARRAY children_sort_keys() LOOP
        o := o || children_order(p_rows, key, 'asc', n, 0)::smallint[];
    END LOOP;
    RETURN o;
END $$;
REVOKE ALL ON FUNCTION children_orders(dashboard_row[]) FROM PUBLIC;
