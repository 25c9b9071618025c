"""The staff side: cards, decks, tags and images edited by Editors; reports triaged;
quiz attempts read-only for everyone. Logic lives in quizzes.services."""

import secrets
import tempfile
from pathlib import Path

from django.contrib import admin, messages
from django.contrib.admin.views.main import ChangeList
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group
from django.core.exceptions import BadRequest, PermissionDenied
from django.core.paginator import Paginator
from django.db import connection, models
from django.db.models import Count, F, Value
from django.db.models.expressions import OrderBy
from django.db.models.functions import Collate, Lower, Replace
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.defaultfilters import pluralize
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.functional import cached_property
from django.utils.html import format_html, format_html_join
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.text import Truncator
from django.utils.timezone import localtime
from django.views.decorators.http import require_POST

from quizzes.downloads import file_download
from quizzes.forms import AdminLoginForm, BoundedModelMultipleChoiceField, database_id
from quizzes.forms_admin import (
    AnkiOptionsForm,
    AnkiUploadForm,
    CachedImageAdminForm,
    CardActionForm,
    CardAdminForm,
    CardImageInlineForm,
    DeckAdminForm,
    DistractorInlineForm,
    DistractorInlineFormSet,
    OpenReportInlineForm,
    TagAdminForm,
    UserAddForm,
    UserEditForm,
)
from quizzes.importing.anki import SEPARATORS, AnkiParseError, ColumnMapping
from quizzes.models import (
    Attempt,
    AttemptQuestion,
    CachedImage,
    Card,
    CardHold,
    CardImage,
    CardKeyword,
    CardMemory,
    Deck,
    DeletedCard,
    Distractor,
    ExportJob,
    ImportJob,
    ProblemReport,
    Tag,
)
from quizzes.services.anki_io import (
    ANKI_DECK_SEPARATOR,
    IMAGE_CHECKS_OPTION,
    ImportTooLarge,
    anki_import_plan,
    cards_delete,
    cards_export_anki,
    cards_export_apkg,
    import_job_confirm,
    import_jobs_prune,
    is_package,
    package_notice,
)
from quizzes.services.card_editing import (
    card_preview,
    card_save_from_admin,
    cards_asked_in_quizzes,
    cards_deletion_counts,
    decks_asked_in_quizzes,
    decks_deletion_counts,
    note_tags_share,
)
from quizzes.services.card_holds import holds_release
from quizzes.services.card_pages import card_cloze
from quizzes.services.card_statistics import (
    card_statistics_roll_up,
    cards_for_admin_list,
    cards_with_image_counts,
    cards_with_statistics,
    wrong_answer_picks,
)
from quizzes.services.cards import tree_scopes_kept
from quizzes.services.deck_exports import KEPT_FOR as EXPORTS_KEPT_FOR
from quizzes.services.deck_exports import (
    cards_export_job_start,
    cards_package_builds_in_request,
    cards_text_builds_in_request,
    deck_branches,
    decks_export_job_start,
    decks_file_stem,
    export_job_file,
    export_job_start,
    whole_notes,
)
from quizzes.services.decks import deck_slug_changed
from quizzes.services.images import images_delete
from quizzes.services.reports import reports_reopen, reports_resolve
from quizzes.services.search import cards_matching
from quizzes.services.tags import cards_tag_add, cards_tag_remove, tag_renamed, tags_merge

admin.site.site_header = "quizsite staff"
admin.site.site_title = "quizsite staff"
admin.site.index_title = "Cards, decks, images and reports"
admin.site.login_form = AdminLoginForm

THUMBNAIL_SIZE = 120
QUESTION_EXCERPT_LENGTH = 50
# Django 6 assumes https for URLs typed without a scheme; so do we, already.
URL_FIELDS_ASSUME_HTTPS = {models.URLField: {"assume_scheme": "https"}}


def _thumbnail(image: CachedImage | None):
    if image is None or not image.is_cached:
        return "—"
    return format_html(
        '<img src="{}" alt="" style="max-width:{}px;max-height:{}px" loading="lazy">',
        image.file.url,
        THUMBNAIL_SIZE,
        THUMBNAIL_SIZE,
    )


def _download(text: str, filename: str) -> HttpResponse:
    response = HttpResponse(text, content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _export_download(model_admin, request, exported, filename: str) -> HttpResponse:
    """A text export to download; what it says of its notes shows on the next page, as the
    file's first lines say it too."""
    if exported.notice:
        model_admin.message_user(request, f"{filename}: {exported.notice}.", messages.WARNING)
    return _download(exported.text, filename)


def _package_download(
    model_admin, request, cards, filename: str, deck_name: str | None = None
) -> HttpResponse:
    """A package small enough to build within the request (cards_package_builds_in_request);
    decks it renames and notes it leaves out as copies are told on the next page."""
    copies: list[Card] = []
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / filename
        cards_export_apkg(cards=cards, path=path, deck_name=deck_name, copies=copies)
        data = path.read_bytes()
    if notice := package_notice(cards=cards, copies=copies):
        model_admin.message_user(request, f"{filename}: {notice}.", messages.WARNING)
    response = HttpResponse(data, content_type="application/octet-stream")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _may_export_cards(request) -> bool:
    """An export holds cards: staff who may see the cards may export them and download
    the file, whatever list they asked from."""
    return request.user.has_perm("quizzes.view_card") or request.user.has_perm(
        "quizzes.change_card"
    )


def _export_list(job: ExportJob) -> dict:
    """The list an export is asked from again."""
    if job.holds == ExportJob.Holds.CARDS:
        return {"list_url": reverse("admin:quizzes_card_changelist"), "list_name": "card list"}
    return {"list_url": reverse("admin:quizzes_deck_changelist"), "list_name": "deck list"}


def _export_job_page(job: ExportJob):
    return redirect("admin:quizzes_deck_export_job", job.pk)


class BoundedManyToManyMixin:
    """A many-to-many field's ids past what the database holds (2**63 - 1) are refused as
    no such choice: SQLite cannot hold them (OverflowError), PostgreSQL refuses them, and
    Django's own field let either through as a 500."""

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        kwargs.setdefault("form_class", BoundedModelMultipleChoiceField)
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class TableFilter(admin.SimpleListFilter):
    """A list filter declared as a table: `options` maps each value in the URL to its label
    and the `queryset.filter()` arguments it stands for. (Not `choices`: SimpleListFilter
    has a method of that name.)"""

    options: dict[str, tuple[str, dict]] = {}

    def lookups(self, request, model_admin):
        return [(value, label) for value, (label, _) in self.options.items()]

    def queryset(self, request, queryset):
        if self.value() in self.options:
            _, lookup = self.options[self.value()]
            return queryset.filter(**lookup)
        return queryset


class DeckFilter(admin.RelatedFieldListFilter):
    """By deck, each named as every page names it: of two decks "Biology", "Biology (bio-a)"
    and "biology (bio-b)" (Deck.label_among), by the decks' tree kept (one read of the cache,
    no query per deck). Its name and slug alone are read, not the deck's synced cards."""

    def field_choices(self, field, request, model_admin):
        named_alike = tree_scopes_kept().named_alike
        ordering = self.field_admin_ordering(field, request, model_admin)
        decks = Deck.objects.only("name", "slug").order_by(*ordering)
        return [(deck.pk, deck.label_among(named_alike)) for deck in decks]


# --- decks and tags ---


def _deck_tree_order() -> OrderBy:
    """Decks in Anki's tree order: by each part of the name in turn, whatever its case, so
    "Medicine::Cardiology" comes right after "Medicine", before "Medicine Two" (by plain
    text, ":" sorts after " "). The separator becomes a character below any a name has,
    compared byte by byte: PostgreSQL's language collations skip punctuation."""
    key = Lower(Replace(F("name"), Value(ANKI_DECK_SEPARATOR), Value(chr(1))))
    return Collate(key, "C" if connection.vendor == "postgresql" else "BINARY").asc()


@admin.register(Deck)
class DeckAdmin(admin.ModelAdmin):
    form = DeckAdminForm
    formfield_overrides = URL_FIELDS_ASSUME_HTTPS
    list_display = ["name_in_tree", "slug", "card_count", "updated_at"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    readonly_fields = ["created_at", "updated_at"]
    actions = ["export_anki", "export_apkg"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(card_count=Count("cards"))

    def get_ordering(self, request):
        return [_deck_tree_order()]

    # As Anki's deck list: each deck after its parent, its subdecks indented below it.
    @admin.display(description="name", ordering=_deck_tree_order())
    def name_in_tree(self, deck):
        *parents, own = deck.name.split(ANKI_DECK_SEPARATOR)
        if not parents:
            return own
        return format_html(
            '<span style="padding-left:{}em"><span class="quiet">{}{}</span>{}</span>',
            1.5 * len(parents),
            ANKI_DECK_SEPARATOR.join(parents),
            ANKI_DECK_SEPARATOR,
            own,
        )

    @admin.display(description="cards", ordering="card_count")
    def card_count(self, deck):
        return deck.card_count

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and "slug" in form.changed_data:
            deck_slug_changed(deck=obj, old_slug=form.initial["slug"])

    def get_deleted_objects(self, objs, request):
        """What deleting `objs` would delete, counted by kind. Django's own page named every
        card of the deck and every memory and review of each (9 s and 1.2 MB for 3,000
        cards), and of a deck learners played, every answer they gave."""
        decks = Deck.objects.filter(pk__in=_ids_of(objs))
        if asked := decks_asked_in_quizzes(decks=decks):
            protected = [
                f"{deck.name}: {count} of its card{pluralize(count)} "
                f"{pluralize(count, 'was,were')} asked in learners' quizzes, whose results "
                f"show {pluralize(count, 'it,them')} (delete the cards no quiz asked from the "
                "card list instead)"
                for deck, count in asked
            ]
            return [], {}, set(), protected
        counts = decks_deletion_counts(decks=decks)
        model_count, perms_needed = _deletion_summary(self.admin_site, request, counts)
        listed = [
            format_html('<a href="{}">{}</a>', reverse("admin:quizzes_deck_change", args=[d.pk]), d)
            for d in decks
        ]
        return listed, model_count, perms_needed, []

    def has_export_permission(self, request):
        return _may_export_cards(request)

    @admin.action(
        description="Export the selected decks, with their subdecks, as an Anki package (.apkg)",
        permissions=["export"],
    )
    def export_apkg(self, request, queryset):
        if not (decks := self._chosen_branches(request, queryset)):
            return None
        cards = Card.objects.filter(deck__in=decks)
        if cards_package_builds_in_request(cards=cards):
            return _package_download(
                self, request, cards, f"{decks_file_stem(decks)}.apkg", decks[0].name
            )
        if len(decks) == 1:
            return _export_job_page(export_job_start(deck=decks[0], created_by=request.user))
        return _export_job_page(decks_export_job_start(decks=decks, created_by=request.user))

    @admin.action(
        description="Export the selected decks, with their subdecks, as an Anki text file",
        permissions=["export"],
    )
    def export_anki(self, request, queryset):
        if not (decks := self._chosen_branches(request, queryset)):
            return None
        cards = Card.objects.filter(deck__in=decks)
        if cards_text_builds_in_request(cards=cards):
            # One deck's file names it in its header; several decks', each note's.
            single = decks[0].name if len(decks) == 1 else None
            exported = cards_export_anki(cards=cards, deck_name=single)
            return _export_download(self, request, exported, f"{decks_file_stem(decks)}.txt")
        text = ExportJob.Kind.TEXT
        if len(decks) == 1:
            job = export_job_start(deck=decks[0], created_by=request.user, kind=text)
        else:
            job = decks_export_job_start(decks=decks, created_by=request.user, kind=text)
        return _export_job_page(job)

    def _chosen_branches(self, request, queryset) -> list[Deck]:
        """The decks ticked, with their subdecks; none (said so) where the ids posted
        name no deck, as a list loaded before a colleague deleted them."""
        if decks := deck_branches(decks=queryset):
            return decks
        self.message_user(
            request,
            "None of the selected decks exists any more: nothing to export.",
            messages.ERROR,
        )
        return []

    def get_urls(self):
        import_view = self.admin_site.admin_view(self.import_anki_view)
        job_view = self.admin_site.admin_view(self.import_job_view)
        export_view = self.admin_site.admin_view(self.export_job_view)
        download_view = self.admin_site.admin_view(self.export_download_view)
        return [
            path("import-anki/", import_view, name="quizzes_deck_import_anki"),
            path("import-anki/<int:pk>/", job_view, name="quizzes_deck_import_job"),
            path("export/<int:pk>/", export_view, name="quizzes_deck_export_job"),
            path("export/<int:pk>/download/", download_view, name="quizzes_deck_export_download"),
            *super().get_urls(),
        ]

    def _export_job(self, request, pk) -> ExportJob:
        if not _may_export_cards(request):
            raise PermissionDenied
        return get_object_or_404(ExportJob.objects.select_related("deck", "created_by"), pk=pk)

    def export_job_view(self, request, pk):
        """A big deck's export as the worker builds it (an htmx fragment polls it), then its
        download link."""
        job = self._export_job(request, pk)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": f"Export {job.subject} as {job.get_kind_display()}",
            "job": job,
            "named_alike": tree_scopes_kept().named_alike,  # its deck in the breadcrumbs
            "file": export_job_file(job=job),
            **_export_list(job),
            "kept_for_hours": int(EXPORTS_KEPT_FOR.total_seconds() // 3600),
        }
        template = "admin/quizzes/deck/export_job.html"
        if request.htmx:
            template += "#progress"
        return TemplateResponse(request, template, context)

    def export_download_view(self, request, pk):
        job = self._export_job(request, pk)
        file = export_job_file(job=job)
        if file is None:
            raise Http404("This export is not ready, or no longer kept: export it again.")
        return file_download(
            request,
            file.open("rb"),
            filename=job.download_name,
            content_type=(
                "text/plain; charset=utf-8"
                if job.kind == ExportJob.Kind.TEXT
                else "application/octet-stream"
            ),
        )

    def _import_context(self, request, **extra):
        return {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "Import an Anki file",
            # Its deck named apart from another of its name, as the learners' pages name it.
            "named_alike": tree_scopes_kept().named_alike,
            **extra,
        }

    def import_anki_view(self, request):
        """The upload: the file is kept as an import job and previewed on the job's page."""
        if not request.user.has_perms(["quizzes.add_card", "quizzes.change_card"]):
            raise PermissionDenied
        form = AnkiUploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            import_jobs_prune()
            source_name = upload.name
            # Kept with the media, which the proxy serves to anyone: under a name nobody can
            # guess (/media/imports/biology.apkg served a course's deck before its import).
            upload.name = f"{secrets.token_urlsafe(18)}{Path(source_name).suffix[:10]}"
            job = ImportJob.objects.create(
                deck=form.cleaned_data["deck"],
                upload=upload,
                source_name=source_name,
                created_by=request.user,
            )
            return redirect("admin:quizzes_deck_import_job", job.pk)
        context = self._import_context(request, upload_form=form)
        return TemplateResponse(request, "admin/quizzes/deck/import_anki.html", context)

    def import_job_view(self, request, pk):
        """A job's preview (the separator and columns may change it) and its confirmation;
        once confirmed, its progress (an htmx fragment polls it) and its report."""
        if not request.user.has_perms(["quizzes.add_card", "quizzes.change_card"]):
            raise PermissionDenied
        job = get_object_or_404(ImportJob.objects.select_related("deck"), pk=pk)
        if job.status != ImportJob.Status.PREVIEWED:
            context = self._import_context(request, job=job)
            if request.htmx:
                return TemplateResponse(
                    request, "admin/quizzes/deck/_import_progress.html", context
                )
            return TemplateResponse(request, "admin/quizzes/deck/import_job.html", context)
        params = request.POST if request.method == "POST" else request.GET
        checks = dict((job.options or {}).get(IMAGE_CHECKS_OPTION) or {})
        try:
            with job.upload.open("rb") as file:
                data = file.read()
            plan, options_form = _import_preview(job, data, params, checks)
        except (AnkiParseError, ImportTooLarge, OSError) as error:
            problems = getattr(error, "problems", None) or [str(error)]
            # A text file read with another separator may be a deck after all.
            separators = [] if is_package(job.source_name) else list(SEPARATORS)
            context = self._import_context(
                request,
                job=job,
                problems=problems,
                separators=separators,
                separator=params.get("separator"),
            )
            return TemplateResponse(request, "admin/quizzes/deck/import_job.html", context)
        if checks != (job.options or {}).get(IMAGE_CHECKS_OPTION, {}):
            # Kept with the upload, so that no later preview or the import looks again.
            job.options = {**(job.options or {}), IMAGE_CHECKS_OPTION: checks}
            job.save(update_fields=["options"])
        chosen = options_form is None or (options_form.is_bound and options_form.is_valid())
        refused = _deck_permission_missing(request.user, plan)
        confirmed = request.method == "POST" and params.get("action") == "import" and chosen
        # Options changed without "Update the preview" would import what no preview showed:
        # the preview of those options comes first.
        previewed = _previewed_options(plan)
        changed = confirmed and params.get(PREVIEWED) != previewed
        if confirmed and not changed and not refused:
            return self._import_confirmed(request, job, plan)
        context = self._import_context(
            request,
            job=job,
            plan=plan,
            options_form=options_form,
            preview=plan.file,
            import_refused=refused,
            previewed=previewed,
            options_changed=changed,
        )
        status = 403 if confirmed and not changed else 200
        return TemplateResponse(
            request, "admin/quizzes/deck/import_job.html", context, status=status
        )

    def _import_confirmed(self, request, job, plan):
        file = plan.file
        import_job_confirm(
            job=job,
            separator=file.layout.separator if file else None,
            mapping=file.mapping if file else None,
            cards=plan.to_write,
            decks_by_name=bool(plan.decks_by_name),
        )
        if job.status != ImportJob.Status.DONE:
            return redirect("admin:quizzes_deck_import_job", job.pk)
        self.log_change(request, job.deck, f"Imported {job.source_name}: {job.summary}.")
        # Decks by their names may leave the deck chosen alone: it is not "into" it.
        into = ""
        if not plan.decks_by_name:
            into = f" into {job.deck.label_among(tree_scopes_kept().named_alike)}"
        self.message_user(request, f"Imported {job.source_name}{into}: {job.summary}.")
        for line in job.report:
            self.message_user(request, line, level=messages.WARNING)
        if plan.decks:
            return redirect("admin:quizzes_deck_changelist")
        changelist = reverse("admin:quizzes_card_changelist")
        return redirect(f"{changelist}?deck__id__exact={job.deck.pk}")


DECKS_PLACEMENT = "decks"  # the preview's choice: "by_name", or "below" the deck chosen


PREVIEWED = "previewed"  # the preview's options, as its Import button posts them back


def _previewed_options(plan) -> str:
    """The options `plan` was built with: where the file's decks go, and a text file's
    separator and columns."""
    file = plan.file
    read = (file.layout.separator, file.mapping.as_dict()) if file else None
    return repr((plan.decks_by_name, read))


def _deck_permission_missing(user, plan) -> str:
    """Why `user` may not run an import that makes decks ("" if they may): the upload
    asks only for the card permissions."""
    made = plan.decks_made
    if not made or user.has_perm("quizzes.add_deck"):
        return ""
    names = ", ".join(deck.name for deck in made[:5])
    names += ", ..." if len(made) > 5 else ""
    return (
        f"This import makes {len(made)} deck{pluralize(len(made))} ({names}), and your account "
        "lacks the permission to add decks (Quizzes | deck | Can add deck): nothing can be "
        "imported. Ask an administrator for it, or put the file's decks where decks exist."
    )


def _import_preview(job, data, params, image_checks):
    """The plan for the options in `params` (a changed separator re-reads the columns),
    else for those the deck remembers, else for what the file says or suggests. The
    separator the deck remembers wins only where the guess ties: a file it does not
    split is read as the guess reads it."""
    deck, source = job.deck, job.source_name
    remembered = deck.import_settings or {}
    # Decks with no shared parent go by their names unless staff put them below the deck.
    by_name = params.get(DECKS_PLACEMENT) != "below"
    plan = anki_import_plan(
        deck=deck,
        data=data,
        source=source,
        separator=SEPARATORS.get(params.get("separator", "")),
        preferred_separator=remembered.get("separator"),
        image_checks=image_checks,
        decks_by_name=by_name,
    )
    if plan.file is None:
        return plan, None
    layout = plan.file.layout
    columns = [
        (column, f"{layout.label(column)} ({_sample(plan.file, column)})")
        for column in layout.mappable_columns
    ]
    form = AnkiOptionsForm(params if "question" in params else None, columns=columns)
    mapping = None
    if form.is_bound and form.is_valid():
        mapping = form.mapping
    elif not form.is_bound and remembered.get("mapping"):
        # Only onto columns the form offers: never this file's guid, deck or note type.
        candidate = ColumnMapping.from_dict(remembered["mapping"])
        if set(candidate.columns) <= set(layout.mappable_columns):
            mapping = candidate
    if mapping is not None and mapping != plan.file.mapping:
        plan = anki_import_plan(
            deck=deck,
            data=data,
            source=source,
            separator=layout.separator,
            mapping=mapping,
            image_checks=image_checks,
            decks_by_name=by_name,
        )
    if not form.is_bound:
        chosen = plan.file.mapping
        form = AnkiOptionsForm(
            initial={
                "separator": layout.separator_name,
                "question": chosen.question,
                "answer": chosen.answer,
                "extra": list(chosen.extra),
            },
            columns=columns,
        )
    return plan, form


def _sample(file, column: int) -> str:
    values = [row[column] for row in file.preview if column < len(row) and row[column]]
    return Truncator(values[0]).chars(30) if values else "empty"


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    form = TagAdminForm
    list_display = ["name", "slug", "card_count"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}
    actions = ["merge"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(card_count=Count("cards"))

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and "name" in form.changed_data:
            tag_renamed(tag=obj)

    @admin.display(description="cards", ordering="card_count")
    def card_count(self, tag):
        return tag.card_count

    @admin.action(
        description="Merge the selected tags into the one on most cards", permissions=["change"]
    )
    def merge(self, request, queryset):
        merged = tags_merge(tags=queryset)
        if merged is None:
            self.message_user(request, "Select two tags or more to merge.", messages.ERROR)
            return
        kept, others = merged
        names = ", ".join(tag.name for tag in others)
        self.log_change(request, kept, f"Merged {names} into it.")
        self.message_user(request, f"Merged {names} into {kept.name}: its cards have it now.")


# --- cards ---


class ImageStatusFilter(TableFilter):
    title = "image status"
    parameter_name = "image_status"
    options = {
        "none": ("No images", {"image_count": 0}),
        "cached": ("All cached", {"image_count__gt": 0, "uncached_image_count": 0}),
        "pending": (
            "Some not cached yet",
            {"uncached_image_count__gt": 0, "failed_image_count": 0},
        ),
        "failed": ("Some failed", {"failed_image_count__gt": 0}),
    }


class TagFilter(admin.RelatedFieldListFilter):
    """By tag, and the cards without any: named so, not "-" (Django's empty value)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.empty_value_display = "No tags"


class HasImagesFilter(TableFilter):
    title = "has images"
    parameter_name = "has_images"
    options = {
        "yes": ("Yes", {"image_count__gt": 0}),
        "no": ("No", {"image_count": 0}),
    }


class CardImageInline(admin.TabularInline):
    model = CardImage
    form = CardImageInlineForm
    fields = ["side", "position", "thumbnail", "url", "status", "upload"]
    readonly_fields = ["side", "position", "thumbnail", "url", "status"]
    extra = 0
    can_delete = False
    verbose_name_plural = "images (they follow the <img> tags of the HTML)"

    def has_add_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("image")

    @admin.display(description="image")
    def thumbnail(self, card_image):
        return _thumbnail(card_image.image)

    @admin.display(description="URL")
    def url(self, card_image):
        link = reverse("admin:quizzes_cachedimage_change", args=[card_image.image_id])
        return format_html('<a href="{}">{}</a>', link, card_image.image.url)

    @admin.display(description="status")
    def status(self, card_image):
        image = card_image.image
        if image.status == CachedImage.Status.FAILED:
            return f"Failed: {image.last_error}"
        return image.get_status_display()


class DistractorInline(admin.TabularInline):
    """The editors' own wrong answers for the card's multiple choice, with how often each
    was offered and picked: one that nobody picks fools nobody."""

    model = Distractor
    form = DistractorInlineForm
    formset = DistractorInlineFormSet
    fields = ["html", "offered", "picked"]
    readonly_fields = ["offered", "picked"]
    extra = 1
    verbose_name = "hand-written wrong answer"
    verbose_name_plural = (
        "hand-written wrong answers (multiple choice offers them first, beside the answer)"
    )

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(picked_count=Count("picks"))

    # The wrong answers are part of the card: whoever may write the card writes them (the
    # Editors group holds the card's permissions, none of Distractor's own).
    def _may_write_card(self, request, card) -> bool:
        return request.user.has_perm("quizzes.change_card" if card else "quizzes.add_card")

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("quizzes.view_card") or self._may_write_card(request, obj)

    def has_add_permission(self, request, obj=None):
        return self._may_write_card(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._may_write_card(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._may_write_card(request, obj)

    @admin.display(description="offered")
    def offered(self, distractor):
        return distractor.times_offered if distractor.pk else "—"

    @admin.display(description="picked")
    def picked(self, distractor):
        if distractor.pk is None:
            return "—"
        picked, offered = distractor.picked_count, distractor.times_offered
        share = f" ({round(100 * picked / offered)} %)" if offered else ""
        return f"{picked}{share}"


def _reporter_name(report) -> str:
    # The name, not a link: an editor may not open accounts.
    return report.reporter.get_username() if report.reporter else "(account deleted)"


class OpenReportInline(admin.StackedInline):
    """What learners reported about the card and nobody resolved yet: read while fixing
    the card, and resolved with the same save. Stacked: a phone reads each in full."""

    model = ProblemReport
    form = OpenReportInlineForm
    fields = ["kind", "message", "reported_by", "created_at", "resolved"]
    readonly_fields = ["kind", "message", "reported_by", "created_at"]
    extra = 0
    verbose_name = "open problem report"
    verbose_name_plural = "open problem reports (tick Resolved once the card is fixed)"

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .filter(resolved_at__isnull=True)
            .select_related("reporter")
        )

    def has_add_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="reported by")
    def reported_by(self, report):
        return _reporter_name(report)


class IdsFirstPaginator(Paginator):
    """A page of cards found by id first, sorted and filtered without the statistics, the
    cards' HTML or their tags; then those cards alone with everything the list shows. Else
    the database works out every statistic of every card it skips to reach a page (page
    1,500 of 100,000 cards), and a sort drags each card's HTML through it."""

    @cached_property
    def count(self):
        # Counted by id: a filter on tags (DISTINCT) would else compare whole cards.
        return self.object_list.values("pk").count()

    def page(self, number):
        page = super().page(number)
        ids = list(page.object_list.values_list("pk", flat=True))
        cards = {card.pk: card for card in self.object_list.filter(pk__in=ids)}
        page.object_list = [cards[pk] for pk in ids]
        return page


class CardChangeList(ChangeList):
    """Sorting by a statistic keeps the cards nobody answered (None) at the end in both
    directions: the admin turns `nulls_last` into `nulls_first` when it reverses an order.
    The filters' counts ("Show counts") count the cards alone, without the statistics."""

    def get_ordering(self, request, queryset):
        return [_nulls_last(field) for field in super().get_ordering(request, queryset)]

    def get_queryset(self, request, exclude_parameters=None):
        if exclude_parameters is None:
            return super().get_queryset(request)
        # A filter's counts: they worked out every statistic of every card they counted
        # (a second per tag filter at 5,000 cards), and compared whole cards for DISTINCT.
        shown, self.root_queryset = (
            self.root_queryset,
            cards_with_image_counts(Card.objects.only("pk")),
        )
        try:
            return super().get_queryset(request, exclude_parameters).order_by()
        finally:
            self.root_queryset = shown


def _nulls_last(field):
    if not isinstance(field, OrderBy):
        return field
    return OrderBy(field.expression, descending=field.descending, nulls_last=True)


def _statistic(name: str) -> OrderBy:
    return F(name).asc(nulls_last=True)


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{number_format(value, 0)} %"


def _seconds(elapsed) -> str:
    return "—" if elapsed is None else f"{elapsed.total_seconds():.1f} s"


# The cards a delete page names; the rest it counts. Selecting a whole deck of 30,000 cards
# made a page of 4.5 MB that took over a minute to make.
LISTED_CARDS = 100


def _more(count: int, what: str = "") -> list[str]:
    if count <= 0:
        return []
    cards = f"{number_format(count, force_grouping=True)} more card{pluralize(count)}"
    return [f"and {cards} {what}".rstrip()]


# What a learner loses when a card is deleted, said so on the page that asks.
DELETED_WITH_A_CARD = {
    CardMemory: "learners' memories of it (it leaves their reviews)",
    CardImage: "places where the cards show an image (the images stay, under Cached images)",
}
# Rows made from a card's text for the site's own use: "Card keywords: 10,724" on the page
# asking read like something staff or learners had written.
NOT_TOLD_WHEN_DELETED = {CardKeyword}


def _deletion_summary(admin_site, request, counts: dict) -> tuple[dict, set]:
    """A delete page's rows of each kind, counted, and the kinds the user may not delete."""
    model_count = {
        DELETED_WITH_A_CARD.get(model, model._meta.verbose_name_plural): n
        for model, n in counts.items()
        if model not in NOT_TOLD_WHEN_DELETED
    }
    perms_needed = {
        model._meta.verbose_name
        for model in counts
        if admin_site.is_registered(model)
        and not admin_site.get_model_admin(model).has_delete_permission(request)
    }
    return model_count, perms_needed


def _is_own_url(request, url: str) -> bool:
    return url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )


def _ids_of(objs):
    """The ids of what a delete page is about: a queryset's as a subquery (the list's may
    work out statistics for each row), else each object's."""
    return objs.values("pk") if isinstance(objs, models.QuerySet) else [obj.pk for obj in objs]


@admin.register(Card)
class CardAdmin(BoundedManyToManyMixin, admin.ModelAdmin):
    form = CardAdminForm
    inlines = [OpenReportInline, DistractorInline, CardImageInline]
    list_display = [
        "number",
        "question_excerpt",
        "deck_slug",
        "tag_list",
        "image_status",
        "open_reports",
        "times_answered",
        "percent_correct",
        "average_time",
    ]
    list_display_links = ["number", "question_excerpt"]
    list_filter = [("deck", DeckFilter), ("tags", TagFilter), ImageStatusFilter, HasImagesFilter]
    # The search box (which needs a field named) searches through the full-text index:
    # get_search_results.
    search_fields = ["question_text"]
    search_help_text = (
        'Words (each begins a word of the question, the answer or a tag), a "quoted '
        "phrase\", a card number (12, fastai #12, a card's address) or an Anki guid."
    )
    filter_horizontal = ["tags"]
    readonly_fields = ["statistics", "as_a_choice", "anki_guid", "created_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["deck", "number", "question_html", "answer_html", "opened_version"]}),
        ("Multiple choice", {"fields": ["short_answer_html", "as_a_choice"]}),
        ("Typing the answer", {"fields": ["typed_answer", "typed_answer_ignores_accents"]}),
        ("Source and tags", {"fields": ["source_url", "tags", "anki_guid"]}),
        ("How learners do", {"fields": ["statistics", "created_at", "updated_at"]}),
    ]
    actions = ["export_anki", "export_apkg", "add_tag", "remove_tag"]
    action_form = CardActionForm
    list_per_page = 50
    paginator = IdsFirstPaginator

    def get_queryset(self, request):
        return cards_for_admin_list(super().get_queryset(request))

    def get_search_results(self, request, queryset, search_term):
        # In the list's own order (by deck and number, or the column staff sort by), not by
        # rank: staff sort what they found by % correct or reports, and page through it.
        if not search_term.strip():
            return queryset, False
        return cards_matching(cards=queryset, query=search_term), False

    def get_inlines(self, request, obj):
        # A card being added has no reports: its form needs none.
        return self.inlines if obj else [it for it in self.inlines if it is not OpenReportInline]

    def get_changelist(self, request, **kwargs):
        return CardChangeList

    # A deleted card is remembered by its note, so that importing that file again does not
    # bring it back (services.anki_io.cards_delete).
    def delete_model(self, request, obj):
        cards_delete(cards=Card.objects.filter(pk=obj.pk))

    def delete_queryset(self, request, queryset):
        cards_delete(cards=queryset)

    def get_deleted_objects(self, objs, request):
        """What deleting `objs` would delete, counted by kind. Django's own page names every
        row, with queries for each: a card a thousand learners study listed every memory
        and review of it, and one answered in 50,000 quizzes every answer."""
        cards = Card.objects.filter(pk__in=_ids_of(objs))
        if asked := cards_asked_in_quizzes(cards=cards):
            protected = [
                f"{card}: asked {card.times_asked} time{pluralize(card.times_asked)} in "
                "learners' quizzes, whose results show it (edit it instead)"
                for card in asked[:LISTED_CARDS]
            ]
            return [], {}, set(), protected + _more(len(asked) - LISTED_CARDS, "asked too")
        counts = cards_deletion_counts(cards=cards)
        model_count, perms_needed = _deletion_summary(self.admin_site, request, counts)
        listed = [
            format_html('<a href="{}">{}</a>', reverse("admin:quizzes_card_change", args=[c.pk]), c)
            for c in cards.select_related("deck")[:LISTED_CARDS]
        ]
        return listed + _more(counts[Card] - LISTED_CARDS), model_count, perms_needed, []

    def changelist_view(self, request, extra_context=None):
        card_statistics_roll_up(now=timezone.now())
        # The statistics need the width: the navigation sidebar gives it up on this page
        # (Home and the breadcrumbs still lead everywhere).
        extra_context = {"is_nav_sidebar_enabled": False, **(extra_context or {})}
        return super().changelist_view(request, extra_context)

    # Short, so that the statistics columns fit a 1280 px screen beside the filters.
    @admin.display(description="question")
    def question_excerpt(self, card):
        return Truncator(card.question_text or "(image)").chars(QUESTION_EXCERPT_LENGTH)

    @admin.display(description="deck", ordering="deck__slug")
    def deck_slug(self, card):
        return card.deck.slug

    @admin.display(description="tags")
    def tag_list(self, card):
        return ", ".join(tag.name for tag in card.tags.all()) or "—"

    @admin.display(description="images", ordering="uncached_image_count")
    def image_status(self, card):
        if not card.image_count:
            return "—"
        if card.failed_image_count:
            return f"{card.failed_image_count} of {card.image_count} failed"
        if card.uncached_image_count:
            return f"{card.uncached_image_count} of {card.image_count} not cached"
        return f"{card.image_count} cached"

    @admin.display(description="reports", ordering="open_report_count")
    def open_reports(self, card):
        if not card.open_report_count:
            return 0
        link = reverse("admin:quizzes_problemreport_changelist")
        return format_html(
            '<a href="{}?card__id__exact={}&amp;resolved=open">{}</a>',
            link,
            card.pk,
            card.open_report_count,
        )

    # The list's statistics are the cards' rolled-up columns, brought up to date as the
    # list loads: a sort by one reads its index (migration 0036), not every card's answers.
    # Never NULL, but said as the others are: PostgreSQL reads an index in a direction only
    # for the NULLS order it was made with (migrations 0036 and 0039).
    @admin.display(description="answered", ordering=_statistic("stats_answered"))
    def times_answered(self, card):
        return card.stats_answered

    # Sorting by % correct, lowest first, puts the hardest cards at the top.
    @admin.display(description="% correct", ordering=_statistic("stats_percent_correct"))
    def percent_correct(self, card):
        return _percent(card.stats_percent_correct)

    @admin.display(description="avg. time", ordering=_statistic("stats_average_elapsed"))
    def average_time(self, card):
        return _seconds(card.stats_average_elapsed)

    @admin.display(description="most-picked wrong answer")
    def most_picked_wrong(self, card):
        if card.most_picked_wrong_number is None:
            return "—"
        count = card.most_picked_wrong_count
        return f"card {card.most_picked_wrong_number} ({count} time{pluralize(count)})"

    @admin.display(description="Anki guid")
    def anki_guid(self, card):
        return card.anki_guid if card.pk else "—"

    @admin.display(description="offered as")
    def as_a_choice(self, card):
        """The answer as a multiple choice shows it, made when the card was last saved."""
        if card.pk is None:
            return "—"
        if card.is_cloze:
            return "Not offered: a cloze card's answer is its question filled in (flashcards only)."
        if not card.choice_html:
            return "Not offered: the answer needs an image that is not cached (flashcards only)."
        # Stored sanitized HTML, made from the card's own allow-listed content.
        return format_html('<div class="card-choice">{}</div>', mark_safe(card.choice_html))

    @admin.display(description="statistics")
    def statistics(self, card):
        # Counted from the card's answers as the page opens, not rolled up: one card's.
        if card.pk is not None:
            card = cards_with_statistics(Card.objects.filter(pk=card.pk)).get()
        if card.pk is None or not card.times_answered:
            return "Nobody has answered this card yet."
        rows = [
            ("Times answered", card.times_answered),
            ("Correct", _percent(card.percent_correct)),
            ("Average time to answer", _seconds(card.average_elapsed)),
        ]
        if card.most_picked_wrong_id:
            wrong = Card.objects.only("answer_text").get(pk=card.most_picked_wrong_id)
            answer = Truncator(wrong.answer_text or "(image answer)").chars(120)
            rows.append(("Most-picked wrong answer", f"{answer}, {self.most_picked_wrong(card)}"))
        for wrong in wrong_answer_picks(card=card):
            offered = f" of {wrong.offered} offered ({wrong.share})" if wrong.offered else ""
            rows.append((wrong.label, f"picked {wrong.picked}{offered}"))
        return format_html(
            "<table>{}</table>", format_html_join("", "<tr><th>{}</th><td>{}</td></tr>", rows)
        )

    def save_model(self, request, obj, form, change):
        saved = card_save_from_admin(
            card=obj,
            content=form.content,
            typed_answer_edited="typed_answer" in form.changed_data,
        )
        for numbers, said, level in (
            (saved.updated, "now show the note's new text", messages.INFO),
            (saved.added, "were added for the cloze numbers new in the text", messages.INFO),
            (
                saved.left,
                "kept their old text: their cloze number is gone from the text "
                "(delete them if they are no longer wanted)",
                messages.WARNING,
            ),
        ):
            if numbers:
                listed = ", ".join(str(number) for number in numbers)
                self.message_user(request, f"Cards {listed} of this {saved.note} {said}.", level)

    def response_change(self, request, obj):
        """Saved from the review's Edit (`next`): back to the card there, as edited, as
        Anki's reviewer comes back to it. "Save and continue editing" stays."""
        response = super().response_change(request, obj)
        back = request.GET.get("next", "")
        stays = any(name in request.POST for name in ("_continue", "_addanother", "_saveasnew"))
        if back and not stays and _is_own_url(request, back):
            return redirect(back)
        return response

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if retagged := note_tags_share(card=form.instance):
            listed = ", ".join(str(number) for number in retagged)
            self.message_user(request, f"Cards {listed} of this note now have its tags too.")

    def has_export_permission(self, request):
        return _may_export_cards(request)

    # Anki's Browse, notes ticked, Export Notes: each deck stays a deck of its own in the
    # file. "Select all N" (select_across) exports every card the filter matches.
    @admin.action(
        description="Export the selected cards as an Anki text file", permissions=["export"]
    )
    def export_anki(self, request, queryset):
        if not self._chosen_exist(request, queryset):
            return None
        cards, notice = whole_notes(cards=queryset)
        # Sized as written, whole notes and all; the worker makes the notes whole itself.
        if cards_text_builds_in_request(cards=cards):
            self._told_whole_notes(request, notice)
            return _export_download(self, request, cards_export_anki(cards=cards), "cards.txt")
        kind = ExportJob.Kind.TEXT
        return _export_job_page(
            cards_export_job_start(cards=queryset, created_by=request.user, kind=kind)
        )

    @admin.action(
        description="Export the selected cards as an Anki package (.apkg)", permissions=["export"]
    )
    def export_apkg(self, request, queryset):
        if not self._chosen_exist(request, queryset):
            return None
        cards, notice = whole_notes(cards=queryset)
        if cards_package_builds_in_request(cards=cards):
            self._told_whole_notes(request, notice)
            return _package_download(self, request, cards, "cards.apkg")
        return _export_job_page(cards_export_job_start(cards=queryset, created_by=request.user))

    def _told_whole_notes(self, request, notice: str) -> None:
        """Say which cards not ticked came with their notes (the job's page says it of a
        file the worker builds)."""
        if notice:
            self.message_user(request, f"{notice}.", messages.WARNING)

    def _chosen_exist(self, request, queryset) -> bool:
        if queryset.values("pk").order_by().exists():
            return True
        self.message_user(
            request,
            "None of the selected cards exists any more: nothing to export.",
            messages.ERROR,
        )
        return False

    # A tag is the note's, as in Anki: both actions reach the selected cards' siblings, as
    # saving one card's tags does (save_related).
    @admin.action(
        description="Add the tag chosen beside to the selected cards", permissions=["change"]
    )
    def add_tag(self, request, queryset):
        if tag := self._chosen_tag(request):
            count = cards_tag_add(cards=queryset, tag=tag)
            self._tags_changed(request, f"{tag.name} added to", count)

    @admin.action(
        description="Remove the tag chosen beside from the selected cards",
        permissions=["change"],
    )
    def remove_tag(self, request, queryset):
        if tag := self._chosen_tag(request):
            count = cards_tag_remove(cards=queryset, tag=tag)
            self._tags_changed(request, f"{tag.name} removed from", count)

    def _chosen_tag(self, request) -> Tag | None:
        # The field alone: the form's action choices are the changelist's to fill in.
        if tag := self.action_form.base_fields["tag"].clean(request.POST.get("tag")):
            return tag
        self.message_user(
            request, "Choose the tag in the list beside the action, then Go.", messages.ERROR
        )
        return None

    def _tags_changed(self, request, done: str, count: int) -> None:
        cards = f"{number_format(count, force_grouping=True)} card{pluralize(count)}"
        self.message_user(
            request,
            f"Tag {done} {cards} (among the selected and their notes' other cards).",
            messages.SUCCESS,
        )

    def get_urls(self):
        preview = self.admin_site.admin_view(self.preview_view)
        return [path("preview/", preview, name="quizzes_card_preview"), *super().get_urls()]

    def preview_view(self, request):
        """The posted, unsaved HTML as the card page would show it: a fragment for htmx,
        a page of its own for the no-JavaScript "Preview" button."""
        return require_POST(self._preview)(request)

    def _preview(self, request):
        if not (self.has_change_permission(request) or self.has_add_permission(request)):
            raise PermissionDenied
        preview = card_preview(
            question_html=request.POST.get("question_html", ""),
            answer_html=request.POST.get("answer_html", ""),
            cloze=card_cloze(self._previewed_card(request)),
        )
        template = (
            "admin/quizzes/card/_preview.html"
            if request.htmx
            else "admin/quizzes/card/preview.html"
        )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "Card preview",
            "preview": preview,
        }
        return TemplateResponse(request, template, context)

    def _previewed_card(self, request) -> Card:
        """The card being edited (its note type decides how its HTML shows), or a new card."""
        raw = request.POST.get("card", "")
        if not raw:
            return Card()
        if (pk := database_id(raw)) is None:
            raise BadRequest("The card to preview is not a card id.")
        return get_object_or_404(Card.objects.only("is_cloze", "card_ord"), pk=pk)


# --- images ---


@admin.register(DeletedCard)
class DeletedCardAdmin(admin.ModelAdmin):
    """The cards staff deleted, which importing their file again does not make again
    (services.anki_io.cards_delete). Deleting a row here forgets the deletion: the next
    import of that note makes the card again."""

    list_display = ["number", "deck", "card_of_its_note", "deleted_at"]
    list_filter = [("deck", DeckFilter)]
    list_select_related = ["deck"]
    date_hierarchy = "deleted_at"
    ordering = ["-deleted_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description="card of its note", ordering="card_ord")
    def card_of_its_note(self, row):
        return row.card_ord + 1


@admin.register(ExportJob)
class ExportJobAdmin(admin.ModelAdmin):
    """The big decks' packages and text files the worker built or is building, for a day:
    their pages (the download), found again after leaving one. Staff who may see the decks
    see them."""

    list_display = ["subject", "kind", "state", "created_by", "created_at"]
    list_display_links = None
    list_select_related = ["deck", "created_by"]
    ordering = ["-created_at"]

    def has_view_permission(self, request, obj=None):
        return _may_export_cards(request)

    def has_module_permission(self, request):
        return self.has_view_permission(request)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="holds")
    def subject(self, job):
        return job.subject

    @admin.display(description="state")
    def state(self, job):
        page = reverse("admin:quizzes_deck_export_job", args=[job.pk])
        if job.status == ExportJob.Status.DONE:
            told = f"ready: {job.download_name} ({job.notes} notes)"
        elif job.status == ExportJob.Status.FAILED:
            told = "failed"
        else:
            told = f"{job.get_status_display().lower()}, {job.percent}%"
        return format_html('<a href="{}">{}</a>', page, told)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if not self.has_view_permission(request):
            raise PermissionDenied
        job = get_object_or_404(ExportJob, pk=database_id(object_id))
        return redirect("admin:quizzes_deck_export_job", job.pk)


class ImageUseFilter(TableFilter):
    title = "used by a card"
    parameter_name = "used"
    options = {
        "yes": ("Yes", {"card_count__gt": 0}),
        "no": ("No (safe to delete)", {"card_count": 0}),
    }


@admin.register(CachedImage)
class CachedImageAdmin(admin.ModelAdmin):
    formfield_overrides = URL_FIELDS_ASSUME_HTTPS
    form = CachedImageAdminForm
    list_display = ["thumbnail", "url", "status", "size", "card_count", "fetched_at"]
    list_display_links = ["thumbnail", "url"]
    list_filter = ["status", ImageUseFilter]
    search_fields = ["url"]
    readonly_fields = [
        "preview",
        "status",
        "last_error",
        "width",
        "height",
        "byte_size",
        "content_type",
        "sha256",
        "fetched_at",
    ]

    @admin.display(description="image")
    def thumbnail(self, image):
        return _thumbnail(image)

    @admin.display(description="local copy")
    def preview(self, image):
        return _thumbnail(image)

    @admin.display(description="size")
    def size(self, image):
        return f"{image.width} x {image.height}" if image.width else "—"

    @admin.display(description="cards", ordering="card_count")
    def card_count(self, image):
        return image.card_count

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(card_count=Count("card_images__card"))

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        form.store_upload(obj)

    # An image no card uses is deleted with its file, unless another image shares it; one
    # that a card uses cannot be deleted (the admin names the cards).
    def delete_model(self, request, obj):
        images_delete(images=CachedImage.objects.filter(pk=obj.pk))

    def delete_queryset(self, request, queryset):
        images_delete(images=queryset)


# --- problem reports ---


class ResolvedFilter(TableFilter):
    """Open reports alone unless asked otherwise: staff work through what is left to fix,
    and the resolved ones (kept, as learners' history) would bury it. "Resolved" and "All"
    show the others; no parameter means Open, so Django's own "All" link is not offered."""

    title = "state"
    parameter_name = "resolved"
    options = {
        "open": ("Open", {"resolved_at__isnull": True}),
        "resolved": ("Resolved", {"resolved_at__isnull": False}),
        "all": ("All", {}),
    }

    def value(self):
        chosen = super().value()
        return chosen if chosen in self.options else "open"

    def choices(self, changelist):
        for value, label in self.lookup_choices:
            yield {
                "selected": self.value() == value,
                "query_string": changelist.get_query_string({self.parameter_name: value}),
                "display": label,
            }


@admin.register(ProblemReport)
class ProblemReportAdmin(admin.ModelAdmin):
    list_display = [
        "kind",
        "message_excerpt",
        "card_in_list",
        "reported_by",
        "created_at",
        "resolved",
    ]
    list_display_links = ["kind", "message_excerpt"]
    list_filter = [ResolvedFilter, "kind", ("card__deck", DeckFilter)]
    list_select_related = ["card__deck", "reporter"]
    search_fields = ["message", "card__question_text"]
    readonly_fields = ["card_link", "reported_by", "kind", "message", "created_at"]
    fields = ["card_link", "kind", "message", "reported_by", "created_at", "resolved_at"]
    actions = ["mark_resolved", "reopen"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    @admin.display(description="card")
    def card_link(self, report):
        link = reverse("admin:quizzes_card_change", args=[report.card_id])
        return format_html(
            '<a href="{}">{}</a> {}',
            link,
            report.card,
            Truncator(report.card.question_text).chars(100),
        )

    # One click from a report to the card, where it is fixed (and the report resolved).
    @admin.display(description="card", ordering="card")
    def card_in_list(self, report):
        link = reverse("admin:quizzes_card_change", args=[report.card_id])
        return format_html('<a href="{}">{}</a>', link, report.card)

    @admin.display(description="reported by", ordering="reporter__username")
    def reported_by(self, report):
        return _reporter_name(report)

    @admin.display(description="message")
    def message_excerpt(self, report):
        return Truncator(report.message).chars(60)

    @admin.display(description="resolved", boolean=True, ordering="resolved_at")
    def resolved(self, report):
        return report.resolved_at is not None

    @admin.action(description="Mark the selected reports resolved", permissions=["change"])
    def mark_resolved(self, request, queryset):
        count = reports_resolve(reports=queryset)
        self.message_user(
            request,
            f"{count} report{pluralize(count)} marked resolved (Reopen, under State: "
            "Resolved, takes it back).",
            messages.SUCCESS,
        )

    @admin.action(description="Reopen the selected reports", permissions=["change"])
    def reopen(self, request, queryset):
        count = reports_reopen(reports=queryset)
        self.message_user(
            request, f"{count} report{pluralize(count)} open again.", messages.SUCCESS
        )


# --- learners' holds: cards they buried or suspended in the review ---


class HoldKindFilter(admin.SimpleListFilter):
    title = "kind"
    parameter_name = "kind"

    def lookups(self, request, model_admin):
        return [
            ("suspended", "Suspended"),
            ("buried", "Buried until the next study day"),
            ("over", "Bury over (holds nothing)"),
        ]

    def queryset(self, request, queryset):
        now = timezone.now()
        if self.value() == "suspended":
            return queryset.filter(suspended=True)
        if self.value() == "buried":
            return queryset.filter(suspended=False, buried_until__gt=now)
        if self.value() == "over":
            return queryset.exclude(id__in=CardHold.objects.active(now).values("pk"))
        return queryset


@admin.register(CardHold)
class CardHoldAdmin(admin.ModelAdmin):
    """The cards learners buried or suspended in the review (services.card_holds), to see
    what keeps a card out of someone's review and to bring it back. Read-only but for
    Release; a leech suspended by the rule is on its memory, not here."""

    list_display = ["card_in_list", "user", "kind", "last_action", "held_at"]
    list_display_links = ["kind"]
    list_filter = [HoldKindFilter, "last_action", ("card__deck", DeckFilter)]
    list_select_related = ["card__deck", "user"]
    # A learner by name, a card by its number in its deck or its question's words.
    search_fields = ["user__username", "card__number__exact", "card__question_text"]
    ordering = ["-held_at"]
    date_hierarchy = "held_at"
    actions = ["release"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # Release says what it does
        return actions

    @admin.display(description="card", ordering="card")
    def card_in_list(self, hold):
        link = reverse("admin:quizzes_card_change", args=[hold.card_id])
        return format_html(
            '<a href="{}">{}</a> {}',
            link,
            hold.card,
            Truncator(hold.card.question_text).chars(QUESTION_EXCERPT_LENGTH),
        )

    @admin.display(description="kind")
    def kind(self, hold):
        if hold.suspended:
            return "Suspended"
        if hold.is_buried(timezone.now()):
            return format_html(
                "Buried until {}", date_format(localtime(hold.buried_until), "DATETIME_FORMAT")
            )
        return "Bury over (holds nothing)"

    @admin.action(
        description="Release the selected holds (back in the learners' reviews)",
        permissions=["delete"],
    )
    def release(self, request, queryset):
        count = holds_release(holds=queryset)
        self.message_user(
            request,
            f"{count} hold{pluralize(count)} released: the cards are back in their learners' "
            "reviews.",
            messages.SUCCESS,
        )

    # Deleting one hold from its own page releases it the same way.
    def delete_model(self, request, obj):
        holds_release(holds=CardHold.objects.filter(pk=obj.pk))


# --- quiz attempts: what learners did, never edited ---


class ReadOnlyMixin:
    """For a ModelAdmin or an inline: staff may look, nobody may add, change or delete."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class AttemptQuestionInline(ReadOnlyMixin, admin.TabularInline):
    model = AttemptQuestion
    fields = ["position", "card", "outcome", "chosen_card", "points", "elapsed", "answered_at"]
    readonly_fields = fields
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("card__deck", "chosen_card__deck")


@admin.register(Attempt)
class AttemptAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["started_at", "user", "deck", "mode", "question_count", "score", "finished_at"]
    list_filter = ["mode", ("deck", DeckFilter), "is_quick"]
    list_select_related = ["user", "deck"]
    search_fields = ["user__username"]
    date_hierarchy = "started_at"
    # The seed decides the choice ids: even staff pages do not show it.
    exclude = ["seed", "session_key"]
    inlines = [AttemptQuestionInline]


# Accounts staff add or rename are held to sign-up's rules for names (one alphabet, not a
# look-alike of a name taken): Django's own admin for users, with our forms.
admin.site.unregister(get_user_model())


@admin.register(get_user_model())
class QuizsiteUserAdmin(BoundedManyToManyMixin, UserAdmin):
    add_form = UserAddForm
    form = UserEditForm


admin.site.unregister(Group)


@admin.register(Group)
class QuizsiteGroupAdmin(BoundedManyToManyMixin, GroupAdmin):
    """Django's own admin for groups, its permissions' ids bounded."""
