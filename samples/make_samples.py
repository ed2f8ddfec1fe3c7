"""Write the three sample spreadsheets of `samples/` (run: python samples/make_samples.py).

- portal-customers.xlsx: a clean sheet in the portal's own labels, the portal's example
  customer Copaco among the rows;
- klanten-nl.csv: a messy Dutch CSV (semicolons, Windows-1252, Dutch headers in another
  order, an unknown column, a blank line) with typical mistakes;
- multi-country.xlsx: a title row above mixed English/German/French headers, customers
  from six countries, a few of them wrong.
"""

from __future__ import annotations

import csv
from pathlib import Path

from openpyxl import Workbook

from schemas.fields import FIELDS

HERE = Path(__file__).resolve().parent
LABELS = [field.label for field in FIELDS.values()]

PORTAL_ROWS = [
    ["Copaco", "Copaco Nederland B.V.", "00123", "17087985", "NL006486253B01", "EUR", "Commercial",
     "Netherlands", "Eindhoven", "", "Hurksestraat 45", "", "5652 AW", "Jan", "Jansen",
     "Purchasing manager", "jan.jansen@copaco.com", "+31(0)40 123 4567"],
    ["Brightline", "Brightline Data B.V.", "00124", "34251189", "NL945807302B01", "EUR", "Commercial",
     "Netherlands", "Amsterdam", "", "Keizersgracht 100", "3e verdieping", "1015 CW", "Sophie",
     "de Vries", "IT manager", "s.devries@brightline.nl", "+31 20 555 0143"],
    ["Zorggroep Oost", "Stichting Zorggroep Oost", "00125", "41025687", "NL215736813B01", "EUR",
     "Healthcare", "Netherlands", "Zwolle", "", "Dokter van Heesweg 2", "", "8025 AB", "Pieter",
     "Bakker", "CFO", "p.bakker@zorggroep-oost.nl", "+31 38 424 2424"],
    ["Nordlicht", "Nordlicht Software GmbH", "00126", "München HRB 123456", "DE136695976", "EUR",
     "Commercial", "Germany", "München", "", "Leopoldstraße 12", "", "80802", "Lukas", "Müller",
     "Head of Procurement", "lukas.mueller@nordlicht.de", "+49 89 12345678"],
    ["Stadtwerke Nord", "Stadtwerke Nord GmbH", "00127", "Hamburg HRB 98765", "DE129273398", "EUR",
     "Government", "Germany", "Hamburg", "", "Hafenstraße 5", "", "20359", "Lena", "Schmidt",
     "IT manager", "l.schmidt@stadtwerke-nord.de", "+49 40 30051234"],
    ["Atelier Gent", "Atelier Gent BV", "00128", "0403.170.701", "BE0403170701", "EUR", "Education",
     "Belgium", "Gent", "", "Veldstraat 20", "", "9000", "Luc", "Peeters", "Directeur",
     "luc.peeters@ateliergent.be", "+32 9 234 56 78"],
    ["Maison Bleue", "Maison Bleue SAS", "00129", "732829320", "FR44732829320", "EUR", "Commercial",
     "France", "Paris", "", "12 rue de Rivoli", "", "75001", "Marie", "Dubois", "Responsable achats",
     "marie.dubois@maisonbleue.fr", "+33 1 42 60 30 30"],
    ["Thames IT", "Thames IT Ltd", "00130", "01234567", "GB980780684", "GBP", "Commercial",
     "United Kingdom", "London", "", "10 Downing Street", "", "SW1A 2AA", "Oliver", "Smith",
     "Operations director", "oliver.smith@thamesit.co.uk", "+44 20 7946 0018"],
    ["Pacific Labs", "Pacific Labs Inc.", "00131", "C1234567", "12-3456789", "USD", "Healthcare",
     "USA", "San Francisco", "CA", "500 Howard Street", "Suite 300", "94105", "Emily", "Johnson",
     "Procurement lead", "emily.johnson@pacificlabs.com", "+1 415 555 0132"],
    ["Lone Star", "Lone Star Schools", "00132", "TX-88213", "95-1234567", "USD", "Education",
     "United States", "Austin", "Texas", "1100 Congress Ave", "", "78701", "Daniel", "Garcia",
     "IT director", "d.garcia@lonestar.edu", "+1 512 555 0199"],
    ["Utrechtse Bouw", "Utrechtse Bouw B.V.", "00133", "30112233", "NL930364260B01", "EUR",
     "Commercial", "NL", "Utrecht", "Utrecht", "Croeselaan 1", "", "3521 BJ", "Daan", "Visser",
     "Office manager", "daan.visser@utrechtsebouw.nl", "030-2345678"],
    ["Brabant Energie", "Brabant Energie B.V.", "00134", "17345678", "NL212997221B01", "EUR",
     "Non-profit", "Netherlands", "Breda", "Noord-Brabant", "Stationsplein 3", "", "4811 BB",
     "Emma", "Jansen", "Controller", "emma.jansen@brabantenergie.nl", "+31 76 522 0000"],
]  # fmt: skip

DUTCH_HEADERS = [
    "Klantnummer", "Bedrijfsnaam", "Korte naam", "BTW-nummer", "KvK-nummer", "Land", "Plaats",
    "Provincie", "Adres", "Adresregel 2", "Postcode", "Valuta", "Branche", "Voornaam", "Achternaam",
    "Functie", "E-mailadres", "Telefoonnummer", "Opmerkingen",
]  # fmt: skip

DUTCH_ROWS = [
    # Messy but valid: lower-case postcode, country names, `non profit`, VAT without NL, spaces.
    ["1001", "Bakkerij  de Gouden   Korenaar B.V.", "Gouden Korenaar", "100000009B01", "12345678",
     "nederland", "Haarlem", "", "Grote Markt 1", "", "2011rd", "eur", "Commercial", "Anouk",
     "de Boer", "Eigenaar", "anouk@goudenkorenaar.nl", "023-5311234", "vaste klant"],
    ["1002", "Stichting Café Ümit", "Café Ümit", "NL100000010B01", "23456789", "Holland",
     "Rotterdam", "Zuid-Holland", "Witte de Withstraat 50", "", "3012 BR", "Euro", "non profit",
     "Ümit", "Yilmaz", "Voorzitter", "info@cafeumit.nl", "+31 10 412 3456", ""],
    ["1003", "Zuidas Legal B.V.", "Zuidas Legal", "NL 0064.86.253.B01", "34567890", "NL", "Amsterdam",
     "", "Gustav Mahlerplein 2", "12e etage", "1082 MA", "EUR", "Commercial", "Thijs", "Hendriks",
     "Office manager", "t.hendriks@zuidaslegal.nl", "+31(0)20 799 0000", "BTW met punten getypt"],
    ["1004", "Gemeente Veldhoven", "Veldhoven", "nl100000022b01", "45678901", "Nederland",
     "Veldhoven", "Noord Brabant", "Meiveld 1", "", "5501 KA", "EUR", "Government", "Femke",
     "van Dijk", "Inkoper", "f.vandijk@veldhoven.nl", "040 258 4444", ""],
    ["1005", "Hogeschool Utrecht", "HU", "NL215736813B01", "56789012", "The Netherlands", "Utrecht",
     "", "Padualaan 99", "", "3584 CH", "EUR", "Education", "Bram", "Smit", "IT-beheer",
     "bram.smit@hu.nl", "+31 88 481 8283", ""],
    ["1006", "Friesland Zuivel B.V.", "Friesland Zuivel", "NL100000024B01", "67890123", "NL",
     "Leeuwarden", "Fryslân", "Stationsweg 1", "", "8911 AC", "EUR", "Commercial", "Sjoerd",
     "Hoekstra", "CFO", "s.hoekstra@frieslandzuivel.nl", "058-2345678", ""],
    ["1007", "Drukkerij Tilburg B.V.", "Drukkerij Tilburg", "NL100000034B01", "78901234", "NL",
     "Tilburg", "", "Spoorlaan 10", "", "5038 CB", "€", "Commercial", "Joost", "Maas",
     "Inkoop", "joost@drukkerijtilburg.nl", "013 583 5000", ""],
    ["1008", "Zorgcentrum Eikelenburg", "Eikelenburg", "NL100000046B01", "89012345", "NL", "Delft",
     "", "Eikelenburg 2", "", "2612 XX", "EUR", "Healthcare", "Ingrid", "Mulder", "Directeur",
     "i.mulder@eikelenburg.nl", "015-2123456", ""],
    ["1009", "Groningen Tech B.V.", "Groningen Tech", "NL215736813B01", "90123456", "NL",
     "Groningen", "", "Zernikelaan 8", "", "9747 AA", "EUR", "Commercial", "Wouter", "Kok",
     "CTO", "wouter@groningentech.nl", "050 123 4567", "zelfde BTW als HU"],
    ["1010", "Maastricht Events", "MaaEvents", "NL100000058B01", "01234567", "Nederland",
     "Maastricht", "Limburg", "Vrijthof 1", "", "6211 LD", "EUR", "Commercial", "Loes", "Janssen",
     "Eventmanager", "loes@maaevents.nl", "+31 43 321 0000", ""],
    # Typical mistakes.
    ["1011", "Foute BTW B.V.", "Foute BTW", "NL006486253B02x", "11223344", "NL", "Almere", "",
     "Marktplein 1", "", "1315 HR", "EUR", "Commercial", "Kees", "Bos", "Inkoop",
     "kees@foutebtw.nl", "036 539 9911", ""],
    ["1012", "Portal Voorbeeld B.V.", "Voorbeeld", "NL945807302B01", "22334455", "NL", "Arnhem", "",
     "Jansbuitensingel 1", "", "6811 AA", "EUR", "Commercial", "Piet", "Pietersen", "Inkoop",
     "piet@", "+31(0)123456789", "nummer uit het portal"],
    ["1013", "Postcode Fout B.V.", "Postcode Fout", "NL930364260B01", "33445566", "NL", "Nijmegen",
     "", "Kelfkensbos 1", "", "12345", "EUR", "Commercial", "Sanne", "de Groot", "Inkoop",
     "sanne@postcodefout.nl", "024 322 2222", ""],
    ["1014", "Dubbel Nummer B.V.", "Dubbel 1", "NL212997221B01", "44556677", "NL", "Enschede", "",
     "Oude Markt 1", "", "7511 GA", "EUR", "Commercial", "Tim", "Vos", "Inkoop",
     "tim@dubbel.nl", "053 481 8181", ""],
    ["1014", "Dubbel Nummer Twee B.V.", "Dubbel 2", "NL003322452B01", "55667788", "NL", "Hengelo",
     "", "Marktstraat 2", "", "7551 DT", "EUR", "Commercial", "Eva", "Vos", "Inkoop",
     "eva@dubbel.nl", "074 245 9876", "zelfde klantnummer"],
    ["1015", "Zonder Plaats B.V.", "Zonder Plaats", "NL562241541B01", "66778899", "NL", "", "",
     "Ergens 1", "", "8000 AA", "EUR", "Commercial", "Lars", "Meijer", "Inkoop",
     "lars@zonderplaats.nl", "038 421 0000", "plaats vergeten"],
]  # fmt: skip

MULTI_HEADERS = [
    "Company short name", "Firmenname", "Kundennummer", "Handelsregisternummer", "USt-IdNr.",
    "Währung", "Branche", "Country", "Ville", "State/Province", "Straße", "Complément d'adresse",
    "PLZ", "Prénom", "Nachname", "Fonction", "Courriel", "Téléphone",
]  # fmt: skip

MULTI_ROWS = [
    ["Alpen IT", "Alpen IT GmbH", "000201", "München HRB 201201", "DE136695976", "EUR", "Commercial",
     "Deutschland", "München", "", "Sonnenstraße 1", "", "80331", "Max", "Huber", "Einkauf",
     "max.huber@alpenit.de", "+49 89 2345678"],
    ["Rhein Logistik", "Rhein Logistik GmbH", "000202", "Köln HRB 55123", "DE129273398", "EUR",
     "Commercial", "Germany", "Köln", "", "Rheinauhafen 3", "Halle 4", "50678", "Jonas", "Becker",
     "Leiter IT", "j.becker@rheinlogistik.de", "0221 2345678"],
    ["Berliner Bildung", "Berliner Bildung gGmbH", "000203", "Berlin (Charlottenburg) HRB 77001",
     "DE811907980", "EUR", "Education", "DE", "Berlin", "", "Unter den Linden 6", "", "10117",
     "Clara", "Wagner", "Geschäftsführerin", "c.wagner@berliner-bildung.de", "+49 30 20930000"],
    ["Hanse Med", "Hanse Med GmbH", "000204", "Hamburg HRB 123987", "DE136695978", "EUR",
     "Healthcare", "Germany", "Hamburg", "", "Jungfernstieg 7", "", "20354", "Paul", "Koch",
     "Einkauf", "paul.koch@hansemed.de", "+49 40 3567890"],  # VAT check digit wrong
    ["Lyon Conseil", "Lyon Conseil SARL", "000205", "552100554", "FR96552100554", "EUR",
     "Commercial", "France", "Lyon", "", "1 place Bellecour", "", "69002", "Camille", "Martin",
     "Directrice", "camille.martin@lyonconseil.fr", "+33 4 72 00 00 00"],
    ["Bordeaux Vins", "Bordeaux Vins SA", "000206", "73282932000074", "FR44732829320", "EUR",
     "Commercial", "FR", "Bordeaux", "", "10 cours de l'Intendance", "", "33000", "Hugo", "Bernard",
     "Acheteur", "hugo.bernard@bordeauxvins.fr", "05 56 00 00 00"],
    ["Liège Santé", "Liège Santé SRL", "000207", "0403.170.701", "BE0403170701", "EUR", "Healthcare",
     "Belgique", "Liège", "", "Place Saint-Lambert 1", "", "4000", "Julie", "Lambert", "Directrice",
     "julie.lambert@liegesante.be", "+32 4 220 00 00"],
    ["Antwerp Ports", "Antwerp Ports NV", "000208", "0202.239.951", "BE0202239951", "EUR",
     "Government", "België", "Antwerpen", "", "Zaha Hadidplein 1", "", "123", "Koen", "Maes",
     "Aankoop", "koen.maes@antwerpports.be", "+32 3 205 20 11"],  # postcode wrong
    ["Delta Water", "Delta Water B.V.", "000209", "24325678", "NL006486253B01", "EUR", "Government",
     "Netherlands", "Middelburg", "Zeeland", "Abdij 1", "", "4331 BK", "Anne", "de Jong",
     "Inkoop", "anne.dejong@deltawater.nl", "+31 118 123 456"],
    ["Wiener Design", "Wiener Design GmbH", "000210", "FN 123456a", "ATU13585627", "EUR",
     "Commercial", "Austria", "Wien", "", "Stephansplatz 1", "", "1010", "Felix", "Gruber",
     "Einkauf", "felix.gruber@wienerdesign.at", "+43 1 5134567"],
    ["Bay Health", "Bay Health Inc.", "000211", "C2345678", "12-3456789", "USD", "Healthcare", "USA",
     "Oakland", "", "1 Frank Ogawa Plaza", "", "94612", "Grace", "Lee", "Buyer",
     "grace.lee@bayhealth.org", "+1 510 555 0100"],  # state missing
    ["Empire Schools", "Empire Schools Inc.", "000212", "NY-55621", "95-1234567", "USD", "Education",
     "United States", "New York", "NY", "350 Fifth Avenue", "Floor 20", "10118", "Michael", "Brown",
     "IT director", "m.brown@empire-schools", "+1 212 555 0177"],  # e-mail without domain
]  # fmt: skip


def write_xlsx(path: Path, records: list[list[str]]) -> None:
    """Every cell as text, as a team's sheet with a text-formatted ERP ID column holds it."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Customers"
    for number, record in enumerate(records, start=1):
        for column, value in enumerate(record, start=1):
            if value != "":
                cell = sheet.cell(row=number, column=column, value=value)
                cell.data_type = "s"
                cell.number_format = "@"
    workbook.save(path)


def main() -> None:
    write_xlsx(HERE / "portal-customers.xlsx", [LABELS, *PORTAL_ROWS])
    with (HERE / "klanten-nl.csv").open("w", newline="", encoding="cp1252") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(DUTCH_HEADERS)
        writer.writerows(DUTCH_ROWS[:6])
        writer.writerow([""] * len(DUTCH_HEADERS))  # a blank line people leave in
        writer.writerows(DUTCH_ROWS[6:])
    write_xlsx(HERE / "multi-country.xlsx", [["Customer import Q4"], [], MULTI_HEADERS, *MULTI_ROWS])


if __name__ == "__main__":
    main()
