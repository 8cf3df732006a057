"""The demo region: Batna (Algeria) and Bình Phước (Viet Nam) as they stood in 2021.

Illustrative numbers for demonstrations and training, not an operational dataset. Place
names, codes and most figures come from published sources (press quoting officials,
company statements, public datasets); each number carries its basis in a comment: a
source tag such as ``[A15]`` (the sources are listed in ``docs/demo-region.md``) or
``ESTIMATE`` where it was derived or assumed. Contacts, phone numbers, e-mail addresses
and vehicle codes are fictional.

:func:`load` is idempotent: every row is found by its natural key (a code, or its parent
and name), updated to the values below and validated with ``full_clean()`` before it is
saved; a row that already holds these values is not written again, so a second load adds
no rows and no history.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, time
from decimal import Decimal
from typing import Any, TypeVar

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.db import models, transaction

from oxyflow.accounts.models import Profile, Role
from oxyflow.core import units
from oxyflow.registry import models as reg

DEMO_PASSWORD = "oxyflow-demo-2021"
CHANGE_REASON = "demo data"

# --------------------------------------------------------------------------- regions

# code, name, local name, ISO code, time zone, weekend (0 = Monday), default LOX unit.
COUNTRIES = [
    ("DZ", "Algeria", "الجزائر", "DZ", "Africa/Algiers", [4, 5], reg.LoxUnit.LITRE),  # [A56]
    ("VN", "Viet Nam", "Việt Nam", "VN", "Asia/Ho_Chi_Minh", [5, 6], reg.LoxUnit.KG),
]

# code, country, name, local name, seat lat, lon, population. Neighbouring provinces hold
# the producers only; their coordinates and populations are left blank.
PROVINCES = [
    # Batna: seat coordinates [A6]; population = 2008 census [A1] (no 2021 figure found).
    ("DZ-05", "DZ", "Batna", "باتنة", "35.561", "6.174", 1_119_791),
    ("DZ-16", "DZ", "Alger", "الجزائر", None, None, None),
    ("DZ-18", "DZ", "Jijel", "جيجل", None, None, None),
    ("DZ-21", "DZ", "Skikda", "سكيكدة", None, None, None),
    ("DZ-23", "DZ", "Annaba", "عنابة", None, None, None),
    ("DZ-30", "DZ", "Ouargla", "ورقلة", None, None, None),
    ("DZ-40", "DZ", "Khenchela", "خنشلة", None, None, None),
    # Bình Phước: seat = Đồng Xoài [B13]; population 2021 [B5]. Still a province in 2021;
    # merged into Đồng Nai in 2025 [B35] (see docs/demo-region.md, not applied here).
    ("VN-70", "VN", "Bình Phước", "", "11.533", "106.895", 1_024_300),
    ("VN-74", "VN", "Bình Dương", "", None, None, None),
    ("VN-75", "VN", "Đồng Nai", "", None, None, None),
    ("VN-77", "VN", "Bà Rịa–Vũng Tàu", "", None, None, None),
]

# Batna's 21 daïras and 61 communes [A9], coordinates approximate [A10]:
# daïra (FR), daïra (AR), commune (FR), commune (AR), lat, lon.
# Codes are this demo's numbering, not ONS codes: daïras DZ-05-01… in the order of this
# table (alphabetical), communes DZ-05-xx-01… in order within their daïra.
BATNA_COMMUNES = [
    ("Aïn Djasser", "عين جاسر", "Aïn Djasser", "عين جاسر", "35.831", "6.004"),
    ("Aïn Djasser", "عين جاسر", "El Hassi", "الحاسي", "35.779", "5.952"),
    ("Aïn Touta", "عين التوتة", "Aïn Touta", "عين التوتة", "35.399", "5.920"),
    (
        "Aïn Touta",
        "عين التوتة",
        "Beni Foudhala El Hakania",
        "بني فضالة الحقانية",
        "35.393",
        "6.047",
    ),
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
    # Larbaâ: the dataset's point is a homonym in Blida; ESTIMATE near Bouzina.
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
    (
        "Ouled Si Slimane",
        "أولاد سي سليمان",
        "Ouled Si Slimane",
        "أولاد سي سليمان",
        "35.586",
        "5.667",
    ),
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
BATNA_COMMUNE_POPULATION = {"Batna": 290_645}  # 2008 [A6]

# Bình Phước's 11 district-level units in 2021 [B4][B5]: GSO code [B12], name, 2021 type
# (Chơn Thành became a town only in Oct 2022 [B6]), population (mixed years), lat, lon
# [B13]. No communes: the sources list none, and sites sit at district level.
BINH_PHUOC_DISTRICTS = [
    ("689", "Đồng Xoài", "Thành phố", "city", 95_820, "11.533", "106.895"),  # c. 2017 [B9]
    ("690", "Bình Long", "Thị xã", "batna-town", 42_978, "11.674", "106.606"),  # 2019 [B10], low?
    ("688", "Phước Long", "Thị xã", "batna-town", 50_019, "11.883", "107.005"),  # c. 2017 [B9]
    ("697", "Chơn Thành", "Huyện", "district", 62_429, "11.415", "106.637"),  # 2019 [B10]
    ("695", "Đồng Phú", "Huyện", "district", 82_190, "11.612", "106.920"),  # 2019 [B10]
    ("694", "Hớn Quản", "Huyện", "district", 94_340, "11.685", "106.643"),  # 2010 [B11]
    ("692", "Lộc Ninh", "Huyện", "district", 110_777, "11.839", "106.586"),  # 2010 [B11]
    ("693", "Bù Đốp", "Huyện", "district", 51_576, "12.063", "106.827"),  # 2019 [B10]
    ("691", "Bù Gia Mập", "Huyện", "district", 69_242, "12.342", "107.116"),  # 2019 [B10]
    ("696", "Bù Đăng", "Huyện", "district", 133_475, "11.80", "107.24"),  # [B10]; lat/lon ESTIMATE
    ("698", "Phú Riềng", "Huyện", "district", 95_000, "11.719", "107.067"),  # pop. ESTIMATE
]


def _batna_codes() -> tuple[dict[str, str], dict[str, str]]:
    """Demo codes of the daïras and communes, by French name."""
    dairas: dict[str, str] = {}
    communes: dict[str, str] = {}
    for daira, _ar, commune, *_rest in BATNA_COMMUNES:
        daira_code = dairas.setdefault(daira, f"DZ-05-{len(dairas) + 1:02d}")
        in_daira = sum(code.startswith(daira_code + "-") for code in communes.values())
        communes[commune] = f"{daira_code}-{in_daira + 1:02d}"
    return dairas, communes


DAIRA, COMMUNE = _batna_codes()


def _vn(name: str) -> str:
    return next(f"VN-70-{gso}" for gso, n, *_ in BINH_PHUOC_DISTRICTS if n == name)


# --------------------------------------------------------------------------- products

# code, name, water capacity (L), fill pressure (bar).
CYLINDER_TYPES = [
    ("CYL-40L-150", "40 L, 150 bar (Viet Nam standard)", "40", "150"),  # [C6][B30]
    ("CYL-50L-200", "50 L, 200 bar (Algerian hospitals)", "50", "200"),  # ESTIMATE [C.2]
    ("CYL-15L-150", "15 L, 150 bar (home care)", "15", "150"),  # size [C8]; pressure ESTIMATE
    ("CYL-5L-150", "5 L, 150 bar (small, home use)", "5", "150"),  # size [C7]; pressure ESTIMATE
]

# code, name, kind, unit of issue, pack size, concentrator flow (L/min).
PRODUCTS = [
    ("LOX", "Liquid oxygen", reg.ProductKind.LOX, reg.UnitOfIssue.KG, 1, None),
    ("CONC-5", "Oxygen concentrator 5 L/min", "concentrator", "device", 1, "5"),
    ("CONC-10", "Oxygen concentrator 10 L/min", "concentrator", "device", 1, "10"),
    ("MASK-MED", "Medical face mask", "other", "piece", 50, None),
    ("RESP-FFP2", "FFP2 / N95 respirator", "other", "piece", 1, None),
    ("GOWN", "Protective gown / suit", "other", "piece", 1, None),
    ("GLOVES-EXAM", "Examination gloves", "other", "pair", 100, None),
    ("DISINFECTANT", "Surface disinfectant", "other", "L", 1, None),
]
# One cylinder product per cylinder type, coded O2-<type>.


def _cylinder_product(cylinder_type: str) -> str:
    return f"O2-{cylinder_type}"


# --------------------------------------------------------------------------- organisations

# code, name, country, kind, ownership.
ORGANISATIONS = [
    # Linde 66 %, Sonatrach 34 % [A32]: recorded as private (majority private owner).
    ("DZ-LINDE", "Linde Gas Algérie", "DZ", "producer_transporter", "private"),
    ("DZ-CALGAZ", "Calgaz Algérie (K3A group)", "DZ", "producer_transporter", "private"),  # [A35]
    # Steel joint venture of Algerian public groups and Qatar Steel: recorded as public.
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
    ownership: str
    capacities: dict[str, float]  # product code -> per day, in the product's unit
    lox_storage_l: float = 0
    cylinder_storage: int = 0
    notes: str = ""


def _lox_kg(litres: float) -> float:
    """Mass (kg) of ``litres`` of liquid oxygen, through the one conversion in core."""
    return units.to_magnitude(units.lox_liquid_volume_to_mass(units.Quantity(litres, "L")), "kg")


# Plant coordinates are ESTIMATES (town centres); the sources give none.
PRODUCERS = [
    ProducerSpec(
        "DZ-LINDE-REGHAIA2",
        "Linde Gas Algérie – Réghaïa 2 ASU",
        "DZ-LINDE",
        "DZ-16",
        "36.74",
        "3.34",
        "asu",
        "private",
        {"LOX": _lox_kg(77_000)},  # 77,000 L/day LOX [A32][A33]
    ),
    ProducerSpec(
        "DZ-LINDE-SKIKDA",
        "Linde Gas Algérie – Skikda ASU",
        "DZ-LINDE",
        "DZ-21",
        "36.88",
        "6.91",
        "asu",
        "private",
        {"LOX": _lox_kg(20_000)},  # ESTIMATE: share of the company's 150,000 L/day [A35]
        notes="Capacity: illustrative estimate. Stopped two days on a fault in the COVID period [A60].",
    ),
    ProducerSpec(
        "DZ-CALGAZ-OUARGLA",
        "Calgaz – Ouargla (Rouissat)",
        "DZ-CALGAZ",
        "DZ-30",
        "31.92",
        "5.35",
        "asu",
        "private",
        {"LOX": _lox_kg(150_000)},  # 150,000 L/day (July 2020) [A35]
        lox_storage_l=500_000,  # [A35]
    ),
    ProducerSpec(
        "DZ-AQS-BELLARA",
        "AQS Bellara – LOX unit (El Milia)",
        "DZ-AQS",
        "DZ-18",
        "36.78",
        "6.22",
        "asu",
        "public",
        {"LOX": _lox_kg(40_000)},  # 40,000 L/day at start, target 100,000 [A44]
        notes="Started mid-2021; pole of the eastern wilayas from late July 2021 [A50].",
    ),
    ProducerSpec(
        "DZ-AURES-GAZ",
        "Aurès Gaz",
        "DZ-AURES-GAZ",
        "DZ-40",
        "35.43",
        "7.14",
        "asu",
        "private",
        {"LOX": _lox_kg(10_000)},  # ESTIMATE
        notes="Location unverified: placed in Khenchela as an estimate (volunteers fetched "
        "oxygen from Khenchela in July 2021). Capacity: illustrative estimate.",
    ),
    ProducerSpec(
        "DZ-ATIA-ANNABA",
        "Groupe Atia – Annaba steel works",
        "DZ-ATIA",
        "DZ-23",
        "36.86",
        "7.72",
        "asu",
        "private",
        {"LOX": _lox_kg(15_000)},  # ESTIMATE
        notes="Free oxygen to eastern hospitals, Batna first; output cut by summer heat [A47]. "
        "Capacity: illustrative estimate.",
    ),
    ProducerSpec(
        "DZ-SIDAL",
        "Sidal",
        "DZ-SIDAL",
        "DZ-16",
        "36.72",
        "3.20",
        "asu",
        "private",
        {"LOX": _lox_kg(20_000)},  # 20,000 L/day (July 2020) [A35]
        notes="Plant location not found: placed in Alger province as an estimate.",
    ),
    ProducerSpec(
        "DZ-FILL-BATNA",
        "Batna oxygen filling station (demo)",
        "DZ-FILL-BATNA",
        COMMUNE["Fesdis"],
        "35.613",
        "6.227",
        "filling_station",
        "private",
        {_cylinder_product("CYL-50L-200"): 300, _cylinder_product("CYL-15L-150"): 100},  # ESTIMATE
        cylinder_storage=1_000,  # ESTIMATE
        notes="Illustrative: a cylinder filling station near Batna is assumed, not sourced.",
    ),
    ProducerSpec(
        "VN-NSV-BIENHOA",
        "Nippon Sanso Vietnam – Biên Hòa",
        "VN-NIPPON-SANSO",
        "VN-75",
        "10.93",
        "106.86",
        "asu",
        "private",
        {"LOX": 34_300},  # 34.3 t/day [B21][B22]
    ),
    ProducerSpec(
        "VN-OXYDN-BIENHOA",
        "Oxy Đồng Nai – Biên Hòa 2",
        "VN-OXY-DONG-NAI",
        "VN-75",
        "10.92",
        "106.85",
        "asu",
        "private",
        {"LOX": 20_000},  # ~20 t/day [B23]
    ),
    ProducerSpec(
        "VN-MESSER-VSIP1",
        "Messer Vietnam – VSIP 1 (Thuận An)",
        "VN-MESSER",
        "VN-74",
        "10.90",
        "106.70",
        "filling_station",
        "private",
        {
            # 1,600 m³/day of gas [B24] in 6 m³ cylinders [B25] = 266 cylinders/day.
            _cylinder_product("CYL-40L-150"): 1_600 // 6,
            # ESTIMATE: liquid relayed from Messer Dung Quất (~100 t/day in all [B25]).
            "LOX": 20_000,
        },
    ),
    ProducerSpec(
        "VN-ALV-PHUMY",
        "Air Liquide Vietnam – Phú Mỹ",
        "VN-AIR-LIQUIDE",
        "VN-77",
        "10.58",
        "107.05",
        "asu",
        "private",
        {"LOX": 60_000},  # ESTIMATE: O₂ share of ASUs of 100/190 t/day liquids [B27]
    ),
]

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

# Beds [A-tags]; oxygen and ICU beds are ESTIMATES sized so the Batna facilities hold
# ≈ 635 oxygen beds against the 662 COVID beds of Aug 2020 [A26]. Tanks: the Batna-town
# hospitals hold 9,000 L in all after Nov 2020 [A15] (split between them: ESTIMATE);
# other hospitals 3,000–6,000 L (ESTIMATE [C.1]). Every Algerian hospital also has a
# manifold for CYL-50L-200 cylinders (ESTIMATE).
BATNA_FACILITIES = [
    FacilitySpec(
        "DZ-CHU-BATNA",
        "CHU Batna Benflis Touhami",
        COMMUNE["Batna"],
        540,
        120,
        20,
        1,
        "batna-town",
        (3_000,),
        name_local="المستشفى الجامعي بن فليس التهامي",  # 540 beds [A11]
        notes="90-bed internal-medicine wing opened for COVID in 2021; received an oxygen "
        "generator (output not found) [A13][A14].",
    ),
    FacilitySpec(
        "DZ-EPH-SANATORIUM",
        "EPH Batna (ex-Sanatorium), chest and infectious diseases",
        COMMUNE["Batna"],
        140,
        120,
        10,
        1,
        "batna-town",
        (3_000,),
        psa_nm3_per_h="69.5",  # [A15][A14]
        name_local="المؤسسة العمومية الاستشفائية المتخصصة في الأمراض الصدرية والأمراض المعدية",
        notes="COVID reference hospital. PSA 15 + 54.5 m³/h added in 2021 [A14].",
    ),
    FacilitySpec(
        "DZ-BOUZOURANE",
        "Bouzourane medical-emergency unit",
        COMMUNE["Batna"],
        60,
        60,
        6,
        2,
        "batna-town",
        (1_000,),
        facility_type="treatment_centre",  # 60 beds (40 in another) [A17]
    ),
    FacilitySpec(
        "DZ-EHS-MERE-ENFANT",
        "EHS mère et enfant Meriem Bouatoura",
        COMMUNE["Batna"],
        216,
        20,
        6,
        2,
        "batna-town",
        (1_000,),  # 216 beds [A30]
    ),
    FacilitySpec(
        "DZ-CAC-BATNA",
        "Centre anti-cancer Dr Belkacem Hamdekene",
        COMMUNE["Batna"],
        240,
        20,
        4,
        3,
        "batna-town",
        (1_000,),  # 240 beds [A29]
    ),
    FacilitySpec(
        "DZ-EPH-BARIKA-BOUDIAF",
        "EPH Mohamed Boudiaf, Barika",
        COMMUNE["Barika"],
        200,
        50,
        6,
        2,
        "jijel-pole",
        (5_000,),
        notes=BEDS_ESTIMATE,
    ),
    FacilitySpec(
        "DZ-EPH-BARIKA-AMIRAT",
        "EPH Slimane Amirat, Barika",
        COMMUNE["Barika"],
        120,
        30,
        4,
        2,
        "jijel-pole",
        (3_000,),
        notes=BEDS_ESTIMATE + " Gained 86+ beds [A18]; oxygen generator paid by volunteers "
        "in 2021 (output not found) [A20].",
    ),
    FacilitySpec(
        "DZ-EPH-RAS-EL-AIOUN",
        "EPH Ras El Aioun",
        COMMUNE["Ras El Aioun"],
        120,
        30,
        4,
        2,
        "jijel-pole",
        (3_000,),  # 120 beds [A23][A24]
    ),
    FacilitySpec(
        "DZ-EPH-THENIET-EL-ABED",
        "EPH Theniet El Abed",
        COMMUNE["Theniet El Abed"],
        120,
        40,
        4,
        2,
        "aures-atia",
        (3_000,),
        psa_nm3_per_h="26.6",  # 120 beds, PSA [A24][A20]
        notes="Ran out of oxygen in July 2021 [A27].",
    ),
    FacilitySpec(
        "DZ-EPH-TKOUT",
        "EPH T'kout",
        COMMUNE["T'kout"],
        60,
        15,
        2,
        3,
        "aures-atia",
        (3_000,),  # [A24]
    ),
    FacilitySpec(
        "DZ-EPH-ARRIS",
        "EPH Arris",
        COMMUNE["Arris"],
        120,
        40,
        4,
        2,
        "aures-atia",
        (5_000,),  # [A24]
        notes="Oxygen generator donated by the Benbellat group in 2021 (output not found) [A25].",
    ),
    FacilitySpec(
        "DZ-EPH-MEROUANA",
        "EPH Merouana",
        COMMUNE["Merouana"],
        120,
        30,
        4,
        2,
        "jijel-pole",
        (3_000,),
        notes=BEDS_ESTIMATE,
    ),
    FacilitySpec(
        "DZ-EPH-NGAOUS",
        "EPH N'Gaous",
        COMMUNE["N'Gaous"],
        120,
        30,
        4,
        2,
        "jijel-pole",
        (3_000,),
        notes=BEDS_ESTIMATE,
    ),
    FacilitySpec(
        "DZ-EPH-AIN-TOUTA",
        "EPH Aïn Touta",
        COMMUNE["Aïn Touta"],
        120,
        30,
        4,
        2,
        "aures-atia",
        (3_000,),
        notes=BEDS_ESTIMATE + " Ran out of oxygen in the 2021 wave [A25].",
    ),
]

TTYT_ESTIMATE = "District medical centre: name, beds and equipment are illustrative estimates."

# Provincial and field hospitals [B14–B16]; district medical centres (Trung tâm Y tế) in
# the other ten units are ESTIMATES, ICU 10 beds where the district target applies [C15].
# Tanks ESTIMATE [C.1]; every Vietnamese facility has a CYL-40L-150 manifold (ESTIMATE).
BINH_PHUOC_FACILITIES = [
    FacilitySpec(
        "VN-BVDK-BP",
        "Bệnh viện Đa khoa tỉnh Bình Phước",
        _vn("Đồng Xoài"),
        700,
        200,
        50,
        1,
        "provincial",
        (10_000,),  # ICU 50: provincial target [C15]
        notes="Bình Phước Provincial General Hospital. " + BEDS_ESTIMATE,
    ),
    FacilitySpec(
        "VN-BVDC-DONG-PHU",
        "Bệnh viện dã chiến huyện Đồng Phú",
        _vn("Đồng Phú"),
        150,
        50,
        0,
        2,
        "field",
        (5_000,),
        facility_type="field_hospital",  # 150 beds, opened 30 Jul 2021 [B14]
    ),
    FacilitySpec(
        "VN-BVDC-DONG-XOAI",
        "Bệnh viện dã chiến thành phố Đồng Xoài",
        _vn("Đồng Xoài"),
        150,
        50,
        0,
        2,
        "field",
        (5_000,),
        facility_type="field_hospital",  # 150 beds [B15]
    ),
    FacilitySpec(
        # 964 beds: 180 severe/critical + 672 tier 2 + 112 awaiting discharge [B16].
        "VN-BVDC-K72",
        "Bệnh viện dã chiến K72",
        _vn("Đồng Xoài"),
        964,
        852,
        180,
        1,
        "k72",
        (10_000, 10_000),
        facility_type="field_hospital",
        notes="Plan of 13 Dec 2021, Tân Phú ward [B16]. Oxygen beds = severe/critical + "
        "tier-2 beds (estimate).",
    ),
    *(
        FacilitySpec(
            f"VN-TTYT-{slug}",
            f"Trung tâm Y tế {kind.lower()} {name}",
            _vn(name),
            beds,
            beds // 10 + (10 if tank else 0),
            10 if tank else 4,
            3,
            "district" if tank else "",
            (3_000,) if tank else (),
            notes=TTYT_ESTIMATE,
        )
        for slug, name, kind, beds, tank in [
            ("BINH-LONG", "Bình Long", "thị xã", 150, True),
            ("PHUOC-LONG", "Phước Long", "thị xã", 150, True),
            ("CHON-THANH", "Chơn Thành", "huyện", 150, True),
            ("LOC-NINH", "Lộc Ninh", "huyện", 150, True),
            ("BU-DANG", "Bù Đăng", "huyện", 150, True),
            ("DONG-PHU", "Đồng Phú", "huyện", 100, False),
            ("HON-QUAN", "Hớn Quản", "huyện", 100, False),
            ("BU-DOP", "Bù Đốp", "huyện", 100, False),
            ("BU-GIA-MAP", "Bù Gia Mập", "huyện", 100, False),
            ("PHU-RIENG", "Phú Riềng", "huyện", 100, False),
        ]
    ),
]

FACILITIES = BATNA_FACILITIES + BINH_PHUOC_FACILITIES

# --------------------------------------------------------------------------- supply

# LOX suppliers per supply group: (producer, share of the facility's net LOX need, from).
# Algeria: production and transport requisitioned in July 2021 [A37]; the Jijel pole
# (AQS, Linde, Aurès Gaz) served 15 eastern wilayas incl. Batna from late July [A50];
# Atia delivered to Batna [A47]. Viet Nam: every hospital tied to a supplier; dates from
# the provincial oxygen scheme of 12 Nov 2021 and the K72 plan of 13 Dec 2021 [B16].
# Shares and dates within a month are ESTIMATES.
LOX_SUPPLY = {
    "batna-town": [("DZ-AQS-BELLARA", 0.6, date(2021, 8, 1)), ("DZ-LINDE-SKIKDA", 0.4, date(2021, 7, 1))],
    "jijel-pole": [("DZ-AQS-BELLARA", 0.5, date(2021, 8, 1)), ("DZ-LINDE-SKIKDA", 0.5, date(2021, 7, 1))],
    "aures-atia": [("DZ-AURES-GAZ", 0.5, date(2021, 7, 1)), ("DZ-ATIA-ANNABA", 0.5, date(2021, 7, 1))],
    "provincial": [
        ("VN-NSV-BIENHOA", 0.6, date(2021, 11, 12)),
        ("VN-OXYDN-BIENHOA", 0.4, date(2021, 11, 12)),
    ],
    "field": [("VN-OXYDN-BIENHOA", 1.0, date(2021, 11, 12))],
    "k72": [
        ("VN-NSV-BIENHOA", 0.7, date(2021, 12, 13)),
        ("VN-MESSER-VSIP1", 0.3, date(2021, 12, 13)),
    ],
    "district": [("VN-OXYDN-BIENHOA", 1.0, date(2021, 11, 12))],
}
# Cylinders, for every facility: (cylinder type, filler, from).
CYLINDER_SUPPLY = {
    "DZ": ("CYL-50L-200", "DZ-FILL-BATNA", date(2021, 7, 1)),
    "VN": ("CYL-40L-150", "VN-MESSER-VSIP1", date(2021, 11, 12)),
}

# Demand rules of thumb, all ESTIMATES: 10 L/min on average per oxygen bed (severe COVID
# patients need ≥ 20 L/min [C8]); a LOX contract covers the need net of the on-site PSA
# but never less than 30 % of it (back-up); cylinders cover 5 % of the need where a
# tank exists, all of it where none does. Lead time: straight line × 1.3 for the road
# [A.1], at 45 km/h loaded [C10], plus 4 h to load, unload and dispatch.
MEAN_FLOW_L_PER_MIN = 10
LOX_FLOOR_SHARE = 0.3
CYLINDER_BACKUP_SHARE = 0.05
ROAD_FACTOR, LOADED_KM_PER_H, HANDLING_H = 1.3, 45, 4

# --------------------------------------------------------------------------- depots, fleet

# code, name, organisation, region, lat, lon. All ESTIMATES (no depot is sourced).
DEPOTS = [
    ("DZ-DEPOT-BATNA", "Haulier depot, Batna", "DZ-HAULER", COMMUNE["Fesdis"], "35.613", "6.227"),
    (
        "DZ-STORE-DSP-BATNA",
        "DSP cylinder store, Batna",
        "DZ-DSP-BATNA",
        COMMUNE["Batna"],
        "35.561",
        "6.174",
    ),
    (
        "VN-DEPOT-DONG-XOAI",
        "Transport depot, Đồng Xoài",
        "VN-HAULER",
        _vn("Đồng Xoài"),
        "11.533",
        "106.895",
    ),
    (
        "VN-STORE-SYT-BP",
        "Kho oxy Sở Y tế, Đồng Xoài",
        "VN-SYT-BP",
        _vn("Đồng Xoài"),
        "11.533",
        "106.895",
    ),
]

DAY_SHIFT = {"DZ": (time(6), time(20)), "VN": (time(6), time(22))}  # ESTIMATE

# registration, organisation, home site, LOX capacity (L of liquid) or cylinders by type,
# in maintenance. Registrations are fictional fleet codes.
VEHICLES: list[tuple[str, str, str, float | dict[str, int], bool]] = [
    ("DZ-CALGAZ-T01", "DZ-CALGAZ", "DZ-CALGAZ-OUARGLA", 27_000, False),  # 27 m³ [A40]
    ("DZ-CALGAZ-T02", "DZ-CALGAZ", "DZ-CALGAZ-OUARGLA", 27_000, False),  # [A40]
    ("DZ-LINDE-T01", "DZ-LINDE", "DZ-LINDE-SKIKDA", 22_000, False),  # size [C9]; ESTIMATE
    ("DZ-LINDE-T02", "DZ-LINDE", "DZ-LINDE-SKIKDA", 22_000, False),  # ESTIMATE
    ("DZ-LINDE-T03", "DZ-LINDE", "DZ-LINDE-REGHAIA2", 22_000, False),  # ESTIMATE
    ("DZ-AQS-T01", "DZ-AQS", "DZ-AQS-BELLARA", 22_000, False),  # ESTIMATE
    ("DZ-AURES-T01", "DZ-AURES-GAZ", "DZ-AURES-GAZ", 15_000, False),  # ESTIMATE
    ("DZ-ATIA-T01", "DZ-ATIA", "DZ-ATIA-ANNABA", 15_000, False),  # ESTIMATE
    ("DZ-HAUL-T01", "DZ-HAULER", "DZ-DEPOT-BATNA", 22_000, False),  # ESTIMATE
    ("DZ-HAUL-T02", "DZ-HAULER", "DZ-DEPOT-BATNA", 22_000, True),  # ESTIMATE
    ("DZ-HAUL-C01", "DZ-HAULER", "DZ-DEPOT-BATNA", {"CYL-50L-200": 120}, False),  # ESTIMATE
    (
        "DZ-FILL-C01",
        "DZ-FILL-BATNA",
        "DZ-FILL-BATNA",
        {"CYL-50L-200": 100, "CYL-15L-150": 40},
        False,
    ),  # ESTIMATE
    ("VN-NSV-T01", "VN-NIPPON-SANSO", "VN-NSV-BIENHOA", 20_000, False),  # ESTIMATE
    ("VN-NSV-T02", "VN-NIPPON-SANSO", "VN-NSV-BIENHOA", 20_000, False),  # ESTIMATE
    ("VN-MESSER-T01", "VN-MESSER", "VN-MESSER-VSIP1", 16_000, False),  # 16 m³ [B25]
    ("VN-MESSER-T02", "VN-MESSER", "VN-MESSER-VSIP1", 22_000, False),  # 22 m³ [B25]
    ("VN-MESSER-C01", "VN-MESSER", "VN-MESSER-VSIP1", {"CYL-40L-150": 200}, False),  # ESTIMATE
    ("VN-MESSER-C02", "VN-MESSER", "VN-MESSER-VSIP1", {"CYL-40L-150": 200}, False),  # ESTIMATE
    ("VN-OXYDN-T01", "VN-OXY-DONG-NAI", "VN-OXYDN-BIENHOA", 10_000, False),  # ESTIMATE
    ("VN-OXYDN-C01", "VN-OXY-DONG-NAI", "VN-OXYDN-BIENHOA", {"CYL-40L-150": 150}, False),
    ("VN-ALV-T01", "VN-AIR-LIQUIDE", "VN-ALV-PHUMY", 20_000, False),  # ESTIMATE
    ("VN-HAUL-C01", "VN-HAULER", "VN-DEPOT-DONG-XOAI", {"CYL-40L-150": 100}, False),  # ESTIMATE
]

# --------------------------------------------------------------------------- contacts, users

# Fictional people; the numbers use each country's format with zeros.
CONTACT_NAMES = {
    "DZ": [
        "Amel Benali",
        "Karim Haddad",
        "Samia Merabet",
        "Nadir Boulahia",
        "Leila Saadi",
        "Yacine Rahmani",
        "Nora Kaci",
        "Walid Mansouri",
    ],
    "VN": [
        "Nguyễn Thị Lan",
        "Trần Văn Hùng",
        "Lê Thị Mai",
        "Phạm Minh Tuấn",
        "Võ Thị Hoa",
        "Đặng Quốc Bảo",
        "Huỳnh Thị Thu",
        "Bùi Văn Nam",
    ],
}
PHONE_FORMAT = {"DZ": "+213 33 00 {:02d} {:02d}", "VN": "+84 271 000 {:02d}{:02d}"}


@dataclass(frozen=True)
class DemoLogin:
    username: str
    role_label: str
    scope: str


# username, role (None: no profile), region, organisation, facility, scope text.
USERS: list[tuple[str, Role | None, str | None, str | None, str | None, str]] = [
    ("ministry.dz", Role.MINISTRY, "DZ", None, None, "Algeria, whole country"),
    ("ministry.vn", Role.MINISTRY, "VN", None, None, "Viet Nam, whole country"),
    ("coord.batna", Role.COORDINATOR, "DZ-05", None, None, "Batna wilaya and below"),
    ("coord.binhphuoc", Role.COORDINATOR, "VN-70", None, None, "Bình Phước province and below"),
    ("staff.chu-batna", Role.FACILITY_STAFF, None, None, "DZ-CHU-BATNA", "CHU Batna"),
    (
        "staff.sanatorium",
        Role.FACILITY_STAFF,
        None,
        None,
        "DZ-EPH-SANATORIUM",
        "EPH Batna (ex-Sanatorium)",
    ),
    (
        "producer.linde",
        Role.PRODUCER_STAFF,
        None,
        "DZ-LINDE",
        None,
        "Linde Gas Algérie: its sites and vehicles",
    ),
    ("viewer.barika", Role.VIEWER, DAIRA["Barika"], None, None, "Barika daïra, read-only"),
    ("outsider", None, None, None, None, "no role: sees nothing"),
    ("admin", None, None, None, None, "superuser: everything"),
]
SUPERUSERS = {"admin"}

# --------------------------------------------------------------------------- loading

M = TypeVar("M", bound=models.Model)


@dataclass
class DemoSummary:
    countries: int = 0
    regions: int = 0
    facilities: int = 0
    producers: int = 0
    depots: int = 0
    vehicles: int = 0
    contracts: int = 0
    logins: list[DemoLogin] = field(default_factory=list)

    def describe(self) -> str:
        return (
            f"Demo region loaded: {self.countries} countries, {self.regions} regions, "
            f"{self.facilities} facilities, {self.producers} producers, {self.depots} depots, "
            f"{self.vehicles} vehicles, {self.contracts} contracts."
        )


def _upsert(model: type[M], key: dict[str, Any], **values: Any) -> M:
    """The row found by ``key``, created or updated to ``values`` and fully validated.

    Unchanged rows are not saved again, so reloading writes no history.
    """
    obj = model._default_manager.filter(**key).first()
    if obj is not None and all(getattr(obj, name) == value for name, value in values.items()):
        return obj
    if obj is None:
        obj = model(**key)
    for name, value in values.items():
        setattr(obj, name, value)
    obj.full_clean()
    obj._change_reason = CHANGE_REASON  # type: ignore[attr-defined]
    obj.save()
    return obj


def _dec(value: str | float | None, places: int = 1) -> Decimal | None:
    if value is None:
        return None
    return Decimal(value) if isinstance(value, str) else round(Decimal(str(value)), places)


def _region(
    code: str, name: str, level: str, parent: reg.Region | None, **extra: Any
) -> reg.Region:
    extra = {k: _dec(v) if k in ("latitude", "longitude") else v for k, v in extra.items()}
    return _upsert(reg.Region, {"code": code}, name=name, level=level, parent=parent, **extra)


def _load_regions() -> tuple[dict[str, reg.Country], int]:
    countries = {}
    count = 0
    for code, name, local, iso, tz, weekend, lox_unit in COUNTRIES:
        region = _region(code, name, reg.RegionLevel.COUNTRY, None, name_local=local)
        countries[code] = _upsert(
            reg.Country,
            {"iso_code": iso},
            region=region,
            time_zone=tz,
            weekend_days=weekend,
            default_lox_unit=lox_unit,
            lox_reference=reg.LoxReference.NORMAL,
        )
        count += 1
    provinces = {}
    for code, country, name, local, lat, lon, population in PROVINCES:
        provinces[code] = _region(
            code,
            name,
            reg.RegionLevel.PROVINCE,
            countries[country].region,
            name_local=local,
            latitude=lat,
            longitude=lon,
            population=population,
        )
        count += 1
    dairas: dict[str, reg.Region] = {}
    for daira, daira_ar, commune, commune_ar, lat, lon in BATNA_COMMUNES:
        if daira not in dairas:
            seat = next(row for row in BATNA_COMMUNES if row[2] == daira)  # same-name commune
            dairas[daira] = _region(
                DAIRA[daira],
                f"{daira} (daïra)",
                reg.RegionLevel.DISTRICT,
                provinces["DZ-05"],
                name_local=daira_ar,
                latitude=seat[4],
                longitude=seat[5],
            )
            count += 1
        _region(
            COMMUNE[commune],
            commune,
            reg.RegionLevel.COMMUNE,
            dairas[daira],
            name_local=commune_ar,
            latitude=lat,
            longitude=lon,
            population=BATNA_COMMUNE_POPULATION.get(commune),
        )
        count += 1
    for gso, name, kind_vi, kind_en, population, lat, lon in BINH_PHUOC_DISTRICTS:
        _region(
            f"VN-70-{gso}",
            f"{name} ({kind_en})",
            reg.RegionLevel.DISTRICT,
            provinces["VN-70"],
            name_local=f"{kind_vi} {name}",
            latitude=lat,
            longitude=lon,
            population=population,
        )
        count += 1
    return countries, count


def _load_products() -> dict[str, reg.Product]:
    products = {}
    for code, name, water_l, bar in CYLINDER_TYPES:
        cylinder = _upsert(
            reg.CylinderType,
            {"code": code},
            name=name,
            water_capacity_l=Decimal(water_l),
            fill_pressure_bar=Decimal(bar),
        )
        products[_cylinder_product(code)] = _upsert(
            reg.Product,
            {"code": _cylinder_product(code)},
            name=f"Oxygen cylinder {name}",
            kind=reg.ProductKind.CYLINDER,
            unit_of_issue=reg.UnitOfIssue.CYLINDER,
            cylinder_type=cylinder,
            concentrator_flow_l_per_min=None,
            pack_size=1,
        )
    for code, name, kind, unit, pack, flow in PRODUCTS:
        products[code] = _upsert(
            reg.Product,
            {"code": code},
            name=name,
            kind=kind,
            unit_of_issue=unit,
            cylinder_type=None,
            concentrator_flow_l_per_min=_dec(flow),
            pack_size=pack,
        )
    return products


def _contact(site: reg.Site, role: str, index: int) -> None:
    country = site.code[:2]
    names = CONTACT_NAMES[country]
    slug = site.code[3:].lower()
    mailbox = "dispatch" if role == reg.ContactRole.DISPATCHER else "oxygen"
    _upsert(
        reg.Contact,
        {"site": site, "role": role},
        name=names[index % len(names)],
        phone=PHONE_FORMAT[country].format(index // 100 + 1, index % 100),
        email=f"{mailbox}@{slug}.example",
    )


def _load_sites(
    countries: dict[str, reg.Country], products: dict[str, reg.Product]
) -> tuple[dict[str, reg.Facility], dict[str, reg.Producer], dict[str, reg.Depot]]:
    regions = {r.code: r for r in reg.Region.objects.all()}
    orgs = {
        code: _upsert(
            reg.Organisation,
            {"code": code},
            name=name,
            kind=kind,
            ownership=ownership,
            country=countries[country],
        )
        for code, name, country, kind, ownership in ORGANISATIONS
    }
    producers: dict[str, reg.Producer] = {}
    for p in PRODUCERS:
        producers[p.code] = _upsert(
            reg.Producer,
            {"code": p.code},
            name=p.name,
            region=regions[p.region],
            organisation=orgs[p.organisation],
            latitude=_dec(p.lat),
            longitude=_dec(p.lon),
            producer_type=p.producer_type,
            ownership=p.ownership,
            lox_storage_kg=_dec(_lox_kg(p.lox_storage_l)),
            cylinder_storage_count=p.cylinder_storage,
            notes=p.notes,
        )
        for product, per_day in p.capacities.items():
            _upsert(
                reg.ProducerCapacity,
                {"producer": producers[p.code], "product": products[product]},
                capacity_per_day=_dec(per_day),
            )
        _contact(producers[p.code], reg.ContactRole.DISPATCHER, len(producers))
    facilities: dict[str, reg.Facility] = {}
    for i, f in enumerate(FACILITIES, start=1):
        region = regions[f.region]
        manifold = reg.CylinderType.objects.get(code=CYLINDER_SUPPLY[f.code[:2]][0])
        facility = facilities[f.code] = _upsert(
            reg.Facility,
            {"code": f.code},
            name=f.name,
            name_local=f.name_local,
            region=region,
            latitude=region.latitude,
            longitude=region.longitude,
            notes=f.notes,
            facility_type=f.facility_type,
            beds_total=f.beds,
            beds_oxygen=f.beds_oxygen,
            beds_icu=f.beds_icu,
            priority=f.priority,
            has_cylinder_manifold=True,
            manifold_cylinder_type=manifold,
            psa_output_nm3_per_h=Decimal(f.psa_nm3_per_h),
        )
        for n, litres in enumerate(f.tanks_l, start=1):
            _upsert(
                reg.LoxTank,
                {"facility": facility, "name": f"Tank {n}"},
                capacity_liquid_l=Decimal(litres),
                safety_level_pct=Decimal(20),  # ESTIMATE
            )
        # Concentrators: one 5 L/min per 5 oxygen beds, one 10 L/min per 2 ICU beds (ESTIMATE).
        for flow, count in ((5, f.beds_oxygen // 5), (10, f.beds_icu // 2)):
            if count:
                _upsert(
                    reg.FacilityConcentrators,
                    {"facility": facility, "flow_l_per_min": Decimal(flow)},
                    count=count,
                )
        _contact(facility, reg.ContactRole.DIRECTOR, 2 * i)
        _contact(facility, reg.ContactRole.OXYGEN_MANAGER, 2 * i + 1)
    depots: dict[str, reg.Depot] = {}
    for code, name, org, region_code, lat, lon in DEPOTS:
        depots[code] = _upsert(
            reg.Depot,
            {"code": code},
            name=name,
            organisation=orgs[org],
            region=regions[region_code],
            latitude=_dec(lat),
            longitude=_dec(lon),
            notes="Illustrative: location and role are estimates.",
        )
        _contact(depots[code], reg.ContactRole.DISPATCHER, 90 + len(depots))
    return facilities, producers, depots


def _load_fleet() -> int:
    sites = {s.code: s for s in reg.Site.objects.all()}
    orgs = {o.code: o for o in reg.Organisation.objects.all()}
    for registration, org, home, capacity, in_maintenance in VEHICLES:
        start, end = DAY_SHIFT[registration[:2]]
        tanker = not isinstance(capacity, dict)
        vehicle = _upsert(
            reg.Vehicle,
            {"registration": registration},
            organisation=orgs[org],
            kind=reg.VehicleKind.CRYOGENIC_TANKER if tanker else reg.VehicleKind.CYLINDER_TRUCK,
            capacity_kg=_dec(_lox_kg(capacity)) if tanker else None,
            home_depot=sites[home],
            status=reg.VehicleStatus.MAINTENANCE if in_maintenance else reg.VehicleStatus.AVAILABLE,
            shift_start=start,
            shift_end=end,
        )
        for cylinder_code, count in capacity.items() if isinstance(capacity, dict) else ():
            _upsert(
                reg.VehicleCylinderCapacity,
                {
                    "vehicle": vehicle,
                    "cylinder_type": reg.CylinderType.objects.get(code=cylinder_code),
                },
                count=count,
            )
    return len(VEHICLES)


def distance_km(a: reg.Site, b: reg.Site) -> float:
    """Great-circle distance between two sites (km)."""
    lat1, lon1, lat2, lon2 = map(
        math.radians, map(float, (a.latitude, a.longitude, b.latitude, b.longitude))
    )
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * 6371 * math.asin(math.sqrt(h))


def _lead_time_hours(producer: reg.Site, facility: reg.Site) -> int:
    road_km = distance_km(producer, facility) * ROAD_FACTOR
    return math.ceil(road_km / LOADED_KM_PER_H + HANDLING_H)


def _daily_need_nm3(spec: FacilitySpec) -> float:
    return spec.beds_oxygen * MEAN_FLOW_L_PER_MIN * 1440 / 1000


def _load_contracts(
    facilities: dict[str, reg.Facility],
    producers: dict[str, reg.Producer],
    products: dict[str, reg.Product],
) -> int:
    count = 0

    def contract(
        producer: reg.Producer, spec: FacilitySpec, product: str, per_day: float, valid_from: date
    ) -> None:
        nonlocal count
        facility = facilities[spec.code]
        algerian = spec.code.startswith("DZ")
        _upsert(
            reg.SupplyContract,
            {
                "producer": producer,
                "facility": facility,
                "product": products[product],
                "valid_from": valid_from,
            },
            agreed_quantity_per_day=_dec(per_day),
            lead_time_hours=_lead_time_hours(producer, facility),
            binding=True,
            requisition=algerian and valid_from >= date(2021, 7, 1),
            valid_to=None,
        )
        count += 1

    for spec in FACILITIES:
        need = _daily_need_nm3(spec)
        if spec.supply:
            net = max(need - float(spec.psa_nm3_per_h) * 24, need * LOX_FLOOR_SHARE)
            net_kg = units.to_magnitude(
                units.gas_volume_to_lox_mass(units.Quantity(net, "Nm3")), "kg"
            )
            for producer_code, share, valid_from in LOX_SUPPLY[spec.supply]:
                contract(
                    producers[producer_code], spec, "LOX", round(net_kg * share, -1), valid_from
                )
        cylinder_code, filler, valid_from = CYLINDER_SUPPLY[spec.code[:2]]
        per_cylinder = reg.CylinderType.objects.get(code=cylinder_code).content_nm3()
        share = CYLINDER_BACKUP_SHARE if spec.tanks_l else 1.0
        cylinders = max(1, math.ceil(need * share / per_cylinder))
        contract(producers[filler], spec, _cylinder_product(cylinder_code), cylinders, valid_from)
    return count


def _load_users() -> list[DemoLogin]:
    user_model = get_user_model()
    regions = {r.code: r for r in reg.Region.objects.filter(code__in=[u[2] for u in USERS if u[2]])}
    logins = []
    for username, role, region, org, facility, scope in USERS:
        user = user_model._default_manager.filter(username=username).first()
        if user is None:
            # The password is set once: a demo user who changed it keeps the change.
            user = user_model(username=username)
            validate_password(DEMO_PASSWORD, user)
            user.set_password(DEMO_PASSWORD)
        user.email = f"{username}@demo.example"
        user.is_active = True
        user.is_staff = role is not None or username in SUPERUSERS
        user.is_superuser = username in SUPERUSERS
        user.full_clean()
        user.save()
        if role is None:
            Profile.objects.filter(user=user).delete()
            label = "Superuser" if username in SUPERUSERS else "Outsider (no role)"
        else:
            profile = _upsert(
                Profile,
                {"user": user},
                role=role,
                region=regions.get(region or ""),
                organisation=reg.Organisation.objects.get(code=org) if org else None,
            )
            profile.facilities.set(reg.Facility.objects.filter(code=facility) if facility else [])
            label = str(role.label)
        logins.append(DemoLogin(username=username, role_label=label, scope=scope))
    return logins


@transaction.atomic
def load() -> DemoSummary:
    """Create or update the demo region, its sites, fleet, contracts and demo users.

    Idempotent and all-or-nothing: a second call finds every row by its key and changes
    only what differs from the tables above.
    """
    countries, region_count = _load_regions()
    products = _load_products()
    facilities, producers, depots = _load_sites(countries, products)
    return DemoSummary(
        countries=len(countries),
        regions=region_count,
        facilities=len(facilities),
        producers=len(producers),
        depots=len(depots),
        vehicles=_load_fleet(),
        contracts=_load_contracts(facilities, producers, products),
        logins=_load_users(),
    )
