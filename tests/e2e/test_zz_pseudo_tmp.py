import io
import pytest
from django.core.management import call_command
from tests import page_checks
from tests.e2e.test_every_page import PUBLIC, PERSONAS, client_for
from peerpath.demo.content import SLUG

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("persona", ["anonymous", *PERSONAS])
def test_walk(persona):
    call_command("load_demo", stdout=io.StringIO())
    client = client_for(persona)
    print("marked", page_checks.mark_data())
    starts = PUBLIC if persona == "anonymous" else [f"/p/{SLUG}/", "/api/v1/docs"]
    with page_checks.pseudo_language():
        walked = list(page_checks.pages(client, starts))
        problems = [f"{page.path}: {p}" for page in walked for p in page_checks.html_problems(page)]
    with open(f"/tmp/i18na/walk-{persona}.txt", "w") as f:
        f.write(f"{len(walked)} pages\n" + "\n".join(problems))
