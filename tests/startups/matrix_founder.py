"""Isolation matrix: the founder's side of startups (profile, team, calls, applications).

founder_a founds startup_a (a resident of site A, with application_a submitted to call_a);
manager_a sees startup_a through site A, manager_b does not; head office sees every startup
but only the team changes it. Applications pages are the team's own: site staff review
applications in their back-office instead.
"""

from tests.matrix import PUBLIC, SIGNED_IN, Route

#                      anonymous outsider founder_a manager_a manager_b staff
VISIBLE_STARTUP_A = (302, 404, 200, 200, 404, 200)
FOUNDERS_OF_A = (302, 404, 200, 403, 404, 403)
FOUNDERS_OF_A_WRITE = (302, 404, 302, 403, 404, 403)
TEAM_OF_A = (302, 404, 200, 404, 404, 404)
TEAM_OF_A_FOUNDER_WRITE = (302, 404, 302, 404, 404, 404)

MATRIX: dict[str, Route] = {
    # Profile and team
    "startups:list": Route("/startups/", SIGNED_IN),
    "startups:create": Route("/startups/new/", SIGNED_IN),
    "startups:detail": Route("/startups/{startup_a}/", VISIBLE_STARTUP_A),
    "startups:edit": Route("/startups/{startup_a}/edit/", FOUNDERS_OF_A),
    "startups:logo": Route("/startups/{startup_a}/logo/", (200,) * 6),
    "startups:team": Route("/startups/{startup_a}/team/", VISIBLE_STARTUP_A),
    "startups:invitation_cancel": Route(
        "/startups/{startup_a}/invitations/{invitation_token}/cancel/", FOUNDERS_OF_A_WRITE, "post"
    ),
    # No such member: the founder gets 404 after the permission checks (removal is tested
    # in tests/startups/test_profile.py).
    # founder_a removes member_a; the site's manager and head office may see the team, not change it.
    "startups:member_remove": Route(
        "/startups/{startup_a}/members/{member_a}/remove/", (302, 404, 302, 403, 404, 403), "post"
    ),
    # Anyone holding the link sees whom it is for; the personas are not the invitee.
    "startups:invitation_accept": Route("/startups/invitations/{invitation_token}/", PUBLIC),
    # Calls: public
    "startups:calls": Route("/calls/", PUBLIC),
    "startups:call_detail": Route("/calls/{call_a}/", PUBLIC),
    # An empty form: re-rendered with its errors.
    "startups:application_start": Route("/calls/{call_network}/apply/", SIGNED_IN, "post", {}),
    # Applications: the startup's team only
    "startups:applications": Route("/applications/", SIGNED_IN),
    "startups:application_detail": Route("/applications/{application_a}/", TEAM_OF_A),
    # application_a is submitted: its founder is sent back to the detail page.
    "startups:application_edit": Route("/applications/{application_a}/edit/", TEAM_OF_A_FOUNDER_WRITE),
    "startups:application_withdraw": Route("/applications/{application_a}/withdraw/", TEAM_OF_A_FOUNDER_WRITE, "post"),
    "startups:application_pitch_deck": Route("/applications/{application_a}/pitch-deck/", TEAM_OF_A),
}
