"""Head office's audit trail: who changed what, when, across the network."""

from django.core.paginator import Paginator
from django.shortcuts import render

from core.audit import audit_changes_display, audit_related_names
from sites.roles import head_office_required

from ..forms.audit import AuditFilterForm
from ..selectors import audit_entries


@head_office_required
def audit_list(request):
    form = AuditFilterForm(request.GET or None)
    entries = audit_entries(**form.filters())
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    # The page's related records are named in one query per model (not per entry).
    names = audit_related_names(page)
    rows = [(entry, audit_changes_display(entry, names=names)) for entry in page]
    return render(request, "reports/audit_list.html", {"form": form, "page": page, "rows": rows})
