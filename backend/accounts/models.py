import enum
from typing import Any, ClassVar

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from phonenumber_field.modelfields import PhoneNumberField

_STAFF = frozenset({"moderator", "operator", "admin"})
_OFFICIALS = frozenset({"coordinator", "csu", "ethics", "inspector", "dpo"})


class Role(models.TextChoices):
    REFERENT = "referent", _("Référent Participation Citoyenne")
    SHOPKEEPER = "shopkeeper", _("Commerçant")
    MODERATOR = "moderator", _("Modérateur")
    OPERATOR = "operator", _("Opérateur de police")
    ADMIN = "admin", _("Administrateur")
    # The town's side and the oversight bodies: read-mostly roles outside the console.
    COORDINATOR = "coordinator", _("Coordinateur CLSPD")
    CSU = "csu", _("Opérateur du centre de supervision urbain")
    ETHICS = "ethics", _("Membre du comité d'éthique de la vidéoprotection")
    INSPECTOR = "inspector", _("Contrôleur (CNIL, préfecture)")
    DPO = "dpo", _("Délégué à la protection des données")

    # The sets of roles, named once (not choices). Who may do what with them is the access policy's
    # business (alerts/access.py).
    REPORTING = enum.nonmember(frozenset({"referent", "shopkeeper"}))
    # The console's people: moderation and police work.
    STAFF = enum.nonmember(_STAFF)
    # Never in the console, never an observation's view: their own pages only.
    OFFICIALS = enum.nonmember(_OFFICIALS)
    # Who signs in with a password and a second factor (TOTP), never with an SMS code.
    SECOND_FACTOR = enum.nonmember(_STAFF | _OFFICIALS)
    MODERATING = enum.nonmember(frozenset({"moderator", "admin"}))
    POLICING = enum.nonmember(frozenset({"operator", "admin"}))


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, phone: str, password: str | None = None, **fields: Any) -> "User":
        user = self.model(phone=phone, **fields)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.full_clean(exclude=["password", "commune"])
        user.save(using=self._db)
        return user

    def create_superuser(self, phone: str, password: str | None = None, **fields: Any) -> "User":
        fields.setdefault("role", Role.ADMIN)
        fields.setdefault("is_superuser", True)
        return self.create_user(phone, password, **fields)


class User(AbstractBaseUser, PermissionsMixin):
    phone = PhoneNumberField(_("téléphone"), unique=True, null=True, blank=True)
    email = models.EmailField(_("adresse e-mail"), blank=True)
    display_name = models.CharField(_("nom affiché"), max_length=150, blank=True)
    role = models.CharField(_("rôle"), max_length=20, choices=Role.choices, db_index=True)
    commune = models.ForeignKey(
        "territory.Commune",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
        verbose_name=_("commune"),
    )
    is_active = models.BooleanField(_("actif"), default=True)
    date_joined = models.DateTimeField(_("inscrit le"), default=timezone.now)
    erased_at = models.DateTimeField(_("effacé le"), null=True, blank=True)

    objects: ClassVar[UserManager] = UserManager()

    USERNAME_FIELD = "phone"
    REQUIRED_FIELDS: ClassVar[list[str]] = ["role"]

    class Meta:
        verbose_name = _("utilisateur")
        verbose_name_plural = _("utilisateurs")
        ordering = ["display_name", "id"]

    def __str__(self) -> str:
        return self.display_name or str(self.phone or f"#{self.pk}")

    @property
    def is_staff(self) -> bool:
        """Staff and officials sign in to the web pages (password + TOTP); what they see there is the
        access policy's business, scoped to their commune."""
        return self.is_active and (self.role in Role.SECOND_FACTOR or self.is_superuser)

    @property
    def is_staff_role(self) -> bool:
        return self.role in Role.SECOND_FACTOR


class PhoneCode(models.Model):
    """A 6-digit code sent by SMS; only its hash is kept."""

    class Purpose(models.TextChoices):
        LOGIN = "login", _("connexion")
        VERIFY = "verify", _("vérification du numéro")

    phone = models.CharField(max_length=20, db_index=True)
    purpose = models.CharField(max_length=10, choices=Purpose.choices)
    code_hash = models.CharField(max_length=128)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    # The client's network (an IPv4 address, or the /64 of an IPv6 one): sends are limited per network.
    network = models.CharField(max_length=50, blank=True)
    # False when no SMS left (unknown number asking to log in): counted for limits all the same.
    sent = models.BooleanField(default=True)

    class Meta:
        verbose_name = _("code de vérification")
        verbose_name_plural = _("codes de vérification")
        indexes = [
            models.Index(fields=["phone", "purpose", "created_at"]),
            models.Index(fields=["network", "created_at"], name="phonecode_network"),
        ]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} {self.phone} {self.created_at:%Y-%m-%d %H:%M}"


class TokenFamily(models.Model):
    """The refresh tokens that descend from one login (SMS code, staff token, enrolment).

    Each token carries the family's id in its `fam` claim and rotation keeps it. Revoking the family
    (logout, reuse of an already rotated token, account erased) refuses all of them at once, and the
    access tokens they gave (backend/accounts/tokens.py).
    """

    class Reason(models.TextChoices):
        LOGOUT = "logout", _("déconnexion")
        REUSE = "reuse", _("jeton déjà utilisé présenté à nouveau")
        ERASED = "erased", _("compte effacé")

    id = models.CharField(primary_key=True, max_length=32, editable=False)
    user = models.ForeignKey(
        "accounts.User",
        on_delete=models.CASCADE,
        related_name="token_families",
        verbose_name=_("utilisateur"),
    )
    # Opened by password + TOTP (staff token): its tokens carry the second factor (amr).
    second_factor = models.BooleanField(_("second facteur"), default=False)
    created_at = models.DateTimeField(_("ouverte le"), default=timezone.now, db_index=True)
    # The newest token of the family was issued then: none is valid a refresh lifetime later (retention).
    rotated_at = models.DateTimeField(_("dernier jeton émis le"), default=timezone.now, db_index=True)
    revoked_at = models.DateTimeField(_("révoquée le"), null=True, blank=True)
    revoked_reason = models.CharField(_("motif"), max_length=10, choices=Reason.choices, blank=True)

    class Meta:
        verbose_name = _("session d'application")
        verbose_name_plural = _("sessions d'application")

    def __str__(self) -> str:
        return f"{self.user_id}/{self.id[:8]}"
