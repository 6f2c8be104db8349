"""Password forms that record who chose the password (org.access: the forced change)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.forms import AdminPasswordChangeForm, PasswordChangeForm


class ChangePasswordForm(PasswordChangeForm):
    def save(self, commit: bool = True) -> Any:
        # Whoever chose the password is the user now: no forced change pending.
        self.user.must_change_password = False
        return super().save(commit=commit)


class AdminSetPasswordForm(AdminPasswordChangeForm):  # type: ignore[type-arg]  # generic in the stubs only
    """An administrator's reset: the user must choose a new password at the next login."""

    def save(self, commit: bool = True) -> Any:
        self.user.must_change_password = True
        return super().save(commit=commit)
