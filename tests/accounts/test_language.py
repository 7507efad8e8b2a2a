from accounts.models import User


def test_signed_in_user_gets_their_language_without_a_cookie(client, founder_a):
    founder_a.language = "ar"
    founder_a.save()
    client.force_login(founder_a)
    response = client.get("/dashboard/")
    assert '<html lang="ar" dir="rtl">' in response.content.decode()
    assert response.cookies["django_language"].value == "ar"


def test_switching_language_becomes_the_preference(client, founder_a):
    client.force_login(founder_a)
    client.post("/i18n/setlang/", {"language": "en", "next": "/dashboard/"})
    response = client.get("/dashboard/")
    assert '<html lang="en" dir="ltr">' in response.content.decode()
    assert User.objects.get(pk=founder_a.pk).language == "en"


def test_profile_form_sets_language(client, founder_a):
    client.force_login(founder_a)
    response = client.post("/profile/", {"full_name": "Yasmine Alaoui", "language": "ar"}, follow=True)
    assert '<html lang="ar" dir="rtl">' in response.content.decode()
    assert User.objects.get(pk=founder_a.pk).full_name == "Yasmine Alaoui"


def test_profile_form_rejects_unknown_language(client, founder_a):
    client.force_login(founder_a)
    response = client.post("/profile/", {"full_name": "X", "language": "de"})
    assert response.status_code == 200
    assert "language" in response.context["form"].errors


def test_the_browser_language_becomes_the_preference_on_a_post_never_on_a_get(client, founder_a):
    """A page view writes nothing; the person's next action (a POST) adopts the language
    their browser uses, before the view runs (its emails go out in it)."""
    client.force_login(founder_a)
    client.cookies["django_language"] = "ar"
    client.get("/dashboard/")
    assert User.objects.get(pk=founder_a.pk).language == "fr"
    client.post("/profile/api-tokens/", {"name": ""})
    assert User.objects.get(pk=founder_a.pk).language == "ar"
