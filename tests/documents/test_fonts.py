"""The GB 2312 cut of Noto Sans CJK SC the PDFs use (documents.fonts): what it holds, that
a character outside it still reaches the PDF from the whole font, and that the copies of
the faces a worker process loads do not outlive it."""

import subprocess
import sys

from documents import fonts, pdf


def _run(*command) -> str:
    return subprocess.run(command, check=True, capture_output=True, text=True).stdout


def test_the_cut_holds_every_hanzi_of_gb_2312_latin_and_the_punctuation():
    points = set(fonts.characters())
    hanzi = [p for p in points if 0x4E00 <= p <= 0x9FFF]
    assert len(hanzi) == 6763  # GB 2312's two levels
    assert {ord(c) for c in "信用保险赔款（），。、：；《》“”—…￥−≤①ABCxyz0123456789"} <= points
    assert ord("堃") not in points  # GBK, not GB 2312


def test_the_faces_are_built_and_kept_while_up_to_date():
    assert fonts.fonts_ready(), "run manage.py document_fonts (scripts/setup.sh does)"
    assert fonts.build_fonts() == []  # nothing stale: nothing rebuilt
    css = fonts.font_face_css()
    assert css.count("@font-face") == 2 and fonts.FAMILY in css


def _fonts_and_text(tmp_path, body: str) -> tuple[list[str], str]:
    path = tmp_path / "fonts.pdf"
    path.write_bytes(
        pdf._render_html(
            f"<html lang='zh-Hans'><body style='font-family: {pdf.FONT_FAMILIES}'>"
            f"{body}</body></html>"
        ).content
    )
    names = [row.split()[0].split("+")[1] for row in _run("pdffonts", str(path)).splitlines()[2:]]
    return sorted(names), _run("pdftotext", str(path), "-")


def test_common_text_embeds_only_the_cut(tmp_path):
    names, text = _fonts_and_text(
        tmp_path, "<p>深圳市前海电子有限公司</p><p><b>人民币壹佰万元整</b></p>"
    )
    assert names == ["Noto-Sans-CJK-SC-GB", "Noto-Sans-CJK-SC-GB-Bold"]
    assert "深圳市前海电子有限公司" in text and "人民币壹佰万元整" in text


def test_a_character_outside_gb_2312_comes_from_the_whole_font(tmp_path):
    names, text = _fonts_and_text(tmp_path, "<p>上海堃喆贸易有限公司</p>")
    assert names == ["Noto-Sans-CJK-SC", "Noto-Sans-CJK-SC-GB"]
    assert "上海堃喆贸易有限公司" in text and "\ufffd" not in text


def test_copies_left_by_ended_processes_are_removed(tmp_path, settings):
    settings.DOCUMENT_FONT_DIR = tmp_path
    ended = subprocess.Popen([sys.executable, "-c", "pass"])
    ended.wait()
    loaded = tmp_path / "loaded"
    for pid in (ended.pid, 1):  # 1 never ends
        (loaded / str(pid)).mkdir(parents=True)
        (loaded / str(pid) / "face").write_bytes(b"x")
    own = pdf._font_folder()
    assert own.is_dir() and not any(own.iterdir())
    assert sorted(p.name for p in loaded.iterdir()) == sorted(["1", own.name])
