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
REQUIRED: tuple[str, ...] = ("handle",)
# A file needs at least one of these columns, and each row a usable value in one of them.
CONTACT: tuple[str, ...] = ("email", "phone")

# Other names exports give our columns (compared after lower-casing and trimming), mostly
# Spanish headers from Mexican spreadsheets and TikTok's own export.
ALIASES: dict[str, str] = {
    "usuario": "handle",
    "username": "handle",
    "tiktok": "handle",
    "creator": "handle",
    "nombre": "name",
    "display_name": "name",
    "correo": "email",
    "e-mail": "email",
    "correo electrónico": "email",
    "telefono": "phone",
    "teléfono": "phone",
    "celular": "phone",
    "whatsapp": "phone",
    "mobile": "phone",
    "idioma": "locale",
    "language": "locale",
    "zona horaria": "timezone",
    "estado": "state",
    "nivel": "level",
    "seguidores": "followers",
    "categoria": "category",
    "categoría": "category",
    "etiquetas": "tags",
}

# What an import stores when the cell is blank (and the model has no better default).
DEFAULT_TIMEZONE = "America/Mexico_City"
DEFAULT_MARKET = "MX"
