"""Demo mentoring network: about sixty mentors and experts (the `mentor.<n>@` demo accounts)
with French profiles across the four support dimensions, the operational sites they serve
in person or by video only, weekly availability in Casablanca time, extra windows and
blocked dates; past sessions of the last three months (notes, attendance, ratings, a few
no-shows and cancellations) and upcoming bookings of the next two weeks.

Bookings are written directly (the seed is not a user action) but always at real slots of
the mentor's rules (`availability.windows` and `expand`), never overlapping one another nor
another session of the same startup, within the monthly quota, for admitted startups with
a founder, at the startup's home site (its most recent active admission). `founder.1`'s
startup has a past and an upcoming session with `mentor.1`, for the README's demo tour.

Deterministic (seeded: per mentor for profiles and availability, once for the bookings,
which depend on the date of the run) and idempotent: profiles are keyed by their account;
availability and bookings are only created for the profiles created in the same run. Runs
unscoped, inside the seed management command.
"""

import datetime
import random
from collections import defaultdict

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from accounts.demo import DOMAIN
from accounts.models import User
from services.models import Dimension
from sites.models import Language, Sector, Site, SiteStatus
from startups.models import Admission, StartupMember, TeamRole

from .availability import expand, is_clear, windows
from .models import (
    Attendance,
    BlockedPeriod,
    Booking,
    BookingStatus,
    ExtraWindow,
    MeetingMode,
    MentorDimension,
    MentorKind,
    MentorProfile,
    ProfileStatus,
    Tag,
    WeeklyRule,
)

F_, M_, N_, S_ = Dimension.FINANCING, Dimension.MARKET, Dimension.NETWORKING, Dimension.SKILLS
MENTOR, EXPERT = MentorKind.MENTOR, MentorKind.EXPERT
CASA, RABAT, TANGER, AGADIR = "casablanca", "rabat", "tanger", "agadir"

# One entry per demo account, in the order of accounts.demo.MENTOR_NAMES:
# kind, languages, sites served in person ("" = video only), organisation, headline, focus
# (the bio's first sentence), dimensions, tags, sector codes.
PROFILES = [
    (MENTOR, "fr ar en", CASA, "Atlas Seed Partners", "Levée de fonds et valorisation, ex-capital-risque",
     "J'accompagne les fondateurs dans la préparation de leur tour d'amorçage ou de série A : valorisation, pacte d'associés, table de capitalisation et choix des investisseurs.",
     [F_], ["levée de fonds", "capital-risque", "valorisation", "pitch"], ["ict", "fintech"]),
    (EXPERT, "fr ar", f"{CASA} {RABAT}", "Cabinet Benjelloun Conseil", "Marchés publics : répondre aux appels d'offres",
     "Je vous aide à lire un cahier des prescriptions spéciales, constituer le dossier administratif et chiffrer une offre technique compétitive.",
     [M_], ["marchés publics", "appels d'offres", "grands comptes"], ["ict", "industry"]),
    (MENTOR, "fr en", CASA, "Ancien CPO, éditeur SaaS", "Produit et go-to-market pour startups B2B",
     "Prioriser une feuille de route, trouver ses premiers clients payants et construire un cycle de vente reproductible.",
     [M_, S_], ["produit", "go-to-market", "vente B2B"], ["ict"]),
    (EXPERT, "fr ar", "", "Idrissi Avocats", "Avocate d'affaires : statuts, pactes et contrats",
     "Choix de la forme juridique, pacte d'associés, actions gratuites pour l'équipe, conditions générales et contrats clients.",
     [S_, F_], ["juridique", "pacte d'associés", "contrats"], []),
    (EXPERT, "fr en", "", "Dubois & Associés PI", "Propriété intellectuelle : marques, brevets et logiciels",
     "Protéger une marque à l'OMPIC et à l'international, déposer un brevet, sécuriser les droits sur le code écrit par vos salariés et prestataires.",
     [S_], ["propriété intellectuelle", "marques", "brevets"], ["ict", "healthtech", "industry"]),
    (MENTOR, "fr ar en", f"{CASA} {TANGER}", "Sahel Trade Partners", "Export vers l'Afrique de l'Ouest et centrale",
     "Vingt missions commerciales à Dakar, Abidjan et Douala : choisir ses premiers marchés, trouver un distributeur, se faire payer.",
     [M_, N_], ["export Afrique", "distribution", "Afrique de l'Ouest"], ["ict", "agritech", "logistics"]),
    (MENTOR, "fr ar zgh", AGADIR, "Souss AgriLab", "Agritech : de la parcelle pilote au contrat avec une coopérative",
     "Irrigation de précision, capteurs et données agronomiques : tester avec des agriculteurs du Souss, puis convaincre coopératives et agrégateurs.",
     [M_, S_], ["agritech", "irrigation", "coopératives"], ["agritech", "greentech"]),
    (MENTOR, "en fr", "", "Ex-VP Sales, SaaS londonien", "Tarification SaaS et expansion internationale",
     "Packaging des offres, prix par siège ou à l'usage, essais gratuits et ventes en Europe et au Moyen-Orient.",
     [M_, F_], ["tarification SaaS", "SaaS", "international"], ["ict"]),
    (EXPERT, "fr ar", RABAT, "Amrani Expertise Comptable", "Fiscalité et comptabilité des jeunes entreprises",
     "TVA, IS, auto-entrepreneur ou SARL, exonérations : poser une comptabilité saine dès la première facture.",
     [F_, S_], ["fiscalité", "comptabilité", "trésorerie"], []),
    (MENTOR, "fr ar en", f"{CASA} {RABAT}", "Studio Chraibi Digital", "Marketing digital et acquisition à petit budget",
     "SEO, contenus, réseaux sociaux et campagnes payantes : mesurer le coût d'acquisition et trouver le canal qui marche avant de dépenser.",
     [M_, S_], ["marketing digital", "SEO", "growth"], ["ict", "creative", "tourism"]),
    (EXPERT, "fr en", "", "Nimbus Architecture", "Cloud et architecture : passer à l'échelle sans exploser la facture",
     "Choisir entre hébergement local et cloud public, concevoir une architecture simple, automatiser les déploiements et maîtriser les coûts.",
     [S_], ["cloud", "DevOps", "architecture"], ["ict", "fintech"]),
    (MENTOR, "fr en", CASA, "Ancienne DRH, groupe industriel", "Ressources humaines : recruter et garder les dix premiers",
     "Fiches de poste, grilles de salaires, intéressement et culture d'entreprise : structurer les RH sans alourdir la startup.",
     [S_], ["RH", "recrutement", "management"], []),
    (EXPERT, "fr ar en", RABAT, "Laboratoire IA appliquée", "Intelligence artificielle appliquée : du prototype à la production",
     "Cadrer un cas d'usage, constituer les données, choisir entre modèle maison et API, puis mettre en production et surveiller.",
     [S_], ["intelligence artificielle", "data", "machine learning"], ["ict", "healthtech", "industry"]),
    (MENTOR, "fr ar", RABAT, "Ancienne directrice innovation bancaire", "Fintech : paiement mobile et conformité Bank Al-Maghrib",
     "Agréments, partenariats bancaires et parcours de paiement : lancer un produit financier dans le cadre réglementaire marocain.",
     [F_, M_], ["fintech", "paiement mobile", "réglementation"], ["fintech"]),
    (MENTOR, "fr en", "", "Business angel", "Business angel, vingt investissements dans la tech",
     "Je lis votre deck comme un investisseur : marché, équipe, traction. Puis nous travaillons le récit et les chiffres avant vos rendez-vous.",
     [F_, N_], ["business angels", "pitch", "levée de fonds"], ["ict", "edtech"]),
    (EXPERT, "fr ar", f"{RABAT} {CASA}", "Bensouda Financement Public", "Subventions et financements publics",
     "Garanties, prêts d'honneur, programmes régionaux et fonds de coopération : repérer les dispositifs auxquels vous avez droit et monter des dossiers complets.",
     [F_], ["subventions", "financement public"], []),
    (MENTOR, "fr ar", TANGER, "Ancien directeur d'usine automobile", "Industrie 4.0 : vendre aux industriels",
     "Maintenance prédictive, IoT et jumeaux numériques : convaincre une direction d'usine et réussir un pilote en zone industrielle.",
     [M_], ["industrie 4.0", "IoT", "grands comptes"], ["industry", "logistics"]),
    (MENTOR, "fr ar en", CASA, "Coach de dirigeants", "Leadership et négociation pour fondatrices et fondateurs",
     "Prendre des décisions sous incertitude, négocier avec un associé, un client ou un investisseur, et tenir dans la durée.",
     [S_, N_], ["leadership", "négociation", "coaching"], []),
    (EXPERT, "fr en", "", "Cohen Cyber", "Cybersécurité et protection des données (loi 09-08)",
     "Sécuriser votre produit dès la conception, préparer l'audit d'un client grand compte et vous mettre en conformité avec la CNDP.",
     [S_], ["cybersécurité", "données personnelles", "CNDP"], ["ict", "fintech", "healthtech"]),
    (MENTOR, "fr ar zgh", AGADIR, "Réseau des coopératives du Souss", "Économie sociale et coopératives du Souss",
     "Travailler avec les coopératives d'argan et de safran : traçabilité, commerce équitable et accès aux marchés européens.",
     [M_, N_], ["coopératives", "commerce équitable", "argan"], ["agritech", "tourism"]),
    (EXPERT, "fr ar zgh en", AGADIR, "Oubella Tourisme Conseil", "Tourisme durable et plateformes de réservation",
     "Distribution en ligne, partenariats avec les riads et les agences, saisonnalité : construire une offre touristique numérique rentable.",
     [M_], ["tourisme", "e-commerce", "réservation en ligne"], ["tourism", "creative"]),
    (MENTOR, "fr ar", CASA, "Médecin, ex-directrice médicale", "Santé numérique : essais, hôpitaux et remboursement",
     "Valider un dispositif avec des médecins, passer les comités d'un CHU et comprendre qui paie : patient, clinique ou assurance.",
     [M_, S_], ["santé numérique", "dispositifs médicaux"], ["healthtech"]),
    (MENTOR, "fr", f"{CASA} {TANGER}", "Ancien COO, e-commerce", "E-commerce et logistique du dernier kilomètre",
     "Choisir ses transporteurs, gérer le paiement à la livraison et les retours, et garder une marge quand le panier est petit.",
     [M_], ["e-commerce", "logistique", "paiement à la livraison"], ["logistics", "ict"]),
    (EXPERT, "fr ar", "", "Bennis Finance", "Finance d'entreprise : business plan, trésorerie et tableaux de bord",
     "Construire un business plan crédible, suivre sa trésorerie à treize semaines et préparer un dossier de crédit bancaire.",
     [F_], ["business plan", "trésorerie", "crédit bancaire"], []),
    (MENTOR, "fr ar", CASA, "Ancien DG, intégrateur informatique", "Édition logicielle et grands comptes",
     "Vingt ans chez un intégrateur : référencement fournisseur, cycles d'achat et premiers contrats avec les grands groupes marocains.",
     [M_, N_], ["grands comptes", "vente B2B", "ESN"], ["ict"]),
    (MENTOR, "en fr", "", "Impact fund, Londres", "Impact investing et levée auprès de fonds internationaux",
     "Mesurer votre impact, parler aux fonds de développement et préparer une due diligence en anglais.",
     [F_, N_], ["impact", "levée de fonds", "fonds internationaux"], ["greentech", "agritech", "edtech"]),
    (EXPERT, "fr ar zgh", f"{AGADIR} {CASA}", "Tafraout Solaire", "Énergie solaire et efficacité énergétique",
     "Dimensionner une offre solaire, répondre aux appels à projets et vendre l'efficacité énergétique aux industriels.",
     [M_, S_], ["énergie solaire", "efficacité énergétique"], ["greentech", "mining"]),
    (MENTOR, "fr en", CASA, "Studio de design indépendant", "Marque, design et expérience utilisateur",
     "Identité de marque, tests utilisateurs et parcours d'inscription : des méthodes légères pour un produit que l'on comprend en dix secondes.",
     [S_, M_], ["UX", "design", "marque"], ["creative", "ict"]),
    (MENTOR, "fr en", "", "Banquier d'affaires", "Croissance externe, fusions et cession de startup",
     "Préparer une startup à être rachetée, négocier une lettre d'intention et organiser une data room.",
     [F_], ["fusions-acquisitions", "cession", "négociation"], ["ict", "fintech"]),
    (EXPERT, "fr ar", RABAT, "Filali EdTech Conseil", "Éducation numérique et formation en ligne",
     "Concevoir un parcours pédagogique, vendre aux écoles et aux entreprises, et mesurer l'engagement des apprenants.",
     [M_, S_], ["edtech", "formation", "pédagogie"], ["edtech"]),
    (MENTOR, "fr ar", f"{CASA} {RABAT}", "Entrepreneur, trois sociétés créées", "Serial entrepreneur : de zéro à cent salariés",
     "Trois entreprises créées à Casablanca, dont une revendue : organisation, premiers managers et discipline financière.",
     [S_, N_], ["entrepreneuriat", "management", "organisation"], []),
    (EXPERT, "fr ar", TANGER, "Bakkali Avocats", "Droit du travail et contrats des salariés",
     "CDI, CDD, stages et contrats d'insertion : recruter dans les règles, rédiger des contrats clairs et gérer une rupture sereinement.",
     [S_], ["droit du travail", "RH", "contrats"], []),
    (MENTOR, "fr ar", TANGER, "Ancien directeur logistique portuaire", "Logistique portuaire et chaîne d'approvisionnement",
     "Port, transitaires et douane : digitaliser une chaîne logistique et vendre aux chargeurs.",
     [M_], ["logistique", "supply chain", "douane"], ["logistics", "industry"]),
    (MENTOR, "en fr", "", "Ex-directrice d'accélérateur, Londres", "Accélérateurs internationaux et levée en Europe",
     "Candidater aux accélérateurs européens et américains, préparer un pitch en anglais et ouvrir une filiale.",
     [F_, N_], ["international", "accélérateurs", "pitch"], ["ict", "healthtech"]),
    (EXPERT, "fr en", "", "Guessous Analytics", "Data et tableaux de bord pour piloter la croissance",
     "Définir les bons indicateurs, poser un entrepôt de données simple et suivre cohortes, rétention et revenus récurrents.",
     [S_], ["data", "indicateurs", "analytics"], ["ict", "fintech", "edtech"]),
    (MENTOR, "fr ar", f"{RABAT} {CASA}", "Ancienne journaliste économique", "Communication et relations presse",
     "Écrire un communiqué, parler aux journalistes et préparer une prise de parole en public, en français comme en arabe.",
     [M_, N_], ["communication", "relations presse", "prise de parole"], []),
    (EXPERT, "fr en", CASA, "Girard Mobile", "Développement mobile et qualité logicielle",
     "Choisir une technologie mobile, organiser les tests et livrer souvent sans casser : les pratiques d'une petite équipe efficace.",
     [S_], ["mobile", "qualité logicielle", "tests"], ["ict"]),
    (MENTOR, "fr ar", f"{RABAT} {TANGER}", "Productrice et éditrice", "Industries culturelles et créatives",
     "Financer un projet créatif, gérer les droits d'auteur et trouver son public, du jeu vidéo à l'édition.",
     [F_, M_], ["industries créatives", "droits d'auteur", "jeu vidéo"], ["creative"]),
    (EXPERT, "fr ar", CASA, "Ancien directeur d'agence entreprises", "Banque et crédit : négocier avec son banquier",
     "Vingt-cinq ans en agence entreprises : ce que regarde un banquier, les garanties disponibles et la négociation d'un découvert.",
     [F_], ["crédit bancaire", "garanties", "trésorerie"], []),
    (MENTOR, "fr en", "", "Ancienne Head of Growth", "Growth et produit pour applications grand public",
     "Activation, rétention et viralité : lancer des expériences rapides et lire les chiffres sans se raconter d'histoires.",
     [M_, S_], ["growth", "produit", "rétention"], ["ict", "edtech"]),
    (EXPERT, "fr ar zgh", AGADIR, "Id Bella Halieutique", "Économie bleue : pêche, aquaculture et ports",
     "Traçabilité des captures, aquaculture durable et valorisation des coproduits, avec les acteurs des ports du Sud.",
     [M_], ["économie bleue", "aquaculture", "traçabilité"], ["blue-economy", "agritech"]),
    (MENTOR, "fr en", "", "Conseil RSE", "Économie circulaire et RSE",
     "Réemploi, recyclage et démarche RSE : transformer une contrainte environnementale en argument commercial.",
     [M_, N_], ["économie circulaire", "RSE", "impact"], ["greentech", "industry"]),
    (MENTOR, "fr ar en", CASA, "Ancien directeur open innovation", "Corporate venture et open innovation",
     "Côté grand groupe pendant dix ans : monter un pilote avec une direction innovation et éviter le POC sans lendemain.",
     [M_, N_], ["open innovation", "grands comptes", "pilote"], ["ict", "fintech", "industry"]),
    (EXPERT, "fr ar", RABAT, "Lamrani Courtage", "Conformité, assurance et gestion des risques",
     "Assurances obligatoires, responsabilité civile professionnelle et plan de continuité : protéger la startup avant qu'il ne soit trop tard.",
     [S_], ["assurance", "gestion des risques", "conformité"], []),
    (EXPERT, "en fr", "", "Cloud consultant", "Infrastructure cloud et sécurité AWS/Azure",
     "Comptes, réseaux, sauvegardes et droits d'accès : une base cloud propre que vos clients grands comptes accepteront.",
     [S_], ["cloud", "AWS", "sécurité"], ["ict"]),
    (MENTOR, "fr ar en", CASA, "Ouahbi Gulf Ventures", "Distribution et vente dans le Golfe",
     "Dubaï, Riyad et Doha : partenaires locaux, salons professionnels et adaptation de l'offre aux marchés du Golfe.",
     [M_, N_], ["international", "Golfe", "distribution"], ["ict", "tourism"]),
    (MENTOR, "fr ar", f"{RABAT} {CASA}", "Réseau de femmes entrepreneures", "Fondatrices : financement et réseau",
     "Réseaux de femmes entrepreneures, fonds dédiés et mentorat entre pairs : je vous ouvre mon carnet d'adresses.",
     [F_, N_], ["entrepreneuriat féminin", "réseau", "levée de fonds"], []),
    (EXPERT, "fr", "", "Petit Stratégie", "Modèles économiques et stratégie",
     "Business model canvas, unit economics et choix stratégiques : clarifier comment la startup gagnera de l'argent.",
     [S_, F_], ["business model", "stratégie", "unit economics"], []),
    (EXPERT, "fr ar", RABAT, "GovTech Maroc", "Services publics numériques et collectivités",
     "Travailler avec les administrations et les collectivités, des marchés publics aux démarches en ligne.",
     [M_], ["govtech", "collectivités", "marchés publics"], ["ict"]),
    (MENTOR, "fr ar", CASA, "Promoteur immobilier", "Immobilier, proptech et construction",
     "Promoteurs, syndics et agences : vendre une solution numérique à un secteur encore peu digitalisé.",
     [M_], ["proptech", "construction"], ["ict", "industry"]),
    (EXPERT, "fr ar", CASA, "Tounsi Paie & RH", "Paie, protection sociale et première embauche",
     "Déclarations sociales, assurance maladie, mutuelle et paie : tout ce qu'il faut mettre en place à la première embauche.",
     [S_], ["paie", "protection sociale", "RH"], []),
    (MENTOR, "fr ar zgh", AGADIR, "Coopérative du terroir", "Agroalimentaire et circuits courts",
     "Transformer, emballer et vendre des produits du terroir : normes sanitaires, grande distribution et export.",
     [M_], ["agroalimentaire", "circuits courts", "export"], ["agritech"]),
    (MENTOR, "fr en", "", "Ancienne VP Customer Success", "Customer success et fidélisation en B2B",
     "Onboarding, support et renouvellements : réduire le churn et faire de vos clients vos meilleurs vendeurs.",
     [M_, S_], ["customer success", "churn", "SaaS"], ["ict"]),
    (EXPERT, "fr ar", f"{CASA} {AGADIR}", "Ingénieur conseil, mines et énergie", "Mines, énergie et technologies industrielles",
     "Vendre aux acteurs miniers et énergétiques : qualification fournisseur, sécurité et pilotes sur site.",
     [M_], ["mines", "énergie", "industrie"], ["mining", "industry"]),
    (MENTOR, "zgh ar fr", AGADIR, "Association d'entrepreneurs du Souss", "Entreprendre en région, en amazighe et en darija",
     "Lancer une activité hors de l'axe Casablanca–Rabat, s'appuyer sur les acteurs locaux et parler à ses clients dans leur langue.",
     [N_, M_], ["région", "réseau local"], ["tourism", "agritech"]),
    (MENTOR, "fr ar en", f"{CASA} {RABAT}", "Coach pitch et prise de parole", "Pitch et storytelling devant un jury",
     "Trois minutes pour convaincre : structure, chiffres clés et répétitions filmées avant votre demo day.",
     [F_, S_], ["pitch", "storytelling", "demo day"], []),
    (EXPERT, "en fr", "", "Consultante en projets européens", "Subventions européennes et coopération internationale",
     "Programmes européens et bailleurs bilatéraux : trouver un consortium et écrire une proposition éligible.",
     [F_, N_], ["subventions", "Europe", "recherche"], ["greentech", "agritech", "healthtech"]),
    (EXPERT, "fr ar en", CASA, "Jazouli Payments", "Paiement en ligne et conformité PCI DSS",
     "Intégrer un prestataire de paiement marocain, réduire les échecs de paiement et préparer la conformité PCI DSS.",
     [S_, M_], ["paiement en ligne", "PCI DSS", "fintech"], ["fintech", "ict"]),
    (MENTOR, "fr ar", f"{TANGER} {RABAT}", "Ancienne directrice commerciale, éditeur de gestion", "Transformation digitale des PME",
     "Vendre un logiciel aux PME marocaines : prix, accompagnement au changement et réseau de revendeurs.",
     [M_], ["PME", "revendeurs", "vente B2B"], ["ict"]),
    (MENTOR, "zgh fr ar en", "", "Studio de localisation", "Produits numériques en amazighe et en darija",
     "Localiser une application, tester avec des utilisateurs hors des grandes villes et concevoir pour les langues du Maroc.",
     [S_, M_], ["localisation", "UX", "langues"], ["ict", "edtech"]),
]  # fmt: skip

# Profiles that are not published yet: the approval queue of head office and the site teams.
PENDING = {21, 38, 49, 59}
REJECTED = {44, 54}
DRAFT = {50}
REVIEW_NOTES = [
    "Merci de préciser votre expérience concrète auprès de startups et d'ajouter vos disponibilités.",
    "Votre biographie est trop courte : dites en quelques lignes ce que vous apportez aux fondateurs.",
]

CAREERS = [
    "Plus de {years} ans d'expérience, aujourd'hui chez {organisation}.",
    "{years} ans de métier ; je partage mon temps entre {organisation} et l'accompagnement de startups.",
    "Après {years} ans dans le secteur, je conseille les jeunes entreprises depuis {organisation}.",
]
APPROACHES = [
    "Séances concrètes : venez avec vos chiffres et une question précise.",
    "Envoyez votre deck ou votre tableau de bord avant la séance : nous partirons de votre situation.",
    "Chaque séance se termine par trois actions à mener avant la suivante.",
    "Je privilégie les startups en amorçage, mais toutes les questions sont bienvenues.",
    "Pas de slides : on part de votre cas et on avance.",
]

# Availability templates, Casablanca wall-clock time.
MORNINGS = [(datetime.time(9), datetime.time(12, 30)), (datetime.time(10), datetime.time(13))]
AFTERNOONS = [(datetime.time(14), datetime.time(17)), (datetime.time(14, 30), datetime.time(18))]
EVENINGS = [(datetime.time(18), datetime.time(20)), (datetime.time(8), datetime.time(10))]

TOPICS = {
    F_: [
        "Préparer notre tour d'amorçage",
        "Valorisation et table de capitalisation",
        "Dossier de crédit bancaire",
        "Quels financements publics pour nous ?",
        "Relire notre deck investisseurs",
    ],
    M_: [
        "Trouver nos dix premiers clients",
        "Choisir notre premier marché à l'export",
        "Fixer nos prix",
        "Répondre à un premier appel d'offres",
        "Préparer un pilote avec un grand compte",
    ],
    N_: [
        "Qui rencontrer dans l'écosystème ?",
        "Préparer notre participation à un salon",
        "Trouver un partenaire de distribution",
    ],
    S_: [
        "Structurer l'équipe pour la croissance",
        "Protéger notre marque et notre code",
        "Revoir notre architecture technique",
        "Recruter un premier commercial",
        "Mettre en place nos tableaux de bord",
    ],
}
QUESTIONS = [
    "Nous avons trois pistes et ne savons pas laquelle prioriser. Qu'en pensez-vous ?",
    "Quelles erreurs éviter à notre stade ?",
    "Pouvez-vous relire le document joint à notre espace avant la séance ?",
    "Quels chiffres devons-nous suivre chaque semaine ?",
    "",
]
NOTES = [
    "Bonne séance. Prochaines étapes : chiffrer le besoin sur 18 mois et revoir la table de capitalisation avant d'approcher des business angels.",
    "Le positionnement est clair mais le marché visé est trop large : se concentrer sur un segment et dix clients cibles.",
    "Nous avons revu la grille tarifaire : tester une offre annuelle avec remise et supprimer le plan gratuit.",
    "Dossier solide. Compléter l'annexe financière et demander une lettre de soutien à un client pilote.",
    "Priorités convenues : recruter un profil commercial, formaliser le processus de vente, suivre le taux de conversion.",
    "Points juridiques à régler avant la levée : pacte d'associés, cession des droits du code par le freelance.",
    "Identifier deux distributeurs au Sénégal et en Côte d'Ivoire ; je partage deux contacts par email.",
    "Architecture correcte ; mettre en place des sauvegardes testées et une surveillance avant l'arrivée du client grand compte.",
]
COMMENTS = [
    "Très concret, merci pour les contacts !",
    "Des conseils directement applicables, nous avons revu notre deck le soir même.",
    "Excellente écoute, exemples marocains très utiles.",
    "Un peu court, nous aurions aimé une seconde séance.",
    "Clair et bienveillant.",
    "",
]
CANCEL_REASONS = ["Empêchement de dernière minute côté startup.", "Rendez-vous client déplacé, désolé."]


def _profile_rng(number: int) -> random.Random:
    return random.Random(f"technopark-mentor-{number}")


def _status_fields(number: int, staff: User | None, now: datetime.datetime) -> dict:
    rng = _profile_rng(number)
    submitted = now - datetime.timedelta(days=rng.randint(100, 400))
    if number in DRAFT:
        return {"status": ProfileStatus.DRAFT}
    if number in PENDING:
        return {"status": ProfileStatus.PENDING, "submitted_at": now - datetime.timedelta(days=rng.randint(1, 6))}
    reviewed = {"submitted_at": submitted, "reviewed_by": staff, "reviewed_at": submitted + datetime.timedelta(days=2)}
    if number in REJECTED:
        return {"status": ProfileStatus.REJECTED, "review_note": rng.choice(REVIEW_NOTES), **reviewed}
    return {"status": ProfileStatus.PUBLISHED, **reviewed}


def _profile(number: int, user: User, entry, sites: dict[str, Site], staff, now) -> tuple[MentorProfile, list[Site]]:
    kind, _languages, where, organisation, headline, focus, _dims, _tags, _sectors = entry
    rng = _profile_rng(number)
    served = [sites[slug] for slug in where.split() if slug in sites]
    # Video-only mentors offer video by definition; a few in-person mentors do not.
    offers_video = not served or number == 1 or rng.random() < 0.8
    bio = " ".join(
        [
            focus,
            rng.choice(CAREERS).format(years=rng.randint(8, 25), organisation=organisation),
            rng.choice(APPROACHES),
        ]
    )
    profile = MentorProfile(
        user=user,
        kind=kind,
        headline=headline,
        bio=bio,
        organisation=organisation,
        offers_video=offers_video,
        video_url=f"https://visio.technopark.ma/mentor-{number}" if offers_video else "",
        session_minutes=60 if number == 1 else rng.choice([45, 60, 60, 90]),
        min_notice_hours=24,
        buffer_minutes=15,
        max_bookings_per_startup_month=2,
        **_status_fields(number, staff, now),
    )
    return profile, served


def _availability(number: int, profile: MentorProfile, served: list[Site], today: datetime.date):
    """Weekly rules (video days, then one in-person day per site served), sometimes an extra
    window in the coming weeks and a blocked period (past or after the next two weeks)."""
    rng = _profile_rng(number)
    rng.random()  # not the same draws as the profile's
    video = MeetingMode.VIDEO
    rules = []
    if number == 1:  # the demo tour's mentor: Mon/Wed mornings and Thursday evenings by video
        plan = [(0, MORNINGS[0], None), (2, MORNINGS[0], None), (3, EVENINGS[0], None), (1, AFTERNOONS[0], served[0])]
    else:
        days = rng.sample(range(5), 4)
        plan = []
        if profile.offers_video:
            plan.append((days.pop(), rng.choice(MORNINGS + AFTERNOONS), None))
            if rng.random() < 0.6 or not served:
                plan.append((days.pop(), rng.choice(MORNINGS + EVENINGS), None))
            if rng.random() < 0.15:
                plan.append((5, MORNINGS[1], None))  # Saturday morning
        for site in served:
            plan.append((days.pop(), rng.choice(AFTERNOONS + MORNINGS), site))
    for weekday, (starts_at, ends_at), site in plan:
        rules.append(
            WeeklyRule(
                mentor=profile,
                weekday=weekday,
                starts_at=starts_at,
                ends_at=ends_at,
                mode=MeetingMode.IN_PERSON if site else video,
                meeting_site=site,
            )
        )
    extras = []
    if number == 1 or rng.random() < 0.35:
        day = today + datetime.timedelta(days=rng.randint(3, 13))
        site = None if profile.offers_video else served[0]
        extras.append(
            ExtraWindow(
                mentor=profile,
                date=day,
                starts_at=datetime.time(16),
                ends_at=datetime.time(19),
                mode=MeetingMode.IN_PERSON if site else video,
                meeting_site=site,
            )
        )
    blocked = []
    if number == 1 or rng.random() < 0.3:
        if number == 1 or rng.random() < 0.5:
            starts_on, reason = today + datetime.timedelta(days=rng.randint(16, 30)), "Congés"
        else:
            starts_on, reason = today - datetime.timedelta(days=rng.randint(20, 70)), "Déplacement à l'étranger"
        blocked.append(
            BlockedPeriod(
                mentor=profile,
                starts_on=starts_on,
                ends_on=starts_on + datetime.timedelta(days=rng.randint(3, 9)),
                reason=reason,
            )
        )
    return rules, extras, blocked


def _bookable_startups(today: datetime.date) -> list[dict]:
    """The admitted startups with a demo founder: their home site (the most recent active
    admission, as `selectors.startup_home_site`), since when, and the founder who books."""
    founders = {}
    members = StartupMember.objects.filter(
        role=TeamRole.FOUNDER, user__email__endswith=f"@{DOMAIN}", startup__closed_on__isnull=True
    ).order_by("user__email", "pk")
    for startup_id, user_id, email in members.values_list("startup", "user", "user__email"):
        founders.setdefault(startup_id, (user_id, email))
    admissions = (
        Admission.objects.filter(startup__in=list(founders))
        .active_on(today)
        .order_by("startup", "-starts_on", "-pk")
        .values_list("startup", "site", "starts_on")
    )
    home = {}
    for startup_id, site_id, starts_on in admissions:
        home.setdefault(startup_id, (site_id, starts_on))
    return [
        {"id": startup_id, "site": home[startup_id][0], "since": home[startup_id][1], "booker": user_id, "email": email}
        for startup_id, (user_id, email) in sorted(founders.items(), key=lambda item: item[1][1])
        if startup_id in home
    ]


class _Planner:
    """Picks real slots for bookings: clear of the mentor's other bookings and buffer, of the
    startup's other sessions, within the quota per startup and month, in person only for a
    startup of that site, after the startup's admission."""

    def __init__(self, startups: list[dict]):
        self.startups = startups
        self.startup_busy: dict[int, list] = defaultdict(list)
        self.mentor_busy: dict[int, list] = defaultdict(list)
        self.monthly: dict[tuple, int] = defaultdict(int)

    def _load(self, startup: dict) -> int:
        return len(self.startup_busy[startup["id"]])

    def pick(self, rng, profile, slots, *, count: int, only: dict | None = None) -> list[tuple]:
        busy = self.mentor_busy[profile.pk]
        picked = []
        for slot in slots:
            if len(picked) >= count:
                break
            if not is_clear(slot, busy, profile.buffer):
                continue
            local_day = slot.local_start.date()
            # The least booked startups first (ties in random order): sessions spread evenly.
            candidates = [only] if only else sorted(rng.sample(self.startups, len(self.startups)), key=self._load)
            for startup in candidates:
                month = (profile.pk, startup["id"], local_day.year, local_day.month)
                if (
                    (slot.site_id and slot.site_id != startup["site"])
                    or startup["since"] > local_day
                    or self.monthly[month] >= profile.max_bookings_per_startup_month
                    or not is_clear(slot, self.startup_busy[startup["id"]], datetime.timedelta())
                ):
                    continue
                busy.append((slot.start, slot.end))
                self.monthly[month] += 1
                self.startup_busy[startup["id"]].append((slot.start, slot.end))
                picked.append((slot, startup))
                break
        return picked


# How many past sessions end otherwise than held, and upcoming ones already cancelled.
STARTUP_NO_SHOWS, MENTOR_NO_SHOWS, CANCELLED_PAST, CANCELLED_UPCOMING = 5, 2, 1, 1
HELD, UPCOMING, CANCELLED = "held", "upcoming", "cancelled"


def _booking(rng, pick: dict, outcome: str, now: datetime.datetime) -> Booking:
    """A booking of `pick` (profile, dimensions, slot, startup) ending as `outcome`: held
    (the mentor's notes and, often, a rating), a no-show, cancelled, or upcoming."""
    profile, slot, startup = pick["profile"], pick["slot"], pick["startup"]
    booking = Booking(
        mentor=profile,
        site_id=startup["site"],
        startup_id=startup["id"],
        booked_by_id=startup["booker"],
        starts_at=slot.start,
        ends_at=slot.end,
        mode=slot.mode,
        meeting_site_id=slot.site_id,
        topic=rng.choice(TOPICS[rng.choice(pick["dimensions"])]),
        questions=rng.choice(QUESTIONS),
    )
    if outcome == UPCOMING:
        return booking
    if outcome == CANCELLED:
        booking.status = BookingStatus.CANCELLED
        booking.cancelled_at = min(now, slot.start - datetime.timedelta(days=rng.randint(1, 3)))
        booking.cancelled_by_id = startup["booker"]
        booking.cancel_reason = rng.choice(CANCEL_REASONS)
        return booking
    booking.reminded_at = slot.start - datetime.timedelta(hours=23)
    booking.attendance = outcome
    if outcome == Attendance.STARTUP_NO_SHOW:
        booking.attendance_marked_by_id = profile.user_id
        return booking
    if outcome == Attendance.MENTOR_NO_SHOW:
        booking.attendance_marked_by_id = startup["booker"]
        return booking
    booking.attendance_marked_by_id = profile.user_id
    booking.note = rng.choice(NOTES)
    booking.note_updated_at = min(now, slot.end + datetime.timedelta(hours=rng.randint(1, 30)))
    if pick["tour"] or rng.random() < 0.85:
        booking.rating = rng.choices([5, 4, 3, 2], weights=[6, 4, 1, 0.5])[0]
        booking.rating_comment = rng.choice(COMMENTS)
        booking.rated_at = min(now, slot.end + datetime.timedelta(hours=rng.randint(2, 72)))
    return booking


def _bookings(profiles: list[tuple[int, MentorProfile, list]], availability: dict, today, now) -> list[Booking]:
    startups = _bookable_startups(today)
    if not startups:
        return []
    rng = random.Random(2029)
    planner = _Planner(startups)
    first_founder = next((s for s in startups if s["email"] == f"founder.1@{DOMAIN}"), None)
    date_from, date_to = today - datetime.timedelta(days=90), today + datetime.timedelta(days=14)
    earliest = now + datetime.timedelta(hours=24)
    past_picks, upcoming_picks = [], []
    for number, profile, dimensions in profiles:
        if profile.status != ProfileStatus.PUBLISHED:
            continue
        rules, extras, blocked = availability[number]
        slots = expand(
            windows(rules=rules, extras=extras, blocked=blocked, date_from=date_from, date_to=date_to),
            length=profile.session_length,
            buffer=profile.buffer,
        )
        past = [slot for slot in slots if slot.end <= now and slot.local_start.date() < today]
        upcoming = [slot for slot in slots if slot.start >= earliest]
        tour_past, tour_upcoming = [], []
        if number == 1 and first_founder:
            # The demo tour: founder.1's startup met mentor.1 recently and meets them again soon.
            tour_past = planner.pick(rng, profile, past[::-1], count=1, only=first_founder)
            tour_upcoming = planner.pick(rng, profile, upcoming, count=1, only=first_founder)
        taken = {slot for slot, _startup in tour_past + tour_upcoming}
        past = [slot for slot in past if slot not in taken]
        upcoming = [slot for slot in upcoming if slot not in taken]
        rng.shuffle(past)
        rng.shuffle(upcoming)
        more_past = planner.pick(rng, profile, past, count=rng.randint(2, 5))
        more_upcoming = planner.pick(rng, profile, upcoming, count=3 if number == 1 else rng.choice([0, 1, 1, 2]))
        for picks, into in ((tour_past, past_picks), (tour_upcoming, upcoming_picks)):
            into += [
                {"profile": profile, "dimensions": dimensions, "slot": s, "startup": t, "tour": True} for s, t in picks
            ]
        for picks, into in ((more_past, past_picks), (more_upcoming, upcoming_picks)):
            into += [
                {"profile": profile, "dimensions": dimensions, "slot": s, "startup": t, "tour": False} for s, t in picks
            ]

    outcomes = {}
    others = [index for index, pick in enumerate(past_picks) if not pick["tour"]]
    special = rng.sample(others, min(len(others), STARTUP_NO_SHOWS + MENTOR_NO_SHOWS + CANCELLED_PAST))
    for index, outcome in zip(
        special,
        [Attendance.STARTUP_NO_SHOW] * STARTUP_NO_SHOWS + [Attendance.MENTOR_NO_SHOW] * MENTOR_NO_SHOWS + [CANCELLED],
        strict=False,
    ):
        outcomes[index] = outcome
    rows = [_booking(rng, pick, outcomes.get(index, Attendance.HELD), now) for index, pick in enumerate(past_picks)]
    others = [index for index, pick in enumerate(upcoming_picks) if not pick["tour"]]
    cancelled = set(rng.sample(others, min(len(others), CANCELLED_UPCOMING)))
    rows += [
        _booking(rng, pick, CANCELLED if index in cancelled else UPCOMING, now)
        for index, pick in enumerate(upcoming_picks)
    ]
    return rows


@transaction.atomic
def seed_mentors(mentor_users: list[User]) -> int:
    """Create the profiles of the demo mentor accounts that have none yet, with their
    availability and bookings; returns how many profiles were created."""
    now = timezone.now()
    today = timezone.localdate()
    existing = set(MentorProfile.objects.filter(user__in=mentor_users).values_list("user_id", flat=True))
    todo = [
        (number, user, entry)
        for number, (user, entry) in enumerate(zip(mentor_users, PROFILES, strict=False), start=1)
        if user.pk not in existing
    ]
    if not todo:
        return 0
    sites = {site.slug: site for site in Site.objects.filter(status=SiteStatus.OPERATIONAL)}
    if not sites:
        return 0  # the demo sites come first
    staff = User.objects.filter(email=f"staff@{DOMAIN}").first()
    languages = {language.code: language for language in Language.objects.all()}
    sectors = {sector.code: sector for sector in Sector.objects.all()}
    tag_names = sorted({name for *_rest, tags, _sectors in PROFILES for name in tags})
    Tag.objects.bulk_create([Tag(name=name) for name in tag_names], ignore_conflicts=True)
    tags = {tag.name: tag for tag in Tag.objects.filter(name__in=tag_names)}

    plan = [(number, entry, *_profile(number, user, entry, sites, staff, now)) for number, user, entry in todo]
    MentorProfile.objects.bulk_create([profile for _n, _e, profile, _served in plan])
    ids = dict(MentorProfile.objects.filter(user__in=[user for _n, user, _e in todo]).values_list("user_id", "pk"))
    dimensions, through = [], defaultdict(list)
    availability, profiles = {}, []
    for number, entry, profile, served in plan:
        profile.pk = ids[profile.user_id]
        _kind, codes, _where, _org, _headline, _focus, dims, tag_list, sector_codes = entry
        profiles.append((number, profile, dims))
        dimensions += [MentorDimension(mentor_id=profile.pk, dimension=dimension) for dimension in dims]
        through["languages"] += [(profile.pk, languages[code].pk) for code in codes.split() if code in languages]
        through["sectors"] += [(profile.pk, sectors[code].pk) for code in sector_codes if code in sectors]
        through["tags"] += [(profile.pk, tags[name].pk) for name in tag_list]
        through["sites"] += [(profile.pk, site.pk) for site in served]
        if profile.status != ProfileStatus.DRAFT:
            availability[number] = _availability(number, profile, served, today)
    MentorDimension.objects.bulk_create(dimensions)
    for field, pairs in through.items():
        relation = getattr(MentorProfile, field)
        model, source, target = (
            relation.through,
            relation.field.m2m_field_name(),
            relation.field.m2m_reverse_field_name(),
        )
        model.objects.bulk_create(
            [model(**{f"{source}_id": mentor_id, f"{target}_id": target_id}) for mentor_id, target_id in pairs]
        )
    WeeklyRule.objects.bulk_create([rule for rules, _extras, _blocked in availability.values() for rule in rules])
    ExtraWindow.objects.bulk_create([extra for _rules, extras, _blocked in availability.values() for extra in extras])
    BlockedPeriod.objects.bulk_create([period for _r, _e, blocked in availability.values() for period in blocked])

    bookings = _bookings(profiles, availability, today, now)
    Booking.objects.bulk_create(bookings, batch_size=500)
    # Booked about a week before the session (`created_at` is set on insert).
    Booking.objects.filter(mentor__in=[profile.pk for _n, profile, _d in profiles]).update(
        created_at=F("starts_at") - datetime.timedelta(days=6)
    )
    return len(plan)
