from rest_framework import serializers

from backend.accounts.models import PhoneCode, User


class OtpRequestSerializer(serializers.Serializer):
    phone = serializers.CharField(max_length=40)
    purpose = serializers.ChoiceField(choices=PhoneCode.Purpose.choices, default=PhoneCode.Purpose.LOGIN)


class OtpTokenRequestSerializer(serializers.Serializer):
    phone = serializers.CharField(max_length=40)
    code = serializers.CharField(max_length=10)
    purpose = serializers.ChoiceField(choices=PhoneCode.Purpose.choices, default=PhoneCode.Purpose.LOGIN)


class StaffCredentialsSerializer(serializers.Serializer):
    phone = serializers.CharField(max_length=40)
    password = serializers.CharField(max_length=128, trim_whitespace=False, style={"input_type": "password"})
    totp = serializers.CharField(
        max_length=10, help_text="Code à 6 chiffres de l'application d'authentification."
    )


class RefreshTokenSerializer(serializers.Serializer):
    refresh = serializers.CharField()


class TokenPairSerializer(serializers.Serializer):
    access = serializers.CharField()
    refresh = serializers.CharField()


class VerificationTokenSerializer(serializers.Serializer):
    verification_token = serializers.CharField()
    phone = serializers.CharField()
    expires_in = serializers.IntegerField(help_text="Durée de validité, en secondes.")


class CommuneBriefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    slug = serializers.CharField()


class MeSerializer(serializers.ModelSerializer[User]):
    phone = serializers.CharField(source="phone.as_e164", allow_null=True, read_only=True)
    role_label = serializers.CharField(source="get_role_display", read_only=True)
    commune = CommuneBriefSerializer(allow_null=True, read_only=True)
    email = serializers.CharField(read_only=True, help_text="Adresse e-mail ; vide s'il n'y en a pas.")

    class Meta:
        model = User
        fields = ["id", "phone", "email", "display_name", "role", "role_label", "commune", "date_joined"]
        read_only_fields = fields
