"""What a certificate of completion shows, in Thai and in English."""

from django.utils import timezone

from training.models import Attendance

THAI_MONTHS = (
    "มกราคม",
    "กุมภาพันธ์",
    "มีนาคม",
    "เมษายน",
    "พฤษภาคม",
    "มิถุนายน",
    "กรกฎาคม",
    "สิงหาคม",
    "กันยายน",
    "ตุลาคม",
    "พฤศจิกายน",
    "ธันวาคม",
)


def thai_date(day) -> str:
    """25 พฤศจิกายน พ.ศ. 2569: the Thai way, in the Buddhist era."""
    return f"{day.day} {THAI_MONTHS[day.month - 1]} พ.ศ. {day.year + 543}"


ENGLISH_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def english_date(day) -> str:
    return f"{day.day} {ENGLISH_MONTHS[day.month - 1]} {day.year}"


def certificate_context(attendance: Attendance) -> dict:
    session = attendance.session
    day = attendance.completed_on or timezone.localdate(session.ends_at)
    return {
        "attendance": attendance,
        "participant": attendance.participant,
        "course": session.course,
        "session": session,
        "number": attendance.certificate_number,
        "date_th": thai_date(day),
        "date_en": english_date(day),
        "session_date_th": thai_date(timezone.localdate(session.starts_at)),
        "session_date_en": english_date(timezone.localdate(session.starts_at)),
    }
