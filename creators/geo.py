"""Mexico's states and time zones: the values creator data is checked and normalised against."""

import unicodedata

# IANA zones used in Mexico (tzdata, 2022 onwards: no DST except the northern border strip).
MEXICAN_TIMEZONES: tuple[str, ...] = (
    "America/Mexico_City",
    "America/Monterrey",
    "America/Merida",
    "America/Cancun",
    "America/Chihuahua",
    "America/Ciudad_Juarez",
    "America/Ojinaga",
    "America/Hermosillo",
    "America/Mazatlan",
    "America/Matamoros",
    "America/Tijuana",
    "America/Bahia_Banderas",
)

# code (ISO 3166-2:MX without the "MX-" prefix), name, the zone most of its people live in.
MEXICAN_STATES: tuple[tuple[str, str, str], ...] = (
    ("AGU", "Aguascalientes", "America/Mexico_City"),
    ("BCN", "Baja California", "America/Tijuana"),
    ("BCS", "Baja California Sur", "America/Mazatlan"),
    ("CAM", "Campeche", "America/Merida"),
    ("CHP", "Chiapas", "America/Mexico_City"),
    ("CHH", "Chihuahua", "America/Chihuahua"),
    ("CMX", "Ciudad de México", "America/Mexico_City"),
    ("COA", "Coahuila", "America/Monterrey"),
    ("COL", "Colima", "America/Mexico_City"),
    ("DUR", "Durango", "America/Monterrey"),
    ("GUA", "Guanajuato", "America/Mexico_City"),
    ("GRO", "Guerrero", "America/Mexico_City"),
    ("HID", "Hidalgo", "America/Mexico_City"),
    ("JAL", "Jalisco", "America/Mexico_City"),
    ("MEX", "Estado de México", "America/Mexico_City"),
    ("MIC", "Michoacán", "America/Mexico_City"),
    ("MOR", "Morelos", "America/Mexico_City"),
    ("NAY", "Nayarit", "America/Mazatlan"),
    ("NLE", "Nuevo León", "America/Monterrey"),
    ("OAX", "Oaxaca", "America/Mexico_City"),
    ("PUE", "Puebla", "America/Mexico_City"),
    ("QUE", "Querétaro", "America/Mexico_City"),
    ("ROO", "Quintana Roo", "America/Cancun"),
    ("SLP", "San Luis Potosí", "America/Mexico_City"),
    ("SIN", "Sinaloa", "America/Mazatlan"),
    ("SON", "Sonora", "America/Hermosillo"),
    ("TAB", "Tabasco", "America/Mexico_City"),
    ("TAM", "Tamaulipas", "America/Matamoros"),
    ("TLA", "Tlaxcala", "America/Mexico_City"),
    ("VER", "Veracruz", "America/Mexico_City"),
    ("YUC", "Yucatán", "America/Merida"),
    ("ZAC", "Zacatecas", "America/Mexico_City"),
)

STATE_CHOICES = [(code, name) for code, name, _zone in MEXICAN_STATES]
TIMEZONE_CHOICES = [(zone, zone) for zone in MEXICAN_TIMEZONES]


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.strip().casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


_STATE_LOOKUP: dict[str, str] = {}
for _code, _name, _zone in MEXICAN_STATES:
    _STATE_LOOKUP[_fold(_code)] = _code
    _STATE_LOOKUP[_fold(f"MX-{_code}")] = _code
    _STATE_LOOKUP[_fold(_name)] = _code
_STATE_LOOKUP[_fold("CDMX")] = "CMX"
_STATE_LOOKUP[_fold("DF")] = "CMX"
_STATE_LOOKUP[_fold("Mexico")] = "MEX"
_STATE_LOOKUP[_fold("Nuevo Leon")] = "NLE"


def state_code_for(text: str) -> str | None:
    """The state's code for a code or a name, accents and case ignored; None if unknown."""
    return _STATE_LOOKUP.get(_fold(text))
