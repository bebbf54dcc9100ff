from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.utils import timezone
from joserfc import jwt
from joserfc.errors import BadSignatureError
from joserfc.jwk import KeySet
from pypdf import PdfReader

from peerpath.certification import keys, openbadges, services
from peerpath.certification.models import AssessmentStatus, Certificate, Level, Outcome
from peerpath.certification.queries import credential_standing
from peerpath.recruitment.models import Stage
from tests.certification.helpers import rate, ready_trainee
from tests.training.helpers import trainee

pytestmark = pytest.mark.django_db
# 1EdTech's published schema, kept beside the tests (see tests/data/openbadges-3.0/README.md).
SCHEMA = Path(__file__).resolve().parents[1] / "data" / "openbadges-3.0" / "achievementcredential.schema.json"


@pytest.fixture
def certified(world: Any) -> Certificate:
    the_cohort, person = ready_trainee(world)
    services.decide_assessment(actor=world.trainer, assessment=rate(world, the_cohort, person, [Level.COMPETENT]))
    return person.certificates.get()


def pdf_links(body: bytes) -> tuple[str, list[str]]:
    reader = PdfReader(io.BytesIO(body))
    page = reader.pages[0]
    links = [a.get_object()["/A"]["/URI"] for a in page.get("/Annots", []) if a.get_object().get("/A")]
    return page.extract_text(), links


def test_certificate_number_is_unique_and_unguessable(certified: Certificate) -> None:
    assert len(certified.identifier) == 19 and certified.identifier.count("-") == 3
    assert certified.identifier != Certificate(credential_name="x").identifier


def test_pdf_carries_the_verification_url_and_a_qr_code(world: Any, certified: Certificate, client: Any) -> None:
    owner = world.client_for(certified.supporter.user)
    response = owner.get(f"/p/riverside/my/certificates/{certified.pk}/certificate.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text, links = pdf_links(response.content)
    url = f"http://testserver/verify/{certified.identifier}/"
    assert certified.holder_name in text and certified.identifier in text and url in text
    assert links.count(url) == 2  # the printed address and the QR code both link to it
    assert len(PdfReader(io.BytesIO(response.content)).pages) == 1
    coordinator = world.client_for(world.coordinator)
    assert coordinator.get(f"/p/riverside/certification/certificates/{certified.pk}/certificate.pdf").status_code == 200
    # Another supporter's certificate is not theirs to download.
    assert (
        world.client_for(world.supporter)
        .get(f"/p/riverside/my/certificates/{certified.pk}/certificate.pdf")
        .status_code
        == 404
    )
    # And the verification page from the PDF says valid.
    page = client.get(url.removeprefix("http://testserver"))
    assert page.status_code == 200 and ">valid<" in page.content.decode()


def test_qr_code_encodes_the_verification_url(certified: Certificate) -> None:
    from reportlab.graphics.barcode.qr import QrCodeWidget

    from peerpath.certification import pdf as pdf_module

    seen: list[str] = []
    original = QrCodeWidget.__init__

    def spy(self: Any, value: str = "", **kwargs: Any) -> None:
        seen.append(value)
        original(self, value, **kwargs)

    QrCodeWidget.__init__ = spy  # type: ignore[method-assign]
    try:
        pdf_module.certificate_pdf(certified, "http://testserver/verify/X/")
    finally:
        QrCodeWidget.__init__ = original  # type: ignore[method-assign]
    assert seen == ["http://testserver/verify/X/"]


def test_verification_shows_only_name_program_credential_status_and_dates(certified: Certificate, client: Any) -> None:
    body = client.get(f"/verify/{certified.identifier}/").content.decode()
    for shown in (certified.holder_name, "Riverside", certified.credential_name, "valid", certified.identifier):
        assert shown in body
    assert certified.supporter.email not in body and "Competent" not in body
    assert client.get(f"/verify/{certified.identifier.lower()}/").status_code == 200
    assert client.get("/verify/0000-0000-0000-0000/").status_code == 404
    Certificate.objects.filter(pk=certified.pk).update(expires_on=timezone.localdate() - dt.timedelta(days=1))
    assert ">expired<" in client.get(f"/verify/{certified.identifier}/").content.decode()


def test_coordinator_revokes_with_a_reason(world: Any, certified: Certificate, client: Any) -> None:
    coordinator = world.client_for(world.coordinator)
    assert coordinator.get(f"/p/riverside/certification/certificates/{certified.pk}/").status_code == 200
    url = f"/p/riverside/certification/certificates/{certified.pk}/revoke/"
    assert coordinator.post(url, {"reason": ""}).status_code == 400
    assert coordinator.post(url, {"reason": "Breach of confidentiality"}).status_code == 302
    certified.refresh_from_db()
    assert certified.status == "revoked" and certified.revocation_reason == "Breach of confidentiality"
    assert ">revoked<" in client.get(f"/verify/{certified.identifier}/").content.decode()
    with pytest.raises(ValidationError):
        services.revoke_certificate(actor=world.coordinator, certificate=certified, reason="Again, twice")
    foreign = world.client_for(world.outsider)
    assert foreign.get(f"/p/harbor/certification/certificates/{certified.pk}/").status_code == 404


def test_open_badge_is_a_valid_signed_credential(world: Any, certified: Certificate, client: Any) -> None:
    response = world.client_for(certified.supporter.user).get(
        f"/p/riverside/my/certificates/{certified.pk}/openbadge.jwt"
    )
    assert response.status_code == 200 and response["Content-Type"] == openbadges.MEDIA_TYPE
    token = response.content.decode()
    # The signature verifies with the program's published public key.
    published = client.get("/credentials/riverside/jwks.json").json()
    assert "d" not in published["keys"][0]  # no private part
    verified = jwt.decode(token, KeySet.import_key_set(published), algorithms=["ES256"])
    credential = verified.claims
    assert verified.header["alg"] == "ES256" and verified.header["kid"] == published["keys"][0]["kid"]
    assert verified.header["kid"].startswith("http://testserver/credentials/riverside/jwks.json#")
    # ... and the payload is an OpenBadgeCredential valid against the Open Badges 3.0 schema.
    schema = json.loads(SCHEMA.read_text())
    jsonschema.Draft201909Validator(schema).validate(credential)
    assert "OpenBadgeCredential" in credential["type"]
    assert credential["issuer"]["id"] == "http://testserver/credentials/riverside/issuer.json"
    assert credential["iss"] == credential["issuer"]["id"] and credential["jti"] == credential["id"]
    assert credential["validUntil"].startswith(certified.expires_on.isoformat())
    subject = credential["credentialSubject"]
    assert subject["achievement"]["name"] == certified.credential_name
    identity = subject["identifier"][0]
    import hashlib

    expected = hashlib.sha256((certified.supporter.email + identity["salt"]).encode()).hexdigest()
    assert identity["identityHash"] == f"sha256${expected}"
    # A tampered token does not verify.
    header, payload, signature = token.split(".")
    tampered = f"{header}.{payload}.{signature[:-4]}AAAA"
    with pytest.raises(BadSignatureError):
        jwt.decode(tampered, KeySet.import_key_set(published), algorithms=["ES256"])
    # Public issuer documents resolve.
    assert client.get("/credentials/riverside/issuer.json").json()["name"] == "Riverside"
    assert client.get("/credentials/riverside/achievement.json").json()["type"] == ["Achievement"]
    assert client.get("/credentials/nowhere/jwks.json").status_code == 404


def test_a_certificate_given_by_override_below_the_minimum_claims_no_minimum_attendance(world: Any) -> None:
    the_cohort, person = ready_trainee(world, attended=3, held=5)  # 60%, the minimum is 80%
    assessment = rate(world, the_cohort, person, [Level.COMPETENT])
    services.decide_assessment(
        actor=world.trainer,
        assessment=assessment,
        outcome=Outcome.CERTIFIED,
        override_reason="Missed two sessions for a funeral; covered them one to one.",
    )
    certificate = person.certificates.get()
    credential = openbadges.credential(certificate)
    jsonschema.Draft201909Validator(json.loads(SCHEMA.read_text())).validate(credential)
    achievement = credential["credentialSubject"]["achievement"]
    narrative = achievement["criteria"]["narrative"]
    assert "minimum attendance" not in narrative and "with the program's minimum" not in narrative
    assert "60.0% (3 of 5 sessions), below the program's minimum of 80%" in narrative
    assert "trainer's decision" in narrative and "Provisionally certified" in narrative
    assert achievement["id"].endswith("achievement.json#trainer-decision")
    # The trainee's own page agrees: a decision in place of the rules, no make-up nudge after it.
    page = world.client_for(person.user).get("/p/riverside/my/training/").content.decode()
    assert "Outcome: Certified" in page and "in place of the one the program's rules give" in page
    assert "attendance was 60.0% (3 of 5 sessions)" in page
    assert "Ask your trainer about a make-up session" not in page


def test_a_certificate_that_met_the_rules_keeps_the_programs_achievement(certified: Certificate) -> None:
    achievement = openbadges.credential(certified)["credentialSubject"]["achievement"]
    assert achievement["id"].endswith("achievement.json")
    assert "with the program's minimum attendance" in achievement["criteria"]["narrative"]


def test_invalid_credential_fails_the_schema(certified: Certificate) -> None:
    credential = openbadges.credential(certified)
    del credential["validFrom"]
    schema = json.loads(SCHEMA.read_text())
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft201909Validator(schema).validate(credential)


def test_program_keys_are_derived_per_program_and_secret(world: Any) -> None:
    one, two = keys.public_jwk("riverside"), keys.public_jwk("harbor")
    assert one != two and one == keys.public_jwk("riverside")
    with override_settings(CREDENTIAL_SECRET="another installation"):
        assert keys.public_jwk("riverside") != one


def test_revoked_certificate_has_no_badge(world: Any, certified: Certificate) -> None:
    services.revoke_certificate(actor=world.coordinator, certificate=certified, reason="Left under a cloud")
    response = world.client_for(world.coordinator).get(
        f"/p/riverside/certification/certificates/{certified.pk}/openbadge.jwt"
    )
    assert response.status_code == 404


def test_credential_standing_contract(world: Any, django_assert_max_num_queries: Any) -> None:
    the_cohort, certified_person = ready_trainee(world, name="Certified")
    services.decide_assessment(
        actor=world.trainer, assessment=rate(world, the_cohort, certified_person, [Level.STRONG])
    )
    other_cohort, provisional = ready_trainee(world, name="Provisional")
    services.decide_assessment(
        actor=world.trainer,
        assessment=rate(world, other_cohort, provisional, [Level.COMPETENT] * 9 + [Level.DEVELOPING]),
        plan_what="Practice",
        plan_who="Theo",
        reassessment_due=timezone.localdate() + dt.timedelta(days=30),
    )
    third_cohort, overdue = ready_trainee(world, name="Overdue")
    late = rate(world, third_cohort, overdue, [Level.COMPETENT] * 9 + [Level.DEVELOPING])
    services.decide_assessment(
        actor=world.trainer,
        assessment=late,
        plan_what="Practice",
        plan_who="Theo",
        reassessment_due=timezone.localdate() + dt.timedelta(days=1),
    )
    late.refresh_from_db()
    type(late).objects.filter(pk=late.pk).update(reassessment_due=timezone.localdate() - dt.timedelta(days=1))
    expired = trainee(world.program, "Expired", stage=Stage.ACTIVE)
    services.issue_certificate(
        actor=world.coordinator, supporter=expired, issued_on=timezone.localdate() - dt.timedelta(days=800)
    )
    revoked = trainee(world.program, "Revoked", stage=Stage.ACTIVE)
    services.revoke_certificate(
        actor=world.coordinator,
        certificate=services.issue_certificate(actor=world.coordinator, supporter=revoked),
        reason="Withdrawn from practice",
    )
    nobody = trainee(world.program, "Nobody")
    ids = [certified_person.pk, provisional.pk, overdue.pk, expired.pk, revoked.pk, nobody.pk]
    with django_assert_max_num_queries(2):
        result = credential_standing(world.program, ids)
    assert result == {
        certified_person.pk: "certified",
        provisional.pk: "provisional",
        overdue.pk: "",
        expired.pk: "",
        revoked.pk: "",
        nobody.pk: "",
    }
    assert credential_standing(world.other_program, ids) == dict.fromkeys(ids, "")
    assert late.status == AssessmentStatus.DECIDED and late.outcome == Outcome.PROVISIONAL
