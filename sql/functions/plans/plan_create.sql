-- A new plan of an MSSP or MSP, its shared sections at their defaults
-- (version 1): plan_clone() of no plan. Outcomes as plan_clone().
-- requires: plan_clone
CREATE OR REPLACE FUNCTION plan_create(p_tenant bigint, p_name text)
RETURNS TABLE (outcome text, plan_id bigint, message text)
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT * FROM plan_clone(p_tenant, NULL, p_name)
$$;
REVOKE ALL ON FUNCTION plan_create(bigint, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION plan_create(bigint, text) TO portal_app;
