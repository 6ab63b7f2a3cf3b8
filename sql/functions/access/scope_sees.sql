-- The rule, in one place: a tenant (its ancestors include itself) is
-- visible in a scope. Inlined where it is used.
CREATE OR REPLACE FUNCTION scope_sees(p_ancestors bigint[], p_id bigint, p_scope bigint[], p_exact bigint[]) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT p_ancestors && p_scope OR p_id = ANY (p_exact) $$;
