"""The printable certificate: a one-page PDF drawn with ReportLab (pure Python, no system
packages), carrying the verification address as text, as a link and as a QR code."""

from __future__ import annotations

import io

from reportlab.graphics import renderPDF
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas

from peerpath.certification.models import Certificate

INK = colors.HexColor("#1d2433")
BRAND = colors.HexColor("#0b5cad")
MUTED = colors.HexColor("#4a5468")


def certificate_pdf(certificate: Certificate, verification_url: str) -> bytes:
    buffer = io.BytesIO()
    width, height = landscape(A4)
    pdf = canvas.Canvas(buffer, pagesize=(width, height), pageCompression=1)
    pdf.setTitle(f"{certificate.credential_name}: {certificate.holder_name}")
    pdf.setAuthor(certificate.program.name)
    pdf.setSubject(f"Certificate {certificate.identifier}; verify at {verification_url}")
    pdf.setCreator("PeerPath")

    pdf.setStrokeColor(BRAND)
    pdf.setLineWidth(3)
    pdf.rect(12 * mm, 12 * mm, width - 24 * mm, height - 24 * mm)
    pdf.setLineWidth(0.8)
    pdf.rect(15 * mm, 15 * mm, width - 30 * mm, height - 30 * mm)

    center = width / 2
    pdf.setFillColor(BRAND)
    pdf.setFont("Helvetica-Bold", 16)
    pdf.drawCentredString(center, height - 38 * mm, certificate.program.name)
    pdf.setFillColor(INK)
    pdf.setFont("Helvetica", 14)
    pdf.drawCentredString(center, height - 58 * mm, "This certifies that")
    pdf.setFont("Helvetica-Bold", 30)
    pdf.drawCentredString(center, height - 76 * mm, certificate.holder_name)
    pdf.setFont("Helvetica", 14)
    pdf.drawCentredString(center, height - 92 * mm, "has completed peer-supporter training, was assessed by a trainer,")
    pdf.drawCentredString(center, height - 100 * mm, "and holds the credential")
    pdf.setFont("Helvetica-Bold", 20)
    pdf.setFillColor(BRAND)
    pdf.drawCentredString(center, height - 114 * mm, certificate.credential_name)

    pdf.setFillColor(INK)
    pdf.setFont("Helvetica", 12)
    left = 30 * mm
    pdf.drawString(left, 58 * mm, f"Issued: {certificate.issued_on:%d %B %Y}")
    pdf.drawString(left, 50 * mm, f"Valid until: {certificate.expires_on:%d %B %Y}")
    pdf.drawString(left, 42 * mm, f"Certificate number: {certificate.identifier}")
    pdf.setFillColor(MUTED)
    pdf.setFont("Helvetica", 10)
    pdf.drawString(left, 32 * mm, "Check that this certificate is genuine and still valid at:")
    pdf.setFillColor(BRAND)
    pdf.drawString(left, 26 * mm, verification_url)
    text_width = pdf.stringWidth(verification_url, "Helvetica", 10)
    pdf.linkURL(verification_url, (left, 24 * mm, left + text_width, 30 * mm), relative=0)

    size = 42 * mm
    widget = QrCodeWidget(verification_url, barLevel="M")
    x0, y0, x1, y1 = widget.getBounds()
    drawing = Drawing(size, size, transform=[size / (x1 - x0), 0, 0, size / (y1 - y0), 0, 0])
    drawing.add(widget)
    qr_x, qr_y = width - 30 * mm - size, 22 * mm
    renderPDF.draw(drawing, pdf, qr_x, qr_y)
    pdf.linkURL(verification_url, (qr_x, qr_y, qr_x + size, qr_y + size), relative=0)
    pdf.setFillColor(MUTED)
    pdf.setFont("Helvetica", 8)
    pdf.drawCentredString(qr_x + size / 2, qr_y - 4 * mm, "Scan to verify")

    pdf.showPage()
    pdf.save()
    return buffer.getvalue()
