"""Signals the organisation sends to the apps above it (which subscribe in their ready())."""

from django.dispatch import Signal

# Sent inside the import's transaction after divisions were written, with `prefix`: the code
# prefix the import was restricted to ("" for everything). Village affairs give every new
# village its board here, so that an imported village has a board at once.
divisions_imported = Signal()
