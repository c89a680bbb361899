"""Checks on the packaging metadata: manifest.json, hacs.json and the brand images."""

from __future__ import annotations

import json
from pathlib import Path
import re
import struct

import pytest

from custom_components.axle_flex_lite.const import DOMAIN

REPO = Path(__file__).parent.parent
INTEGRATION = REPO / "custom_components" / DOMAIN
BRAND = INTEGRATION / "brand"

# The keys HACS documents for hacs.json; anything else makes its validation fail.
HACS_KEYS = {
    "name",
    "content_in_root",
    "zip_release",
    "filename",
    "hide_default_branch",
    "country",
    "homeassistant",
    "persistent_directory",
    "hacs",
    "render_readme",
}
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
PNG_COLOUR_TYPE_RGBA = 6


def _png_header(path: Path) -> tuple[int, int, int]:
    """Return width, height and colour type from a PNG's IHDR chunk."""
    data = path.read_bytes()[:29]
    assert data[:8] == PNG_SIGNATURE, f"{path.name} is not a PNG"
    assert data[12:16] == b"IHDR"
    width, height, _depth, colour_type = struct.unpack(">IIBB", data[16:26])
    return width, height, colour_type


def test_manifest_key_order() -> None:
    """Hassfest wants domain, then name, then the other keys in alphabetical order."""
    manifest = json.loads((INTEGRATION / "manifest.json").read_text(encoding="utf-8"))
    keys = list(manifest)
    assert keys[:2] == ["domain", "name"]
    assert keys[2:] == sorted(keys[2:])


def test_manifest_content() -> None:
    """The manifest describes a config-flow custom integration with a version."""
    manifest = json.loads((INTEGRATION / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["domain"] == DOMAIN
    assert manifest["config_flow"] is True
    assert manifest["version"]
    assert manifest["codeowners"]
    assert manifest["iot_class"] in {"cloud_polling", "cloud_push"}
    assert manifest["documentation"].startswith("https://")
    assert manifest["issue_tracker"].startswith("https://")


def test_hacs_json() -> None:
    """hacs.json uses only keys HACS accepts and names the integration like the manifest."""
    hacs = json.loads((REPO / "hacs.json").read_text(encoding="utf-8"))
    manifest = json.loads((INTEGRATION / "manifest.json").read_text(encoding="utf-8"))
    assert set(hacs) <= HACS_KEYS, f"unknown keys: {sorted(set(hacs) - HACS_KEYS)}"
    assert hacs["name"] == manifest["name"]
    # The minimum version HACS enforces is the oldest release the test suite runs on.
    oldest = (REPO / "requirements" / "oldest.txt").read_text(encoding="utf-8")
    pinned = re.search(r"^homeassistant==(\d+)\.(\d+)\.\d+$", oldest, re.MULTILINE)
    assert pinned is not None
    assert hacs["homeassistant"] == f"{pinned[1]}.{pinned[2]}.0"


@pytest.mark.parametrize(("name", "size"), [("icon.png", 256), ("icon@2x.png", 512)])
def test_brand_icon(name: str, size: int) -> None:
    """Icons are square RGBA PNGs of the size Home Assistant expects."""
    width, height, colour_type = _png_header(BRAND / name)
    assert (width, height) == (size, size)
    assert colour_type == PNG_COLOUR_TYPE_RGBA


@pytest.mark.parametrize(
    ("name", "height"),
    [("logo.png", 256), ("logo@2x.png", 512), ("dark_logo.png", 256), ("dark_logo@2x.png", 512)],
)
def test_brand_logo(name: str, height: int) -> None:
    """Logos are landscape RGBA PNGs whose short side is the height Home Assistant expects."""
    width, actual_height, colour_type = _png_header(BRAND / name)
    assert actual_height == height
    assert width >= height
    assert colour_type == PNG_COLOUR_TYPE_RGBA


def test_brand_folder_holds_only_known_images() -> None:
    """Home Assistant serves only these file names; anything else in brand/ is dead weight."""
    known = {
        f"{dark}{kind}{density}.png"
        for dark in ("", "dark_")
        for kind in ("icon", "logo")
        for density in ("", "@2x")
    }
    present = {path.name for path in BRAND.iterdir()}
    assert present <= known, f"unexpected files: {sorted(present - known)}"
    assert {"icon.png", "logo.png"} <= present
