"""Isolation matrix: the rooms back-office under /manage/site-a/rooms/ (issue 20).

Site A's manager and head office get in, everybody else gets the 404 of a site that does not
exist (anonymous visitors are sent to sign in). Every member of the site reads the list; the
forms (a room, the rooms policy) need `manage` even to open (read-only roles get 403). The
edit page uses the world's room_a (tests/spaces/world.py); posted empty, a form re-renders
with its errors (200) and nothing changes."""

from tests.matrix import SITE_A, Route

MATRIX: dict[str, Route] = {
    "spaces:manage_room_list": Route("/manage/site-a/rooms/", SITE_A),
    "spaces:manage_room_create": Route("/manage/site-a/rooms/new/", SITE_A, action="manage"),
    "spaces:manage_room_edit": Route("/manage/site-a/rooms/{room_a}/edit/", SITE_A, action="manage"),
    "spaces:manage_room_policy": Route("/manage/site-a/rooms/policy/", SITE_A, action="manage"),
}
