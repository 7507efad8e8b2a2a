from django.core.management import call_command
from django_scopes import scopes_disabled

from accounts.models import User
from sites.models import Site, SiteMembership


def test_seed_demo_is_idempotent_and_logs_in(client, db, settings):
    settings.DEBUG = True  # the embedded default; production needs --force (see test_settings)
    call_command("seed_demo")
    call_command("seed_demo")
    assert Site.objects.filter(status="operational").count() == 4
    assert set(Site.objects.filter(status="operational").values_list("slug", flat=True)) == {
        "casablanca",
        "rabat",
        "tanger",
        "agadir",
    }
    assert Site.objects.count() == 14
    assert User.objects.filter(email__startswith="founder.").count() == 20
    assert User.objects.filter(email__startswith="mentor.").count() == 60
    with scopes_disabled():
        assert SiteMembership.objects.count() == 4 * 3  # each operational site's manager and two committee members
    response = client.post(
        "/accounts/login/", {"login": "manager.rabat@demo.technopark.ma", "password": settings.DEMO_PASSWORD}
    )
    assert response.status_code == 302
    assert client.get("/manage/rabat/").status_code == 200
    assert client.get("/manage/casablanca/").status_code == 404
