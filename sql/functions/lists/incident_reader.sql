-- requires: list_reader
-- The incident list's reader (list_reader(); incident_page() runs it
-- through list_page()): most severe first, then the latest opened. Sets:
-- open, closed, new (opened since the hour 24 hours before this one, the
-- window of the dashboards' "New in the last 24 h") and all; $6 holds the
-- severities' weights, from and to. A set's parts are read each through
-- its index in the list's order and merged: open and closed (the partial
-- indexes on root or tenant, severity, opening), and for "new" each
-- severity apart, so that each part is the window's range of its index,
-- not every older incident of the severity read and filtered out (at L an
-- MSSP's "new" read the day's 33,000 incidents and sorted them, 55-60 ms).
SELECT list_reader('incident_reader', 'incidents', ARRAY['severity_weight(x.severity)', 'x.opened_at', 'x.id'], true,
                   'severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int',
                   ARRAY['open', 'closed', 'new', 'all'],
                   -- (a set a row of parts, NULL-padded to the widest: "new"'s eight)
                   ARRAY[ARRAY['x.closed_at IS NULL', NULL, NULL, NULL, NULL, NULL, NULL, NULL],
                         ARRAY['x.closed_at IS NOT NULL', NULL, NULL, NULL, NULL, NULL, NULL, NULL],
                         ARRAY(SELECT format('x.closed_at %s AND severity_weight(x.severity) = %s AND x.opened_at'
                                             ' >= date_trunc(''hour'', now(), ''UTC'') - interval ''24 hours''',
                                             st.cond, w)
                                 FROM unnest(ARRAY['IS NULL', 'IS NOT NULL']) WITH ORDINALITY AS st(cond, n)
                                 CROSS JOIN generate_series(4, 1, -1) w
                                ORDER BY st.n, w DESC),
                         ARRAY['x.closed_at IS NULL', 'x.closed_at IS NOT NULL', NULL, NULL, NULL, NULL, NULL, NULL]]);
