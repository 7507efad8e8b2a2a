"""Head office's audit trail: who changed what, when, across the network."""

from django.core.paginator import Paginator
from django.shortcuts import render

from core.models import AuditEntry
from sites.roles import head_office_required

from ..forms.audit import AuditFilterForm


@head_office_required
def audit_list(request):
    form = AuditFilterForm(request.GET or None)
    entries = AuditEntry.objects.select_related("content_type", "site").order_by("-created_at", "-pk")
    if form.is_valid():
        entries = form.filter(entries)
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    return render(request, "reports/audit_list.html", {"form": form, "page": page})
