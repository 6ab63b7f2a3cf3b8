-- The dashboard's JSON text: {"ancestors" : path, ...the board's keys}.
-- The board is a JSON object's text (json_build_object() in
-- dashboard_board(), which always begins with "{"): the path goes in
-- front of its keys as text, with no parsing of either.
CREATE OR REPLACE FUNCTION dashboard_join(p_path json, p_board text) RETURNS text
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
BEGIN
    RETURN '{"ancestors" : ' || p_path::text || ', ' || substr(p_board, 2);
END $$;
REVOKE ALL ON FUNCTION dashboard_join(json, text) FROM PUBLIC;
