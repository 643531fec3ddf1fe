"""Builders for takedown tests: a rights holder, a right and cases walked to any state."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import get_user_model

from takedowns import case_items, transitions
from takedowns.choices import (
    CaseState,
    HolderKind,
    InfringementType,
    ItemKind,
    Priority,
    RightType,
)
from takedowns.models import InfringingItem, ProtectedRight, RightsHolder, TakedownCase

BKK = ZoneInfo("Asia/Bangkok")
S = CaseState


@pytest.fixture
def holder(db):
    return RightsHolder.objects.create(
        name="วิสาหกิจชุมชนข้าวหอมมะลิทุ่งกุลา", kind=HolderKind.GI_COMMUNITY, contact_email="a@b.th"
    )


@pytest.fixture
def right(holder):
    return ProtectedRight.objects.create(
        right_type=RightType.TRADEMARK,
        name="ทุ่งกุลา",
        registration_number="ค123456",
        owner=holder,
        valid_from=date(2020, 1, 1),
        valid_until=date(2030, 1, 1),
    )


@pytest.fixture
def other_right(db):
    """A right of another holder (a company)."""
    other = RightsHolder.objects.create(
        name="บริษัท ทุ่งกุลาเทรดดิ้ง จำกัด", kind=HolderKind.COMPANY, contact_email="c@d.th"
    )
    return ProtectedRight.objects.create(
        right_type=RightType.TRADEMARK,
        name="ทุ่งกุลาโกลด์",
        registration_number="ค999999",
        owner=other,
        valid_from=date(2020, 1, 1),
    )


@pytest.fixture
def superuser(db):
    return get_user_model().objects.create_superuser("root", "root@example.org", "pw")


_counter = {"n": 0}


def make_case(right, *, items=1, priority=Priority.NORMAL, created_at=None, **extra):
    fields = dict(
        title="ข้าวหอมมะลิปลอม",
        summary_en="Counterfeit Thung Kula jasmine rice sold under the holder's mark.",
        rights_holder=right.owner,
        right=right,
        infringement_type=InfringementType.COUNTERFEIT,
        priority=priority,
        reporter_name="สมชาย ใจดี",
        reporter_email="somchai@ipthailand.go.th",
        reporter_phone="0812345678",
    )
    if created_at:
        fields["created_at"] = created_at
    fields.update(extra)
    case = transitions.case_create(case=TakedownCase(**fields), actor=None)
    for _ in range(items):
        _counter["n"] += 1
        InfringingItem.objects.create(
            case=case,
            kind=ItemKind.LISTING,
            url=f"https://shop.tiktok.com/view/product/{_counter['n']}?utm_source=x",
            seller_handle="@FakeRiceShop",
        )
    return case


PATH_TO = {
    S.DRAFT: [],
    S.DIP_REVIEW: [S.DIP_REVIEW],
    S.READY_TO_FORWARD: [S.DIP_REVIEW, S.READY_TO_FORWARD],
    S.FORWARDED: [S.DIP_REVIEW, S.READY_TO_FORWARD, S.FORWARDED],
    S.UNDER_PLATFORM_REVIEW: [
        S.DIP_REVIEW,
        S.READY_TO_FORWARD,
        S.FORWARDED,
        S.UNDER_PLATFORM_REVIEW,
    ],
}


def walk(case, to_state, users, start=None, step=timedelta(minutes=10)):
    """Walk ``case`` along the happy path to ``to_state`` with the right role for each step."""
    path = PATH_TO.get(to_state)
    if path is None:
        path = (
            PATH_TO[S.UNDER_PLATFORM_REVIEW]
            + {
                S.INFO_REQUESTED: [S.INFO_REQUESTED],
                S.REMOVED: [S.REMOVED],
                S.NOT_REMOVED: [S.NOT_REMOVED],
                S.PARTIALLY_REMOVED: [S.PARTIALLY_REMOVED],
                S.ALREADY_UNAVAILABLE: [S.ALREADY_UNAVAILABLE],
                S.APPEALED: [S.REMOVED, S.APPEALED],
                S.REMOVAL_UPHELD: [S.REMOVED, S.APPEALED, S.REMOVAL_UPHELD],
                S.REINSTATED: [S.REMOVED, S.APPEALED, S.REINSTATED],
                S.CLOSED: [S.REMOVED, S.CLOSED],
            }[to_state]
        )
    at = start
    for state in path:
        rule = transitions.TRANSITIONS[(case.state, state)]
        actor = {
            transitions.PERM_DIP: users["officer"],
            transitions.PERM_FORWARD: users["supervisor"],
            transitions.PERM_PLATFORM: users["liaison"],
        }[rule.permission]
        kwargs = {}
        if state in (S.INFO_REQUESTED,):
            kwargs = {"reason_code": "link_not_found", "note": "please check"}
        if state in (S.NOT_REMOVED, S.REINSTATED):
            kwargs = {"reason_code": "no_infringement", "note": "no match"}
        if at is not None:
            at = at + step
            kwargs["at"] = at
        if state == S.PARTIALLY_REMOVED:  # one item recorded as removed, the rest are not
            first = case.items.order_by("pk").first()
            case_items.item_record_outcome(
                item=first, outcome="removed", actor=actor, at=kwargs.get("at"), roll_up=False
            )
        transitions.case_transition(case=case, to_state=state, actor=actor, **kwargs)
    return case


def bkk(*args):
    return datetime(*args, tzinfo=BKK)
