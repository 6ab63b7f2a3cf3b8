-- 009_children.sql - creating, renaming and archiving child tenants.

-- The app role inserts children through RLS (the parent must be visible,
-- see tenants_visible's WITH CHECK); the tree trigger enforces kind, depth
-- and region. Archiving is a status change; an archived tenant disappears
-- from lists and its URLs answer 404.
GRANT SELECT, INSERT, UPDATE (name, status) ON tenants TO portal_app;

-- A child tenant belongs to its parent's root: keep root_id right for
-- rows inserted by the app (the trigger derives it too; this documents it).
COMMENT ON COLUMN tenants.root_id IS 'the MSSP (or standalone MSP) at the top; derived by tenants_tree_check()';
