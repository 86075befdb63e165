"""A pricing document uploaded for the import page's preview, kept on the server so that
"Apply" imports the very file that was previewed without choosing it again. A draft is
found by its random token and its uploader together (never by a path or a name from the
browser), and is gone after DRAFT_LIFETIME."""

from __future__ import annotations

import datetime as dt
import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

DRAFT_LIFETIME = dt.timedelta(hours=1)


class PricingDraft(models.Model):
    token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, editable=False, related_name="+"
    )
    file_name = models.CharField(max_length=200)
    text = models.TextField()
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = "previewed pricing document"

    def __str__(self) -> str:
        return self.file_name

    @property
    def expires_at(self) -> dt.datetime:
        return self.created_at + DRAFT_LIFETIME

    @classmethod
    def keep(cls, user, file_name: str, text: str) -> PricingDraft:
        """Keeps a previewed document: the user's one draft (a new preview replaces the
        last), and expired drafts of anyone are deleted on the way."""
        cls.objects.filter(created_at__lt=timezone.now() - DRAFT_LIFETIME).delete()
        cls.objects.filter(created_by=user).delete()
        return cls.objects.create(created_by=user, file_name=file_name[:200], text=text)

    @classmethod
    def find(cls, user, token: uuid.UUID | None) -> PricingDraft | None:
        """The user's own draft with this token, if it has not expired."""
        if token is None or not getattr(user, "pk", None):
            return None
        return cls.objects.filter(
            token=token, created_by=user, created_at__gte=timezone.now() - DRAFT_LIFETIME
        ).first()
