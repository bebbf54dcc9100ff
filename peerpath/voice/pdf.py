"""The progress summary as a PDF, drawn with ReportLab (pure Python, no system packages)."""

from __future__ import annotations

import io
from xml.sax.saxutils import escape

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from peerpath.voice.services.sharing import Summary, summary_lines


def progress_summary(summary: Summary) -> bytes:
    """The summary's sections, headed with the program, the participant, the range and, when
    prepared for a recipient under the participant's consent, their name."""
    buffer = io.BytesIO()
    participant = summary.participant
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
        title=_("Progress summary: %(reference)s") % {"reference": participant.reference},
        author=participant.program.name,
    )
    styles = getSampleStyleSheet()
    story: list[Flowable] = [
        Paragraph(escape(participant.program.name), styles["Normal"]),
        Paragraph(
            escape(
                _("Progress summary: %(participant)s (%(reference)s)")
                % {"participant": participant.full_name, "reference": participant.reference}
            ),
            styles["Title"],
        ),
        Paragraph(
            escape(
                _("From %(start)s to %(end)s")
                % {
                    "start": date_format(summary.start, "SHORT_DATE_FORMAT"),
                    "end": date_format(summary.end, "SHORT_DATE_FORMAT"),
                }
            ),
            styles["Normal"],
        ),
    ]
    if summary.consent is not None:
        story.append(
            Paragraph(
                escape(
                    _("Prepared for %(recipient)s with the participant's consent (until %(date)s): %(scope)s.")
                    % {
                        "recipient": summary.recipient,
                        "date": date_format(summary.consent.expires_on, "SHORT_DATE_FORMAT"),
                        "scope": ", ".join(summary.consent.scope_labels()),
                    }
                ),
                styles["Normal"],
            )
        )
    story.append(Spacer(1, 6 * mm))
    for kind, value in summary_lines(summary):
        if kind == "h2":
            story.append(Paragraph(escape(value), styles["Heading2"]))
        elif kind == "table":
            table = Table(value, hAlign="LEFT")
            table.setStyle(
                TableStyle(
                    [
                        ("FONTNAME", (0, 0), (-1, 0), "Helvetica-Bold"),
                        ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
                        ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ]
                )
            )
            story.extend([table, Spacer(1, 3 * mm)])
        else:
            story.append(Paragraph(escape(value), styles["Normal"]))
    generated = timezone.localtime(summary.generated_at).strftime("%Y-%m-%d %H:%M")
    story.extend([Spacer(1, 8 * mm), Paragraph(escape(f"Confidential. Prepared {generated}."), styles["Italic"])])
    document.build(story)
    return buffer.getvalue()
