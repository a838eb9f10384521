from __future__ import annotations

import base64

import segno
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from toxinclinic.accounts.forms import AcceptInviteForm, LoginForm, TokenForm
from toxinclinic.accounts.models import ApiToken, Invitation, User
from toxinclinic.accounts.permissions import can_manage_users
from toxinclinic.audit.services import log_action


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def form_invalid(self, form: LoginForm) -> HttpResponse:
        response = super().form_invalid(form)
        response.status_code = 400
        return response


@require_http_methods(["GET", "POST"])
def accept_invite(request: HttpRequest, token: str) -> HttpResponse:
    inv = Invitation.objects.filter(digest=ApiToken.hash(token)).select_related("user").first()
    if inv is None or not inv.usable:
        return render(request, "accounts/invite_invalid.html", status=404)
    form = AcceptInviteForm(inv.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            form.save()
            inv.used_at = timezone.now()
            inv.save(update_fields=["used_at"])
            log_action("account.password_set", actor=inv.user, obj=inv.user, clinic_id=inv.user.clinic_id)
        login(request, inv.user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, "Your password is set. Welcome.")
        return redirect("home")
    return render(
        request,
        "accounts/accept_invite.html",
        {"form": form, "invited": inv.user},
        status=400 if form.is_bound else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def two_factor(request: HttpRequest) -> HttpResponse:
    """Enrol a TOTP device (first time) or verify this session with one."""
    user = request.user
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    enrolling = device is None
    if enrolling:
        device = TOTPDevice.objects.filter(user=user, confirmed=False).first() or TOTPDevice.objects.create(
            user=user, name="Authenticator", confirmed=False
        )
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"]):
            if enrolling:
                device.confirmed = True
                device.save(update_fields=["confirmed"])
                log_action("account.2fa_enrolled", actor=user, obj=user, clinic_id=user.clinic_id)
            otp_login(request, device)
            return redirect("home")
        form.add_error("token", "That code is not right or has expired. Enter the current code.")
    qr = None
    if enrolling:
        qr_svg = segno.make(device.config_url, error="m").svg_data_uri(scale=4)
        qr = qr_svg
        secret = base64.b32encode(device.bin_key).decode()
    else:
        secret = None
    return render(
        request,
        "accounts/two_factor.html",
        {"form": form, "enrolling": enrolling, "qr": qr, "secret": secret},
        status=400 if form.is_bound and form.errors else 200,
    )


@login_required
def users(request: HttpRequest) -> HttpResponse:
    if not can_manage_users(request.user):
        raise PermissionDenied
    rows = (
        User.objects.filter(clinic_id=request.user.clinic_id)
        .exclude(role="patient")
        .order_by("role", "last_name")
    )
    return render(request, "accounts/users.html", {"rows": rows})
