-- The setting of the signed-in user's password (for auth_password_check).
-- requires: app_user_id, login_setting
CREATE OR REPLACE FUNCTION auth_my_password_setting() RETURNS text
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT login_setting(u.email) FROM users u WHERE u.id = app_user_id() AND u.status = 'active'
$$;
REVOKE ALL ON FUNCTION auth_my_password_setting() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION auth_my_password_setting() TO portal_app;
