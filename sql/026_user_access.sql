-- 026_user_access.sql - a user's memberships and assignments in one row,
-- and the role rule as a function of them (docs/performance.md, "Round 4").
--
-- After sql/023, request_context() still spent about half of its time on
-- two things every signed-in page needs: the viewer's role on the page's
-- tenant (tenant_role(): a nested PL/pgSQL call whose statement plans two
-- alternatives with five scans between them) and the viewer's scope for
-- the dashboard cache key (two aggregates, over memberships and
-- analyst_assignments). Interleaved timings inside the database on the L
-- demo data: 49 us per call before, 34 us with both read from one row.
--
-- * user_access holds, per user, the memberships (tenant ids in ascending
--   order and the role of each), the analyst assignments, and the scope
--   key the dashboard cache has keyed on since sql/021. Row triggers on
--   memberships and analyst_assignments rewrite the row of the user whose
--   rows changed, in the same transaction.
-- * role_on_path() is the role rule, unchanged, as a pure function of a
--   tenant's path and those arrays; tenant_role() (effective_role() and
--   the page's context) applies it to the user_access row, so there is
--   still one rule.

CREATE TABLE user_access (
    user_id  bigint PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    tenants  bigint[] NOT NULL,   -- memberships' tenants, ascending
    roles    text[] NOT NULL,     -- the role of each, same order
    assigned bigint[] NOT NULL,   -- analyst assignments, ascending
    scope    text NOT NULL        -- 'tenant:role,...;tenant,...' (the cache key)
);
-- Read only by the SECURITY DEFINER functions below (the owner); the app
-- role has no grant, and the policy keeps a user to their own row anyway.
ALTER TABLE user_access ENABLE ROW LEVEL SECURITY;
ALTER TABLE user_access FORCE ROW LEVEL SECURITY;

-- A backfill: nothing to do on an empty database, where the function it
-- calls is defined later (sql/functions, after every migration).
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM users) THEN
        PERFORM user_access_refresh(id) FROM users;
    END IF;
END $$;

-- The functions, triggers and policies this migration defined or changed
-- live in sql/functions, sql/triggers and sql/policies now, each in one
-- file holding its current definition:
--   user_access_own, user_access_refresh, user_access_sync,
--   memberships_access, analyst_assignments_access, role_on_path,
--   tenant_role, request_context.
