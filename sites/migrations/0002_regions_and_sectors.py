"""Reference data every installation needs: Morocco's 12 regions (2015 division, ISO
3166-2 codes) and the sectors used for site vocations and startups."""

from django.db import migrations

REGIONS = [
    ("MA-01", "Tanger-Tétouan-Al Hoceïma", "طنجة - تطوان - الحسيمة", "Tangier-Tetouan-Al Hoceima"),
    ("MA-02", "L'Oriental", "الشرق", "Oriental"),
    ("MA-03", "Fès-Meknès", "فاس - مكناس", "Fez-Meknes"),
    ("MA-04", "Rabat-Salé-Kénitra", "الرباط - سلا - القنيطرة", "Rabat-Sale-Kenitra"),
    ("MA-05", "Béni Mellal-Khénifra", "بني ملال - خنيفرة", "Beni Mellal-Khenifra"),
    ("MA-06", "Casablanca-Settat", "الدار البيضاء - سطات", "Casablanca-Settat"),
    ("MA-07", "Marrakech-Safi", "مراكش - آسفي", "Marrakesh-Safi"),
    ("MA-08", "Drâa-Tafilalet", "درعة - تافيلالت", "Draa-Tafilalet"),
    ("MA-09", "Souss-Massa", "سوس - ماسة", "Souss-Massa"),
    ("MA-10", "Guelmim-Oued Noun", "كلميم - واد نون", "Guelmim-Oued Noun"),
    ("MA-11", "Laâyoune-Sakia El Hamra", "العيون - الساقية الحمراء", "Laayoune-Sakia El Hamra"),
    ("MA-12", "Dakhla-Oued Ed-Dahab", "الداخلة - وادي الذهب", "Dakhla-Oued Ed-Dahab"),
]

SECTORS = [
    ("ict", "Technologies de l'information", "تكنولوجيا المعلومات والاتصال", "Information technology"),
    ("greentech", "Technologies vertes", "التكنولوجيات الخضراء", "Green tech"),
    ("creative", "Industries culturelles et créatives", "الصناعات الثقافية والإبداعية", "Cultural and creative industries"),
    ("agritech", "Agritech", "التكنولوجيا الفلاحية", "Agritech"),
    ("fintech", "Fintech", "التكنولوجيا المالية", "Fintech"),
    ("tourism", "Tourisme", "السياحة", "Tourism"),
    ("industry", "Industrie 4.0", "الصناعة 4.0", "Industry 4.0"),
    ("healthtech", "Santé numérique", "الصحة الرقمية", "Health tech"),
    ("edtech", "Éducation numérique", "التعليم الرقمي", "Edtech"),
    ("logistics", "Logistique", "اللوجستيك", "Logistics"),
    ("blue-economy", "Économie bleue", "الاقتصاد الأزرق", "Blue economy"),
    ("mining", "Mines et énergie", "المعادن والطاقة", "Mining and energy"),
]


def load(apps, schema_editor):
    Region = apps.get_model("tp_sites", "Region")
    Sector = apps.get_model("tp_sites", "Sector")
    for code, fr, ar, en in REGIONS:
        Region.objects.update_or_create(code=code, defaults={"name_fr": fr, "name_ar": ar, "name_en": en})
    for code, fr, ar, en in SECTORS:
        Sector.objects.update_or_create(code=code, defaults={"name_fr": fr, "name_ar": ar, "name_en": en})


class Migration(migrations.Migration):
    dependencies = [("tp_sites", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
