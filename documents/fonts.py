"""The fonts of the PDFs (SPEC 9): Noto Sans CJK SC cut down to the characters of GB 2312.

Every PDF embeds a subset of the font it uses, and WeasyPrint builds that subset from the
whole font file on every document. Noto Sans CJK SC holds 65,535 glyphs and WeasyPrint
keeps the glyph numbers up to the highest one used, so a one-page letter carried about
300 KiB of font and spent a third of its rendering on subsetting (benchmarks/
documents_render.py, `--profile`). The two faces built here hold only the 6,763 hanzi of
GB 2312 with its symbols, Latin and the CJK and full-width punctuation (7,903 glyphs):
the same documents render in a little more than half the time and weigh about 110 KiB.

A character outside GB 2312 (a rare character in a company's name) is not lost: the
documents name the whole Noto Sans CJK SC after this family, so WeasyPrint takes that
glyph from there and embeds a second subset.

`build_fonts()` runs from `manage.py document_fonts`, which `scripts/setup.sh` calls, and
writes the faces under settings.DOCUMENT_FONT_DIR (about 20 s, once: it keeps faces built
from the same source with the same characters).
"""

import hashlib
import json
import logging
import subprocess
from pathlib import Path

from django.conf import settings

logger = logging.getLogger(__name__)

FAMILY = "Noto Sans CJK SC GB"
SOURCE_FAMILY = "Noto Sans CJK SC"
WEIGHTS = {"normal": "Regular", "bold": "Bold"}

# Beside GB 2312: Latin-1, general punctuation (— ‘ ’ “ ” …), letter-like symbols, arrows
# and mathematical operators (− ≤ ≥, the claim worksheet's), enclosed numbers (①),
# shapes (■ □ ○), CJK symbols and punctuation (、。《》「」【】〔〕) and full-width forms
# (（），：；！？ ￥).
EXTRA_RANGES = ((0x20, 0x7F), (0xA0, 0x100), (0x2000, 0x2070), (0x2100, 0x2300),
                (0x2460, 0x2500), (0x25A0, 0x2600), (0x3000, 0x3040), (0xFF00, 0xFFF0))  # fmt: skip


def characters() -> list[int]:
    """The code points of the cut-down font: GB 2312 and EXTRA_RANGES."""
    points = {point for start, end in EXTRA_RANGES for point in range(start, end)}
    for high in range(0xA1, 0xF8):
        for low in range(0xA1, 0xFF):
            try:
                points.add(ord(bytes((high, low)).decode("gb2312")))
            except UnicodeDecodeError:
                continue
    return sorted(points)


def font_path(weight: str) -> Path:
    return Path(settings.DOCUMENT_FONT_DIR) / f"NotoSansCJKsc-GB-{WEIGHTS[weight]}.otf"


def _source(weight: str) -> tuple[str, int]:
    """The file and index in its collection of the system's Noto Sans CJK SC face."""
    pattern = f"{SOURCE_FAMILY}:style={WEIGHTS[weight]}"
    command = ["fc-match", "--format=%{file}\n%{index}", pattern]
    # Fixed arguments and fontconfig's own tool, found on PATH like the PDF tools.
    out = subprocess.run(command, check=True, capture_output=True, text=True).stdout  # noqa: S603
    path, index = out.split("\n")
    return path, int(index)


def _stamp(weight: str) -> str:
    path, index = _source(weight)
    stat = Path(path).stat()
    key = [path, index, stat.st_size, stat.st_mtime_ns, characters()]
    return hashlib.sha256(json.dumps(key).encode()).hexdigest()


def fonts_ready() -> bool:
    """Whether both faces are built (the PDFs fall back to the whole font otherwise)."""
    return all(font_path(weight).exists() for weight in WEIGHTS)


def build_fonts(*, force: bool = False) -> list[Path]:
    """Build the faces that are missing or stale; return the paths built."""
    from fontTools import subset  # WeasyPrint's own dependency

    # fontTools reports every table and glyph it keeps at INFO.
    logging.getLogger("fontTools").setLevel(logging.WARNING)
    built = []
    for weight in WEIGHTS:
        target = font_path(weight)
        stamp_file = target.with_suffix(".stamp")
        stamp = _stamp(weight)
        if (
            not force
            and target.exists()
            and stamp_file.exists()
            and stamp_file.read_text() == stamp
        ):
            continue
        source, index = _source(weight)
        options = subset.Options()
        options.font_number = index
        # Horizontal Chinese set by Pango needs no more; the others (locl's Japanese,
        # Korean and traditional forms, the vertical ones) would double the glyphs.
        options.layout_features = ["ccmp", "calt", "kern", "liga", "rlig", "mark", "mkmk"]
        options.name_IDs = ["*"]
        options.notdef_outline = True
        font = subset.load_font(source, options)
        subsetter = subset.Subsetter(options)
        subsetter.populate(unicodes=characters())
        subsetter.subset(font)
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_suffix(".partial")
        subset.save_font(font, str(partial), options)
        partial.replace(target)  # a reader never sees half a font
        stamp_file.write_text(stamp)
        built.append(target)
        logger.info("built %s from %s (%d)", target, source, index)
    return built


def font_face_css() -> str:
    """@font-face rules for the cut-down faces, or nothing if they are not built."""
    if not fonts_ready():
        return ""
    return "\n".join(
        f'@font-face {{ font-family: "{FAMILY}"; font-weight: {weight}; '
        f'src: url("{font_path(weight).resolve().as_uri()}"); }}'
        for weight in WEIGHTS
    )
