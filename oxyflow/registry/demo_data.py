"""The demo region's data: Batna (Algeria) and Bình Phước (Viet Nam) as they stood in 2021.

Illustrative numbers for demonstrations and training, not an operational dataset. Place
names, codes and most figures come from published sources (press quoting officials,
company statements, public datasets); each number carries its basis in a comment: a
source tag such as ``[A15]`` (publications listed in ``docs/demo-region.md``) or
``ESTIMATE`` where it was derived or assumed. People, phone numbers, e-mail addresses
and vehicle codes are fictional.

:mod:`oxyflow.registry.demo` loads these tables into the registry.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time

from oxyflow.accounts.models import Role
from oxyflow.core import units

# The data tables are laid out by hand, one row a line, so they stay readable as tables.
# fmt: off

# --------------------------------------------------------------------------- regions

# code, name, local name, time zone, weekend days (0 = Monday), default LOX unit.
COUNTRIES = [
    ("DZ", "Algeria", "الجزائر", "Africa/Algiers", [4, 5], "L"),  # Fri–Sat since 2009 [A56]
    ("VN", "Viet Nam", "Việt Nam", "Asia/Ho_Chi_Minh", [5, 6], "kg"),
]

# code, country, name, local name, seat lat, lon, population. The neighbouring provinces
# only hold producers: their coordinates and populations are left blank.
PROVINCES = [
    # Seat coordinates [A6]; population: 2008 census [A1] (no 2021 figure was found).
    ("DZ-05", "DZ", "Batna", "باتنة", "35.561", "6.174", 1_119_791),
    ("DZ-16", "DZ", "Alger", "الجزائر", None, None, None),
    ("DZ-18", "DZ", "Jijel", "جيجل", None, None, None),
    ("DZ-21", "DZ", "Skikda", "سكيكدة", None, None, None),
    ("DZ-23", "DZ", "Annaba", "عنابة", None, None, None),
    ("DZ-30", "DZ", "Ouargla", "ورقلة", None, None, None),
    ("DZ-40", "DZ", "Khenchela", "خنشلة", None, None, None),
    # Seat Đồng Xoài [B13]; population 2021 [B5]. Merged into Đồng Nai in 2025 [B35]:
    # not applied, the demo shows 2021 (see docs/demo-region.md).
    ("VN-70", "VN", "Bình Phước", "", "11.533", "106.895", 1_024_300),
    ("VN-74", "VN", "Bình Dương", "", None, None, None),
    ("VN-75", "VN", "Đồng Nai", "", None, None, None),
    ("VN-77", "VN", "Bà Rịa–Vũng Tàu", "", None, None, None),
]

# Batna's 21 daïras and 61 communes [A9]; coordinates approximate [A10].
# daïra (FR), daïra (AR), commune (FR), commune (AR), lat, lon.
# Codes are this demo's numbering, not ONS codes: daïras DZ-05-01… in the order of this
# table (alphabetical), communes DZ-05-xx-01… in their order within the daïra.
BATNA_COMMUNES = [
    ("Aïn Djasser", "عين جاسر", "Aïn Djasser", "عين جاسر", "35.831", "6.004"),
    ("Aïn Djasser", "عين جاسر", "El Hassi", "الحاسي", "35.779", "5.952"),
    ("Aïn Touta", "عين التوتة", "Aïn Touta", "عين التوتة", "35.399", "5.920"),
    ("Aïn Touta", "عين التوتة", "Beni Foudhala El Hakania", "بني فضالة الحقانية",
     "35.393", "6.047"),
    ("Aïn Touta", "عين التوتة", "Maafa", "معافة", "35.270", "5.878"),
    ("Aïn Touta", "عين التوتة", "Ouled Aouf", "أولاد عوف", "35.451", "5.751"),
    ("Arris", "أريس", "Arris", "أريس", "35.301", "6.355"),
    ("Arris", "أريس", "Tighanimine", "تيغانمين", "35.196", "6.269"),
    ("Barika", "بريكة", "Barika", "بريكة", "35.385", "5.289"),
    ("Barika", "بريكة", "Bitam", "بيطام", "35.141", "5.352"),
    ("Barika", "بريكة", "M'Doukal", "إمدوكل", "35.127", "5.164"),
    ("Batna", "باتنة", "Batna", "باتنة", "35.561", "6.174"),
    ("Batna", "باتنة", "Fesdis", "فسديس", "35.613", "6.227"),
    ("Batna", "باتنة", "Oued Chaaba", "وادي الشعبة", "35.524", "6.047"),
    ("Bouzina", "بوزينة", "Bouzina", "بوزينة", "35.270", "6.100"),
    # The dataset's point for Larbaâ is a homonym in Blida: ESTIMATE, near Bouzina.
    ("Bouzina", "بوزينة", "Larbaâ", "لارباع", "35.2", "6.1"),
    ("Chemora", "الشمرة", "Chemora", "الشمرة", "35.626", "6.600"),
    ("Chemora", "الشمرة", "Boulhilat", "بولهيلات", "35.754", "6.642"),
    ("Djezzar", "الجزار", "Djezzar", "الجزار", "35.514", "5.331"),
    ("Djezzar", "الجزار", "Abdelkader Azil", "عزيل عبد القادر", "35.330", "5.018"),
    ("Djezzar", "الجزار", "Ouled Ammar", "أولاد عمار", "35.477", "5.164"),
    ("El Madher", "المعذر", "El Madher", "المعذر", "35.637", "6.386"),
    ("El Madher", "المعذر", "Aïn Yagout", "عين ياقوت", "35.809", "6.429"),
    ("El Madher", "المعذر", "Boumia", "بومية", "35.717", "6.514"),
    ("El Madher", "المعذر", "Djerma", "جرمة", "35.685", "6.301"),
    ("Ichmoul", "إشمول", "Ichmoul", "إشمول", "35.286", "6.429"),
    ("Ichmoul", "إشمول", "Foum Toub", "فم الطوب", "35.369", "6.514"),
    ("Ichmoul", "إشمول", "Inoughissen", "إينوغيسن", "35.268", "6.546"),
    ("Menaa", "منعة", "Menaa", "منعة", "35.128", "6.089"),
    ("Menaa", "منعة", "Tigharghar", "تغرغار", "35.091", "5.962"),
    ("Merouana", "مروانة", "Merouana", "مروانة", "35.629", "5.909"),
    ("Merouana", "مروانة", "Hidoussa", "حيدوسة", "35.530", "5.920"),
    ("Merouana", "مروانة", "Ksar Bellezma", "قصر بلزمة", "35.707", "5.878"),
    ("Merouana", "مروانة", "Oued El Ma", "وادي الماء", "35.657", "6.004"),
    ("N'Gaous", "نقاوس", "N'Gaous", "نقاوس", "35.557", "5.593"),
    ("N'Gaous", "نقاوس", "Boumagueur", "بومقر", "35.493", "5.551"),
    ("N'Gaous", "نقاوس", "Sefiane", "سفيان", "35.426", "5.593"),
    ("Ouled Si Slimane", "أولاد سي سليمان", "Ouled Si Slimane", "أولاد سي سليمان",
     "35.586", "5.667"),
    ("Ouled Si Slimane", "أولاد سي سليمان", "Lemsane", "لمسان", "35.635", "5.783"),
    ("Ouled Si Slimane", "أولاد سي سليمان", "Taxlent", "تاكسلانت", "35.580", "5.793"),
    ("Ras El Aioun", "رأس العيون", "Ras El Aioun", "رأس العيون", "35.677", "5.583"),
    ("Ras El Aioun", "رأس العيون", "Gosbat", "القصبات", "35.639", "5.457"),
    ("Ras El Aioun", "رأس العيون", "Guigba", "القيقبة", "35.732", "5.572"),
    ("Ras El Aioun", "رأس العيون", "Ouled Sellam", "أولاد سلام", "35.841", "5.793"),
    ("Ras El Aioun", "رأس العيون", "Rahbat", "الرحبات", "35.728", "5.656"),
    ("Ras El Aioun", "رأس العيون", "Talkhamt", "تالخمت", "35.713", "5.751"),
    ("Seggana", "سقانة", "Seggana", "سقانة", "35.330", "5.541"),
    ("Seggana", "سقانة", "Tilatou", "تيلاطو", "35.282", "5.625"),
    ("Seriana", "سريانة", "Seriana", "سريانة", "35.692", "6.174"),
    ("Seriana", "سريانة", "Lazrou", "لازرو", "35.772", "6.301"),
    ("Seriana", "سريانة", "Zanat El Beida", "زانة البيضاء", "35.804", "6.110"),
    ("Tazoult", "تازولت", "Tazoult", "تازولت", "35.513", "6.259"),
    ("Tazoult", "تازولت", "Ouyoun El Assafir", "عيون العصافير", "35.552", "6.344"),
    ("Theniet El Abed", "ثنية العابد", "Theniet El Abed", "ثنية العابد", "35.284", "6.248"),
    ("Theniet El Abed", "ثنية العابد", "Chir", "شير", "35.214", "6.131"),
    ("Theniet El Abed", "ثنية العابد", "Oued Taga", "وادي الطاقة", "35.421", "6.344"),
    ("Timgad", "تيمقاد", "Timgad", "تيمقاد", "35.500", "6.514"),
    ("Timgad", "تيمقاد", "Ouled Fadel", "أولاد فاضل", "35.534", "6.685"),
    ("T'kout", "تكوت", "T'kout", "تكوت", "35.159", "6.344"),
    ("T'kout", "تكوت", "Ghassira", "غسيرة", "35.078", "6.216"),
    ("T'kout", "تكوت", "Kimmel", "كيمل", "34.977", "6.472"),
]
BATNA_COMMUNE_POPULATION = {"Batna": 290_645}  # 2008 census [A6]

# Bình Phước's 11 district-level units as in 2021 [B4][B5]: GSO code [B12], name, type in
# 2021 (Chơn Thành was still a huyện: a town only from Oct 2022 [B6]), population (mixed
# years), seat lat, lon [B13]. No communes: the sources list none; sites sit at district
# level.
BINH_PHUOC_DISTRICTS = [
    ("689", "Đồng Xoài", "Thành phố", "city", 95_820, "11.533", "106.895"),  # c. 2017 [B9]
    ("690", "Bình Long", "Thị xã", "town", 42_978, "11.674", "106.606"),  # 2019 [B10], low
    ("688", "Phước Long", "Thị xã", "town", 50_019, "11.883", "107.005"),  # c. 2017 [B9]
    ("697", "Chơn Thành", "Huyện", "district", 62_429, "11.415", "106.637"),  # 2019 [B10]
    ("695", "Đồng Phú", "Huyện", "district", 82_190, "11.612", "106.920"),  # 2019 [B10]
    ("694", "Hớn Quản", "Huyện", "district", 94_340, "11.685", "106.643"),  # 2010 [B11]
    ("692", "Lộc Ninh", "Huyện", "district", 110_777, "11.839", "106.586"),  # 2010 [B11]
    ("693", "Bù Đốp", "Huyện", "district", 51_576, "12.063", "106.827"),  # 2019 [B10]
    ("691", "Bù Gia Mập", "Huyện", "district", 69_242, "12.342", "107.116"),  # 2019 [B10]
    ("696", "Bù Đăng", "Huyện", "district", 133_475, "11.80", "107.24"),  # [B10]; seat ESTIMATE
    ("698", "Phú Riềng", "Huyện", "district", 95_000, "11.719", "107.067"),  # pop. ESTIMATE
]

# fmt: on


def _batna_codes() -> tuple[dict[str, str], dict[str, str]]:
    """Demo codes of the daïras and of the communes, by French name."""
    dairas: dict[str, str] = {}
    communes: dict[str, str] = {}
    for daira, _daira_ar, commune, *_rest in BATNA_COMMUNES:
        daira_code = dairas.setdefault(daira, f"DZ-05-{len(dairas) + 1:02d}")
        siblings = sum(code.startswith(daira_code + "-") for code in communes.values())
        communes[commune] = f"{daira_code}-{siblings + 1:02d}"
    return dairas, communes


DAIRA, COMMUNE = _batna_codes()
DISTRICT = {name: f"VN-70-{gso}" for gso, name, *_rest in BINH_PHUOC_DISTRICTS}


def lox_kg(litres: float) -> float:
    """Mass (kg) of ``litres`` of liquid oxygen, by the one conversion in core."""
    mass = units.lox_liquid_volume_to_mass(units.Quantity(litres, "L"))
    return units.to_magnitude(mass, "kg")


def cylinder_product(cylinder_type: str) -> str:
    """The code of the product: oxygen in cylinders of ``cylinder_type``."""
    return f"O2-{cylinder_type}"


# fmt: off

# --------------------------------------------------------------------------- products

# code, name, water capacity (L), fill pressure (bar). Each gets a product O2-<code>.
CYLINDER_TYPES = [
    ("CYL-40L-150", "40 L, 150 bar (Viet Nam standard)", "40", "150"),  # [C6][B30]
    ("CYL-50L-200", "50 L, 200 bar (Algerian hospitals)", "50", "200"),  # ESTIMATE (unsourced)
    ("CYL-15L-150", "15 L, 150 bar (home care)", "15", "150"),  # size [C8]; bar ESTIMATE
    ("CYL-5L-150", "5 L, 150 bar (small, home use)", "5", "150"),  # size [C7]; bar ESTIMATE
]

# code, name, kind, unit of issue, units per pack, concentrator flow (L/min).
PRODUCTS = [
    ("LOX", "Liquid oxygen", "lox", "kg", 1, None),
    ("CONC-5", "Oxygen concentrator 5 L/min", "concentrator", "device", 1, "5"),
    ("CONC-10", "Oxygen concentrator 10 L/min", "concentrator", "device", 1, "10"),
    ("MASK-MED", "Medical face mask", "other", "piece", 50, None),
    ("RESP-FFP2", "FFP2 / N95 respirator", "other", "piece", 1, None),
    ("GOWN", "Protective gown / suit", "other", "piece", 1, None),
    ("GLOVES-EXAM", "Examination gloves", "other", "pair", 100, None),
    ("DISINFECTANT", "Surface disinfectant", "other", "L", 1, None),
]

# --------------------------------------------------------------------------- organisations

# code, name, country, kind, ownership.
ORGANISATIONS = [
    # Linde 66 %, Sonatrach 34 % [A32]: recorded as private, the majority owner's side.
    ("DZ-LINDE", "Linde Gas Algérie", "DZ", "producer_transporter", "private"),
    ("DZ-CALGAZ", "Calgaz Algérie (K3A group)", "DZ", "producer_transporter", "private"),
    # Steel joint venture of Algerian public groups with Qatar Steel: recorded as public.
    ("DZ-AQS", "Algerian Qatari Steel (AQS)", "DZ", "producer", "public"),
    ("DZ-AURES-GAZ", "Aurès Gaz", "DZ", "producer", "private"),  # ownership ESTIMATE
    ("DZ-ATIA", "Groupe Atia", "DZ", "producer", "private"),  # [A47]
    ("DZ-SIDAL", "Sidal", "DZ", "producer", "private"),  # ownership ESTIMATE
    ("DZ-FILL-BATNA", "Batna oxygen filling station (demo)", "DZ", "producer", "private"),
    ("DZ-HAULER", "Public road haulier (demo)", "DZ", "transporter", "public"),  # ESTIMATE
    ("DZ-DSP-BATNA", "Direction de la santé de Batna", "DZ", "health", "public"),
    ("VN-NIPPON-SANSO", "Nippon Sanso Vietnam", "VN", "producer_transporter", "private"),
    ("VN-OXY-DONG-NAI", "Oxy Đồng Nai", "VN", "producer_transporter", "private"),
    ("VN-MESSER", "Messer Vietnam Industrial Gases", "VN", "producer_transporter", "private"),
    ("VN-AIR-LIQUIDE", "Air Liquide Vietnam", "VN", "producer_transporter", "private"),
    ("VN-HAULER", "Provincial transport unit (demo)", "VN", "transporter", "public"),  # ESTIMATE
    ("VN-SYT-BP", "Sở Y tế Bình Phước", "VN", "health", "public"),
]

# fmt: on

# --------------------------------------------------------------------------- producers


@dataclass(frozen=True)
class ProducerSpec:
    code: str
    name: str
    organisation: str
    region: str
    lat: str
    lon: str
    producer_type: str
    capacities: dict[str, float]  # product code → per day, in the product's unit
    lox_storage_l: float = 0
    cylinder_storage: int = 0
    notes: str = ""


# fmt: off
# Plant coordinates are ESTIMATES (town or zone centres): the sources give none. No
# producer sits inside Bình Phước in 2021 (a Messer subsidiary there, date unknown [B31],
# is left out): that is the point of its supply chain.
PRODUCERS = [
    ProducerSpec("DZ-LINDE-REGHAIA2", "Linde Gas Algérie – Réghaïa 2 ASU", "DZ-LINDE", "DZ-16",
                 "36.74", "3.34", "asu",
                 {"LOX": lox_kg(77_000)}),  # 77,000 L/day of LOX [A32][A33]
    ProducerSpec("DZ-LINDE-SKIKDA", "Linde Gas Algérie – Skikda ASU", "DZ-LINDE", "DZ-21",
                 "36.88", "6.91", "asu",
                 {"LOX": lox_kg(20_000)},  # ESTIMATE: part of the company's 150,000 L/day
                 notes="Capacity: illustrative estimate. Stopped two days on a fault during "
                       "the COVID period [A60]."),
    ProducerSpec("DZ-CALGAZ-OUARGLA", "Calgaz – Ouargla (Rouissat)", "DZ-CALGAZ", "DZ-30",
                 "31.92", "5.35", "asu",
                 {"LOX": lox_kg(150_000)},  # 150,000 L/day, July 2020 [A35]
                 lox_storage_l=500_000),  # [A35]
    ProducerSpec("DZ-AQS-BELLARA", "AQS Bellara – LOX unit (El Milia)", "DZ-AQS", "DZ-18",
                 "36.78", "6.22", "asu",
                 {"LOX": lox_kg(40_000)},  # 40,000 L/day at start, target 100,000 [A44]
                 notes="Started mid-2021; eastern pole from late July 2021 [A50]."),
    ProducerSpec("DZ-AURES-GAZ", "Aurès Gaz", "DZ-AURES-GAZ", "DZ-40",
                 "35.43", "7.14", "asu",
                 {"LOX": lox_kg(10_000)},  # ESTIMATE
                 notes="Location unverified: placed in Khenchela as an estimate (volunteers "
                       "fetched oxygen from Khenchela in July 2021). Capacity: illustrative "
                       "estimate."),
    ProducerSpec("DZ-ATIA-ANNABA", "Groupe Atia – Annaba steel works", "DZ-ATIA", "DZ-23",
                 "36.86", "7.72", "asu",
                 {"LOX": lox_kg(15_000)},  # ESTIMATE
                 notes="Free oxygen to eastern hospitals, Batna first; output cut by summer "
                       "heat [A47]. Capacity: illustrative estimate."),
    ProducerSpec("DZ-SIDAL", "Sidal", "DZ-SIDAL", "DZ-16",
                 "36.72", "3.20", "asu",
                 {"LOX": lox_kg(20_000)},  # 20,000 L/day, July 2020 [A35]
                 notes="Plant location not found: placed in Alger province as an estimate."),
    ProducerSpec("DZ-FILL-BATNA", "Batna oxygen filling station (demo)", "DZ-FILL-BATNA",
                 COMMUNE["Fesdis"], "35.613", "6.227", "filling_station",
                 {"O2-CYL-50L-200": 300, "O2-CYL-15L-150": 100},  # ESTIMATE
                 cylinder_storage=1_000,  # ESTIMATE
                 notes="Illustrative: a filling station near Batna is assumed, not sourced."),
    ProducerSpec("VN-NSV-BIENHOA", "Nippon Sanso Vietnam – Biên Hòa", "VN-NIPPON-SANSO",
                 "VN-75", "10.93", "106.86", "asu",
                 {"LOX": 34_300}),  # 34.3 t/day [B21]–[B23]
    ProducerSpec("VN-OXYDN-BIENHOA", "Oxy Đồng Nai – Biên Hòa 2", "VN-OXY-DONG-NAI", "VN-75",
                 "10.92", "106.85", "asu",
                 {"LOX": 20_000}),  # ~20 t/day [B23]
    ProducerSpec("VN-MESSER-VSIP1", "Messer Vietnam – VSIP 1 (Thuận An)", "VN-MESSER", "VN-74",
                 "10.90", "106.70", "filling_station",
                 # 1,600 m³/day of gas [B24] in 6 m³ cylinders [B25] = 266 cylinders a day.
                 # LOX relayed from Messer Dung Quất (~100 t/day in all [B25]): ESTIMATE.
                 {"O2-CYL-40L-150": 1_600 // 6, "LOX": 20_000}),
    ProducerSpec("VN-ALV-PHUMY", "Air Liquide Vietnam – Phú Mỹ", "VN-AIR-LIQUIDE", "VN-77",
                 "10.58", "107.05", "asu",
                 {"LOX": 60_000}),  # ESTIMATE: O₂ part of 100/190 t/day ASUs [B27]
]
# fmt: on

# --------------------------------------------------------------------------- facilities


@dataclass(frozen=True)
class FacilitySpec:
    code: str
    name: str
    region: str
    beds: int
    beds_oxygen: int
    beds_icu: int
    priority: int
    supply: str  # key of LOX_SUPPLY; "" for cylinders only
    tanks_l: tuple[int, ...] = ()
    psa_nm3_per_h: str = "0"
    facility_type: str = "hospital"
    name_local: str = ""
    notes: str = ""


BEDS_ESTIMATE = "Beds: illustrative estimate."
TTYT_ESTIMATE = "District medical centre: name, beds and equipment are illustrative estimates."
FIELD = "field_hospital"

# fmt: off
# Total beds from the sources as tagged. Oxygen and ICU beds are ESTIMATES, sized so the
# Batna facilities hold ≈ 635 oxygen beds against 662 COVID beds in Aug 2020 [A26]. Tanks:
# the Batna-town hospitals hold 9,000 L in all after Nov 2020 [A15] (the split between
# them is an ESTIMATE); other hospitals 3,000–6,000 L (ESTIMATE, within the
# 500–25,000 L of health-facility tanks [C1]).
BATNA_FACILITIES = [
    FacilitySpec("DZ-CHU-BATNA", "CHU Batna Benflis Touhami", COMMUNE["Batna"],
                 540, 120, 20, 1, "batna-town", (3_000,),  # 540 beds [A11]
                 name_local="المستشفى الجامعي بن فليس التهامي",
                 notes="90-bed internal-medicine wing opened for COVID in 2021; received an "
                       "oxygen generator, output not found [A13][A14]."),
    FacilitySpec("DZ-EPH-SANATORIUM", "EPH Batna (ex-Sanatorium), chest and infectious diseases",
                 COMMUNE["Batna"], 140, 120, 10, 1, "batna-town", (3_000,),  # 140 beds [A15]
                 psa_nm3_per_h="69.5",  # 15 + 54.5 m³/h in 2021 [A14]
                 name_local="المؤسسة العمومية الاستشفائية المتخصصة في الأمراض الصدرية "
                            "والأمراض المعدية",
                 notes="COVID reference hospital; ran out of oxygen in July 2021 [A27]."),
    FacilitySpec("DZ-BOUZOURANE", "Bouzourane medical-emergency unit", COMMUNE["Batna"],
                 60, 60, 6, 2, "batna-town", (1_000,),  # 60 beds (40 in another report) [A17]
                 facility_type="treatment_centre"),
    FacilitySpec("DZ-EHS-MERE-ENFANT", "EHS mère et enfant Meriem Bouatoura", COMMUNE["Batna"],
                 216, 20, 6, 2, "batna-town", (1_000,)),  # 216 beds [A30]
    FacilitySpec("DZ-CAC-BATNA", "Centre anti-cancer Dr Belkacem Hamdekene", COMMUNE["Batna"],
                 240, 20, 4, 3, "batna-town", (1_000,)),  # 240 beds [A29]
    FacilitySpec("DZ-EPH-BARIKA-BOUDIAF", "EPH Mohamed Boudiaf, Barika", COMMUNE["Barika"],
                 200, 50, 6, 2, "jijel-pole", (5_000,), notes=BEDS_ESTIMATE),
    FacilitySpec("DZ-EPH-BARIKA-AMIRAT", "EPH Slimane Amirat, Barika", COMMUNE["Barika"],
                 120, 30, 4, 2, "jijel-pole", (3_000,),
                 notes=BEDS_ESTIMATE + " Gained 86+ beds [A18]; generator paid by volunteers "
                       "in 2021, output not found [A20]."),
    FacilitySpec("DZ-EPH-RAS-EL-AIOUN", "EPH Ras El Aioun", COMMUNE["Ras El Aioun"],
                 120, 30, 4, 2, "jijel-pole", (3_000,)),  # 120 beds [A23][A24]
    FacilitySpec("DZ-EPH-THENIET-EL-ABED", "EPH Theniet El Abed", COMMUNE["Theniet El Abed"],
                 120, 40, 4, 2, "aures-atia", (3_000,),  # 120 beds [A24]
                 psa_nm3_per_h="26.6",  # ≈ 400 L/min, enough for 40 beds [A20]
                 notes="Ran out of oxygen in July 2021 [A27]."),
    FacilitySpec("DZ-EPH-TKOUT", "EPH T'kout", COMMUNE["T'kout"],
                 60, 15, 2, 3, "aures-atia", (3_000,)),  # 60 beds, planned size [A24]
    FacilitySpec("DZ-EPH-ARRIS", "EPH Arris", COMMUNE["Arris"],
                 120, 40, 4, 2, "aures-atia", (5_000,),  # 120 beds [A24]
                 notes="Oxygen generator donated by the Benbellat group in 2021, output not "
                       "found [A25]."),
    FacilitySpec("DZ-EPH-MEROUANA", "EPH Merouana", COMMUNE["Merouana"],
                 120, 30, 4, 2, "jijel-pole", (3_000,), notes=BEDS_ESTIMATE),
    FacilitySpec("DZ-EPH-NGAOUS", "EPH N'Gaous", COMMUNE["N'Gaous"],
                 120, 30, 4, 2, "jijel-pole", (3_000,), notes=BEDS_ESTIMATE),
    FacilitySpec("DZ-EPH-AIN-TOUTA", "EPH Aïn Touta", COMMUNE["Aïn Touta"],
                 120, 30, 4, 2, "aures-atia", (3_000,),
                 notes=BEDS_ESTIMATE + " Ran out of oxygen in the 2021 wave [A25]."),
]

# Provincial and field hospitals [B14]–[B16]. District medical centres (Trung tâm Y tế)
# in the ten other units are ESTIMATES; ICU 50 / 10 beds follow the provincial / district
# targets [C15]. Tanks ESTIMATE (as above); the smaller centres work from cylinders only.
BINH_PHUOC_FACILITIES = [
    FacilitySpec("VN-BVDK-BP", "Bệnh viện Đa khoa tỉnh Bình Phước", DISTRICT["Đồng Xoài"],
                 700, 200, 50, 1, "provincial", (10_000,),
                 notes="Bình Phước Provincial General Hospital. " + BEDS_ESTIMATE),
    FacilitySpec("VN-BVDC-DONG-PHU", "Bệnh viện dã chiến huyện Đồng Phú", DISTRICT["Đồng Phú"],
                 150, 50, 0, 2, "field", (5_000,), facility_type=FIELD,  # 150 beds [B14]
                 notes="Opened 30 Jul 2021 [B14]."),
    FacilitySpec("VN-BVDC-DONG-XOAI", "Bệnh viện dã chiến thành phố Đồng Xoài",
                 DISTRICT["Đồng Xoài"], 150, 50, 0, 2, "field", (5_000,),  # 150 beds [B15]
                 facility_type=FIELD),
    # 964 beds = 180 severe/critical + 672 tier 2 + 112 awaiting discharge [B16].
    FacilitySpec("VN-BVDC-K72", "Bệnh viện dã chiến K72", DISTRICT["Đồng Xoài"],
                 964, 180 + 672, 180, 1, "k72", (10_000, 10_000), facility_type=FIELD,
                 notes="Plan of 13 Dec 2021, Tân Phú ward [B16]. Oxygen beds = severe, "
                       "critical and tier-2 beds (estimate)."),
    *(
        FacilitySpec(f"VN-TTYT-{slug}", f"Trung tâm Y tế {kind} {name}", DISTRICT[name],
                     beds, oxygen, icu, 3, "district" if tank else "", (3_000,) if tank else (),
                     notes=TTYT_ESTIMATE)
        for slug, name, kind, beds, oxygen, icu, tank in [
            ("BINH-LONG", "Bình Long", "thị xã", 150, 25, 10, True),
            ("PHUOC-LONG", "Phước Long", "thị xã", 150, 25, 10, True),
            ("CHON-THANH", "Chơn Thành", "huyện", 150, 25, 10, True),
            ("LOC-NINH", "Lộc Ninh", "huyện", 150, 25, 10, True),
            ("BU-DANG", "Bù Đăng", "huyện", 150, 25, 10, True),
            ("DONG-PHU", "Đồng Phú", "huyện", 100, 6, 2, False),
            ("HON-QUAN", "Hớn Quản", "huyện", 100, 6, 2, False),
            ("BU-DOP", "Bù Đốp", "huyện", 100, 6, 2, False),
            ("BU-GIA-MAP", "Bù Gia Mập", "huyện", 100, 6, 2, False),
            ("PHU-RIENG", "Phú Riềng", "huyện", 100, 6, 2, False),
        ]
    ),
]
# fmt: on

FACILITIES = BATNA_FACILITIES + BINH_PHUOC_FACILITIES

# --------------------------------------------------------------------------- supply

# fmt: off
# LOX suppliers per supply group: producer, share of the facility's LOX need, valid from.
# Algeria: production and transport requisitioned in July 2021 [A37]; the Jijel pole
# (AQS, Linde, Aurès Gaz) served 15 eastern wilayas incl. Batna from late July [A50];
# Atia delivered to Batna [A47]. Viet Nam: every hospital tied to a supplier, from the
# provincial oxygen scheme of 12 Nov 2021 and the K72 plan of 13 Dec 2021 [B16]. Shares
# and start days within a month are ESTIMATES.
LOX_SUPPLY = {
    "batna-town": [("DZ-AQS-BELLARA", 0.6, date(2021, 8, 1)),
                   ("DZ-LINDE-SKIKDA", 0.4, date(2021, 7, 1))],
    "jijel-pole": [("DZ-AQS-BELLARA", 0.5, date(2021, 8, 1)),
                   ("DZ-LINDE-SKIKDA", 0.5, date(2021, 7, 1))],
    "aures-atia": [("DZ-AURES-GAZ", 0.5, date(2021, 7, 1)),
                   ("DZ-ATIA-ANNABA", 0.5, date(2021, 7, 1))],
    "provincial": [("VN-NSV-BIENHOA", 0.6, date(2021, 11, 12)),
                   ("VN-OXYDN-BIENHOA", 0.4, date(2021, 11, 12))],
    "field":      [("VN-OXYDN-BIENHOA", 1.0, date(2021, 11, 12))],
    "k72":        [("VN-NSV-BIENHOA", 0.7, date(2021, 12, 13)),
                   ("VN-MESSER-VSIP1", 0.3, date(2021, 12, 13))],
    "district":   [("VN-OXYDN-BIENHOA", 1.0, date(2021, 11, 12))],
}
# Cylinders for every facility, by country: cylinder type (also its manifold), filler, from.
CYLINDER_SUPPLY = {
    "DZ": ("CYL-50L-200", "DZ-FILL-BATNA", date(2021, 7, 1)),
    "VN": ("CYL-40L-150", "VN-MESSER-VSIP1", date(2021, 11, 12)),
}
REQUISITION_FROM = {"DZ": date(2021, 7, 1)}  # [A37]; Viet Nam: commercial contracts
# fmt: on

# Demand rules of thumb, all ESTIMATES: 10 L/min on average per oxygen bed (severe COVID
# patients need ≥ 20 L/min [C8]); a LOX contract covers the need net of the on-site PSA,
# never less than 30 % of it (back-up); cylinders cover 5 % of the need where a tank
# exists, all of it where none does. Lead time: the straight line × 1.3 for the road
# (ESTIMATE), at 45 km/h loaded [C10], plus 4 h to load, unload and dispatch.
MEAN_FLOW_L_PER_MIN = 10
LOX_FLOOR_SHARE = 0.3
CYLINDER_BACKUP_SHARE = 0.05
ROAD_FACTOR = 1.3
LOADED_KM_PER_H = 45
HANDLING_H = 4

# --------------------------------------------------------------------------- depots, fleet

# fmt: off
# code, name, organisation, region, lat, lon. All ESTIMATES: no depot is sourced.
DEPOTS = [
    ("DZ-DEPOT-BATNA", "Haulier depot, Batna", "DZ-HAULER", COMMUNE["Fesdis"],
     "35.613", "6.227"),
    ("DZ-STORE-DSP-BATNA", "DSP cylinder store, Batna", "DZ-DSP-BATNA", COMMUNE["Batna"],
     "35.561", "6.174"),
    ("VN-DEPOT-DONG-XOAI", "Transport depot, Đồng Xoài", "VN-HAULER", DISTRICT["Đồng Xoài"],
     "11.533", "106.895"),
    ("VN-STORE-SYT-BP", "Kho oxy Sở Y tế, Đồng Xoài", "VN-SYT-BP", DISTRICT["Đồng Xoài"],
     "11.533", "106.895"),
]

SHIFTS = {"DZ": (time(6), time(20)), "VN": (time(6), time(22))}  # local time, ESTIMATE

# registration, organisation, home site, LOX capacity (L of liquid) or cylinders by type,
# in maintenance. Registrations are fictional fleet codes.
VEHICLES: list[tuple[str, str, str, float | dict[str, int], bool]] = [
    ("DZ-CALGAZ-T01", "DZ-CALGAZ", "DZ-CALGAZ-OUARGLA", 27_000, False),  # 27 m³ [A40]
    ("DZ-CALGAZ-T02", "DZ-CALGAZ", "DZ-CALGAZ-OUARGLA", 27_000, False),  # [A40]
    ("DZ-LINDE-T01", "DZ-LINDE", "DZ-LINDE-SKIKDA", 22_000, False),  # size as [C9]: ESTIMATE
    ("DZ-LINDE-T02", "DZ-LINDE", "DZ-LINDE-SKIKDA", 22_000, False),  # ESTIMATE
    ("DZ-LINDE-T03", "DZ-LINDE", "DZ-LINDE-REGHAIA2", 22_000, False),  # ESTIMATE
    ("DZ-AQS-T01", "DZ-AQS", "DZ-AQS-BELLARA", 22_000, False),  # ESTIMATE
    ("DZ-AURES-T01", "DZ-AURES-GAZ", "DZ-AURES-GAZ", 15_000, False),  # ESTIMATE
    ("DZ-ATIA-T01", "DZ-ATIA", "DZ-ATIA-ANNABA", 15_000, False),  # ESTIMATE
    ("DZ-HAUL-T01", "DZ-HAULER", "DZ-DEPOT-BATNA", 22_000, False),  # ESTIMATE
    ("DZ-HAUL-T02", "DZ-HAULER", "DZ-DEPOT-BATNA", 22_000, True),  # ESTIMATE
    ("DZ-HAUL-C01", "DZ-HAULER", "DZ-DEPOT-BATNA", {"CYL-50L-200": 120}, False),  # ESTIMATE
    ("DZ-FILL-C01", "DZ-FILL-BATNA", "DZ-FILL-BATNA",
     {"CYL-50L-200": 100, "CYL-15L-150": 40}, False),  # ESTIMATE
    ("VN-NSV-T01", "VN-NIPPON-SANSO", "VN-NSV-BIENHOA", 20_000, False),  # ESTIMATE
    ("VN-NSV-T02", "VN-NIPPON-SANSO", "VN-NSV-BIENHOA", 20_000, False),  # ESTIMATE
    ("VN-MESSER-T01", "VN-MESSER", "VN-MESSER-VSIP1", 16_000, False),  # 16 m³ [B25]
    ("VN-MESSER-T02", "VN-MESSER", "VN-MESSER-VSIP1", 22_000, False),  # 22 m³ [B25]
    ("VN-MESSER-C01", "VN-MESSER", "VN-MESSER-VSIP1", {"CYL-40L-150": 200}, False),  # ESTIMATE
    ("VN-MESSER-C02", "VN-MESSER", "VN-MESSER-VSIP1", {"CYL-40L-150": 200}, False),  # ESTIMATE
    ("VN-OXYDN-T01", "VN-OXY-DONG-NAI", "VN-OXYDN-BIENHOA", 10_000, False),  # ESTIMATE
    ("VN-OXYDN-C01", "VN-OXY-DONG-NAI", "VN-OXYDN-BIENHOA",
     {"CYL-40L-150": 150}, False),  # ESTIMATE
    ("VN-ALV-T01", "VN-AIR-LIQUIDE", "VN-ALV-PHUMY", 20_000, False),  # ESTIMATE
    ("VN-HAUL-C01", "VN-HAULER", "VN-DEPOT-DONG-XOAI", {"CYL-40L-150": 100}, False),  # ESTIMATE
]

# --------------------------------------------------------------------------- contacts, users

# Fictional people; the numbers are the country's format padded with zeros.
CONTACT_NAMES = {
    "DZ": ["Amel Benali", "Karim Haddad", "Samia Merabet", "Nadir Boulahia", "Leila Saadi",
           "Yacine Rahmani", "Nora Kaci", "Walid Mansouri"],
    "VN": ["Nguyễn Thị Lan", "Trần Văn Hùng", "Lê Thị Mai", "Phạm Minh Tuấn", "Võ Thị Hoa",
           "Đặng Quốc Bảo", "Huỳnh Thị Thu", "Bùi Văn Nam"],
}
PHONE_FORMAT = {"DZ": "+213 33 00 {:02d} {:02d}", "VN": "+84 271 000 {:02d}{:02d}"}

# username, role (None: no profile), region, organisation, facility, scope in words.
USERS: list[tuple[str, Role | None, str | None, str | None, str | None, str]] = [
    ("ministry.dz", Role.MINISTRY, "DZ", None, None, "Algeria, the whole country"),
    ("ministry.vn", Role.MINISTRY, "VN", None, None, "Viet Nam, the whole country"),
    ("coord.batna", Role.COORDINATOR, "DZ-05", None, None, "Batna wilaya and below"),
    ("coord.binhphuoc", Role.COORDINATOR, "VN-70", None, None, "Bình Phước province and below"),
    ("staff.chu-batna", Role.FACILITY_STAFF, None, None, "DZ-CHU-BATNA", "CHU Batna"),
    ("staff.sanatorium", Role.FACILITY_STAFF, None, None, "DZ-EPH-SANATORIUM",
     "EPH Batna (ex-Sanatorium)"),
    ("producer.linde", Role.PRODUCER_STAFF, None, "DZ-LINDE", None,
     "Linde Gas Algérie, its sites and vehicles"),
    ("viewer.barika", Role.VIEWER, DAIRA["Barika"], None, None, "Barika daïra and its communes"),
    ("outsider", None, None, None, None, "nothing (no profile)"),
    ("admin", None, None, None, None, "everything"),
]
SUPERUSERS = frozenset({"admin"})
# fmt: on
