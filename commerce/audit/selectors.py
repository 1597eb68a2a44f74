from django.db.models import QuerySet

from .models import AuditEntry


def audit_trail(*, subject_type: str, subject_id) -> QuerySet[AuditEntry]:
    """Every entry about one subject, oldest first."""
    return AuditEntry.objects.filter(subject_type=subject_type, subject_id=str(subject_id)).order_by("id")
