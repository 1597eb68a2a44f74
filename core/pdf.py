"""A small PDF writer: pages of text and filled rectangles, enough for shipping labels.

No PDF library is installed, and a label needs little: PDF 1.4, one content stream per page,
two fonts — Helvetica (the 14 standard fonts need no embedding) for numbers, and Adobe's
predefined Chinese font ``STSong-Light`` with the ``UniGB-UCS2-H`` CMap for any text (readers
ship it: Acrobat's Asian font pack, pdf.js, Poppler), written as UTF-16BE hex so Chinese needs
no embedded font either. Coordinates are PDF points from the bottom-left corner.
"""

from __future__ import annotations

from dataclasses import dataclass, field

MM = 72 / 25.4


def _escape_ascii(text: str) -> str:
    safe = text.encode("ascii", "replace").decode("ascii")
    return safe.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def _utf16_hex(text: str) -> str:
    # Characters beyond the BMP have no code in UCS-2: shown as "?".
    bmp = "".join(c if ord(c) <= 0xFFFF else "?" for c in text)
    return bmp.encode("utf-16-be").hex().upper()


@dataclass
class Page:
    width: float
    height: float
    ops: list[str] = field(default_factory=list)

    def text(self, x: float, y: float, text: str, *, size: float = 9, latin: bool = False) -> None:
        """``latin``: Helvetica, for ASCII (tracking numbers); otherwise the Chinese-capable font."""
        if latin:
            shown = f"({_escape_ascii(text)}) Tj"
            font = "F2"
        else:
            shown = f"<{_utf16_hex(text)}> Tj"
            font = "F1"
        self.ops.append(f"BT /{font} {size:.2f} Tf {x:.2f} {y:.2f} Td {shown} ET")

    def rect(self, x: float, y: float, w: float, h: float) -> None:
        """A filled black rectangle (a barcode bar)."""
        self.ops.append(f"{x:.3f} {y:.3f} {w:.3f} {h:.3f} re f")

    def line(self, x1: float, y1: float, x2: float, y2: float, *, width: float = 0.6) -> None:
        self.ops.append(f"{width:.2f} w {x1:.2f} {y1:.2f} m {x2:.2f} {y2:.2f} l S")


@dataclass
class Document:
    pages: list[Page] = field(default_factory=list)
    title: str = ""

    def page(self, width: float, height: float) -> Page:
        page = Page(width, height)
        self.pages.append(page)
        return page

    def render(self) -> bytes:
        if not self.pages:
            raise ValueError("a PDF needs at least one page")
        objects: list[bytes] = []

        def add(body: str | bytes) -> int:
            objects.append(body.encode("latin-1") if isinstance(body, str) else body)
            return len(objects)

        catalog = add("")  # filled in once the pages object's number is known
        pages_id = add("")
        cjk_descriptor = add(
            "<< /Type /FontDescriptor /FontName /STSong-Light /Flags 6 /FontBBox [-25 -254 1000 880] "
            "/ItalicAngle 0 /Ascent 880 /Descent -120 /CapHeight 880 /StemV 93 >>"
        )
        cjk_descendant = add(
            "<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light "
            "/CIDSystemInfo << /Registry (Adobe) /Ordering (GB1) /Supplement 4 >> "
            f"/FontDescriptor {cjk_descriptor} 0 R /DW 1000 /W [1 95 500] >>"
        )
        cjk = add(
            "<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /UniGB-UCS2-H "
            f"/DescendantFonts [{cjk_descendant} 0 R] >>"
        )
        latin = add("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
        kids = []
        for page in self.pages:
            stream = "\n".join(page.ops).encode("latin-1")
            content = add(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
            kids.append(
                add(
                    f"<< /Type /Page /Parent {pages_id} 0 R /MediaBox [0 0 {page.width:.2f} {page.height:.2f}] "
                    f"/Resources << /Font << /F1 {cjk} 0 R /F2 {latin} 0 R >> >> /Contents {content} 0 R >>"
                )
            )
        objects[catalog - 1] = f"<< /Type /Catalog /Pages {pages_id} 0 R >>".encode()
        objects[pages_id - 1] = (
            f"<< /Type /Pages /Kids [{' '.join(f'{k} 0 R' for k in kids)}] /Count {len(kids)} >>".encode()
        )
        info = add(f"<< /Title <FEFF{_utf16_hex(self.title)}> /Producer (Orderflow) >>")
        out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
        offsets = []
        for number, body in enumerate(objects, start=1):
            offsets.append(len(out))
            out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
        xref = len(out)
        out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
        for offset in offsets:
            out += b"%010d 00000 n \n" % offset
        out += b"trailer\n<< /Size %d /Root %d 0 R /Info %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
            len(objects) + 1,
            catalog,
            info,
            xref,
        )
        return bytes(out)
