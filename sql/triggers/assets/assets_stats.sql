-- The triggers on assets that run assets_stats().
-- requires: assets_stats
CREATE OR REPLACE TRIGGER assets_stats_ins AFTER INSERT ON assets REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION assets_stats();

CREATE OR REPLACE TRIGGER assets_stats_upd AFTER UPDATE ON assets REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION assets_stats();

CREATE OR REPLACE TRIGGER assets_stats_del AFTER DELETE ON assets REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION assets_stats();
