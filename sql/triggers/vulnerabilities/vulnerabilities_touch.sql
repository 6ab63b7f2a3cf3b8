-- The triggers on vulnerabilities that run vulnerabilities_touch().
-- requires: vulnerabilities_touch
CREATE OR REPLACE TRIGGER vulnerabilities_touch_ins AFTER INSERT ON vulnerabilities REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION vulnerabilities_touch();

CREATE OR REPLACE TRIGGER vulnerabilities_touch_upd AFTER UPDATE ON vulnerabilities
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION vulnerabilities_touch();

CREATE OR REPLACE TRIGGER vulnerabilities_touch_del AFTER DELETE ON vulnerabilities REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION vulnerabilities_touch();
