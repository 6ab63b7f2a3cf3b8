-- requires: list_reader
-- The incident list's reader (list_reader(); incident_page() runs it
-- through list_page()): most severe first, then the latest opened. Sets:
-- open, closed, new (opened since the hour 24 hours before this one, the
-- window of the dashboards' "New in the last 24 h") and all; $6 holds the
-- severities' weights, from and to.
SELECT list_reader('incident_reader', 'incidents', ARRAY['severity_weight(x.severity)', 'x.opened_at', 'x.id'], true,
                   'severity_weight(x.severity) BETWEEN $6[1]::int AND $6[2]::int',
                   ARRAY['open', 'closed', 'new', 'all'],
                   ARRAY[['x.closed_at IS NULL', NULL],
                         ['x.closed_at IS NOT NULL', NULL],
                         ['x.opened_at >= date_trunc(''hour'', now(), ''UTC'') - interval ''24 hours''', NULL],
                         ['x.closed_at IS NULL', 'x.closed_at IS NOT NULL']]);
