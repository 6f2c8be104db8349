from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from minsheng.org import access


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": _("用户名或密码不正确，请重新输入。注意区分大小写。"),
        "inactive": _("该账号已停用，请联系系统管理员。"),
    }

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["username"].label = _("用户名")
        self.fields["password"].label = _("密码")
        self.fields["username"].widget = forms.TextInput(
            attrs={"autofocus": True, "autocomplete": "username", "autocapitalize": "none"}
        )

    def clean(self) -> dict[str, Any]:
        """Refuse at once while the account or the address is locked (access.login_refusal);
        count a failure; clear the account's failures on success."""
        username = str(self.cleaned_data.get("username") or "")
        address = access.client_address(self.request)
        refusal = access.login_refusal(username, address)
        if refusal is not None:
            raise forms.ValidationError(refusal, code="locked")
        try:
            cleaned = super().clean()
        except forms.ValidationError:
            access.login_failed(username, address)
            raise
        access.login_succeeded(username)
        return cleaned
