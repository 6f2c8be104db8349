"""The back office's ticket pages (后台): the operator desk (话务台) with its side panels, the
work queues, the ticket page with its action forms, and search with Excel export.

They sit above the apps they compose — the ticket core (tickets, deadlines), the text
intelligence (insight: category and unit suggestions, similar cases, places) — in the import
contract, so the ticket core never imports insight. Their templates stay with the ticket app
(minsheng/tickets/templates/tickets/). Views validate, call one action (or selector) and render;
who may do what is minsheng.tickets.rules.
"""
