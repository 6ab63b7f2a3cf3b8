-- 069_list_rows.sql - the lists' readers answer their rows as columns
-- (issue #23, "the first view after a change"; docs/performance.md,
-- "Session 29"): incident_page(), vulnerability_page() and asset_page()
-- built each row as a jsonb object, which the worker parsed again; they
-- now return a table (the page's cursors and total as JSON in the first
-- row, then one row a line), as dashboard_page() does. Their definitions
-- (sql/functions/lists/) are made again after this; a function's result
-- type cannot be replaced in place.
DROP FUNCTION IF EXISTS incident_page(bigint, text, text, bigint, bigint);
DROP FUNCTION IF EXISTS vulnerability_page(bigint, text, text, text, bigint, bigint);
DROP FUNCTION IF EXISTS asset_page(bigint, text, bigint, bigint);
