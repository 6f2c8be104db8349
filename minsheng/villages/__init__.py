"""Village affairs (村务): every village's public board (村务公开栏) and its decision procedure
(四议两公开). See docs/villages.md."""
