"""Inventory screens: stock by product and expiry with alerts, receive vials, reconcile a count, and the
recall search (every patient who received a lot, printable)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from toxinclinic.accounts.models import Location
from toxinclinic.clinical import products
from toxinclinic.core.errors import FieldError
from toxinclinic.core.inputs import ascii_int, other_digit_message, other_script_digit
from toxinclinic.inventory import permissions as perms
from toxinclinic.inventory import services as svc
from toxinclinic.inventory.models import PRODUCT_CHOICES, Lot, Reconciliation

SIZE_CHOICES = sorted({s for p in products.PRODUCTS.values() for s in p.vial_sizes})


class ReceiveForm(forms.Form):
    product = forms.ChoiceField(choices=PRODUCT_CHOICES, initial="botox")
    size_units = forms.TypedChoiceField(
        label="Vial size (U)", choices=[(s, f"{s} U") for s in SIZE_CHOICES], coerce=int, initial=100
    )
    ndc = forms.CharField(
        label="NDC", max_length=20, help_text="As printed on the carton, e.g. 0023-1145-01."
    )
    lot_number = forms.CharField(max_length=40)
    expiry_date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    count = forms.IntegerField(label="Number of vials", min_value=1, max_value=svc.MAX_RECEIPT_COUNT)
    location = forms.ChoiceField()
    note = forms.CharField(max_length=300, required=False)

    def __init__(self, *args: Any, locations: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["location"].choices = [(str(loc.public_id), loc.name) for loc in locations]


def _locations(request: HttpRequest) -> Any:
    return Location.objects.filter(clinic_id=request.user.clinic_id).order_by("name")


@login_required
def stock(request: HttpRequest) -> HttpResponse:
    if not perms.can_view_stock(request.user):
        raise PermissionDenied
    today = timezone.localdate()
    product = request.GET.get("product", "")
    if product not in products.PRODUCTS:
        product = ""
    rows = svc.stock_rows(request.user, product=product or None)
    soon = today + dt.timedelta(days=svc.EXPIRY_ALERT_DAYS)
    by_product: dict[str, dict[str, Any]] = {}
    for r in rows:
        r["expired"] = r["expiry_date"] < today
        r["expiring"] = r["expiry_date"] <= soon
        g = by_product.setdefault(r["product"], {"brand": r["brand"], "rows": [], "vials": 0, "units": 0})
        g["rows"].append(r)
        g["vials"] += r["count"]
        g["units"] += r["count"] * r["size_units"]
    return render(
        request,
        "inventory/stock.html",
        {
            "groups": by_product.values(),
            "alerts": [r for r in rows if r["expiring"]],
            "product": product,
            "products": PRODUCT_CHOICES,
            "today": today,
            "alert_days": svc.EXPIRY_ALERT_DAYS,
            "can_receive": perms.can_receive_vials(request.user),
            "can_reconcile": perms.can_reconcile_stock(request.user),
            "recent": Reconciliation.objects.filter(clinic_id=request.user.clinic_id).select_related(
                "location", "performed_by"
            )[:5],
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def receive(request: HttpRequest) -> HttpResponse:
    if not perms.can_receive_vials(request.user):
        raise PermissionDenied
    locations = _locations(request)
    form = ReceiveForm(request.POST or None, locations=locations)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            receipt = svc.receive_vials(
                actor=request.user,
                product=d["product"],
                ndc=d["ndc"],
                lot_number=d["lot_number"],
                expiry_date=d["expiry_date"],
                count=d["count"],
                size_units=d["size_units"],
                location=locations.filter(public_id=d["location"]).first(),
                note=d["note"],
            )
        except FieldError as exc:
            for field, msgs in exc.errors.items():
                for m in msgs:
                    form.add_error(field if field in form.fields else None, m)
        else:
            messages.success(request, f"Received {receipt.count} vials of {receipt.lot}.")
            return redirect("inventory:stock")
    return render(
        request,
        "inventory/receive.html",
        {"form": form},
        status=400 if form.is_bound and form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def reconcile(request: HttpRequest) -> HttpResponse:
    """Count the shelf at one location: expected (system) vs counted, a reason for each difference."""
    if not perms.can_reconcile_stock(request.user):
        raise PermissionDenied
    locations = list(_locations(request))
    loc = svc.location_for(request.user, request.GET.get("location") or request.POST.get("location"))
    loc = loc or (locations[0] if locations else None)
    expected = svc.expected_counts(request.user, loc) if loc else []
    errors: dict[str, list[str]] = {}
    status = 200
    if request.method == "POST" and loc is not None:
        lots = {str(x.public_id): x for x in Lot.objects.filter(clinic_id=request.user.clinic_id)}
        counts = []
        for r in expected:
            key = f"{r['lot']}_{r['size_units']}"
            raw = request.POST.get(f"counted_{key}", "").strip()
            try:
                counted = ascii_int(raw)
            except ValueError:
                ch = other_script_digit(raw)
                why = other_digit_message(ch) if ch else "enter the number of vials counted."
                errors[f"counted_{key}"] = [f"Lot {r['lot_number']}: {why}"]
                continue
            counts.append(
                svc.CountLine(
                    lots[str(r["lot"])], r["size_units"], counted, request.POST.get(f"reason_{key}", "")
                )
            )
        if not errors:
            try:
                svc.reconcile(
                    actor=request.user, location=loc, counts=counts, note=request.POST.get("note", "")
                )
            except FieldError as exc:
                errors = exc.errors
            else:
                messages.success(request, f"Stock at {loc.name} reconciled.")
                return redirect("inventory:stock")
        status = 400
    rows = []
    for r in expected:
        key = f"{r['lot']}_{r['size_units']}"
        rows.append(
            {
                **r,
                "key": key,
                "counted": request.POST.get(f"counted_{key}", r["count"]),
                "reason": request.POST.get(f"reason_{key}", ""),
                "errors": errors.get(f"counted_{key}", []) + errors.get(f"reason_{key}", []),
            }
        )
    return render(
        request,
        "inventory/reconcile.html",
        {"locations": locations, "location": loc, "rows": rows, "errors": errors},
        status=status,
    )


@login_required
def recall_search(request: HttpRequest) -> HttpResponse:
    """Find a lot by its number (any product) to list everybody who received it."""
    if not perms.can_search_lot_recipients(request.user):
        raise PermissionDenied
    q = request.GET.get("lot", "").strip().upper()[:40]
    lots = svc.lots_for(request.user).filter(lot_number__icontains=q)[:20] if q else []
    if q and len(lots) == 1:
        return redirect("inventory:recipients", lot_id=lots[0].public_id)
    return render(request, "inventory/recall_search.html", {"q": q, "lots": lots})


@login_required
def recipients(request: HttpRequest, lot_id: str) -> HttpResponse:
    """Every patient who received a vial of this lot, with visit dates and units: printable."""
    if not perms.can_search_lot_recipients(request.user):
        raise PermissionDenied
    lot = svc.get_lot(request.user, lot_id)
    uses = svc.recall_recipients(request.user, lot, what=f"lot {lot.lot_number} recipients")
    patient_count = len({u.visit.patient_id for u in uses})
    return render(
        request,
        "inventory/recipients.html",
        {"lot": lot, "uses": uses, "patient_count": patient_count, "now": timezone.localtime()},
    )
