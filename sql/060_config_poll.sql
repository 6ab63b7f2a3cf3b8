-- 060_config_poll.sql - a device's poll is one statement, config_poll(),
-- which checks the key itself (docs/performance.md, "Devices polling their
-- configuration"); config_device() is gone.
DROP FUNCTION IF EXISTS config_device(bigint, text);
