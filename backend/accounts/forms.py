from django import forms
from django.utils.translation import gettext_lazy as _


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
