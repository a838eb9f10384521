"""The coordinator's recall list: who is overdue and who is due within the next weeks (12-week window)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from toxinclinic.clinical.products import INDICATION_LABELS
from toxinclinic.scheduling.permissions import can_view_recall_list
from toxinclinic.scheduling.services import DUE_SOON_DAYS, recall_list
from toxinclinic.treatment.conf import recall_interval_days

VIEWS = {
    "due": f"Overdue or due within {DUE_SOON_DAYS // 7} weeks",
    "overdue": "Overdue",
    "all": "All recalls",
}


@login_required
def recalls(request: HttpRequest) -> HttpResponse:
    if not can_view_recall_list(request.user):
        raise PermissionDenied
    today = timezone.localdate()
    which = request.GET.get("which", "due")
    which = which if which in VIEWS else "due"
    page = Paginator(recall_list(request.user, today, which=which), 50).get_page(request.GET.get("page"))
    rows = [
        {
            "r": r,
            "days": (r.due_on - today).days,
            "open_visit": r.open_visit_id,
            "indication": INDICATION_LABELS.get(r.indication, r.indication),
        }
        for r in page
    ]
    return render(
        request,
        "scheduling/recalls.html",
        {
            "page": page,
            "rows": rows,
            "which": which,
            "views": VIEWS,
            "today": today,
            "interval_days": recall_interval_days(),
        },
    )
