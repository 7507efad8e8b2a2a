"""The LOGGING setting (technopark/settings.py), built here to keep the settings short."""


def logging_config(*, json: bool, level: str) -> dict:
    """One JSON object per line in production (core/logging.py), plain text on a laptop;
    secrets (tokens, passwords, keys, codes…) masked in every record (core/redaction.py)."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": "core.logging.JSONFormatter"}},
        "filters": {"redact_secrets": {"()": "core.logging.RedactSecretsFilter"}},
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "filters": ["redact_secrets"],
                **({"formatter": "json"} if json else {}),
            }
        },
        "root": {"handlers": ["console"], "level": level},
        "loggers": {"django.db.backends": {"level": "WARNING"}},
    }
