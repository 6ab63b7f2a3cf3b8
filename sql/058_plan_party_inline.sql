-- 058_plan_party_inline.sql - plan_party() takes the tenant's row, which
-- its callers have joined, so the planner inlines it (docs/performance.md,
-- "Devices polling their configuration"). The new definition is in
-- sql/functions/plans/plan_party.sql.
DROP FUNCTION IF EXISTS plan_party(bigint, bigint[], bigint[]);
