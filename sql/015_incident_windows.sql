-- 015_incident_windows.sql - indexes for the dashboard's time windows:
-- "new in the last 24 h" and the resolution rate read only the incidents
-- opened or closed inside the window, never the whole history.
CREATE INDEX incidents_opened_at ON incidents (opened_at);
CREATE INDEX incidents_closed_at ON incidents (closed_at) WHERE closed_at IS NOT NULL;
