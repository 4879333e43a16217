-- Placeholder so that 0007 applies on this branch: the notices branch owns 0005_notices.sql; at the merge
-- take that branch's file (its notices tables) in place of this one.
SELECT 1
