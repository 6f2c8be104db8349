"""The public message board (留言板): a citizen's report made public at their wish, moderated by
the hotline's staff (approve, reject with a reason, mask more), listed and searched by category,
township and status, liked once per proven phone (点赞/附议), with Atom feeds per township and
per category; and the demo history from the message board data. docs/portal.md."""
