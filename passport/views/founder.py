"""A startup's attestations and certificates (issue 22), for its team:
`/startups/<pk>/attestations/` lists them with their state, their PDF and, for a certificate,
the skills it covers; its founders ask for a new attestation there (POST: what to attest, in
which language; the same one asked again is given back, not issued twice). Certificates are
issued by the portal once earned (passport.tasks).
Someone outside the team gets the 404 of a startup that does not exist."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _

from core.forms import add_action_errors
from startups.selectors.visibility import is_founder, startups_of_member

from .. import actions
from ..forms import AttestationRequestForm
from ..pdf import PDF_CONTENT_TYPE, attestation_filename, attestation_pdf, verify_url
from ..selectors import attestable_subjects, credential_state, startup_credential, startup_credentials
from ..statements import skills


@login_required
def attestation_list(request, pk):
    startup = get_object_or_404(startups_of_member(request.user), pk=pk)
    can_issue = is_founder(request.user, startup)
    subjects = attestable_subjects(startup)
    form = None
    if request.method == "POST":
        if not can_issue:
            raise PermissionDenied
        form = AttestationRequestForm(request.POST, subjects=subjects)
        if form.is_valid():
            subject = form.chosen()
            try:
                credential, created = actions.attestation_issue(
                    actor=request.user,
                    startup=startup,
                    language=form.cleaned_data["language"],
                    admission=subject.admission,
                    participation=subject.participation,
                )
            except ValidationError as error:
                add_action_errors(form, error)
            else:
                if created:
                    messages.success(request, _("Your attestation is ready: download it below."))
                else:
                    messages.info(request, _("This attestation was already issued: here it is, below."))
                return redirect(f"{request.path}#attestation-{credential.pk}")
    elif can_issue and subjects:
        form = AttestationRequestForm(subjects=subjects, initial={"language": request.LANGUAGE_CODE})
    rows = [
        (credential, credential_state(credential), verify_url(credential), skills(credential))
        for credential in startup_credentials(startup)
    ]
    return render(
        request,
        "passport/founder/list.html",
        {"startup": startup, "rows": rows, "form": form, "can_issue": can_issue, "has_subjects": bool(subjects)},
    )


@login_required
def attestation_download(request, pk, credential_pk):
    startup = get_object_or_404(startups_of_member(request.user), pk=pk)
    credential = startup_credential(startup, credential_pk)
    if credential is None:
        raise Http404
    response = HttpResponse(attestation_pdf(credential), content_type=PDF_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{attestation_filename(credential)}"'
    return response


urlpatterns = [
    path("startups/<int:pk>/attestations/", attestation_list, name="attestations"),
    path("startups/<int:pk>/attestations/<int:credential_pk>/pdf/", attestation_download, name="attestation_pdf"),
]
