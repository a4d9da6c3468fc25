import enum
from typing import Any, ClassVar

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from phonenumber_field.modelfields import PhoneNumberField


class Role(models.TextChoices):
    REFERENT = "referent", _("Référent Participation Citoyenne")
    SHOPKEEPER = "shopkeeper", _("Commerçant")
    MODERATOR = "moderator", _("Modérateur")
    OPERATOR = "operator", _("Opérateur de police")
    ADMIN = "admin", _("Administrateur")

    # The sets of roles, named once (not choices). Who may do what with them is the access policy's
    # business (alerts/access.py).
    REPORTING = enum.nonmember(frozenset({"referent", "shopkeeper"}))
    STAFF = enum.nonmember(frozenset({"moderator", "operator", "admin"}))
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
        """Staff roles may open the web pages; what they see there is scoped to their commune."""
        return self.is_active and (self.role in Role.STAFF or self.is_superuser)

    @property
    def is_staff_role(self) -> bool:
        return self.role in Role.STAFF


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
    # False when no SMS left (unknown number asking to log in): counted for limits all the same.
    sent = models.BooleanField(default=True)

    class Meta:
        verbose_name = _("code de vérification")
        verbose_name_plural = _("codes de vérification")
        indexes = [models.Index(fields=["phone", "purpose", "created_at"])]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} {self.phone} {self.created_at:%Y-%m-%d %H:%M}"
