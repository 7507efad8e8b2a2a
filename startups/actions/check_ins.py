"""The yearly alumni check-in (issue 22): saving an answer, and what it feeds."""

from django.db import transaction

from core.audit import audited_delete, audited_save

from ..models import AlumniCheckIn, Declaration, Startup
from .residency import startup_close


@transaction.atomic
def check_in_save(*, actor, check_in: AlumniCheckIn) -> AlumniCheckIn:
    """Save a startup's check-in for a fiscal year (answering again updates it), answered by
    `actor` (the founder the signed link was sent to; None for demo data), and feed it on:

    - still active: without a declaration of that year, one is made from the answer — its
      jobs, funds raised and the lower bound of its revenue band — marked `from_check_in`
      (an estimate the founders' page asks to complete); a later answer updates that
      estimate; a full declaration (`declaration_save`) is never overwritten;
    - stopped: the startup's closing date is recorded (`startup_close`, the survival KPI),
      unless one is known already; an estimate made from an earlier answer of that year
      goes (its figures no longer hold).
    A closing date that came from this check-in follows a corrected answer (another date,
    or still active after all); one recorded otherwise (an exit, the profile) stays.
    Everything is audited."""
    startup = Startup.objects.select_for_update().get(pk=check_in.startup_id)
    check_in.startup = startup
    stored = AlumniCheckIn.objects.filter(startup=startup, fiscal_year=check_in.fiscal_year).first()
    if stored is not None and stored.pk != check_in.pk:
        check_in.pk = stored.pk
        check_in._state.adding = False
    closed_by_check_in = (
        stored is not None and not stored.still_active and startup.closed_on is not None
    ) and startup.closed_on == stored.closed_on
    check_in.answered_by = actor
    audited_save(actor=actor, instance=check_in)

    declaration = (
        Declaration.objects.select_for_update().filter(startup=startup, fiscal_year=check_in.fiscal_year).first()
    )
    if check_in.still_active:
        if declaration is None or declaration.from_check_in:
            declaration = declaration or Declaration(startup=startup, fiscal_year=check_in.fiscal_year)
            declaration.direct_jobs = check_in.direct_jobs
            declaration.indirect_jobs = check_in.indirect_jobs
            declaration.revenue_mad = check_in.revenue_lower_bound
            declaration.funds_raised_mad = check_in.funds_raised_mad
            declaration.from_check_in = True
            declaration.declared_by = actor
            audited_save(actor=actor, instance=declaration)
        if closed_by_check_in:
            startup_close(actor=actor, startup=startup, closed_on=None)
    else:
        if declaration is not None and declaration.from_check_in:
            audited_delete(actor=actor, instance=declaration)
        if startup.closed_on is None or (closed_by_check_in and startup.closed_on != check_in.closed_on):
            startup_close(actor=actor, startup=startup, closed_on=check_in.closed_on)
    return check_in
