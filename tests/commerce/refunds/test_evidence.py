"""Evidence images on a request: type by magic bytes, size and count limits, roles, download, delete."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from commerce.refunds.models import RefundEvidence
from commerce.refunds.services import refund_reject
from tests.conftest import client_for

from .conftest import JPEG, WEBP, file_refund, png

pytestmark = pytest.mark.django_db


def _upload(refund_id, content, *, name="photo.png", content_type="image/png", role="operator"):
    upload = SimpleUploadedFile(name, content, content_type=content_type)
    return client_for(role).post(f"/api/v1/refunds/{refund_id}/evidence/", {"file": upload}, format="multipart")


@pytest.mark.parametrize(
    ("content", "name", "kind"),
    [(png(1), "a.png", "image/png"), (JPEG, "b.jpg", "image/jpeg"), (WEBP, "c.webp", "image/webp")],
)
def test_each_image_type_is_stored_and_listed_on_the_detail(paid_order, evidence_dir, content, name, kind):
    refund = file_refund(paid_order, "299.00")

    answer = _upload(refund.pk, content, name=name, content_type="application/octet-stream")

    assert answer.status_code == 201, answer.json()
    body = answer.json()
    assert (body["name"], body["content_type"], body["size"], body["uploaded_by"]) == (
        name,
        kind,
        len(content),
        "user-operator",
    )
    stored = RefundEvidence.objects.get()
    assert (evidence_dir / stored.stored_as).read_bytes() == content
    detail = client_for("manager").get(f"/api/v1/refunds/{refund.pk}/").json()
    assert [e["id"] for e in detail["evidence"]] == [body["id"]]
    assert detail["evidence"][0]["download_url"] == f"/api/v1/refunds/{refund.pk}/evidence/{body['id']}/"


def test_a_script_disguised_as_an_image_is_refused_and_nothing_is_stored(paid_order, evidence_dir):
    refund = file_refund(paid_order, "299.00")

    answer = _upload(refund.pk, b"<script>alert(1)</script>", name="evil.png", content_type="image/png")

    assert (answer.status_code, answer.json()["code"]) == (400, "invalid_evidence")
    assert answer.json()["details"] == {"file": "evil.png is not a JPEG, PNG or WebP image"}
    assert RefundEvidence.objects.count() == 0
    assert not evidence_dir.exists() or not any(evidence_dir.rglob("*.*"))


def test_a_gif_is_not_one_of_the_accepted_types(paid_order):
    refund = file_refund(paid_order, "299.00")

    answer = _upload(refund.pk, b"GIF89a" + b"\x00" * 40, name="x.gif", content_type="image/gif")

    assert (answer.status_code, answer.json()["code"]) == (400, "invalid_evidence")


def test_an_oversized_image_is_refused_with_413(paid_order, settings):
    settings.ORDERFLOW_REFUND_EVIDENCE_MAX_BYTES = 1000
    refund = file_refund(paid_order, "299.00")

    answer = _upload(refund.pk, png(size=1001))

    assert (answer.status_code, answer.json()["code"]) == (413, "evidence_too_large")
    assert RefundEvidence.objects.count() == 0


def test_an_image_of_exactly_the_limit_is_taken(paid_order, settings):
    settings.ORDERFLOW_REFUND_EVIDENCE_MAX_BYTES = 1000
    refund = file_refund(paid_order, "299.00")

    answer = _upload(refund.pk, png(size=1000))

    assert answer.status_code == 201


def test_a_tenth_image_is_refused_and_the_same_image_twice_is_one(paid_order, settings):
    settings.ORDERFLOW_REFUND_EVIDENCE_MAX_FILES = 3
    refund = file_refund(paid_order, "299.00")
    first = _upload(refund.pk, png(1)).json()

    again = _upload(refund.pk, png(1))
    _upload(refund.pk, png(2))
    _upload(refund.pk, png(3))
    fourth = _upload(refund.pk, png(4))

    assert again.status_code == 201 and again.json()["id"] == first["id"]
    assert (fourth.status_code, fourth.json()["code"]) == (409, "evidence_limit")
    assert RefundEvidence.objects.count() == 3


def test_unknown_refund_and_unknown_evidence_answer_404(paid_order):
    refund = file_refund(paid_order, "299.00")

    unknown_refund = _upload(999_999, png(1))
    unknown_file = client_for("manager").get(f"/api/v1/refunds/{refund.pk}/evidence/999999/")

    assert (unknown_refund.status_code, unknown_refund.json()["code"]) == (404, "not_found")
    assert (unknown_file.status_code, unknown_file.json()["code"]) == (404, "not_found")


@pytest.mark.parametrize("role", ["manager", None])
def test_uploading_needs_a_filing_role(paid_order, role):
    refund = file_refund(paid_order, "299.00")

    answer = _upload(refund.pk, png(1), role=role)

    assert answer.status_code in (401, 403)
    assert RefundEvidence.objects.count() == 0


def test_staff_download_the_image_with_its_sniffed_type_and_anonymous_callers_do_not(paid_order):
    refund = file_refund(paid_order, "299.00")
    stored = _upload(refund.pk, JPEG, name="x.png", content_type="image/png").json()

    staff = client_for("finance").get(stored["download_url"])
    anonymous = client_for(None).get(stored["download_url"])

    assert staff.status_code == 200
    assert (staff["Content-Type"], staff["X-Content-Type-Options"]) == ("image/jpeg", "nosniff")
    assert b"".join(staff.streaming_content) == JPEG
    assert anonymous.status_code in (401, 403)


def test_an_image_of_one_request_is_not_served_under_another(paid_order):
    one = file_refund(paid_order, "100.00")
    other = file_refund(paid_order, "100.00")
    stored = _upload(one.pk, png(1)).json()

    answer = client_for("manager").get(f"/api/v1/refunds/{other.pk}/evidence/{stored['id']}/")

    assert answer.status_code == 404


def test_deleting_while_pending_removes_the_file_after_commit_and_not_once_decided(
    paid_order, supervisor, evidence_dir, django_capture_on_commit_callbacks
):
    refund = file_refund(paid_order, "299.00")
    kept = file_refund(paid_order, "99.00")
    gone = _upload(refund.pk, png(1)).json()
    stays = _upload(kept.pk, png(2)).json()
    path = evidence_dir / RefundEvidence.objects.get(pk=gone["id"]).stored_as
    refund_reject(refund_id=kept.pk, user=supervisor, reason="used")

    with django_capture_on_commit_callbacks(execute=True):
        deleted = client_for("operator").delete(f"/api/v1/refunds/{refund.pk}/evidence/{gone['id']}/")
    refused = client_for("operator").delete(f"/api/v1/refunds/{kept.pk}/evidence/{stays['id']}/")

    assert deleted.status_code == 204 and not path.exists()
    assert (refused.status_code, refused.json()["code"]) == (409, "refund_not_pending")
    assert list(RefundEvidence.objects.values_list("pk", flat=True)) == [stays["id"]]


def test_no_upload_once_the_request_ended(paid_order, supervisor):
    refund = file_refund(paid_order, "99.00")
    refund_reject(refund_id=refund.pk, user=supervisor, reason="used")

    answer = _upload(refund.pk, png(1))

    assert (answer.status_code, answer.json()["code"]) == (409, "refund_not_pending")


def test_the_audit_trail_records_uploads_on_the_order(paid_order):
    refund = file_refund(paid_order, "299.00")
    _upload(refund.pk, png(1))

    timeline = client_for("manager").get(f"/api/v1/orders/{paid_order.pk}/timeline/").json()

    entries = timeline["results"] if isinstance(timeline, dict) else timeline
    added = [e for e in entries if e["action"] == "refund_evidence_added"]
    assert len(added) == 1 and added[0]["changes"]["type"] == "image/png"


def test_the_sweep_removes_a_file_no_row_names_once_it_is_an_hour_old(paid_order, evidence_dir):
    import os
    from datetime import timedelta

    from django.db import transaction
    from django.utils import timezone

    from commerce.refunds.evidence import evidence_add, evidence_orphans_sweep
    from core.actors import Actor

    refund = file_refund(paid_order, "299.00")
    kept = evidence_add(refund_id=refund.pk, content=png(1), name="kept.png", actor=Actor.system("test"))

    class RolledBack(Exception):
        pass

    with pytest.raises(RolledBack), transaction.atomic():  # an upload whose transaction rolls back
        evidence_add(refund_id=refund.pk, content=png(2), name="lost.png", actor=Actor.system("test"))
        raise RolledBack
    files = sorted(p.relative_to(evidence_dir).as_posix() for p in evidence_dir.rglob("*") if p.is_file())
    orphan = next(name for name in files if name != kept.stored_as)
    assert RefundEvidence.objects.count() == 1 and len(files) == 2

    assert evidence_orphans_sweep() == 0  # younger than an hour: its transaction may still be open

    hour_ago = (timezone.now() - timedelta(hours=2)).timestamp()
    for name in files:
        os.utime(evidence_dir / name, (hour_ago, hour_ago))
    assert evidence_orphans_sweep() == 1
    assert not (evidence_dir / orphan).exists()
    assert (evidence_dir / kept.stored_as).read_bytes() == png(1)
    assert evidence_orphans_sweep() == 0
