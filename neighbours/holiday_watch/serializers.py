"""The holiday watch's API bodies (POST /api/v1/holiday-watch/ and its list): a contract with the apps."""

from rest_framework import serializers

from neighbours.holiday_watch.models import WatchRequest


class WatchRequestInputSerializer(serializers.Serializer):
    address = serializers.CharField(
        max_length=300,
        help_text="Adresse du domicile ; rapprochée des adresses de la commune si elles sont importées.",
    )
    start = serializers.DateField(help_text="Jour du départ (AAAA-MM-JJ).")
    end = serializers.DateField(help_text="Jour du retour (AAAA-MM-JJ).")
    alarm = serializers.BooleanField(default=False, help_text="Le domicile a une alarme.")
    contact_name = serializers.CharField(max_length=120, allow_blank=True, default="")
    contact_phone = serializers.CharField(max_length=40, allow_blank=True, default="")
    visitors = serializers.CharField(
        max_length=500, allow_blank=True, default="", help_text="Personnes autorisées à passer au domicile."
    )
    keys_left_with = serializers.CharField(
        max_length=200,
        allow_blank=True,
        default="",
        help_text="À qui les clés ont été confiées (vide : personne).",
    )
    burglary_alerts = serializers.BooleanField(
        default=False, help_text="Recevoir par SMS les alertes cambriolage du secteur pendant l'absence."
    )
    sector = serializers.CharField(
        max_length=120,
        required=False,
        allow_blank=True,
        default="",
        help_text="Secteur (identifiant) quand l'adresse n'est pas trouvée parmi celles de la commune.",
    )


class WatchSectorSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    slug = serializers.CharField()
    name = serializers.CharField()


class WatchRequestOutputSerializer(serializers.ModelSerializer):
    sector = WatchSectorSerializer(allow_null=True)
    # A plain string: another enum named "status" would rename the referents' in the schema.
    status = serializers.CharField(help_text="« active » (en cours) ou « cancelled » (annulée).")
    status_label = serializers.CharField(source="get_status_display")
    watch_starts = serializers.DateField(source="start", help_text="Jour où la surveillance commence.")

    class Meta:
        model = WatchRequest
        fields = [
            "id",
            "address",
            "sector",
            "start",
            "end",
            "watch_starts",
            "alarm",
            "contact_name",
            "contact_phone",
            "visitors",
            "keys_left_with",
            "burglary_alerts",
            "status",
            "status_label",
            "created_at",
        ]
        read_only_fields = fields
