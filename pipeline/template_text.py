"""The words of `onboard template` in each of its languages: the rule of every column (its
input message) and the Instructions sheet. Headers come from `template.header`."""

from __future__ import annotations

from dataclasses import dataclass

# The template's languages; the CLI offers them without loading the field registry.
LANGUAGES = ("en", "nl", "de", "fr")


@dataclass(frozen=True)
class Texts:
    """One language's words for the template."""

    customers_sheet: str
    instructions_sheet: str
    required: str
    optional: str
    example: str
    table_header: tuple[str, str, str]
    # What Excel says of a value outside a drop-down: refused (industry), or only warned.
    not_in_list_refused: str
    not_in_list_warned: str
    # {sheet}, {industries} are filled in; the first line is the title.
    instructions: tuple[str, ...]
    rules: dict[str, str]


_EN = Texts(
    customers_sheet="Customers",
    instructions_sheet="Instructions",
    required="Required.",
    optional="Optional.",
    example="Example:",
    table_header=("Column", "Rule", "Example"),
    not_in_list_refused="Choose a value from the list.",
    not_in_list_warned="Not in the list: check it, or keep it if you are sure.",
    instructions=(
        "How to fill in this customer template",
        "",
        "1. One customer a row on the '{sheet}' sheet, from row 2 down. Keep the header row as it is.",
        "2. Dark headers are required; light headers are optional (fill them where the country needs them).",
        "3. Select a cell to see the rule and an example for its column. Country, currency and industry "
        "have drop-down lists.",
        "4. ERP ID, registration number, VAT number, postcode and phone number are text cells: "
        "leading zeros and + signs stay as typed.",
        "5. Industries: {industries}.",
        "6. Save the file as .xlsx and check it: onboard validate FILE",
        "   then import it: onboard import FILE (or drop it into the inbox/ folder of the drop folder).",
        "",
        "Every column, its rule and an example:",
    ),
    rules={
        "short_name": "The name shown in lists; at most 50 characters.",
        "full_name": "The registered legal name; at most 200 characters.",
        "erp_id": "Your number for the customer in your bookkeeping; unique in the file. "
        "Leading zeros are kept.",
        "registration_number": "Chamber-of-commerce number, checked for the country: NL KvK 8 digits, "
        "BE enterprise number, FR SIREN/SIRET, DE court and HRB number.",
        "tax_id": "VAT number of the customer's country; the country prefix may be left out.",
        "currency": "Choose the ISO code from the list.",
        "industry": "Choose one from the list.",
        "country": "Choose from the list; ISO codes (NL) and local names (Nederland) are accepted too.",
        "city": "The city of the primary address.",
        "state": "Required where the country needs one (US, CA, AU, …): a state or province of the country.",
        "address": "Street and house number, as written on a letter.",
        "address2": "Building, floor, department.",
        "postal_code": "The country's postcode format; leave empty where the country has none.",
        "contact_first_name": "First name of the primary contact.",
        "contact_last_name": "Last name of the primary contact, with its particles.",
        "contact_role": "Job title of the primary contact.",
        "contact_email": "E-mail address of the primary contact.",
        "contact_phone": "Phone number valid for the country; best with the country code.",
    },
)

_NL = Texts(
    customers_sheet="Klanten",
    instructions_sheet="Instructies",
    required="Verplicht.",
    optional="Optioneel.",
    example="Voorbeeld:",
    table_header=("Kolom", "Regel", "Voorbeeld"),
    not_in_list_refused="Kies een waarde uit de lijst.",
    not_in_list_warned="Niet in de lijst: controleer het, of houd het als u het zeker weet.",
    instructions=(
        "Zo vult u dit klantsjabloon in",
        "",
        "1. Eén klant per rij op het blad '{sheet}', vanaf rij 2. Laat de kopregel zoals hij is.",
        "2. Donkere kolomkoppen zijn verplicht, lichte optioneel (vul ze in waar het land erom vraagt).",
        "3. Selecteer een cel voor de regel en een voorbeeld van de kolom. Land, valuta en branche "
        "hebben een keuzelijst.",
        "4. Klantnummer, KvK-nummer, btw-nummer, postcode en telefoonnummer zijn tekstcellen: "
        "voorloopnullen en +-tekens blijven zoals getypt.",
        "5. Branches: {industries}.",
        "6. Sla het bestand op als .xlsx en controleer het: onboard validate BESTAND",
        "   importeer het daarna: onboard import BESTAND (of zet het in de map inbox/ van de dropmap).",
        "",
        "Alle kolommen, hun regel en een voorbeeld:",
    ),
    rules={
        "short_name": "De naam in overzichten; hoogstens 50 tekens.",
        "full_name": "De statutaire naam; hoogstens 200 tekens.",
        "erp_id": "Uw nummer voor de klant in uw boekhouding; uniek in het bestand. "
        "Voorloopnullen blijven staan.",
        "registration_number": "KvK-nummer, gecontroleerd voor het land: NL KvK 8 cijfers, "
        "BE ondernemingsnummer, FR SIREN/SIRET, DE rechtbank en HRB-nummer.",
        "tax_id": "Btw-nummer van het land van de klant; het landprefix mag weg.",
        "currency": "Kies de ISO-code uit de lijst.",
        "industry": "Kies een branche uit de lijst.",
        "country": "Kies uit de lijst; ISO-codes (NL) en namen in de eigen taal (Nederland) mogen ook.",
        "city": "De plaats van het hoofdadres.",
        "state": "Verplicht waar het land erom vraagt (US, CA, AU, …): een staat of provincie van het land.",
        "address": "Straat en huisnummer, zoals op een brief.",
        "address2": "Gebouw, verdieping, afdeling.",
        "postal_code": "De postcode in het formaat van het land; leeg waar het land geen postcodes kent.",
        "contact_first_name": "Voornaam van de contactpersoon.",
        "contact_last_name": "Achternaam van de contactpersoon, met tussenvoegsels.",
        "contact_role": "Functie van de contactpersoon.",
        "contact_email": "E-mailadres van de contactpersoon.",
        "contact_phone": "Telefoonnummer, geldig voor het land; liefst met landcode.",
    },
)

_DE = Texts(
    customers_sheet="Kunden",
    instructions_sheet="Anleitung",
    required="Pflichtfeld.",
    optional="Optional.",
    example="Beispiel:",
    table_header=("Spalte", "Regel", "Beispiel"),
    not_in_list_refused="Bitte einen Wert aus der Liste wählen.",
    not_in_list_warned="Nicht in der Liste: bitte prüfen, oder behalten, wenn es stimmt.",
    instructions=(
        "So füllen Sie diese Kundenvorlage aus",
        "",
        "1. Ein Kunde pro Zeile im Blatt '{sheet}', ab Zeile 2. Die Kopfzeile bleibt, wie sie ist.",
        "2. Dunkle Spaltenköpfe sind Pflicht, helle optional (ausfüllen, wo das Land sie verlangt).",
        "3. Wählen Sie eine Zelle, um Regel und Beispiel der Spalte zu sehen. Land, Währung und Branche "
        "haben Auswahllisten.",
        "4. Kundennummer, Handelsregisternummer, USt-IdNr., PLZ und Telefonnummer sind Textzellen: "
        "führende Nullen und +-Zeichen bleiben wie eingegeben.",
        "5. Branchen: {industries}.",
        "6. Als .xlsx speichern und prüfen: onboard validate DATEI",
        "   danach importieren: onboard import DATEI (oder in den Ordner inbox/ des Ablageordners legen).",
        "",
        "Alle Spalten mit Regel und Beispiel:",
    ),
    rules={
        "short_name": "Der Name in Listen; höchstens 50 Zeichen.",
        "full_name": "Der eingetragene Firmenname; höchstens 200 Zeichen.",
        "erp_id": "Ihre Nummer des Kunden in der Buchhaltung; eindeutig in der Datei. "
        "Führende Nullen bleiben.",
        "registration_number": "Registernummer, für das Land geprüft: DE Registergericht und HRB-Nummer, "
        "NL KvK 8 Ziffern, BE Unternehmensnummer, FR SIREN/SIRET.",
        "tax_id": "USt-IdNr. aus dem Land des Kunden; das Länderkürzel darf fehlen.",
        "currency": "ISO-Code aus der Liste wählen.",
        "industry": "Eine Branche aus der Liste wählen.",
        "country": "Aus der Liste wählen; ISO-Codes (DE) und Landesnamen (Deutschland) gehen auch.",
        "city": "Der Ort der Hauptadresse.",
        "state": "Pflicht, wo das Land es verlangt (US, CA, AU, …): ein Bundesstaat oder "
        "eine Provinz des Landes.",
        "address": "Straße und Hausnummer, wie auf einem Brief.",
        "address2": "Gebäude, Etage, Abteilung.",
        "postal_code": "Die Postleitzahl im Format des Landes; leer, wo das Land keine hat.",
        "contact_first_name": "Vorname des Ansprechpartners.",
        "contact_last_name": "Nachname des Ansprechpartners, mit Namenszusatz (von, van).",
        "contact_role": "Funktion des Ansprechpartners.",
        "contact_email": "E-Mail-Adresse des Ansprechpartners.",
        "contact_phone": "Telefonnummer, gültig für das Land; am besten mit Ländervorwahl.",
    },
)

_FR = Texts(
    customers_sheet="Clients",
    instructions_sheet="Instructions",
    required="Obligatoire.",
    optional="Facultatif.",
    example="Exemple :",
    table_header=("Colonne", "Règle", "Exemple"),
    not_in_list_refused="Choisissez une valeur dans la liste.",
    not_in_list_warned="Absent de la liste : vérifiez-le, ou gardez-le si vous en êtes sûr.",
    instructions=(
        "Comment remplir ce modèle de clients",
        "",
        "1. Un client par ligne dans la feuille '{sheet}', à partir de la ligne 2. Ne modifiez pas la "
        "ligne d'en-tête.",
        "2. Les en-têtes foncés sont obligatoires, les clairs facultatifs (à remplir si le pays l'exige).",
        "3. Sélectionnez une cellule pour voir la règle et un exemple de sa colonne. Pays, devise et "
        "secteur ont une liste déroulante.",
        "4. Numéro client, numéro d'immatriculation, numéro de TVA, code postal et téléphone sont des "
        "cellules texte : les zéros en tête et le signe + restent tels quels.",
        "5. Secteurs : {industries}.",
        "6. Enregistrez le fichier en .xlsx et vérifiez-le : onboard validate FICHIER",
        "   puis importez-le : onboard import FICHIER (ou déposez-le dans le dossier inbox/).",
        "",
        "Chaque colonne, sa règle et un exemple :",
    ),
    rules={
        "short_name": "Le nom affiché dans les listes ; 50 caractères au plus.",
        "full_name": "La raison sociale ; 200 caractères au plus.",
        "erp_id": "Votre numéro du client dans votre comptabilité ; unique dans le fichier. "
        "Les zéros en tête sont conservés.",
        "registration_number": "Numéro d'immatriculation, vérifié selon le pays : FR SIREN/SIRET, "
        "BE numéro d'entreprise, NL KvK 8 chiffres, DE tribunal et numéro HRB.",
        "tax_id": "Numéro de TVA du pays du client ; le préfixe du pays peut être omis.",
        "currency": "Choisissez le code ISO dans la liste.",
        "industry": "Choisissez un secteur dans la liste.",
        "country": "Choisissez dans la liste ; les codes ISO (FR) et les noms locaux (France) sont acceptés.",
        "city": "La ville de l'adresse principale.",
        "state": "Obligatoire si le pays l'exige (US, CA, AU, …) : un État ou une province du pays.",
        "address": "Rue et numéro, comme sur une lettre.",
        "address2": "Bâtiment, étage, service.",
        "postal_code": "Le code postal au format du pays ; vide si le pays n'en a pas.",
        "contact_first_name": "Prénom du contact principal.",
        "contact_last_name": "Nom du contact principal, avec sa particule.",
        "contact_role": "Fonction du contact principal.",
        "contact_email": "Adresse e-mail du contact principal.",
        "contact_phone": "Numéro de téléphone valable pour le pays ; de préférence avec l'indicatif.",
    },
)

TEXTS: dict[str, Texts] = {"en": _EN, "nl": _NL, "de": _DE, "fr": _FR}
