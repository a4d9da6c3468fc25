from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from backend.accounts.models import PhoneCode
from backend.accounts.otp import phone_code_request, verify_phone_with_code
from backend.accounts.phone import normalize_phone
from backend.core.errors import ApplicationError
from backend.core.forms import NeutralCharField


class StaffLoginForm(forms.Form):
    phone = forms.CharField(
        label=_("Téléphone"),
        max_length=40,
        widget=forms.TextInput(attrs={"autocomplete": "username", "inputmode": "tel"}),
    )
    password = forms.CharField(
        label=_("Mot de passe"), widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )
    otp_token = forms.CharField(
        label=_("Code de l'application d'authentification"),
        max_length=6,
        min_length=6,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "pattern": "[0-9]{6}"}
        ),
    )


# --- a phone proved by an SMS code, on the web forms that need no account (shops, holiday watch) ---------


class SmsPhoneForm(forms.Form):
    """The mobile number to which a code is texted; a page may reword the label and help (`phone_label`,
    `phone_help`)."""

    phone_label = _("Votre numéro de téléphone mobile")
    phone_help = _("Un code vous sera envoyé par SMS, par exemple au 06 12 34 56 78.")
    phone = NeutralCharField(
        max_length=40, widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["phone"].label = self.phone_label
        self.fields["phone"].help_text = self.phone_help


class SmsCodeForm(forms.Form):
    code = NeutralCharField(
        label=_("Code reçu par SMS"),
        min_length=6,
        max_length=6,
        help_text=_("6 chiffres, valable 5 minutes."),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "pattern": "[0-9]{6}"}
        ),
    )


def sms_code_send(form: SmsPhoneForm, *, purpose: str, ip: str | None) -> str | None:
    """Texts a code to the valid form's number: the number (E.164), or None with the error on the form
    (unreadable number, a landline to prove, limits of the codes)."""
    try:
        phone = normalize_phone(form.cleaned_data["phone"], mobile_only=purpose == PhoneCode.Purpose.VERIFY)
        phone_code_request(phone=phone, purpose=purpose, ip=ip)
    except ApplicationError as exc:
        form.add_error("phone", exc.message)
        return None
    return phone


def sms_code_verify(form: SmsCodeForm, *, phone: str) -> str | None:
    """The verification token for the valid form's code, or None with the error on the form."""
    try:
        return verify_phone_with_code(phone=phone, code=form.cleaned_data["code"])
    except ApplicationError as exc:
        form.add_error("code", exc.message)
        return None
