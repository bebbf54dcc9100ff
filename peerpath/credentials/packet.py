"""The application packet for the credentialing body: a PDF summary of the progress lines and
a CSV of every underlying record (the same `progress.Progress`), drawn with ReportLab as the
certificate is."""

from __future__ import annotations

import io

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas

from peerpath.core import exports
from peerpath.credentials.progress import Progress

INK = colors.HexColor("#1d2433")
BRAND = colors.HexColor("#0b5cad")


def _h(value: object) -> str:
    return f"{value:.2f}" if value is not None else ""


def summary_lines(found: Progress) -> list[tuple[str, str]]:
    """The lines of the summary, label and value, as the PDF prints them (tests read them too)."""
    rows: list[tuple[str, str]] = [(_("Training hours by domain"), "")]
    rows += [(f"  {d.label}", f"{_h(d.counted)} / {_h(d.required)} h") for d in found.domains]
    rows.append((_("Training hours in all"), f"{_h(found.training_total)} h"))
    rows.append((found.supervised.label, f"{_h(found.supervised.counted)} / {_h(found.supervised.required)} h"))
    rows.append((found.experience.label, f"{_h(found.experience.counted)} / {_h(found.experience.required)} h"))
    for d in found.documents:
        when = date_format(d.expires_on, "SHORT_DATE_FORMAT") if d.expires_on else ""
        rows.append((str(d.qtype.name), f"{d.label} {when}".strip()))
    if found.settings.exam_required:
        exam = found.exam
        value = (
            _("%(score)s%% on %(date)s (%(result)s)")
            % {
                "score": exam.score,
                "date": date_format(exam.taken_on, "SHORT_DATE_FORMAT"),
                "result": _("passed") if exam.passed else _("not passed"),
            }
            if exam
            else _("not taken")
        )
        rows.append((_("Exam"), value))
    rows.append((_("All requirements met"), _("yes") if found.complete else _("not yet")))
    return rows


def packet_pdf(found: Progress) -> bytes:
    buffer = io.BytesIO()
    width, height = A4
    pdf = canvas.Canvas(buffer, pagesize=A4, pageCompression=1)
    person, settings = found.supporter, found.settings
    pdf.setTitle(f"{settings.name}: {person.full_name}")
    pdf.setAuthor(person.program.name)
    pdf.setCreator("PeerPath")
    y = height - 25 * mm
    pdf.setFillColor(BRAND)
    pdf.setFont("Helvetica-Bold", 16)
    pdf.drawString(20 * mm, y, _("Application: %(credential)s") % {"credential": settings.name})
    y -= 9 * mm
    pdf.setFillColor(INK)
    pdf.setFont("Helvetica", 11)
    pdf.drawString(20 * mm, y, f"{person.full_name} · {person.program.name}")
    y -= 6 * mm
    if settings.body:
        pdf.drawString(20 * mm, y, _("To: %(body)s") % {"body": settings.body})
        y -= 6 * mm
    pdf.drawString(20 * mm, y, _("Prepared on %(date)s") % {"date": date_format(timezone.localdate(), "DATE_FORMAT")})
    y -= 12 * mm
    for label, value in summary_lines(found):
        if y < 25 * mm:
            pdf.showPage()
            y = height - 25 * mm
        pdf.setFont("Helvetica-Bold" if not label.startswith("  ") else "Helvetica", 11)
        pdf.drawString(20 * mm, y, label)
        pdf.setFont("Helvetica", 11)
        pdf.drawRightString(width - 20 * mm, y, value)
        y -= 7 * mm
    y -= 5 * mm
    pdf.setFont("Helvetica-Oblique", 9)
    pdf.drawString(20 * mm, y, _("Every record behind these figures is in the CSV file sent with this summary."))
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def packet_csv(found: Progress) -> bytes:
    """The records behind the summary, one row each, through the one CSV writer (which keeps a
    typed value that starts like a formula from running in a spreadsheet)."""
    headers = [_("Section"), _("Date"), _("Record"), _("Domain"), _("Hours"), _("Source")]
    rows = [[r.section, r.day.isoformat(), r.description, r.domain, _h(r.hours), r.source] for r in found.records]
    return exports.csv_bytes(headers, rows)
