from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from django.contrib.sites.shortcuts import get_current_site
from django.utils.translation import get_language

from technopark.emails import email_send_on_commit


class AccountAdapter(DefaultAccountAdapter):
    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        """Render now (in the request's language), send through Celery once committed."""
        request = allauth_context.request
        message = self.render_mail(
            template_prefix,
            email,
            {"request": request, "email": email, "current_site": get_current_site(request), **context},
        )
        html = next(
            (content for content, mimetype in getattr(message, "alternatives", []) if mimetype == "text/html"), None
        )
        email_send_on_commit(to=list(message.to), subject=message.subject, body=message.body, html=html)

    def save_user(self, request, user, form, commit=True):
        user.language = (get_language() or "fr")[:2]
        return super().save_user(request, user, form, commit=commit)
