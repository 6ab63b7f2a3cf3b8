-- Why a list of network addresses (10.0.0.0/8, 192.168.1.10, 2001:db8::/32)
-- is refused: not a list, more than p_max, or an entry that does not parse.
-- NULL when it is fine. (config_doc_error()'s address lists.)
CREATE OR REPLACE FUNCTION config_cidrs_error(p_list jsonb, p_max int) RETURNS text
LANGUAGE plpgsql IMMUTABLE SET search_path = public, pg_temp AS $$
DECLARE
    v jsonb;
    n int := 0;
BEGIN
    IF p_list IS NULL OR jsonb_typeof(p_list) <> 'array' OR jsonb_array_length(p_list) > p_max THEN
        RETURN format('a list of at most %s network addresses', p_max);
    END IF;
    FOR v IN SELECT x FROM jsonb_array_elements(p_list) x LOOP
        n := n + 1;
        IF jsonb_typeof(v) <> 'string' OR length(v #>> '{}') > 64 THEN
            RETURN format('entry %s is not a network address', n);
        END IF;
        BEGIN
            PERFORM (v #>> '{}')::cidr;
        EXCEPTION WHEN invalid_text_representation OR invalid_binary_representation OR data_exception THEN
            RETURN format('entry %s (%s) is not a network address such as 10.0.0.0/8', n, left(v #>> '{}', 64));
        END;
    END LOOP;
    RETURN NULL;
END $$;
GRANT EXECUTE ON FUNCTION config_cidrs_error(jsonb, int) TO portal_app;
