-- 024_at_risk_ties.sql - the most at-risk companies of a whole tree
-- without walking the fifth one's ties one by one (docs/performance.md,
-- round 3: the uncached Global view at L). Same result as sql/021's (ties
-- broken by name, then id, now in both reads); only the walk changes.

-- The functions, triggers and policies this migration defined or changed
-- live in sql/functions, sql/triggers and sql/policies now, each in one
-- file holding its current definition:
--   dashboard_overview.
