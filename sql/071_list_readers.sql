-- 071_list_readers.sql - the lists are read by static statements (issue
-- #23, "the first view after a change"; docs/performance.md, "Session
-- 33"): list_page() runs a list's reader (list_reader(),
-- sql/functions/lists/) instead of putting a statement together and
-- planning it at every call. Its arguments change: the old one goes.
DROP FUNCTION IF EXISTS list_page(bigint, text, text[], boolean, text, text[], text[], bigint, bigint, boolean);
