-- 082_plan_reach_kind.sql - a plan's page counts the devices it reaches
-- from the rollups, not from the assets (docs/plans.md, "Who follows
-- what"; docs/performance.md, "Session 45"): plan_reach() says which of
-- the accounts it reaches are companies, whose devices tenant_stats holds.
-- Its result changes, which CREATE OR REPLACE refuses: the old one goes
-- (sql/functions/plans/plan_reach.sql makes it again).
DROP FUNCTION IF EXISTS plan_reach(bigint);
