from django.db import migrations

MARKETS = [
    ("MX", "México", "es-MX", "MXN",
     ["America/Mexico_City", "America/Monterrey", "America/Tijuana", "America/Hermosillo",
      "America/Cancun", "America/Chihuahua", "America/Mazatlan"]),
    ("BR", "Brasil", "pt-BR", "BRL",
     ["America/Sao_Paulo", "America/Manaus", "America/Fortaleza", "America/Noronha"]),
    ("US", "United States", "en-US", "USD",
     ["America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles",
      "America/Anchorage", "Pacific/Honolulu"]),
    ("ID", "Indonesia", "id-ID", "IDR", ["Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura"]),
    ("GB", "United Kingdom", "en-GB", "GBP", ["Europe/London"]),
    ("ES", "España", "es-ES", "EUR", ["Europe/Madrid", "Atlantic/Canary"]),
    ("CO", "Colombia", "es-CO", "COP", ["America/Bogota"]),
]  # fmt: skip


def seed(apps, schema_editor):
    Market = apps.get_model("markets", "Market")
    for code, name, language, currency, zones in MARKETS:
        Market.objects.update_or_create(
            code=code,
            defaults={"name": name, "default_language": language, "currency": currency,
                      "time_zones": zones},
        )  # fmt: skip


def unseed(apps, schema_editor):
    apps.get_model("markets", "Market").objects.filter(code__in=[m[0] for m in MARKETS]).delete()


class Migration(migrations.Migration):
    dependencies = [("markets", "0001_market")]

    operations = [migrations.RunPython(seed, unseed)]
