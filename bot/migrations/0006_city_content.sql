-- Placeholder so that 0007 applies on this branch: the content branch owns 0006_city_content.sql; at the
-- merge take that branch's file (its content tables) in place of this one.
SELECT 1
