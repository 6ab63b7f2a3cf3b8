-- The versioned public URL of a logo: a new upload is a new row, so a new URL.
CREATE OR REPLACE FUNCTION logo_url(l branding_logos) RETURNS text
LANGUAGE sql STABLE AS $$
    SELECT '/logo/' || l.id || '-' || left(l.sha256, 12) || '.' ||
           CASE l.content_type WHEN 'image/png' THEN 'png' WHEN 'image/jpeg' THEN 'jpg' ELSE 'webp' END
$$;
