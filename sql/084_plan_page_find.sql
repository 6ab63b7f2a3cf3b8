-- 084_plan_page_find.sql - a plan's page finds the accounts it could be
-- shared with by name (docs/plans.md, "The pages"): "Share with" listed the
-- first 500 below the owner, so at L (20,000 companies) most could not be
-- chosen. plan_page() takes what to find; its arguments change, so the
-- old one goes (sql/functions/plans/plan_page.sql makes it again).
DROP FUNCTION IF EXISTS plan_page(bigint, bigint, text);
