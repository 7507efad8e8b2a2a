"""Every write of the startups app: atomic, validated, audited, side effects on commit.

By topic in the modules below; their actions are imported here so that callers write
`actions.application_submit(…)` wherever the action lives."""

from .applications import (
    application_decide,
    application_start,
    application_submit,
    application_update,
    application_withdraw,
    call_save,
    review_assign,
    review_submit,
)
from .check_ins import check_in_save
from .declarations import declaration_reminders_send, declaration_save
from .residency import (
    admission_create,
    admission_exit,
    admission_renew,
    allocation_cancel,
    office_allocate,
    office_release,
    office_save,
    startup_close,
)
from .team import invitation_accept, invitation_cancel, invitation_send, member_remove, startup_save

__all__ = [
    "admission_create",
    "admission_exit",
    "admission_renew",
    "allocation_cancel",
    "application_decide",
    "application_start",
    "application_submit",
    "application_update",
    "application_withdraw",
    "call_save",
    "check_in_save",
    "declaration_reminders_send",
    "declaration_save",
    "invitation_accept",
    "invitation_cancel",
    "invitation_send",
    "member_remove",
    "office_allocate",
    "office_release",
    "office_save",
    "review_assign",
    "review_submit",
    "startup_close",
    "startup_save",
]
