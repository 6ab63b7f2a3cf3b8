-- The columns a dashboard's table sorts by besides the name, in the order
-- of their place in children_order() and of the orders a kept dashboard
-- holds (children_orders(), dashboard_docs.orders): the keys the page
-- sends (cgi/pages/dashboard.c, columns[]). SQL and IMMUTABLE: a constant
-- where it is called.
CREATE OR REPLACE FUNCTION children_sort_keys() RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT ARRAY['companies', 'probes', 'agents', 'discovered', 'external', 'vulns', 'critical', 'high', 'medium',
                 'low', 'open_critical']
$$;
REVOKE ALL ON FUNCTION children_sort_keys() FROM PUBLIC;
