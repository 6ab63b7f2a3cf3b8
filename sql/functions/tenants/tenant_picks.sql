-- The tenants the viewer may open, MSSPs first, then MSPs, then companies,
-- each by name (lower(name), id), whose name contains p_q (whatever its
-- case; '' any) and of kind p_kind ('' any): one page of
-- p_limit from p_offset, numbered n in that order. The home page's table
-- and the tenant selector (cgi/pages/home.c, tenants.c) read it.
--
-- Its cost grows with the rows asked for, not with the tenants the viewer
-- sees: a viewer whose scope has one top tenant and no exact one (an
-- MSSP's admin, an MSP's or a company's people) is read from that top
-- down, piece by piece in the order shown, each from an index in name
-- order (the MSSP's MSPs: tenants_children_by_name; its companies:
-- tenants_companies_by_name; an MSP's companies: its children), so the
-- first page of 20,000 companies reads 50. A search reads the pieces in
-- the same order until the page is full. Anyone else (several tops, an
-- MSSP Analyst's assignments) sees few tenants: read with the rule
-- itself (scope_sees()) and sorted.
-- requires: app_scope, app_exact, scope_sees, tenant_pick_top
CREATE OR REPLACE FUNCTION tenant_picks(p_q text, p_kind text, p_limit int, p_offset int)
RETURNS TABLE (n bigint, id bigint, name text, kind text, region text, parent_name text)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
#variable_conflict use_column
DECLARE
    sc bigint[] := app_scope();
    ex bigint[] := app_exact();
    top tenants%ROWTYPE;
    q text := coalesce(p_q, '');
    lq text := lower(coalesce(p_q, ''));
    -- (the same test as a LIKE pattern, which the trigram index serves)
    pat text := '%' || replace(replace(replace(lq, '\', '\\'), '%', '\%'), '_', '\_') || '%';
    k text := coalesce(p_kind, '');
    lim bigint := p_limit;  -- rows still to return
    off bigint := p_offset; -- rows still to skip
    got bigint := 0;        -- rows returned
    r bigint;
    kid text;
BEGIN
    IF p_limit < 0 OR p_offset < 0 THEN  -- as LIMIT and OFFSET would
        RAISE EXCEPTION 'tenant_picks: negative limit or offset' USING ERRCODE = '2201W';
    END IF;
    top := tenant_pick_top(sc, ex);
    IF top.id IS NULL THEN
        -- (a parent's name only when the viewer sees the parent)
        RETURN QUERY
        SELECT p_offset + row_number() OVER (ORDER BY array_position(ARRAY['mssp', 'msp', 'company'], t.kind),
                                                      lower(t.name), t.id),
               t.id, t.name, t.kind, t.region, p.name
          FROM (SELECT x.id, x.name, x.kind, x.region, x.parent_id FROM tenants x
                 WHERE x.status = 'active' AND scope_sees(x.ancestors, x.id, sc, ex)
                   AND (q = '' OR strpos(lower(x.name), lq) > 0) AND (k = '' OR x.kind = k)
                 ORDER BY array_position(ARRAY['mssp', 'msp', 'company'], x.kind), lower(x.name), x.id
                 LIMIT p_limit OFFSET p_offset) t
          LEFT JOIN tenants p ON p.id = t.parent_id AND scope_sees(p.ancestors, p.id, sc, ex)
         ORDER BY 1;
        RETURN;
    END IF;
    -- The top itself (its parent is above what the viewer sees).
    IF (q = '' OR strpos(lower(top.name), lq) > 0) AND (k = '' OR top.kind = k) THEN
        IF off > 0 THEN
            off := off - 1;
        ELSIF lim > 0 THEN
            RETURN QUERY SELECT p_offset + 1::bigint, top.id, top.name, top.kind, top.region, NULL::text;
            lim := lim - 1;
            got := 1;
        END IF;
    END IF;
    -- Its children: an MSSP's MSPs, an MSP's companies. A page past them
    -- all skips them: counted (hundreds, not thousands).
    kid := CASE top.kind WHEN 'mssp' THEN 'msp' WHEN 'msp' THEN 'company' END;
    IF kid IS NOT NULL AND lim > 0 AND (k = '' OR k = kid) THEN
        RETURN QUERY
        SELECT p_offset + got + row_number() OVER (ORDER BY lower(y.name), y.id), y.id, y.name, y.kind, y.region,
               top.name
          FROM (SELECT x.id, x.name, x.kind, x.region FROM tenants x
                 WHERE x.parent_id = top.id AND x.kind = kid AND x.status = 'active'
                   AND (q = '' OR strpos(lower(x.name), lq) > 0)
                 ORDER BY lower(x.name), x.id LIMIT lim OFFSET off) y
         ORDER BY 1;
        GET DIAGNOSTICS r = ROW_COUNT;
        IF r = 0 AND off > 0 THEN
            off := off - (SELECT count(*) FROM tenants y
                           WHERE y.parent_id = top.id AND y.kind = kid AND y.status = 'active'
                             AND (q = '' OR strpos(lower(y.name), lq) > 0));
        ELSE
            off := 0;
        END IF;
        got := got + r;
        lim := lim - r;
    END IF;
    -- An MSSP's companies, its root's: read in name order
    -- (tenants_companies_by_name) until the page is full; a term of three
    -- letters or more is looked up in tenants_companies_by_trigram first
    -- (a rare one would otherwise read every company in name order to
    -- find none), then sorted.
    IF top.kind = 'mssp' AND lim > 0 AND (k = '' OR k = 'company') AND length(q) < 3 THEN
        RETURN QUERY
        SELECT p_offset + got + row_number() OVER (ORDER BY lower(y.name), y.id), y.id, y.name, y.kind, y.region,
               p.name
          FROM (SELECT x.id, x.name, x.kind, x.region, x.parent_id FROM tenants x
                 WHERE x.root_id = top.id AND x.kind = 'company' AND x.status = 'active'
                   AND (q = '' OR strpos(lower(x.name), lq) > 0)
                 ORDER BY lower(x.name), x.id LIMIT lim OFFSET off) y
          LEFT JOIN tenants p ON p.id = y.parent_id
         ORDER BY 1;
    ELSIF top.kind = 'mssp' AND lim > 0 AND (k = '' OR k = 'company') THEN
        RETURN QUERY
        SELECT p_offset + got + row_number() OVER (ORDER BY lower(y.name), y.id), y.id, y.name, y.kind, y.region,
               p.name
          FROM (SELECT x.id, x.name, x.kind, x.region, x.parent_id FROM tenants x
                 WHERE lower(x.name) LIKE pat AND x.root_id = top.id AND x.kind = 'company' AND x.status = 'active'
                 ORDER BY lower(x.name), x.id LIMIT lim OFFSET off) y
          LEFT JOIN tenants p ON p.id = y.parent_id
         ORDER BY 1;
    END IF;
END $$;
REVOKE ALL ON FUNCTION tenant_picks(text, text, int, int) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tenant_picks(text, text, int, int) TO portal_app;
