-- 054_request_context_crumbs.sql - request_context() returns the tenant's
-- breadcrumbs (t_path, issue 22's navigation): a new return column, which
-- CREATE OR REPLACE refuses, so the old function goes first and its file
-- makes the new one.
DROP FUNCTION IF EXISTS request_context(text, int, bigint, text);
