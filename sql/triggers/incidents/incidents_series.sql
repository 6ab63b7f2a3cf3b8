-- The triggers on incidents that run incidents_series().
-- requires: incidents_series
CREATE OR REPLACE TRIGGER incidents_series_ins AFTER INSERT ON incidents REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION incidents_series();

CREATE OR REPLACE TRIGGER incidents_series_upd AFTER UPDATE ON incidents
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION incidents_series();

CREATE OR REPLACE TRIGGER incidents_series_del AFTER DELETE ON incidents REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION incidents_series();
