-- The triggers on incidents that run incidents_stats().
-- requires: incidents_stats
CREATE OR REPLACE TRIGGER incidents_stats_ins AFTER INSERT ON incidents REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION incidents_stats();

CREATE OR REPLACE TRIGGER incidents_stats_upd AFTER UPDATE ON incidents
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION incidents_stats();

CREATE OR REPLACE TRIGGER incidents_stats_del AFTER DELETE ON incidents REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION incidents_stats();
