-- A dashboard's rows (p_rows, in the order by name) in every order of its
-- table, kept with them (dashboard_docs.orders, dashboard_doc_build()):
-- for the name (the rows' positions as they come) and then each key of
-- children_sort_keys() (children_order(), the one order), the positions
-- ascending, one after another (n each). order_page() reads a page of
-- one as a slice, and a descending page is the slice read from its end
-- (docs/performance.md, "Sessions 41 and 42"): a view of the kept rows in
-- any order then neither reads the rows nor sorts them. Positions fit a
-- smallint: a dashboard keeps at most 200 rows.
CREATE OR REPLACE FUNCTION children_orders(p_rows dashboard_row[]) RETURNS smallint[]
LANGUAGE plpgsql STABLE AS $$
DECLARE
    n int := cardinality(p_rows);
    key text;
    o smallint[] := ARRAY(SELECT g::smallint FROM generate_series(1, n) g);  -- by name
BEGIN
    FOREACH key IN ARRAY children_sort_keys() LOOP
        o := o || children_order(p_rows, key, 'asc', n, 0)::smallint[];
    END LOOP;
    RETURN o;
END $$;
REVOKE ALL ON FUNCTION children_orders(dashboard_row[]) FROM PUBLIC;
