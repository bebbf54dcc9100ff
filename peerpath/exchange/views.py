from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from peerpath.core import audit
from peerpath.core.exports import XLSX_TYPE, as_download, attachment, download
from peerpath.core.forms import add_service_errors
from peerpath.core.idempotency import creates_once
from peerpath.core.permissions import program_view
from peerpath.exchange.archive import stream_archive
from peerpath.exchange.forms import ImportForm
from peerpath.exchange.importers import IMPORTERS, Importer, template_workbook
from peerpath.exchange.lifecycle import IMPORT_BATCH
from peerpath.exchange.models import ImportBatch
from peerpath.exchange.reading import Row, read_table
from peerpath.programs.http import ProgramRequest
from peerpath.programs.models import Program


def _importer(kind: str) -> Importer:
    if kind not in IMPORTERS:
        raise Http404("No such import.")
    return IMPORTERS[kind]


@program_view("exchange.import")
def home(request: ProgramRequest, program: Program) -> HttpResponse:
    batches = ImportBatch.objects.filter(program=program).select_related("created_by")[:20]
    return render(
        request,
        "exchange/home.html",
        {
            "program": program,
            # One upload form per kind, each with its own field ids (labels must point at one field).
            "importers": [(i, ImportForm(auto_id=f"id_{i.kind}_%s")) for i in IMPORTERS.values()],
            "batches": batches,
        },
    )


@program_view("exchange.import")
def template_file(request: ProgramRequest, program: Program, kind: str, fmt: str) -> HttpResponse:
    """The file to fill in: the columns and one example row (XLSX: a second sheet explains each column)."""
    importer = _importer(kind)
    if fmt == "csv":
        return download(
            f"peerpath-{kind}-template",
            fmt,
            [c.name for c in importer.columns],
            [[c.example for c in importer.columns]],
        )
    if fmt != "xlsx":
        raise Http404("No such format.")
    return attachment(template_workbook(importer), f"peerpath-{kind}-template.xlsx", XLSX_TYPE)


@program_view("exchange.import")
@creates_once
def upload(request: ProgramRequest, program: Program, kind: str) -> HttpResponse:
    importer = _importer(kind)
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            rows = read_table(upload.name, upload.read(), [c.name for c in importer.columns if c.required])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            _cleaned, errors = importer.validate(program, rows)
            if errors:
                return render(
                    request,
                    "exchange/preview.html",
                    {"program": program, "importer": importer, "errors": errors, "rows": [], "filename": upload.name},
                    status=400,
                )
            with transaction.atomic():
                batch = ImportBatch(
                    program=program,
                    kind=kind,
                    filename=upload.name[:200],
                    row_count=len(rows),
                    created_by=request.user,
                )
                batch.rows = [{"number": r.number, "values": r.values} for r in rows]  # stored encrypted
                batch.save(force_insert=True)
                audit.record(
                    actor=request.user,
                    program=program,
                    action=f"import.{kind}.preview",
                    target=batch,
                    note=f"{len(rows)} rows checked, waiting for confirmation",
                )
            return redirect("exchange:batch", program.slug, batch.pk)
    return render(
        request,
        "exchange/upload.html",
        {"program": program, "importer": importer, "form": form},
        status=400 if request.method == "POST" else 200,
    )


def _batch(program: Program, pk: int) -> ImportBatch:
    return get_object_or_404(ImportBatch, program=program, pk=pk)


@program_view("exchange.import")
def batch(request: ProgramRequest, program: Program, pk: int) -> HttpResponse:
    item = _batch(program, pk)
    importer = _importer(item.kind)
    rows = [Row(r["number"], r["values"]) for r in item.rows]
    cleaned, errors = importer.validate(program, rows) if item.status == ImportBatch.Status.PREVIEW else ([], [])
    table = [(row.number, [(c.name, row.values.get(c.name, "")) for c in importer.columns]) for row in rows]
    return render(
        request,
        "exchange/preview.html",
        {
            "program": program,
            "importer": importer,
            "batch": item,
            "rows": cleaned,
            "errors": errors,
            "filename": item.filename,
            "table": table,
        },
    )


@program_view("exchange.import")
@require_POST
def batch_apply(request: ProgramRequest, program: Program, pk: int) -> HttpResponse:
    """Import a checked file: all of it or nothing. Every row is checked again and built before
    the write transaction (reads only); the transaction then locks the batch, writes the rows in
    bulk and marks the batch applied, so the database's write lock is held briefly."""
    item = _batch(program, pk)
    if not IMPORT_BATCH.allows(item.status, ImportBatch.Status.APPLIED):
        messages.error(request, _("This file was already imported or discarded."))
        return redirect("exchange:home", program.slug)
    importer = _importer(item.kind)
    rows = [Row(r["number"], r["values"]) for r in item.rows]
    staged, errors = importer.stage(actor=request.user, program=program, rows=rows, source=item.filename)
    count = 0
    with transaction.atomic():
        # Locked: two clicks (or two coordinators) cannot import the same file twice.
        item = ImportBatch.objects.select_for_update().get(program=program, pk=pk)
        if not IMPORT_BATCH.allows(item.status, ImportBatch.Status.APPLIED):
            messages.error(request, _("This file was already imported or discarded."))
            return redirect("exchange:home", program.slug)
        if errors:
            item.error_count = len(errors)
            item.save(update_fields=["error_count"])
        else:
            count = importer.commit(actor=request.user, program=program, staged=staged, source=item.filename)
            IMPORT_BATCH.move(
                actor=request.user,
                obj=item,
                to=ImportBatch.Status.APPLIED,
                changes={"applied_at": timezone.now(), "payload": ""},
            )
    if errors:
        return render(
            request,
            "exchange/preview.html",
            {
                "program": program,
                "importer": importer,
                "batch": item,
                "rows": [],
                "errors": errors,
                "filename": item.filename,
            },
            status=400,
        )
    messages.success(
        request,
        ngettext(
            "Imported %(count)s row of %(kind)s from %(filename)s.",
            "Imported %(count)s rows of %(kind)s from %(filename)s.",
            count,
        )
        % {"count": count, "kind": str(importer.title).lower(), "filename": item.filename},
    )
    return redirect("exchange:home", program.slug)


@program_view("exchange.import")
@require_POST
def batch_discard(request: ProgramRequest, program: Program, pk: int) -> HttpResponse:
    item = _batch(program, pk)
    if item.status == ImportBatch.Status.PREVIEW:
        try:
            IMPORT_BATCH.move(actor=request.user, obj=item, to=ImportBatch.Status.DISCARDED, changes={"payload": ""})
        except ValidationError as error:  # applied a moment ago by someone else
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Discarded %(filename)s; nothing was imported.") % {"filename": item.filename})
    return redirect("exchange:home", program.slug)


@program_view("exchange.archive")
def archive(request: ProgramRequest, program: Program) -> StreamingHttpResponse:
    """The whole program's records, streamed as it is read (see `exchange.archive`). Audited."""
    audit.record(
        actor=request.user,
        program=program,
        action="archive.download",
        target=program,
        note="Every record of the program, participants' included (decrypted).",
    )
    response = StreamingHttpResponse(stream_archive(program), content_type="application/zip")
    stamp = timezone.localdate().isoformat()
    as_download(response, f"{program.slug}-records-{stamp}.zip")
    return response
