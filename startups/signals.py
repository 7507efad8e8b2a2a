"""What the cached residents list shows (startups/views/residents.py) moves its version
stamps on (technopark.versions): a site's own rows (admissions, offices, allocations) its
site's stamp; startups and their sectors, shown on every site's list, the shared one. Every
write goes through `save`/`delete` (actions, admin, the history import), so signals see it;
the bulk writes of the demo and the bench run on fresh caches."""

from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from sites.models import Sector
from technopark.versions import data_changed

from .models import Admission, Office, OfficeAllocation, Startup

STARTUPS = "startups"


def residents_version(site_id: int) -> str:
    return f"residents:{site_id}"


@receiver([post_save, post_delete], sender=Admission)
@receiver([post_save, post_delete], sender=Office)
@receiver([post_save, post_delete], sender=OfficeAllocation)
def site_rows_changed(sender, instance, **kwargs):
    data_changed(residents_version(instance.site_id))


@receiver([post_save, post_delete], sender=Startup)
@receiver([post_save, post_delete], sender=Sector)
@receiver(m2m_changed, sender=Startup.sectors.through)
def shared_rows_changed(sender, **kwargs):
    data_changed(STARTUPS)
