"""The certificate of appreciation, drawn with ReportLab (pure Python, no system packages)."""

from __future__ import annotations

import io
from typing import Any

from django.utils.translation import gettext as _
from reportlab.lib.colors import HexColor
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas
from reportlab.platypus import Paragraph

BRAND = HexColor("#0b5cad")
INK = HexColor("#1d2433")
MUTED = HexColor("#4a5468")


def certificate_of_appreciation(recognition: Any) -> bytes:
    """A one-page landscape certificate naming the supporter, the recognition and the program."""
    buffer = io.BytesIO()
    width, height = landscape(A4)
    pdf = canvas.Canvas(buffer, pagesize=(width, height))
    program = recognition.program
    pdf.setTitle(_("Certificate of appreciation: %(supporter)s") % {"supporter": recognition.supporter.full_name})
    pdf.setAuthor(program.name)
    pdf.setSubject(recognition.title)

    pdf.setStrokeColor(BRAND)
    pdf.setLineWidth(4)
    pdf.rect(12 * mm, 12 * mm, width - 24 * mm, height - 24 * mm)
    pdf.setLineWidth(1)
    pdf.rect(16 * mm, 16 * mm, width - 32 * mm, height - 32 * mm)

    pdf.setFillColor(MUTED)
    pdf.setFont("Helvetica", 14)
    pdf.drawCentredString(width / 2, height - 42 * mm, program.name)
    pdf.setFillColor(BRAND)
    pdf.setFont("Helvetica-Bold", 34)
    pdf.drawCentredString(width / 2, height - 62 * mm, _("Certificate of Appreciation"))
    pdf.setFillColor(INK)
    pdf.setFont("Helvetica", 14)
    pdf.drawCentredString(width / 2, height - 78 * mm, _("presented to"))
    pdf.setFont("Helvetica-Bold", 28)
    pdf.drawCentredString(width / 2, height - 95 * mm, recognition.supporter.full_name)
    pdf.setFont("Helvetica-Oblique", 16)
    pdf.drawCentredString(width / 2, height - 110 * mm, recognition.title)

    if recognition.message:
        style = ParagraphStyle("message", fontName="Helvetica", fontSize=12, leading=16, alignment=1, textColor=INK)
        text = Paragraph(_escape(recognition.message).replace("\n", "<br/>"), style)
        box_width = width - 90 * mm
        _w, box_height = text.wrap(box_width, 40 * mm)
        text.drawOn(pdf, 45 * mm, height - 120 * mm - box_height)

    pdf.setFont("Helvetica", 11)
    pdf.setFillColor(MUTED)
    when = recognition.given_on.strftime("%-d %B %Y")
    place = f" at {recognition.event_name}" if recognition.event_name else ""
    pdf.drawCentredString(width / 2, 40 * mm, _("Given on %(when)s%(place)s") % {"when": when, "place": place})
    signer = recognition.recorded_by.full_name if recognition.recorded_by else program.name
    pdf.line(width / 2 - 45 * mm, 30 * mm, width / 2 + 45 * mm, 30 * mm)
    pdf.drawCentredString(width / 2, 25 * mm, f"{signer}, for {program.name}")
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
