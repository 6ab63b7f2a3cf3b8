-- The bell's dropdown: the user's five newest unread notifications as a
-- JSON array (NULL: none). request_context() reads it for the user it
-- looked up; a page after a write reads it with the identity of its
-- transaction (cgi/view.c), where RLS leaves only the user's own rows.
CREATE OR REPLACE FUNCTION bell_items(p_user bigint) RETURNS json
LANGUAGE plpgsql STABLE SET search_path = public, pg_temp AS $$
DECLARE b json;
BEGIN
    SELECT json_agg(json_build_object('id', n.id, 'title', n.title, 'link', n.link,
                                      'at', to_char(n.created_at, 'YYYY-MM-DD HH24:MI')))
      INTO b
      FROM (SELECT * FROM notifications n WHERE n.user_id = p_user AND n.read_at IS NULL
             ORDER BY n.created_at DESC, n.id DESC LIMIT 5) n;
    RETURN b;
END $$;
REVOKE ALL ON FUNCTION bell_items(bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION bell_items(bigint) TO portal_app;
