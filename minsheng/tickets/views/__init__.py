"""Back-office screens of the 接诉即办 workflow: the operator desk, the work queues, the ticket
page with its action forms, and search with Excel export. Views validate, call one service (or
selector) and render; the rules live in minsheng.tickets.actions and .selectors."""
