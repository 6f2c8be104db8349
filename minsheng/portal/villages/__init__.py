"""村务公开 on the phone: every village's public board, read by anyone (/h5/villages/)."""
