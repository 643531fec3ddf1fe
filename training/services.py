"""The rules of training, in one place: the admin, its inlines, actions and the imports call these.

- a session takes no more registrations than its capacity (the session row is locked while the
  registrations are counted, so two people racing for the last seat cannot both get it);
- a participant is registered once per session;
- only someone who attended completes a course, and where the course has a pass mark, only with a
  score that reaches it; completing gives a unique certificate number, un-completing takes it away.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from portal.internals import has_save_receivers_besides_history
from portal.signals import rows_written
from training.models import Attendance, Participant, TrainingSession


def session_lock(*, session_id: int) -> TrainingSession:
    """The session row, locked until the current transaction ends."""
    return TrainingSession.objects.select_for_update().select_related("course").get(pk=session_id)


def session_check_capacity(*, session: TrainingSession, registrations: int) -> None:
    """Refuse ``registrations`` seats on ``session`` if they exceed its capacity."""
    if registrations > session.capacity:
        raise ValidationError(
            _(
                "Session %(session)s is full: it has %(capacity)s seats and this would make "
                "%(count)s registrations."
            )
            % {"session": session, "capacity": session.capacity, "count": registrations}
        )


def session_validate_capacity(*, session: TrainingSession) -> None:
    """A saved session's capacity may not drop below the registrations it already has."""
    if session.pk is None or not session.capacity:
        return
    registered = Attendance.objects.filter(session_id=session.pk).count()
    if registered > session.capacity:
        raise ValidationError(
            {
                "capacity": _(
                    "%(count)s people are already registered; the capacity cannot be lower."
                )
                % {"count": registered}
            }
        )


def attendance_check_completion(*, attendance: Attendance, course=None) -> None:
    """Completion needs attendance and, where the course has a pass mark, a score that reaches it."""
    if not attendance.completed:
        return
    if not attendance.attended:
        raise ValidationError(
            {"completed": _("Only someone who attended can complete the course.")}
        )
    course = course or attendance.session.course
    if course.pass_mark is not None:
        if attendance.score is None:
            raise ValidationError(
                {
                    "score": _("Course %(course)s has a pass mark of %(mark)s: give the score.")
                    % {"course": course.code, "mark": course.pass_mark}
                }
            )
        if attendance.score < course.pass_mark:
            raise ValidationError(
                {
                    "completed": _(
                        "A score of %(score)s does not reach the pass mark of %(mark)s "
                        "of course %(course)s."
                    )
                    % {
                        "score": attendance.score,
                        "mark": course.pass_mark,
                        "course": course.code,
                    }
                }
            )


def attendance_validate(*, attendance: Attendance) -> None:
    """Every rule across rows for one attendance row. Call inside a transaction: it locks the session.

    (A session's inline checks its rows together: ``AttendanceInlineFormSet``.)
    """
    if not attendance.session_id:
        return
    session = session_lock(session_id=attendance.session_id)
    others = Attendance.objects.filter(session_id=session.pk).exclude(pk=attendance.pk)
    if (
        attendance.participant_id
        and others.filter(participant_id=attendance.participant_id).exists()
    ):
        raise ValidationError(
            {"participant": _("This participant is already registered for the session.")}
        )
    try:
        session_check_capacity(session=session, registrations=others.count() + 1)
    except ValidationError as error:
        raise ValidationError({"session": error.messages}) from error
    attendance_check_completion(attendance=attendance, course=session.course)


def certificate_number(*, attendance: Attendance) -> str:
    """DIP-TT-<year of completion>-<session id>-<participant id>: unique as the pair is."""
    return (
        f"DIP-TT-{attendance.completed_on:%Y}-"
        f"{attendance.session_id:05d}-{attendance.participant_id:05d}"
    )


@transaction.atomic
def attendance_save(*, attendance: Attendance) -> Attendance:
    """Validate and save one attendance row; issue or withdraw its certificate number."""
    attendance_validate(attendance=attendance)
    _certificate_issue_or_withdraw(attendance=attendance)
    attendance.save()
    return attendance


def session_attendances_save(*, attendances) -> None:
    """Save the rows of a session's inline, which its forms and formset have checked together
    with the session locked (``AttendanceInlineFormSet``): the checks are not made again per row.

    The rows are written together, whatever their number: one UPDATE for the changed rows, one
    INSERT for the new ones, one INSERT for their history rows each (as ``save()`` would write
    them, with the request's user). Should anything besides the audit trail listen to an
    attendance's save, each row is saved on its own so that it hears every one."""
    attendances = list(attendances)
    for attendance in attendances:
        _certificate_issue_or_withdraw(attendance=attendance)
    if has_save_receivers_besides_history(Attendance):
        for attendance in attendances:
            attendance.save()
        return
    changed = [a for a in attendances if not a._state.adding]
    added = [a for a in attendances if a._state.adding]
    if changed:
        fields = [f.name for f in Attendance._meta.concrete_fields if not f.primary_key]
        bulk_update_with_history(changed, Attendance, fields)
    if added:
        bulk_create_with_history(added, Attendance)
    if changed or added:
        rows_written.send(sender=Attendance)  # no save signal: the dashboard's figures


def _certificate_issue_or_withdraw(*, attendance: Attendance) -> None:
    if attendance.completed:
        if attendance.completed_on is None:
            attendance.completed_on = timezone.localdate(attendance.session.ends_at)
        attendance.certificate_number = certificate_number(attendance=attendance)
    else:
        attendance.completed_on = None
        attendance.certificate_number = None


@transaction.atomic
def attendance_register(
    *,
    session: TrainingSession,
    participant: Participant,
    attended: bool = False,
    score: int | None = None,
    completed: bool = False,
) -> Attendance:
    """Register a participant for a session (refused when full or already registered)."""
    attendance = Attendance(
        session=session,
        participant=participant,
        attended=attended,
        score=score,
        completed=completed,
    )
    attendance.full_clean(exclude=["certificate_number", "session", "participant"])
    return attendance_save(attendance=attendance)


@transaction.atomic
def attendance_complete(*, attendance: Attendance, score: int | None = None) -> Attendance:
    """Mark an attendance completed (with its score, if given) and issue the certificate."""
    if score is not None:
        attendance.score = score
    attendance.completed = True
    return attendance_save(attendance=attendance)


def participant_upsert(
    *,
    email: str,
    name: str = "",
    division: str = "",
    position: str = "",
    known: dict | None = None,
) -> Participant:
    """Find a participant by e-mail; create them, or fill in their details, from a sign-in sheet.

    ``known``: what an import already looked up, e-mail -> participant or None (no one has it);
    an e-mail it does not hold is looked up here.

    Raises ValidationError keyed by the column that is wrong.
    """
    email = (email or "").strip().lower()
    if known is not None and email in known:
        participant = known[email]
    else:
        participant = Participant.objects.filter(email=email).first()
    if participant is None:
        if not name:
            raise ValidationError(
                {
                    "participant_name": _(
                        "No participant has the e-mail %(email)s: give their name and division "
                        "to add them."
                    )
                    % {"email": email}
                }
            )
        participant = Participant(email=email)
    changed = participant._state.adding
    for field, value in (
        ("name", name),
        ("division", division),
        ("position", position),
    ):
        if value and getattr(participant, field) != value:
            setattr(participant, field, value)
            changed = True
    if changed:
        try:
            participant.full_clean()
        except ValidationError as error:
            columns = {"name": "participant_name", "email": "participant_email"}
            raise ValidationError(
                {columns.get(key, key): value for key, value in error.message_dict.items()}
            ) from error
        participant.save()
    return participant
