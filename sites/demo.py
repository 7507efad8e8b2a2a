"""Demo sites, shaped like the real network (see MISSION.md): four operational sites and
the planned ones of the 2027 roadmap, one or more per region."""

import datetime

from .models import Region, Sector, Site, SiteStatus

OPERATIONAL = SiteStatus.OPERATIONAL
BUILDING = SiteStatus.UNDER_CONSTRUCTION
PLANNED = SiteStatus.PLANNED

# slug, region, status, opened, city, area m², capacity, vocations, (fr, ar, en)
SITES = [
    (
        "casablanca",
        "MA-06",
        OPERATIONAL,
        datetime.date(2001, 10, 1),
        "Casablanca",
        30000,
        220,
        ["ict", "creative", "greentech"],
        ("Technopark Casablanca", "تكنوبارك الدار البيضاء", "Technopark Casablanca"),
    ),
    (
        "rabat",
        "MA-04",
        OPERATIONAL,
        datetime.date(2012, 2, 1),
        "Rabat",
        7000,
        90,
        ["ict", "fintech", "edtech"],
        ("Technopark Rabat", "تكنوبارك الرباط", "Technopark Rabat"),
    ),
    (
        "tanger",
        "MA-01",
        OPERATIONAL,
        datetime.date(2015, 6, 1),
        "Tanger",
        6500,
        80,
        ["ict", "industry", "logistics"],
        ("Technopark Tanger", "تكنوبارك طنجة", "Technopark Tangier"),
    ),
    (
        "agadir",
        "MA-09",
        OPERATIONAL,
        datetime.date(2020, 1, 15),
        "Agadir",
        5000,
        60,
        ["agritech", "tourism", "blue-economy"],
        ("Technopark Agadir", "تكنوبارك أكادير", "Technopark Agadir"),
    ),
    (
        "oujda",
        "MA-02",
        BUILDING,
        None,
        "Oujda",
        None,
        None,
        ["greentech", "logistics"],
        ("Technopark Oujda", "تكنوبارك وجدة", "Technopark Oujda"),
    ),
    (
        "fes",
        "MA-03",
        BUILDING,
        None,
        "Fès",
        None,
        None,
        ["ict", "creative", "healthtech"],
        ("Technopark Fès", "تكنوبارك فاس", "Technopark Fez"),
    ),
    (
        "beni-mellal",
        "MA-05",
        PLANNED,
        None,
        "Béni Mellal",
        None,
        None,
        ["agritech", "industry"],
        ("Technopark Béni Mellal", "تكنوبارك بني ملال", "Technopark Beni Mellal"),
    ),
    (
        "marrakech",
        "MA-07",
        PLANNED,
        None,
        "Marrakech",
        None,
        None,
        ["tourism", "creative"],
        ("Technopark Marrakech", "تكنوبارك مراكش", "Technopark Marrakesh"),
    ),
    (
        "errachidia",
        "MA-08",
        PLANNED,
        None,
        "Errachidia",
        None,
        None,
        ["greentech", "mining"],
        ("Technopark Errachidia", "تكنوبارك الرشيدية", "Technopark Errachidia"),
    ),
    (
        "guelmim",
        "MA-10",
        PLANNED,
        None,
        "Guelmim",
        None,
        None,
        ["greentech", "tourism"],
        ("Technopark Guelmim", "تكنوبارك كلميم", "Technopark Guelmim"),
    ),
    (
        "laayoune",
        "MA-11",
        PLANNED,
        None,
        "Laâyoune",
        None,
        None,
        ["blue-economy", "greentech"],
        ("Technopark Laâyoune", "تكنوبارك العيون", "Technopark Laayoune"),
    ),
    (
        "dakhla",
        "MA-12",
        PLANNED,
        None,
        "Dakhla",
        None,
        None,
        ["blue-economy", "agritech"],
        ("Technopark Dakhla", "تكنوبارك الداخلة", "Technopark Dakhla"),
    ),
    (
        "kenitra",
        "MA-04",
        PLANNED,
        None,
        "Kénitra",
        None,
        None,
        ["industry", "ict"],
        ("Technopark Kénitra", "تكنوبارك القنيطرة", "Technopark Kenitra"),
    ),
    (
        "safi",
        "MA-07",
        PLANNED,
        None,
        "Safi",
        None,
        None,
        ["industry", "greentech"],
        ("Technopark Safi", "تكنوبارك آسفي", "Technopark Safi"),
    ),
]


# The operational sites' street address and public contact (their public page), demo values.
CONTACTS = {
    "casablanca": (
        "Route de Nouaceur, angle RS 114 et CT 1029",
        "contact.casablanca@demo.technopark.ma",
        "+212522000101",
    ),
    "rabat": ("Avenue Allal El Fassi, Madinat Al Irfane", "contact.rabat@demo.technopark.ma", "+212537000102"),
    "tanger": ("Zone Franche Logistique, Port Tanger Ville", "contact.tanger@demo.technopark.ma", "+212539000103"),
    "agadir": ("Cité Founty, avenue Hassan II", "contact.agadir@demo.technopark.ma", "+212528000104"),
}


def seed_sites() -> list[Site]:
    regions = {region.code: region for region in Region.objects.all()}
    sectors = {sector.code: sector for sector in Sector.objects.all()}
    sites = []
    for slug, region, status, opened, city, area, capacity, vocations, (fr, ar, en) in SITES:
        address, email, phone = CONTACTS.get(slug, ("", "", ""))
        site, _created = Site.objects.update_or_create(
            slug=slug,
            defaults={
                "region": regions[region],
                "status": status,
                "opened_on": opened,
                "city": city,
                "address": address,
                "contact_email": email,
                "contact_phone": phone,
                "area_m2": area,
                "capacity_startups": capacity,
                "name_fr": fr,
                "name_ar": ar,
                "name_en": en,
            },
        )
        site.vocations.set([sectors[code] for code in vocations])
        sites.append(site)
    return sites
