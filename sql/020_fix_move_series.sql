-- 020_fix_move_series.sql - qualify the columns in tenants_move_series():
-- in PL/pgSQL an unqualified "found" is the FOUND variable, which made every
-- MSP approval fail ("column reference found is ambiguous").

-- The functions, triggers and policies this migration defined or changed
-- live in sql/functions, sql/triggers and sql/policies now, each in one
-- file holding its current definition:
--   tenants_move_series.
