-- requires: list_reader
-- The asset list's reader (list_reader(); asset_page() runs it through
-- list_page()): by kind, then name, then id. One set, all; $6 holds the
-- kinds, from and to.
SELECT list_reader('asset_reader', 'assets', ARRAY['x.kind', 'lower(x.name)', 'x.id'], false,
                   'x.kind BETWEEN $6[1] AND $6[2]', ARRAY['all'], ARRAY[['true']]);
