-- 079_order_page_key.sql - order_page() takes the column's place in
-- children_sort_keys() instead of where its order starts (issue #23;
-- docs/dashboards.md, "The table"): the layout of the kept orders
-- (children_orders(): column k's at [(k - 1) * n + 1 .. k * n]) is read
-- in one place, order_page(), as children_orders() writes it in one.
-- A parameter renamed, which CREATE OR REPLACE refuses: the old one goes
-- (sql/functions/dashboard/order_page.sql makes it again).
DROP FUNCTION IF EXISTS order_page(smallint[], int, int, text, int, int);
