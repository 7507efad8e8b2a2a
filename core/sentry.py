"""Error reports to Sentry (settings.SENTRY_DSN, optional): the web processes and the Celery
workers, with secrets masked as in the logs (core/redaction.py) and no personal data."""


def sentry_init(*, dsn: str, environment: str | None) -> None:
    import sentry_sdk
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration

    from .redaction import sentry_before_send

    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        integrations=[DjangoIntegration(), CeleryIntegration()],
        send_default_pii=False,
        before_send=sentry_before_send,
    )
