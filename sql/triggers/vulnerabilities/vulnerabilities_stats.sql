-- The triggers on vulnerabilities that run vulnerabilities_stats().
-- requires: vulnerabilities_stats
CREATE OR REPLACE TRIGGER vulnerabilities_stats_ins AFTER INSERT ON vulnerabilities REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION vulnerabilities_stats();

CREATE OR REPLACE TRIGGER vulnerabilities_stats_upd AFTER UPDATE ON vulnerabilities
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION vulnerabilities_stats();

CREATE OR REPLACE TRIGGER vulnerabilities_stats_del AFTER DELETE ON vulnerabilities REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION vulnerabilities_stats();
