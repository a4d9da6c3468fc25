"""Finding 2: operators read every observation of the commune in the admin, pending and rejected ones,
with the author and the unredacted text. (That those reads are now logged: test_f09_read_log.py.)"""

import pytest

from tests.security.conftest import Towns, signed_in

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("who", ["operator_pm_a", "operator_pn"])
def test_an_operator_gets_no_observation_admin(towns: Towns, who: str) -> None:
    client = signed_in(towns, who)
    for path in ("/admin/alerts/observation/", f"/admin/alerts/observation/{towns.pending_a.pk}/change/"):
        response = client.get(path, follow=True)
        body = response.content.decode()
        assert response.status_code == 403, path
        assert towns.people["referent_a"].display_name not in body
        assert towns.pending_a.description not in body
        assert "la console" in body


def test_a_commune_admin_sees_their_commune_only(towns: Towns) -> None:
    listing = signed_in(towns, "admin_a").get("/admin/alerts/observation/").content.decode()
    assert towns.observation_a.reference in listing
    assert towns.observation_b.reference not in listing
