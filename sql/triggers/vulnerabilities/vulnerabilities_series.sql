-- The triggers on vulnerabilities that run vulnerabilities_series().
-- requires: vulnerabilities_series
CREATE OR REPLACE TRIGGER vulnerabilities_series_ins AFTER INSERT ON vulnerabilities REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION vulnerabilities_series();

CREATE OR REPLACE TRIGGER vulnerabilities_series_upd AFTER UPDATE ON vulnerabilities
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION vulnerabilities_series();

CREATE OR REPLACE TRIGGER vulnerabilities_series_del AFTER DELETE ON vulnerabilities REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION vulnerabilities_series();
