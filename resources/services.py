"""Every state change of the resources room: one function, one transaction, one audit row.

Views, the API, the back office, commands and jobs call these. Permission checks happen here, so no
entry point can skip them. The map's index (resources.index) is refreshed in the same transaction.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.text import slugify
from django.utils.translation import gettext as _

from accounts.roles import Role
from core import audit, geo, geocoder, uploads
from core.images import PhotoError, clean_photo
from notifications.events import Event, publish
from notifications.transactional import recipient_language, send_transactional
from resources import index
from resources.models import (
    ApplicationStep,
    FundingProgramme,
    FundingReminder,
    Initiative,
    Invitation,
    Location,
    Organisation,
    Representative,
    Service,
    Space,
    SpaceApplication,
    SpacePhoto,
)
from resources.text import fold


def _require(actor: Any, permission: str, obj: Any = None) -> None:
    if actor is None or not actor.has_perm(permission, obj):
        raise PermissionDenied(permission)


def unique_slug(model: Any, text: str, *, max_length: int = 80) -> str:
    base = slugify(text)[: max_length - 6].strip("-") or "item"
    slug, number = base, 2
    while model.objects.filter(slug=slug).exists():
        slug = f"{base}-{number}"
        number += 1
    return slug


def _names_the_typed_street(address: str, found: Any) -> bool:
    """A street-level match counts only when it is the street typed, its kind word included: the index has
    no squares, so "Piața Unirii 1" would otherwise land on "Strada Unirii", kilometres away."""
    if getattr(found, "kind", "") != "street" or not getattr(found, "street", ""):
        return True
    typed = " ".join(re.findall(r"[0-9a-z]+", fold(address)))
    street = " ".join(re.findall(r"[0-9a-z]+", fold(found.street)))
    return typed == street or typed.startswith(street + " ")


def place(address: str) -> tuple[float | None, float | None, Any]:
    """Latitude, longitude and neighbourhood of a typed address (core.geocoder), or Nones (also when the
    geocoder only found a different street of a similar name: better off the map than in the wrong place)."""
    found = geocoder.locate(address) if address.strip() else None
    if found is None or not _names_the_typed_street(address, found):
        return None, None, None
    return found.lat, found.lon, geo.neighbourhood_for(found.lat, found.lon)


def _grant_representative_role(user: Any) -> None:
    group, _created = Group.objects.get_or_create(name=Role.ORGANISATION_REP.value)
    user.groups.add(group)
    user.__dict__.pop("_role_codes", None)


# --- Organisations ------------------------------------------------------------------------------


@transaction.atomic
def register_organisation(actor: Any, organisation: Organisation, *, address: str = "", position: str = "",
                          listed_publicly: bool = False) -> Organisation:
    """A signed-in person registers an organisation and becomes its first representative. It shows
    at once, without the "verified" mark, until staff check it."""
    _require(actor, "resources.register_organisation")
    organisation.verified = False
    organisation.hidden = False
    organisation.source = Organisation.Source.SELF
    if not organisation.slug:
        organisation.slug = unique_slug(Organisation, organisation.name)
    organisation.full_clean()
    organisation.save()
    if address.strip():
        set_location(actor, organisation, address=address, check=False)
    Representative.objects.create(organisation=organisation, user=actor, position=position,
                                  listed_publicly=listed_publicly)
    _grant_representative_role(actor)
    audit.record(actor, "resources.organisation.registered", organisation, {"kind": organisation.kind})
    index.refresh(organisation)
    return organisation


@transaction.atomic
def update_organisation(actor: Any, organisation: Organisation, values: dict[str, Any]) -> Organisation:
    _require(actor, "resources.change_organisation_entry", organisation)
    changes = audit.diff(organisation, values.keys(), values)
    for field, value in values.items():
        setattr(organisation, field, value)
    organisation.updated_at = timezone.now()
    organisation.full_clean()
    organisation.save()
    audit.record(actor, "resources.organisation.updated", organisation, changes)
    index.refresh(organisation)
    return organisation


@transaction.atomic
def add_service(actor: Any, organisation: Organisation, service: Service) -> Service:
    """A service or programme the organisation offers, at each of its places on the map (HSDS
    service_at_location); representatives and staff only."""
    _require(actor, "resources.change_organisation_entry", organisation)
    service.organisation = organisation
    service.full_clean()
    service.save()
    service.locations.set(organisation.locations.all())
    organisation.updated_at = timezone.now()
    organisation.save(update_fields=["updated_at"])
    audit.record(actor, "resources.service.added", organisation, {"service": service.pk, "name": service.name})
    index.refresh(organisation)
    return service


@transaction.atomic
def remove_service(actor: Any, service: Service) -> None:
    organisation = service.organisation
    _require(actor, "resources.change_organisation_entry", organisation)
    audit.record(actor, "resources.service.removed", organisation, {"service": service.pk, "name": service.name})
    service.delete()
    organisation.updated_at = timezone.now()
    organisation.save(update_fields=["updated_at"])
    index.refresh(organisation)


@transaction.atomic
def set_location(actor: Any, organisation: Organisation, *, address: str, name: str = "",
                 check: bool = True) -> Location:
    """The organisation's (first) location, geocoded from its address; unplaceable addresses keep
    the text and stay off the map."""
    if check:
        _require(actor, "resources.change_organisation_entry", organisation)
    latitude, longitude, neighbourhood = place(address)
    location = organisation.locations.first() or Location(organisation=organisation)
    location.name, location.address = name[:200], address.strip()[:300]
    location.latitude, location.longitude, location.neighbourhood = latitude, longitude, neighbourhood
    location.full_clean()
    location.save()
    if neighbourhood is not None and organisation.neighbourhood_id is None:
        organisation.neighbourhood = neighbourhood
        organisation.save(update_fields=["neighbourhood"])
    audit.record(actor, "resources.organisation.located", organisation,
                 {"address": location.address, "placed": latitude is not None})
    index.refresh(organisation)
    return location


@transaction.atomic
def verify_organisation(actor: Any, organisation: Organisation, *, verified: bool) -> Organisation:
    _require(actor, "resources.verify_organisation", organisation)
    organisation.verified = verified
    organisation.verified_at = timezone.now() if verified else None
    organisation.save(update_fields=["verified", "verified_at"])
    audit.record(actor, "resources.organisation.verified" if verified else "resources.organisation.unverified",
                 organisation)
    index.refresh(organisation)
    return organisation


@transaction.atomic
def moderate_organisation(actor: Any, organisation: Organisation, *, hidden: bool) -> Organisation:
    _require(actor, "resources.moderate", organisation)
    organisation.hidden = hidden
    organisation.save(update_fields=["hidden"])
    audit.record(actor, "resources.organisation.hidden" if hidden else "resources.organisation.shown", organisation)
    index.refresh(organisation)
    return organisation


@transaction.atomic
def invite_representative(actor: Any, organisation: Organisation, email: str, *, base_url: str) -> Invitation:
    """A representative invites a colleague; the e-mail goes out after the commit."""
    _require(actor, "resources.change_organisation_entry", organisation)
    invitation = Invitation(organisation=organisation, email=email.strip().lower(), invited_by=actor)
    invitation.full_clean()
    invitation.save()
    audit.record(actor, "resources.organisation.invited", organisation, {"invitation": invitation.pk})
    link = base_url + reverse("resources:accept_invitation", args=[invitation.token])
    subjects, bodies = {}, {}
    for language in ("ro", "en"):
        with translation.override(language):
            subjects[language] = _("Invitation to represent %(name)s") % {"name": organisation.name}
            bodies[language] = _("You were invited to help manage the entry of %(name)s in the city's resources "
                                 "map. Open this link while signed in to accept: %(link)s") % {
                "name": organisation.name, "link": link}
    # The invited person has no known language (maybe no account yet): the inviter's page language.
    send_transactional(invitation.email, subjects, bodies, language=recipient_language(),
                       kind="resources.invitation")
    return invitation


@transaction.atomic
def accept_invitation(actor: Any, token: str) -> Representative:
    if actor is None or not actor.is_authenticated:
        raise PermissionDenied("sign in")
    try:
        invitation = Invitation.objects.select_for_update().get(token=token, accepted_at__isnull=True)
    except Invitation.DoesNotExist as error:
        raise ValidationError({"token": _("This invitation is not valid or was already used.")}) from error
    if invitation.created_at < timezone.now() - dt.timedelta(days=14):
        raise ValidationError({"token": _("This invitation has expired; ask for a new one.")})
    invitation.accepted_at, invitation.accepted_by = timezone.now(), actor
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    representative, _created = Representative.objects.get_or_create(organisation=invitation.organisation, user=actor)
    _grant_representative_role(actor)
    audit.record(actor, "resources.organisation.invitation_accepted", invitation.organisation)
    return representative


# --- Spaces -------------------------------------------------------------------------------------


@transaction.atomic
def add_space_photo(actor: Any, space: Space, data: bytes, *, alt_text: str) -> SpacePhoto:
    """Staff add a photo: checked by content, re-encoded without metadata (core.images) before storage."""
    _require(actor, "resources.change_space", space)
    if not alt_text.strip():
        raise ValidationError({"alt_text": _("Describe the photo for people who cannot see it.")})
    try:
        clean = clean_photo(data)
    except PhotoError as error:
        raise ValidationError({"photo": uploads.photo_error_message(error)}) from error
    photo = SpacePhoto(space=space, alt_text=alt_text.strip()[:200])
    photo.image.save("photo.jpg", ContentFile(clean.content), save=False)
    photo.width, photo.height = clean.width, clean.height  # known from core.images; no second decode
    photo.save()
    audit.record(actor, "resources.space.photo_added", space, {"photo": photo.pk})
    return photo


@transaction.atomic
def apply_for_space(actor: Any, space: Space, organisation: Organisation, *, intended_use: str,
                    message: str) -> SpaceApplication:
    _require(actor, "resources.apply_for_space", organisation)
    if not space.published:
        raise ValidationError({"space": _("This space is not offered.")})
    if space.allowed_uses and intended_use not in space.allowed_uses:
        raise ValidationError({"intended_use": _("The owner does not allow this use of the space.")})
    application = SpaceApplication(space=space, organisation=organisation, applicant=actor,
                                   intended_use=intended_use, message=message.strip())
    application.full_clean(exclude=["applicant"], validate_constraints=False)
    try:
        with transaction.atomic():
            application.save()
    except IntegrityError as error:
        raise ValidationError({"space": _("Your organisation has already applied for this space.")}) from error
    ApplicationStep.objects.create(application=application, status=SpaceApplication.Status.RECEIVED)
    audit.record(actor, "resources.space.applied", application, {"space": space.pk, "organisation": organisation.pk})
    return application


ALLOWED_STEPS = {
    SpaceApplication.Status.RECEIVED: {SpaceApplication.Status.UNDER_REVIEW, SpaceApplication.Status.REFUSED},
    SpaceApplication.Status.UNDER_REVIEW: {SpaceApplication.Status.OFFERED, SpaceApplication.Status.REFUSED},
    SpaceApplication.Status.OFFERED: {SpaceApplication.Status.AGREED, SpaceApplication.Status.REFUSED},
    SpaceApplication.Status.AGREED: set(),
    SpaceApplication.Status.REFUSED: set(),
}


@transaction.atomic
def advance_application(actor: Any, application: SpaceApplication, status: str, *,
                        public_note: str = "") -> ApplicationStep:
    """Staff move an application one step on (received → under review → offered → agreed, or refused)."""
    _require(actor, "resources.handle_applications", application)
    application = SpaceApplication.objects.select_for_update().get(pk=application.pk)
    if status not in ALLOWED_STEPS[SpaceApplication.Status(application.status)]:
        raise ValidationError({"status": _("An application that is “%(current)s” cannot become “%(new)s”.") % {
            "current": application.get_status_display(), "new": status}})
    application.status = status
    application.save(update_fields=["status"])
    step = ApplicationStep.objects.create(application=application, status=status, public_note=public_note[:500])
    audit.record(actor, "resources.space.application_step", application, {"status": status})
    return step


# --- Funding ------------------------------------------------------------------------------------


@transaction.atomic
def ask_for_reminder(actor: Any, programme: FundingProgramme, *, days_before: int = 7) -> FundingReminder:
    if actor is None or not actor.is_authenticated:
        raise PermissionDenied("sign in")
    if programme.deadline is None or programme.deadline <= timezone.localdate():
        raise ValidationError({"programme": _("This programme has no deadline ahead.")})
    if not 1 <= days_before <= 90:
        raise ValidationError({"days_before": _("Choose between 1 and 90 days.")})
    reminder, _created = FundingReminder.objects.update_or_create(
        programme=programme, user=actor, defaults={"days_before": days_before, "sent_at": None})
    audit.record(actor, "resources.funding.reminder", programme, {"days_before": days_before})
    return reminder


# --- Initiatives --------------------------------------------------------------------------------


@transaction.atomic
def propose_initiative(actor: Any, initiative: Initiative) -> Initiative:
    """Anyone signed in proposes; it shows after a moderator publishes it."""
    _require(actor, "resources.propose_initiative")
    initiative.status = Initiative.Status.PENDING
    initiative.proposed_by = actor
    initiative.slug = unique_slug(Initiative, initiative.title)
    if initiative.address.strip() and initiative.latitude is None:
        initiative.latitude, initiative.longitude, initiative.neighbourhood = place(initiative.address)
    initiative.full_clean()
    initiative.save()
    audit.record(actor, "resources.initiative.proposed", initiative, {"kind": initiative.kind})
    return initiative


@transaction.atomic
def moderate_initiative(actor: Any, initiative: Initiative, *, status: str) -> Initiative:
    _require(actor, "resources.moderate", initiative)
    if status not in Initiative.Status.values:
        raise ValidationError({"status": _("Unknown status.")})
    initiative.status = status
    initiative.save(update_fields=["status"])
    audit.record(actor, "resources.initiative.moderated", initiative, {"status": status})
    index.refresh(initiative)
    return initiative


def initiative_subject(initiative: Initiative) -> str:
    return f"resources.initiative:{initiative.pk}"


def follow_initiative(actor: Any, initiative: Initiative, *, follow: bool) -> None:
    """Follow through the platform's notifications (updates about the initiative reach the follower
    by the channels they chose there)."""
    if actor is None or not actor.is_authenticated:
        raise PermissionDenied("sign in")
    from notifications import subscriptions

    if follow:
        subscriptions.follow(actor, initiative_subject(initiative))
    else:
        subscriptions.unfollow(actor, initiative_subject(initiative))


def send_funding_reminders(*, today: dt.date | None = None) -> int:
    """Send each due reminder once, through the platform's notifications (the person's own channels and
    quiet hours). Safe to run repeatedly."""
    today = today or timezone.localdate()
    due = FundingReminder.objects.filter(sent_at__isnull=True, programme__published=True,
                                         programme__deadline__gte=today).select_related("programme", "user")
    sent = 0
    for reminder in due:
        programme = reminder.programme
        assert programme.deadline is not None
        if (programme.deadline - today).days > reminder.days_before:
            continue
        with transaction.atomic():
            locked = FundingReminder.objects.select_for_update().filter(pk=reminder.pk, sent_at__isnull=True)
            if not locked.update(sent_at=timezone.now()):
                continue
            texts = _reminder_texts(programme)
            with translation.override("ro"):
                path = programme.get_absolute_url().removeprefix("/ro")
            publish(Event(kind="resources.funding_deadline", room="resources",
                          subject=f"resources.fundingprogramme:{programme.pk}",
                          title={lang: texts[lang][0] for lang in ("ro", "en")},
                          body={lang: texts[lang][1] for lang in ("ro", "en")}, url=path,
                          severity="info", data={"deadline": programme.deadline.isoformat()},
                          recipient_user_ids=(reminder.user_id,)))
            audit.record("task:funding_reminders", "resources.funding.reminder_sent", programme,
                         {"reminder": reminder.pk})
        sent += 1
    return sent


def _reminder_texts(programme: FundingProgramme) -> dict[str, tuple[str, str]]:
    texts = {}
    for language in ("ro", "en"):
        with translation.override(language):
            title = getattr(programme, f"title_{language}", "") or programme.title
            deadline = date_format(programme.deadline, "j F Y") if programme.deadline else ""
            texts[language] = (
                _("Deadline on %(date)s: %(title)s") % {"date": deadline, "title": title},
                _("The call “%(title)s” (%(funder)s) closes on %(date)s. Details and the official page: %(url)s") % {
                    "title": title, "funder": programme.funder, "date": deadline, "url": programme.get_absolute_url()})
    return texts
