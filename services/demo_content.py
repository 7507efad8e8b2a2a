"""The Arabic and English versions of the demo's support offer (services.demo): the
catalogue's titles and summaries, the partners' and incubators' descriptions, the programmes
and the sessions' places, keyed by their French text (core.multilingual: French is the
version everyone reads where theirs is missing)."""

# French title: (Arabic, English)
TITLES = {
    "Clinique financement bancaire": ("عيادة التمويل البنكي", "Bank financing clinic"),
    "Préparer sa levée de fonds": ("التحضير لجمع التمويل", "Preparing your fundraising"),
    "Rencontre investisseurs": ("لقاء المستثمرين", "Investor meeting"),
    "Atelier export vers l'Afrique": ("ورشة التصدير نحو إفريقيا", "Workshop: exporting to Africa"),
    "Clinique marchés publics": ("عيادة الصفقات العمومية", "Public procurement clinic"),
    "Afterwork startups & grands comptes": (
        "لقاء مسائي بين الشركات الناشئة والمقاولات الكبرى",
        "Startups & corporates afterwork",
    ),
    "Conférence : l'IA au service des PME": (
        "محاضرة: الذكاء الاصطناعي في خدمة المقاولات الصغرى والمتوسطة",
        "Conference: AI for small businesses",
    ),
    "Journée immersion startups": ("يوم الانغماس في عالم الشركات الناشئة", "Startup immersion day"),
    "Formation pitch": ("تكوين في تقديم المشاريع", "Pitch training"),
    "Coaching produit et go-to-market": ("مواكبة المنتج والولوج إلى السوق", "Product and go-to-market coaching"),
    "Atelier marketing digital": ("ورشة التسويق الرقمي", "Digital marketing workshop"),
    "Formation hybride : business model canvas": (
        "تكوين هجين: نموذج العمل التجاري",
        "Hybrid training: business model canvas",
    ),
    "Formation hybride : gestion financière de la startup": (
        "تكوين هجين: التدبير المالي للشركة الناشئة",
        "Hybrid training: managing a startup's finances",
    ),
    "Séminaire en direct : financer son amorçage": (
        "ندوة مباشرة: تمويل مرحلة الانطلاق",
        "Live seminar: funding your seed stage",
    ),
    "Rencontres investisseurs e-Technopark": ("لقاءات المستثمرين في e-Technopark", "e-Technopark investor meetings"),
    "Clinique juridique en ligne": ("عيادة قانونية عن بعد", "Online legal clinic"),
    "Séminaire en direct : vendre aux grands comptes": (
        "ندوة مباشرة: البيع للمقاولات الكبرى",
        "Live seminar: selling to large companies",
    ),
    "Demo Day e-Technopark": ("يوم العروض e-Technopark", "e-Technopark Demo Day"),
    "Café réseau en ligne": ("مقهى التواصل عن بعد", "Online networking café"),
}

# French summary: (Arabic, English)
SUMMARIES = {
    "Trente minutes avec un chargé d'affaires pour préparer votre dossier de crédit.": (
        "ثلاثون دقيقة مع مكلف بالأعمال لإعداد ملف القرض الخاص بكم.",
        "Thirty minutes with an account manager to prepare your loan application.",
    ),
    "Valorisation, pacte d'associés et table de capitalisation, avec des cas marocains.": (
        "التقييم واتفاقية الشركاء وجدول توزيع رأس المال، مع حالات مغربية.",
        "Valuation, shareholders' agreement and cap table, with Moroccan cases.",
    ),
    "Cinq startups pitchent devant des business angels et des fonds d'amorçage.": (
        "خمس شركات ناشئة تعرض مشاريعها أمام مستثمرين أفراد وصناديق تمويل الانطلاق.",
        "Five startups pitch to business angels and seed funds.",
    ),
    "Incoterms, paiement à l'international et choix des premiers marchés africains.": (
        "قواعد التجارة الدولية (إنكوترمز) والأداء الدولي واختيار الأسواق الإفريقية الأولى.",
        "Incoterms, international payments and choosing your first African markets.",
    ),
    "Répondre à un appel d'offres public : dossier administratif et offre technique.": (
        "الاستجابة لطلب عروض عمومي: الملف الإداري والعرض التقني.",
        "Answering a public tender: the administrative file and the technical offer.",
    ),
    "Rencontres informelles entre résidents et directions innovation.": (
        "لقاءات غير رسمية بين المقيمين ومديريات الابتكار.",
        "Informal meetings between residents and innovation departments.",
    ),
    "Conférence ouverte au public, suivie d'un cocktail de networking.": (
        "محاضرة مفتوحة للعموم، يليها حفل استقبال للتعارف.",
        "A conference open to the public, followed by a networking reception.",
    ),
    "Étudiants et porteurs de projets découvrent le Technopark et ses startups.": (
        "يكتشف الطلبة وحاملو المشاريع التكنوبارك وشركاته الناشئة.",
        "Students and project founders discover the Technopark and its startups.",
    ),
    "Structurer un pitch de trois minutes et s'entraîner devant un jury.": (
        "بناء عرض تقديمي من ثلاث دقائق والتمرن أمام لجنة تحكيم.",
        "Build a three-minute pitch and practise it in front of a jury.",
    ),
    "Séances individuelles pour prioriser la feuille de route produit.": (
        "جلسات فردية لترتيب أولويات خارطة طريق المنتج.",
        "One-to-one sessions to set the priorities of the product roadmap.",
    ),
    "SEO, réseaux sociaux et acquisition payante avec un petit budget.": (
        "تحسين الظهور في محركات البحث وشبكات التواصل الاجتماعي والاستقطاب المدفوع بميزانية صغيرة.",
        "Search engines, social media and paid acquisition on a small budget.",
    ),
    "Quatre modules en ligne et une journée en présentiel dans le site de votre région.": (
        "أربع وحدات عن بعد ويوم حضوري في موقع جهتكم.",
        "Four online modules and one day in person at the site of your region.",
    ),
    "Trésorerie, TVA et tableaux de bord, pour les membres e-Technopark.": (
        "الخزينة والضريبة على القيمة المضافة ولوحات القيادة، لأعضاء e-Technopark.",
        "Cash, VAT and dashboards, for e-Technopark members.",
    ),
    "Garanties, prêts d'honneur et subventions : le panorama des financements publics.": (
        "الضمانات وقروض الشرف والمنح: نظرة شاملة على التمويلات العمومية.",
        "Guarantees, honour loans and grants: an overview of public funding.",
    ),
    "Des rendez-vous individuels de vingt minutes avec des investisseurs.": (
        "مواعيد فردية مدتها عشرون دقيقة مع مستثمرين.",
        "Twenty-minute one-to-one meetings with investors.",
    ),
    "Statuts, propriété intellectuelle et contrats clients, en visio.": (
        "النظام الأساسي والملكية الفكرية وعقود الزبناء، عبر الفيديو.",
        "Articles of association, intellectual property and customer contracts, by video call.",
    ),
    "Cycle de vente, achats et référencement fournisseur des grands groupes.": (
        "دورة البيع والمشتريات والاعتماد كمورّد لدى المجموعات الكبرى.",
        "Sales cycles, purchasing and supplier listing at large groups.",
    ),
    "Les startups e-Technopark présentent leurs produits, diffusé en direct.": (
        "تقدم الشركات الناشئة في e-Technopark منتجاتها في بث مباشر.",
        "e-Technopark startups present their products, streamed live.",
    ),
    "Un mentor, six startups, une heure d'échanges en visio chaque mois.": (
        "مرشد واحد وست شركات ناشئة وساعة من النقاش عبر الفيديو كل شهر.",
        "One mentor, six startups, an hour of conversation by video call every month.",
    ),
}

# What every demo service's description says after its summary.
DESCRIPTION_END = {
    "fr": "Inscription sur le portail ; places limitées, liste d'attente automatique.",
    "ar": "التسجيل عبر البوابة؛ المقاعد محدودة مع لائحة انتظار تلقائية.",
    "en": "Register on the portal; seats are limited, with an automatic waitlist.",
}

# A partner's French description: (Arabic, English)
PARTNER_DESCRIPTIONS = {
    "Offres bancaires dédiées aux startups.": ("عروض بنكية مخصصة للشركات الناشئة.", "Banking offers for startups."),
    "Financement et export.": ("التمويل والتصدير.", "Financing and export."),
    "Garantie et cofinancement.": ("الضمان والتمويل المشترك.", "Guarantees and co-financing."),
    "Fonds d'amorçage pour les startups du numérique.": (
        "صندوق لتمويل انطلاق الشركات الناشئة الرقمية.",
        "Seed fund for digital startups.",
    ),
    "Recherche et talents.": ("البحث العلمي والكفاءات.", "Research and talent."),
    "Agritech et tourisme.": ("التكنولوجيا الفلاحية والسياحة.", "Agritech and tourism."),
    "Mentorat de chefs d'entreprise.": ("مواكبة من طرف رؤساء مقاولات.", "Mentoring by business leaders."),
    "Open innovation et accès au marché.": (
        "الابتكار المفتوح والولوج إلى السوق.",
        "Open innovation and market access.",
    ),
    "Coopération allemande.": ("التعاون الألماني.", "German development cooperation."),
    "Capital-risque pour l'Afrique du Nord et de l'Ouest.": (
        "رأس مال المخاطرة لشمال وغرب إفريقيا.",
        "Venture capital for North and West Africa.",
    ),
}

# A programme's French title: (Arabic, English)
PROGRAMME_TITLES = {
    "Programme Accélération Financement Casablanca": (
        "برنامج تسريع التمويل بالدار البيضاء",
        "Casablanca financing acceleration programme",
    ),
    "e-Technopark Scale Afrique": ("برنامج e-Technopark للتوسع في إفريقيا", "e-Technopark Scale Africa"),
}
PROGRAMME_DESCRIPTION = {
    "fr": "Un parcours de six mois : ateliers, coaching individuel et rencontres investisseurs.",
    "ar": "مسار من ستة أشهر: ورشات ومواكبة فردية ولقاءات مع المستثمرين.",
    "en": "A six-month track: workshops, one-to-one coaching and investor meetings.",
}


def versions(field: str, french: str, table: dict) -> dict:
    """`{field}_fr`, `{field}_ar` and `{field}_en` of `french` from `table` (French → (ar, en));
    the French alone when the table has no translation of it."""
    arabic, english = table.get(french, ("", ""))
    return {f"{field}_fr": french, f"{field}_ar": arabic, f"{field}_en": english}


def service_versions(title: str, summary: str) -> dict:
    """A demo service's title, summary and description in the three languages."""
    fields = {**versions("title", title, TITLES), **versions("summary", summary, SUMMARIES)}
    for language in ("fr", "ar", "en"):
        start = fields[f"summary_{language}"]
        fields[f"description_{language}"] = f"{start}\n\n{DESCRIPTION_END[language]}" if start else ""
    return fields


def incubator_versions(site) -> dict:
    """A demo incubator's description, naming its affiliated site in each language."""
    return {
        "description_fr": f"Incubateur partenaire affilié au {site.name_fr}.",
        "description_ar": f"حاضنة شريكة تابعة لـ{site.name_ar}.",
        "description_en": f"Partner incubator affiliated to {site.name_en}.",
    }


def location_versions(site, room: str) -> dict:
    """A demo session's place: a room of the site (or of the Technopark, for the network)."""
    return {
        "location_fr": f"{site.name_fr if site else 'Technopark'}, salle {room}",
        "location_ar": f"{site.name_ar if site else 'تكنوبارك'}، القاعة {room}",
        "location_en": f"{site.name_en if site else 'Technopark'}, room {room}",
    }
