-- 080_dashboard_orders_by_name.sql - a kept dashboard keeps the order by
-- name with its other orders, so that a page of any of them is a slice of
-- the kept positions (issue #23; docs/performance.md, "Session 42"):
-- order_page() becomes one array subscript, inlined where it is called,
-- instead of a PL/pgSQL call that ran a statement of its own (45 -> 19 us
-- to pick a page of 50 and join its lines, in one backend). Its result type
-- changes (smallint[]), which CREATE OR REPLACE refuses: the old one goes
-- (sql/functions/dashboard/order_page.sql makes it again). The orders kept
-- so far take the order by name in front, which is their rows' positions
-- (lines holds a line for each of the n rows).
DROP FUNCTION IF EXISTS order_page(smallint[], int, int, text, int, int);
UPDATE dashboard_docs
   SET orders = ARRAY(SELECT g::smallint FROM generate_series(1, cardinality(lines)) g) || orders
 WHERE orders IS NOT NULL;
