-- The triggers on incidents that run incidents_recent().
-- requires: incidents_recent
CREATE OR REPLACE TRIGGER incidents_recent_ins AFTER INSERT ON incidents REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION incidents_recent();

CREATE OR REPLACE TRIGGER incidents_recent_upd AFTER UPDATE ON incidents
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION incidents_recent();

CREATE OR REPLACE TRIGGER incidents_recent_del AFTER DELETE ON incidents REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION incidents_recent();
