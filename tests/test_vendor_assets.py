"""The vendored front-end files are the ones static/vendor/README.md names, and no static file
names a source map that is missing (production `collectstatic` stops on one)."""

import hashlib
import re
from pathlib import Path

from django.conf import settings

STATIC_DIR = Path(settings.BASE_DIR) / "static"
VENDOR_DIR = STATIC_DIR / "vendor"
ROW = re.compile(r"^\| `([^`]+)` \|.*\| `([0-9a-f]{64})` \|$", flags=re.MULTILINE)
SOURCE_MAP = re.compile(r"[#@] sourceMappingURL=(\S+?)\s*(?:\*/)?\s*$", flags=re.MULTILINE)


def readme_sums() -> dict[str, str]:
    return dict(ROW.findall((VENDOR_DIR / "README.md").read_text()))


def test_every_vendored_file_is_listed_with_its_sha256():
    sums = readme_sums()
    on_disk = {
        str(path.relative_to(VENDOR_DIR))
        for path in VENDOR_DIR.rglob("*")
        if path.is_file() and path.name != "README.md"
    }
    assert set(sums) == on_disk
    for name, digest in sums.items():
        assert hashlib.sha256((VENDOR_DIR / name).read_bytes()).hexdigest() == digest, name


def test_every_source_map_a_static_file_names_is_there():
    named = 0
    for path in [*STATIC_DIR.rglob("*.js"), *STATIC_DIR.rglob("*.css")]:
        for target in SOURCE_MAP.findall(path.read_text(errors="replace")):
            named += 1
            assert (path.parent / target).is_file(), f"{path} names missing {target}"
    assert named >= 1  # Chart.js names its map
