"""Shared helpers of the registration tests (test_registration_*.py): signing in (in
English), reading the messages of a response and the registrations."""

from django_scopes import scopes_disabled

from services.models import Registration


def signed_in(client, user):
    client.force_login(user)
    client.cookies["django_language"] = "en"
    return client


def texts(response) -> list[str]:
    return [str(message) for message in response.context["messages"]] if response.context else []


def registrations(**filters):
    with scopes_disabled():
        return list(Registration.objects.filter(**filters).order_by("pk"))
