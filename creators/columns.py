"""The creators CSV's columns, in order: one list for the importer, the demo and benchmark
data generators and the docs (docs/importing.md). Plain Python, no Django, so
`bench/datagen.py` can write files without setting Django up."""

HEADER: tuple[str, ...] = (
    "handle",
    "name",
    "email",
    "phone",
    "locale",
    "timezone",
    "state",
    "market",
    "level",
    "followers",
    "gmv_30d",
    "category",
    "content_type",
    "joined_at",
    "last_active_at",
    "consent_email",
    "consent_whatsapp",
    "consent_push",
    "tags",
)
REQUIRED: tuple[str, ...] = ("handle", "name")

# What an import stores when the cell is blank (and the model has no better default).
DEFAULT_TIMEZONE = "America/Mexico_City"
DEFAULT_MARKET = "MX"
