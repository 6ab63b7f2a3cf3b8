-- The Row-Level Security policies of user_access, all of them: the block below
-- drops whatever policies the table has, so one removed from this file
-- is gone once it runs again.
-- requires: app_user_id
DO $$
DECLARE
    p name;
BEGIN
    FOR p IN SELECT policyname FROM pg_policies WHERE schemaname = 'public' AND tablename = 'user_access' LOOP
        EXECUTE format('DROP POLICY %I ON user_access', p);
    END LOOP;
END $$;

CREATE POLICY user_access_own ON user_access USING (user_id = (SELECT app_user_id()));
