-- 075_dashboard_row_lines.sql - a kept dashboard's table rows as the page
-- sends them (issue #23, "the first view after a change";
-- docs/performance.md, "Session 39"): dashboard_row_lines() of its kept
-- rows (lines, a line each) and its first page of 50 joined (first_page),
-- made when the row is built (dashboard_doc_build()), so that
-- dashboard_page() returns the dashboard and its rows as two values
-- instead of 50 rows of 18 columns. Its columns change: the old one goes
-- (sql/functions/dashboard/dashboard_page.sql makes it again).
ALTER TABLE dashboard_docs ADD COLUMN lines text[], ADD COLUMN first_page text;
UPDATE dashboard_docs SET lines = dashboard_row_lines(children),
                          first_page = array_to_string(dashboard_row_lines(children[1:50]), E'\n');
ALTER TABLE dashboard_docs ALTER COLUMN lines SET NOT NULL, ALTER COLUMN first_page SET NOT NULL;
DROP FUNCTION IF EXISTS dashboard_page(bigint, int, text, text, text, int, int);
