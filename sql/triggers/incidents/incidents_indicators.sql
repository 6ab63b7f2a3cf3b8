-- The triggers on incidents that run incidents_indicators().
-- (Triggers fire in name order: "incidents_threats_*" after "incidents_stats_*".)
-- requires: incidents_indicators
CREATE OR REPLACE TRIGGER incidents_threats_ins AFTER INSERT ON incidents REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION incidents_indicators();

CREATE OR REPLACE TRIGGER incidents_threats_upd AFTER UPDATE ON incidents
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION incidents_indicators();

CREATE OR REPLACE TRIGGER incidents_threats_del AFTER DELETE ON incidents REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION incidents_indicators();
