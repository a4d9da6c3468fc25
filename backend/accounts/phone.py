"""Phone numbers: parsed with phonenumbers, region FR by default, stored as E.164."""

import phonenumbers
from django.conf import settings
from django.utils.translation import gettext as _

from backend.core.errors import ApplicationError


def normalize_phone(raw: str, *, field: str = "phone", mobile_only: bool = False) -> str:
    """E.164 form of a number typed any usual way ("06 12 34 56 78", "+33612345678")."""
    try:
        number = phonenumbers.parse(str(raw), settings.PHONENUMBER_DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        raise ApplicationError(_("Numéro de téléphone illisible."), field=field) from None
    if not phonenumbers.is_valid_number(number):
        raise ApplicationError(_("Ce numéro de téléphone n'est pas valide."), field=field)
    if mobile_only and phonenumbers.number_type(number) not in (
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    ):
        raise ApplicationError(_("Ce numéro n'est pas un numéro de mobile."), field=field)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
