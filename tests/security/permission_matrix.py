"""The permission matrix: what every door of Vigie answers to every role (issue 12).

`TABLE` below is the one place that says it. tests/security/test_permission_matrix.py checks that it
covers every operation of the URL configuration (the OpenAPI schema, the pages, the admin, the sockets)
and that each cell is what the application answers; docs/security.md shows it rendered as Markdown:

    .venv/bin/python -m tests.security.permission_matrix --write docs/security.md

rewrites the section between its markers (without `--write`, the Markdown goes to stdout).
`VIGIE_MATRIX_PRINT=1` makes the test print what it observed, in the table's own format, to review and
paste. This module imports nothing from Django: it is plain data and text.
"""

import re
import sys
from dataclasses import dataclass

ROLES = (
    "anonymous",
    "referent",
    "shopkeeper",
    "moderator",
    "operator",
    "admin",
    "coordinator",
    "csu",
    "ethics",
    "inspector",
    "dpo",
    "superuser",
)
SCOPES = ("own", "other commune", "not theirs")
# ok: let through (any status but a refusal: 400 and 409 from a minimal body count); a refusal: 401
# (who are you?), 403 (not your role), 404 (not yours, or not there); pages: 200, 302 (redirected to a
# sign-in page), 403; sockets: ok (accepted), 4401 (unauthenticated), 4403 (not a console role).
ANSWERS = frozenset({"ok", "200", "302", "401", "403", "404", "4401", "4403"})
REFUSALS = frozenset({"302", "401", "403", "404", "4401", "4403"})
STAFF = ("moderator", "operator", "admin", "coordinator", "csu", "ethics", "inspector", "dpo", "superuser")
# Staff pass no door without their second factor, which the test checks on every row (the same request
# with a token or session without it must be refused), except the ping socket, which tells a socket who
# it is signed in as and nothing else.
SIGNED_IN_DOORS = frozenset({"WS /ws/ping/"})
DOCS_START = "<!-- permission-matrix:start -->"
DOCS_END = "<!-- permission-matrix:end -->"

TABLE = """
# What each role gets at each door of Vigie. Columns: the roles (anonymous: no credentials; referent and
# shopkeeper of commune A with the token of an SMS code; moderator, operator of A's police municipale and
# commune admin of A with the staff's second factor; the town's and oversight roles of A (CLSPD coordinator,
# CSU operator, ethics committee, inspector, DPO) with the same second factor; superuser: a platform
# administrator, no commune).
# The API is called with tokens, the pages and the admin with a browser session (staff: password + TOTP;
# referents and shopkeepers: a plain session).
# A cell is one answer, or three for a door that takes an object: own / other commune / not theirs (an
# object of commune A that is someone else's: another referent's observation, another agency's dispatch).
#   ok   let through (the status is not a refusal: a 400 or 409 from a deliberately minimal body counts)
#   401  not authenticated; 403 refused for this role; 404 not found for this user (or not theirs)
#   200  the page; 302 redirected to a sign-in page; ok for a socket: accepted; 4401 / 4403 its close codes
# Every door a staff role passes is also tried with that role's credentials without the second factor:
# refused, on every door but the ping socket (it only says who the socket is signed in as).
# A staff member's own broadcast is one they wrote; their own commune's referents, shops, applications and
# quarantined SMS are "own", another commune's "other commune".
# A platform superuser belongs to no commune: the API's commune doors show them nothing (empty lists, 404)
# or refuse them (403); their tool is the admin.
# A "# SUSPECT:" note marks a cell whose expected answer is not what the application gives today.
#
# operation                                                  | anonymous | referent   | shopkeeper | moderator   | operator   | admin       | coordinator | csu        | ethics     | inspector  | dpo        | superuser

## Sign-in and account
POST   /api/v1/auth/otp/                                     | ok        | ok         | ok         | ok          | ok         | ok          | ok          | ok         | ok         | ok         | ok         | ok
POST   /api/v1/auth/token/                                   | ok        | ok         | ok         | ok          | ok         | ok          | ok          | ok         | ok         | ok         | ok         | ok
POST   /api/v1/auth/token/refresh/                           | ok        | ok         | ok         | ok          | ok         | ok          | ok          | ok         | ok         | ok         | ok         | ok
# Public doors: what they give depends on the credentials in the body (a staff token only for staff with
# their password and TOTP; the logout blacklists the refresh token given), never on who calls.
POST   /api/v1/auth/staff/token/                             | ok        | ok         | ok         | ok          | ok         | ok          | ok          | ok         | ok         | ok         | ok         | ok
POST   /api/v1/auth/logout/                                  | ok        | ok         | ok         | ok          | ok         | ok          | ok          | ok         | ok         | ok         | ok         | ok
GET    /api/v1/me/                                           | 401       | ok         | ok         | ok          | ok         | ok          | ok          | ok         | ok         | ok         | ok         | ok
# Staff accounts are closed by their commune's admin, not by their holder.
DELETE /api/v1/me/                                           | 401       | ok         | ok         | 403         | 403        | 403         | 403         | 403        | 403        | 403        | 403        | 403
GET    /api/v1/me/export/                                    | 401       | ok         | ok         | ok          | ok         | ok          | ok          | ok         | ok         | ok         | ok         | ok
GET    /api/v1/me/preferences/                               | 401       | ok         | ok         | 403         | 403        | 403         | 403         | 403        | 403        | 403        | 403        | 403
PATCH  /api/v1/me/preferences/                               | 401       | ok         | ok         | 403         | 403        | 403         | 403         | 403        | 403        | 403        | 403        | 403
POST   /api/v1/devices/                                      | 401       | ok         | ok         | 403         | 403        | 403         | 403         | 403        | 403        | 403        | 403        | 403
DELETE /api/v1/devices/{token}/                              | 401       | ok/404/404 | ok/404/404 | 403         | 403        | 403         | 403         | 403        | 403        | 403        | 403        | 403
# Public: the Web Push public key (browsers hand it to their push service; the app reads it before asking).
GET    /api/v1/push/web/                                     | ok        | ok         | ok         | ok          | ok         | ok          | ok          | ok         | ok         | ok         | ok         | ok
GET    /api/v1/sectors/                                      | ok        | ok         | ok         | ok          | ok         | ok          | ok          | ok         | ok         | ok         | ok         | ok
GET    /api/v1/categories/                                   | 401       | ok         | ok         | ok          | ok         | ok          | ok          | ok         | ok         | ok         | ok         | ok

## Reporters
GET    /api/v1/observations/                                 | 401       | ok         | ok         | 403         | 403        | 403         | 403         | 403        | 403        | 403        | 403        | 403
POST   /api/v1/observations/                                 | 401       | ok         | ok         | 403         | 403        | 403         | 403         | 403        | 403        | 403        | 403        | 403
GET    /api/v1/observations/{id}/                            | 401       | ok/404/404 | ok/404/404 | ok/404/ok   | ok/404/404 | ok/404/ok   | 404         | 404        | 404        | 404        | 404        | 404
POST   /api/v1/observations/{id}/additions/                  | 401       | ok/404/404 | ok/404/404 | 403         | 403        | 403         | 403         | 403        | 403        | 403        | 403        | 403
# Anonymous: 404, as for a photo that does not exist (a photo opens with credentials or a signed URL).
GET    /api/v1/observations/{id}/photos/{photo_id}/          | 404       | ok/404/404 | ok/404/404 | ok/404/ok   | ok/404/404 | ok/404/ok   | 404         | 404        | 404        | 404        | 404        | 404
GET    /api/v1/inbox/                                        | 401       | ok         | ok         | ok          | ok         | ok          | ok          | ok         | ok         | ok         | ok         | ok
POST   /api/v1/inbox/{notification_id}/read/                 | 401       | ok/404/404 | ok/404/404 | ok/404/404  | ok/404/404 | ok/404/404  | ok/404/404  | ok/404/404 | ok/404/404 | ok/404/404 | ok/404/404 | ok/404/404

## Moderation
GET    /api/v1/moderation/queue/                             | 401       | 403        | 403        | ok          | 403        | ok          | 403         | 403        | 403        | 403        | 403        | ok
GET    /api/v1/moderation/{id}/                              | 401       | 403        | 403        | ok/404/ok   | 403        | ok/404/ok   | 403         | 403        | 403        | 403        | 403        | 404
POST   /api/v1/moderation/{id}/claim/                        | 401       | 403        | 403        | ok/404/ok   | 403        | ok/404/ok   | 403         | 403        | 403        | 403        | 403        | 404
POST   /api/v1/moderation/{id}/release/                      | 401       | 403        | 403        | ok/404/ok   | 403        | ok/404/ok   | 403         | 403        | 403        | 403        | 403        | 404
POST   /api/v1/moderation/{id}/approve/                      | 401       | 403        | 403        | ok/404/ok   | 403        | ok/404/ok   | 403         | 403        | 403        | 403        | 403        | 404
POST   /api/v1/moderation/{id}/reject/                       | 401       | 403        | 403        | ok/404/ok   | 403        | ok/404/ok   | 403         | 403        | 403        | 403        | 403        | 404
POST   /api/v1/moderation/{id}/merge/                        | 401       | 403        | 403        | ok/404/ok   | 403        | ok/404/ok   | 403         | 403        | 403        | 403        | 403        | 404
GET    /api/v1/moderation/additions/                         | 401       | 403        | 403        | ok          | 403        | ok          | 403         | 403        | 403        | 403        | 403        | ok
POST   /api/v1/moderation/additions/{id}/approve/            | 401       | 403        | 403        | ok/404/ok   | 403        | ok/404/ok   | 403         | 403        | 403        | 403        | 403        | 404
POST   /api/v1/moderation/additions/{id}/reject/             | 401       | 403        | 403        | ok/404/ok   | 403        | ok/404/ok   | 403         | 403        | 403        | 403        | 403        | 404
GET    /api/v1/senders/flagged/                              | 401       | 403        | 403        | ok          | 403        | ok          | 403         | 403        | 403        | 403        | 403        | ok
POST   /api/v1/senders/{user_id}/block/                      | 401       | 403        | 403        | ok/404/ok   | 403        | ok/404/ok   | 403         | 403        | 403        | 403        | 403        | 404
POST   /api/v1/senders/{user_id}/unblock/                    | 401       | 403        | 403        | ok/404/ok   | 403        | ok/404/ok   | 403         | 403        | 403        | 403        | 403        | 404
GET    /api/v1/emergency-mode/                               | 401       | 403        | 403        | ok          | ok         | ok          | 403         | 403        | 403        | 403        | 403        | 404
PUT    /api/v1/emergency-mode/                               | 401       | 403        | 403        | ok          | 403        | ok          | 403         | 403        | 403        | 403        | 403        | 404
# The emergency cell: its commune's moderators and admins decide; its roster (members and deputies, none in
# this world) reads and writes in the log; confirming is for those called (nobody here: 403). "Not theirs": an
# activation of A already closed (its report stays readable).
GET    /api/v1/emergency/activations/                        | 401       | 403        | 403        | ok          | 403        | ok          | 403         | 403        | 403        | 403        | 403        | 404
POST   /api/v1/emergency/activations/                        | 401       | 403        | 403        | ok          | 403        | ok          | 403         | 403        | 403        | 403        | 403        | 404
GET    /api/v1/emergency/activations/{id}/                   | 401       | 403        | 403        | ok/404/ok   | 404        | ok/404/ok   | 403         | 403        | 403        | 403        | 403        | 404
POST   /api/v1/emergency/activations/{id}/close/             | 401       | 403        | 403        | ok/404/ok   | 403        | ok/404/ok   | 403         | 403        | 403        | 403        | 403        | 404
POST   /api/v1/emergency/activations/{id}/confirm/           | 401       | 403        | 403        | 403/404/403 | 404        | 403/404/403 | 403         | 403        | 403        | 403        | 403        | 404
GET    /api/v1/emergency/activations/{id}/log/               | 401       | 403        | 403        | ok/404/ok   | 404        | ok/404/ok   | 403         | 403        | 403        | 403        | 403        | 404
POST   /api/v1/emergency/activations/{id}/log/               | 401       | 403        | 403        | ok/404/ok   | 404        | ok/404/ok   | 403         | 403        | 403        | 403        | 403        | 404
POST   /api/v1/emergency/activations/{id}/renew/             | 401       | 403        | 403        | ok/404/ok   | 403        | ok/404/ok   | 403         | 403        | 403        | 403        | 403        | 404
GET    /api/v1/emergency/activations/{id}/report/            | 401       | 403        | 403        | ok/404/ok   | 404        | ok/404/ok   | 403         | 403        | 403        | 403        | 403        | 404
GET    /api/v1/emergency/roster/                             | 401       | 403        | 403        | ok          | 403        | ok          | 403         | 403        | 403        | 403        | 403        | 404
PUT    /api/v1/emergency/roster/                             | 401       | 403        | 403        | ok          | 403        | ok          | 403         | 403        | 403        | 403        | 403        | 404

## Police
GET    /api/v1/dispatches/                                   | 401       | 403        | 403        | 403         | ok         | ok          | 403         | 403        | 403        | 403        | 403        | ok
GET    /api/v1/dispatches/{id}/                              | 401       | 403        | 403        | 403         | ok/404/404 | ok/404/ok   | 403         | 403        | 403        | 403        | 403        | 404
POST   /api/v1/dispatches/{id}/acknowledge/                  | 401       | 403        | 403        | 403         | ok/404/404 | ok/404/ok   | 403         | 403        | 403        | 403        | 403        | 404
POST   /api/v1/dispatches/{id}/assign/                       | 401       | 403        | 403        | 403         | ok/404/404 | ok/404/ok   | 403         | 403        | 403        | 403        | 403        | 404
POST   /api/v1/dispatches/{id}/notes/                        | 401       | 403        | 403        | 403         | ok/404/404 | ok/404/ok   | 403         | 403        | 403        | 403        | 403        | 404
POST   /api/v1/dispatches/{id}/handover/                     | 401       | 403        | 403        | 403         | ok/404/404 | ok/404/ok   | 403         | 403        | 403        | 403        | 403        | 404
POST   /api/v1/dispatches/{id}/close/                        | 401       | 403        | 403        | 403         | ok/404/404 | ok/404/ok   | 403         | 403        | 403        | 403        | 403        | 404
GET    /api/v1/agencies/                                     | 401       | 403        | 403        | ok          | ok         | ok          | 403         | 403        | 403        | 403        | 403        | ok
# An agency's API tokens (its own system's): the admins who may edit the agency. not theirs: the police
# nationale serving A and B, whose tokens would read B's dispatches: listed to A's admin, created and
# revoked by platform superusers only. The tokens themselves: tests/security/test_f13_agency_tokens.py.
GET    /api/v1/agencies/{id}/tokens/                         | 401       | 403        | 403        | 403         | 403        | ok/404/ok   | 403         | 403        | 403        | 403        | 403        | ok
POST   /api/v1/agencies/{id}/tokens/                         | 401       | 403        | 403        | 403         | 403        | ok/404/403  | 403         | 403        | 403        | 403        | 403        | ok
POST   /api/v1/agencies/{id}/tokens/{token_id}/revoke/       | 401       | 403        | 403        | 403         | 403        | ok/404/403  | 403         | 403        | 403        | 403        | 403        | ok

## Console
GET    /api/v1/console/state/                                | 401       | 403        | 403        | ok          | ok         | ok          | 403         | 403        | 403        | 403        | 403        | ok
GET    /api/v1/console/observations/                         | 401       | 403        | 403        | ok          | ok         | ok          | 403         | 403        | 403        | 403        | 403        | ok
GET    /api/v1/console/observations/{observation_id}/        | 401       | 403        | 403        | ok/404/ok   | ok/404/404 | ok/404/ok   | 403         | 403        | 403        | 403        | 403        | 404
GET    /api/v1/console/preferences/                          | 401       | 403        | 403        | ok          | ok         | ok          | 403         | 403        | 403        | 403        | 403        | ok
PATCH  /api/v1/console/preferences/                          | 401       | 403        | 403        | ok          | ok         | ok          | 403         | 403        | 403        | 403        | 403        | ok
# Duplicates and series of the commune's observations: its moderators and admin (a superuser: empty).
GET    /api/v1/console/suggestions/                          | 401       | 403        | 403        | ok          | 403        | ok          | 403         | 403        | 403        | 403        | 403        | ok

## Broadcasts
GET    /api/v1/broadcasts/                                   | 401       | 403        | 403        | ok          | ok         | ok          | 403         | 403        | 403        | 403        | 403        | ok
POST   /api/v1/broadcasts/                                   | 401       | 403        | 403        | ok          | ok         | ok          | 403         | 403        | 403        | 403        | 403        | 403
# The same who-may as sending it: nothing is written or sent.
POST   /api/v1/broadcasts/preview/                           | 401       | 403        | 403        | ok          | ok         | ok          | 403         | 403        | 403        | 403        | 403        | 403
# Drafted from an observation the user has a staff view of (its moderators, the police it reached).
GET    /api/v1/broadcasts/prefill/?observation={observation} | 401       | 403        | 403        | ok/404/ok   | ok/404/404 | ok/404/ok   | 403         | 403        | 403        | 403        | 403        | 404
GET    /api/v1/broadcasts/{broadcast_id}/                    | 401       | 403        | 403        | ok/404/ok   | ok/404/ok  | ok/404/ok   | 403         | 403        | 403        | 403        | 403        | 404
# own: 403, the two-person rule (nobody approves a broadcast they wrote).
POST   /api/v1/broadcasts/{broadcast_id}/approve/            | 401       | 403        | 403        | 403/404/ok  | 403/404/ok | 403/404/ok  | 403         | 403        | 403        | 403        | 403        | 404
POST   /api/v1/broadcasts/{broadcast_id}/update/             | 401       | 403        | 403        | ok/404/ok   | ok/404/ok  | ok/404/ok   | 403         | 403        | 403        | 403        | 403        | 404
POST   /api/v1/broadcasts/{broadcast_id}/cancel/             | 401       | 403        | 403        | ok/404/ok   | ok/404/ok  | ok/404/ok   | 403         | 403        | 403        | 403        | 403        | 404
GET    /api/v1/broadcasts/{broadcast_id}/cap.xml             | 401       | 403        | 403        | ok/404/ok   | ok/404/ok  | ok/404/ok   | 403         | 403        | 403        | 403        | 403        | 404

## Referents
POST   /api/v1/referents/applications/                       | ok        | ok         | ok         | ok          | ok         | ok          | ok          | ok         | ok         | ok         | ok         | ok
POST   /api/v1/referents/invitations/{code}/accept/          | ok        | ok         | ok         | ok          | ok         | ok          | ok          | ok         | ok         | ok         | ok         | ok
GET    /api/v1/referents/me/                                 | 401       | ok         | 403        | 403         | 403        | 403         | 403         | 403        | 403        | 403        | 403        | 403
POST   /api/v1/referents/me/charter/                         | 401       | ok         | 403        | 403         | 403        | 403         | 403         | 403        | 403        | 403        | 403        | 403
GET    /api/v1/referents/                                    | 401       | 403        | 403        | ok          | 403        | ok          | 403         | 403        | 403        | 403        | 403        | ok
GET    /api/v1/referents/export.csv                          | 401       | 403        | 403        | ok          | 403        | ok          | 403         | 403        | 403        | 403        | 403        | ok
GET    /api/v1/referents/{id}/                               | 401       | 403        | 403        | ok/404/ok   | 403        | ok/404/ok   | 403         | 403        | 403        | 403        | 403        | 404
PATCH  /api/v1/referents/{id}/                               | 401       | 403        | 403        | ok/404/ok   | 403        | ok/404/ok   | 403         | 403        | 403        | 403        | 403        | 404
POST   /api/v1/referents/{id}/approve/                       | 401       | 403        | 403        | ok/404/ok   | 403        | ok/404/ok   | 403         | 403        | 403        | 403        | 403        | 404
POST   /api/v1/referents/{id}/refuse/                        | 401       | 403        | 403        | ok/404/ok   | 403        | ok/404/ok   | 403         | 403        | 403        | 403        | 403        | 404
POST   /api/v1/referents/{id}/suspend/                       | 401       | 403        | 403        | ok/404/ok   | 403        | ok/404/ok   | 403         | 403        | 403        | 403        | 403        | 404
POST   /api/v1/referents/{id}/end/                           | 401       | 403        | 403        | ok/404/ok   | 403        | ok/404/ok   | 403         | 403        | 403        | 403        | 403        | 404
GET    /api/v1/referents/invitations/                        | 401       | 403        | 403        | ok          | 403        | ok          | 403         | 403        | 403        | 403        | 403        | ok
POST   /api/v1/referents/invitations/                        | 401       | 403        | 403        | ok          | 403        | ok          | 403         | 403        | 403        | 403        | 403        | 403

## Shops
GET    /api/v1/shopkeepers/me/                               | 401       | 403        | ok         | 403         | 403        | 403         | 403         | 403        | 403        | 403        | 403        | 403
PATCH  /api/v1/shopkeepers/me/                               | 401       | 403        | ok         | 403         | 403        | 403         | 403         | 403        | 403        | 403        | 403        | 403
GET    /api/v1/shops/                                        | 401       | 403        | 403        | ok          | 403        | ok          | 403         | 403        | 403        | 403        | 403        | 403
POST   /api/v1/shops/                                        | 401       | 403        | 403        | ok          | 403        | ok          | 403         | 403        | 403        | 403        | 403        | 403
POST   /api/v1/shops/import/                                 | 401       | 403        | 403        | ok          | 403        | ok          | 403         | 403        | 403        | 403        | 403        | 403
POST   /api/v1/shops/{shop_id}/shopkeepers/                  | 401       | 403        | 403        | ok/404/ok   | 403        | ok/404/ok   | 403         | 403        | 403        | 403        | 403        | 403
GET    /api/v1/shop-applications/                            | 401       | 403        | 403        | ok          | 403        | ok          | 403         | 403        | 403        | 403        | 403        | 403
POST   /api/v1/shop-applications/{application_id}/approve/   | 401       | 403        | 403        | ok/404/ok   | 403        | ok/404/ok   | 403         | 403        | 403        | 403        | 403        | 403
POST   /api/v1/shop-applications/{application_id}/reject/    | 401       | 403        | 403        | ok/404/ok   | 403        | ok/404/ok   | 403         | 403        | 403        | 403        | 403        | 403
GET    /api/v1/sms/quarantine/                               | 401       | 403        | 403        | ok          | 403        | ok          | 403         | 403        | 403        | 403        | 403        | 403
POST   /api/v1/sms/quarantine/{message_id}/attach/           | 401       | 403        | 403        | ok/404/ok   | 403        | ok/404/ok   | 403         | 403        | 403        | 403        | 403        | 403
POST   /api/v1/sms/quarantine/{message_id}/discard/          | 401       | 403        | 403        | ok/404/ok   | 403        | ok/404/ok   | 403         | 403        | 403        | 403        | 403        | 403

## Holiday watch (docs/holiday-watch.md)
# A referent's own requests; another referent's, or another commune's, are not found.
GET    /api/v1/holiday-watch/                                | 401       | ok         | 403        | 403         | 403        | 403         | 403         | 403        | 403        | 403        | 403        | 403
POST   /api/v1/holiday-watch/                                | 401       | ok         | 403        | 403         | 403        | 403         | 403         | 403        | 403        | 403        | 403        | 403
DELETE /api/v1/holiday-watch/{request_id}/                   | 401       | ok/404/404 | 403        | 403         | 403        | 403         | 403         | 403        | 403        | 403        | 403        | 403
# Residents need no account: the steps after the first one send back to it until the phone is proved.
GET    /tranquillite-vacances/                               | 200       | 200        | 200        | 200         | 200        | 200         | 200         | 200        | 200        | 200        | 200        | 200
GET    /tranquillite-vacances/code/                          | ok        | ok         | ok         | ok          | ok         | ok          | ok          | ok         | ok         | ok         | ok         | ok
GET    /tranquillite-vacances/demande/                       | ok        | ok         | ok         | ok          | ok         | ok          | ok          | ok         | ok         | ok         | ok         | ok
GET    /tranquillite-vacances/mes-demandes/                  | ok        | ok         | ok         | ok          | ok         | ok          | ok          | ok         | ok         | ok         | ok         | ok
# The patrols: the commune's police municipale (its operators) and the commune admin; a home of another
# commune is not found; moderators, officials and the police nationale are refused.
GET    /tranquillite-vacances/patrouille/                    | 302       | 302        | 302        | 403         | 200        | 200         | 403         | 403        | 403        | 403        | 403        | 403
GET    /tranquillite-vacances/patrouille/{request_id}/       | 302       | 302        | 302        | 403         | 200/404/200 | 200/404/200 | 403        | 403        | 403        | 403        | 403        | 403
POST   /tranquillite-vacances/patrouille/{request_id}/       | 302       | 302        | 302        | 403         | ok/404/ok  | ok/404/ok   | 403         | 403        | 403        | 403        | 403        | 403

## Read log
# The commune's DPO and admin (the DPO's page links to the export).
GET    /api/v1/observation-reads/                            | 401       | 403        | 403        | 403         | 403        | ok          | 403         | 403        | 403        | 403        | ok         | ok
GET    /api/v1/observation-reads/export.csv                  | 401       | 403        | 403        | 403         | 403        | ok          | 403         | 403        | 403        | 403        | ok         | ok

## Data protection
# The privacy notice and the rights request form are public (third parties use them); the done page
# shows the request this browser made, else sends back to the form.
GET    /api/v1/privacy/                                      | ok        | ok         | ok         | ok          | ok         | ok          | ok          | ok         | ok         | ok         | ok         | ok
GET    /confidentialite/                                     | 200       | 200        | 200        | 200         | 200        | 200         | 200         | 200        | 200        | 200        | 200        | 200
GET    /confidentialite/demande/                             | 200       | 200        | 200        | 200         | 200        | 200         | 200         | 200        | 200        | 200        | 200        | 200
GET    /confidentialite/demande/envoyee/                     | ok        | ok         | ok         | ok          | ok         | ok          | ok          | ok         | ok         | ok         | ok         | ok
# The DPO's page and the register: the commune's DPO and admin (a superuser has no commune).
GET    /agents/protection-des-donnees/                       | 302       | 302        | 302        | 403         | 403        | 200         | 403         | 403        | 403        | 403        | 200        | 403
GET    /agents/protection-des-donnees/registre/              | 302       | 302        | 302        | 403         | 403        | 200         | 403         | 403        | 403        | 403        | 200        | 403

## Video-protection register
# Police operators request footage for their agencies and read those requests; the CSU of A handles A's
# requests (refusal, extractions, destructions); the commune admin and the inspection read A's register
# (the inspection's every read audited); the ethics committee gets the monthly totals only, never a request.
# Own: A's request by A's police municipale; other commune: B's; not theirs: A's request by the police nationale.
GET    /api/v1/video/cameras/                                | 401       | 403        | 403        | 403         | ok         | ok          | 403         | ok         | 403        | ok         | 403        | ok
GET    /api/v1/video/requests/                               | 401       | 403        | 403        | 403         | ok         | ok          | 403         | ok         | 403        | ok         | 403        | ok
POST   /api/v1/video/requests/                               | 401       | 403        | 403        | 403         | ok         | 403         | 403         | ok         | 403        | 403        | 403        | 403
GET    /api/v1/video/requests/{id}/                          | 401       | 403        | 403        | 403         | ok/404/404 | ok/404/ok   | 403         | ok/404/ok  | 403        | ok/404/ok  | 403        | 404
POST   /api/v1/video/requests/{id}/refuse/                   | 401       | 403        | 403        | 403         | 403        | 403         | 403         | ok/404/ok  | 403        | 403        | 403        | 403
POST   /api/v1/video/requests/{id}/extractions/              | 401       | 403        | 403        | 403         | 403        | 403         | 403         | ok/404/ok  | 403        | 403        | 403        | 403
POST   /api/v1/video/extractions/{id}/destruction/           | 401       | 403        | 403        | 403         | 403        | 403         | 403         | ok/404/ok  | 403        | 403        | 403        | 403
GET    /api/v1/video/totals/                                 | 401       | 403        | 403        | 403         | 403        | ok          | ok          | ok         | ok         | ok         | 403        | 403
GET    /api/v1/video/register.csv                            | 401       | 403        | 403        | 403         | 403        | ok          | 403         | ok         | 403        | ok         | 403        | ok
GET    /api/v1/video/observations/{id}/                      | 401       | 403        | 403        | ok/404/ok   | ok/404/404 | ok/404/ok   | 403         | 403        | 403        | 403        | 403        | 404
GET    /video/registre/                                      | 302       | 302        | 302        | 403         | 403        | 200         | 403         | 200        | 403        | 200        | 403        | 403
GET    /video/registre.csv                                   | 302       | 302        | 302        | 403         | 403        | 200         | 403         | 200        | 403        | 200        | 403        | 403
GET    /video/registre.pdf                                   | 302       | 302        | 302        | 403         | 403        | 200         | 403         | 200        | 403        | 200        | 403        | 403
GET    /video/bilan/                                         | 302       | 302        | 302        | 403         | 403        | 200         | 200         | 200        | 200        | 200        | 403        | 403

## Statistics
# Figures only, of the reader's own commune: the CLSPD coordinator and commune admins (a superuser has no commune).
GET    /api/v1/statistics/                                   | 401       | 403        | 403        | 403         | 403        | ok          | ok          | 403        | 403        | 403        | 403        | 403
GET    /statistiques/                                        | 302       | 302        | 302        | 403         | 403        | 200         | 200         | 403        | 403        | 403        | 403        | 403
GET    /statistiques/export.csv                              | 302       | 302        | 302        | 403         | 403        | 200         | 200         | 403        | 403        | 403        | 403        | 403
GET    /statistiques/export.ods                              | 302       | 302        | 302        | 403         | 403        | 200         | 200         | 403        | 403        | 403        | 403        | 403
GET    /statistiques/rapport-annuel/{year}/                  | 302       | 302        | 302        | 403         | 403        | 200         | 200         | 403        | 403        | 403        | 403        | 403
GET    /statistiques/rapport-annuel/{year}.pdf               | 302       | 302        | 302        | 403         | 403        | 200         | 200         | 403        | 403        | 403        | 403        | 403
GET    /statistiques/rapport-annuel/{year}.ods               | 302       | 302        | 302        | 403         | 403        | 200         | 200         | 403        | 403        | 403        | 403        | 403

## Pages
GET    /                                                     | 200       | 200        | 200        | 200         | 200        | 200         | 200         | 200        | 200        | 200        | 200        | 200
GET    /healthz                                              | ok        | ok         | ok         | ok          | ok         | ok          | 200         | 200        | 200        | 200        | 200        | ok
GET    /livez                                                | ok        | ok         | ok         | ok          | ok         | ok          | 200         | 200        | 200        | 200        | 200        | ok
GET    /favicon.ico                                          | ok        | ok         | ok         | ok          | ok         | ok          | ok          | ok         | ok         | ok         | ok         | ok
GET    /readyz                                               | ok        | ok         | ok         | ok          | ok         | ok          | 200         | 200        | 200        | 200        | 200        | ok
# Opened by a bearer token or an allowed address, never by a role: 404 from anywhere else.
GET    /metrics                                              | 404       | 404        | 404        | 404         | 404        | 404         | 404         | 404        | 404        | 404        | 404        | 404
# The accessibility statement and the legal notices: public pages, built from the settings.
GET    /accessibilite/                                       | 200       | 200        | 200        | 200         | 200        | 200         | 200         | 200        | 200        | 200        | 200        | 200
GET    /mentions-legales/                                    | 200       | 200        | 200        | 200         | 200        | 200         | 200         | 200        | 200        | 200        | 200        | 200
# The API's description is public, as the code is.
GET    /api/schema/                                          | ok        | ok         | ok         | ok          | ok         | ok          | 200         | 200        | 200        | 200        | 200        | ok
GET    /api/docs/                                            | ok        | ok         | ok         | ok          | ok         | ok          | 200         | 200        | 200        | 200        | 200        | ok
GET    /connexion/                                           | 200       | 200        | 200        | 200         | 200        | 200         | 200         | 200        | 200        | 200        | 200        | 200
POST   /connexion/                                           | ok        | ok         | ok         | ok          | ok         | ok          | 200         | 200        | 200        | 200        | 200        | ok
POST   /deconnexion/                                         | ok        | ok         | ok         | ok          | ok         | ok          | ok          | ok         | ok         | ok         | ok         | ok
GET    /console/                                             | 302       | 302        | 302        | 200         | 200        | 200         | 403         | 403        | 403        | 403        | 403        | 200
# Where commune admins and superusers land after signing in; the others have the console.
GET    /agents/                                              | 302       | 302        | 302        | 403         | 403        | 200         | 200         | 200        | 200        | 200        | 200        | 200
GET    /console/photos/{photo_id}/                           | 302       | 302        | 302        | ok/404/ok   | ok/404/404 | ok/404/ok   | 403         | 403        | 403        | 403        | 403        | 404
# The incident sheet and its PDF: whoever may see the dispatch (its agency, its commune's moderators and admin).
GET    /console/fiche/{dispatch_id}/                         | 302       | 302        | 302        | ok/404/ok   | ok/404/404 | ok/404/ok   | 403         | 403        | 403        | 403        | 403        | 404
GET    /console/fiche/{dispatch_id}.pdf                      | 302       | 302        | 302        | ok/404/ok   | ok/404/404 | ok/404/ok   | 403         | 403        | 403        | 403        | 403        | 404
# The emergency cell's activations and each one's log and report (HTML, PDF): as its API.
GET    /console/urgence/                                     | 302       | 302        | 302        | 200         | 404        | 200         | 403         | 403        | 403        | 403        | 403        | 404
GET    /console/urgence/{activation_id}/                     | 302       | 302        | 302        | 200/404/200 | 404        | 200/404/200 | 403         | 403        | 403        | 403        | 403        | 404
GET    /console/urgence/{activation_id}/rapport.pdf          | 302       | 302        | 302        | 200/404/200 | 404        | 200/404/200 | 403         | 403        | 403        | 403        | 403        | 404
GET    /console/jsi18n/                                      | 200       | 200        | 200        | 200         | 200        | 200         | 200         | 200        | 200        | 200        | 200        | 200
GET    /commerces/                                           | 200       | 200        | 200        | 200         | 200        | 200         | 200         | 200        | 200        | 200        | 200        | 200
GET    /commerces/connexion/                                 | 200       | 200        | 200        | 200         | 200        | 200         | 200         | 200        | 200        | 200        | 200        | 200
POST   /commerces/connexion/                                 | ok        | ok         | ok         | ok          | ok         | ok          | ok          | ok         | ok         | ok         | ok         | ok
# The second step of the shopkeepers' sign-in: without the first, back to it.
GET    /commerces/connexion/code/                            | 302       | 302        | 302        | 302         | 302        | 302         | 302         | 302        | 302        | 302        | 302        | 302
POST   /commerces/connexion/code/                            | 302       | 302        | 302        | 302         | 302        | 302         | 302         | 302        | 302        | 302        | 302        | 302
POST   /commerces/deconnexion/                               | ok        | ok         | ok         | ok          | ok         | ok          | ok          | ok         | ok         | ok         | ok         | ok
GET    /commerces/signaler/                                  | 302       | 302        | 200        | 302         | 302        | 302         | 302         | 302        | 302        | 302        | 302        | 302
POST   /commerces/signaler/                                  | 302       | 302        | ok         | 302         | 302        | 302         | 302         | 302        | 302        | 302        | 302        | 302
GET    /commerces/signalements/                              | 302       | 302        | 200        | 302         | 302        | 302         | 302         | 302        | 302        | 302        | 302        | 302
GET    /commerces/mon-commerce/                              | 302       | 302        | 200        | 302         | 302        | 302         | 302         | 302        | 302        | 302        | 302        | 302
POST   /commerces/mon-commerce/                              | 302       | 302        | ok         | 302         | 302        | 302         | 302         | 302        | 302        | 302        | 302        | 302
GET    /commerces/inscription/                               | 200       | 200        | 200        | 200         | 200        | 200         | 200         | 200        | 200        | 200        | 200        | 200
POST   /commerces/inscription/                               | ok        | ok         | ok         | ok          | ok         | ok          | ok          | ok         | ok         | ok         | ok         | ok
GET    /commerces/inscription/code/                          | ok        | ok         | ok         | ok          | ok         | ok          | ok          | ok         | ok         | ok         | ok         | ok
POST   /commerces/inscription/code/                          | ok        | ok         | ok         | ok          | ok         | ok          | ok          | ok         | ok         | ok         | ok         | ok
GET    /commerces/inscription/commerce/                      | ok        | ok         | ok         | ok          | ok         | ok          | ok          | ok         | ok         | ok         | ok         | ok
POST   /commerces/inscription/commerce/                      | ok        | ok         | ok         | ok          | ok         | ok          | ok          | ok         | ok         | ok         | ok         | ok
# The referents' web app: public shells that hold no data; their scripts call the API, which decides.
GET    /app/                                                 | 200       | 200        | 200        | 200         | 200        | 200         | 200         | 200        | 200        | 200        | 200        | 200
GET    /app/connexion/                                       | 200       | 200        | 200        | 200         | 200        | 200         | 200         | 200        | 200        | 200        | 200        | 200
GET    /app/charte/                                          | 200       | 200        | 200        | 200         | 200        | 200         | 200         | 200        | 200        | 200        | 200        | 200
GET    /app/signalements/                                    | 200       | 200        | 200        | 200         | 200        | 200         | 200         | 200        | 200        | 200        | 200        | 200
GET    /app/messages/                                        | 200       | 200        | 200        | 200         | 200        | 200         | 200         | 200        | 200        | 200        | 200        | 200
GET    /app/preferences/                                     | 200       | 200        | 200        | 200         | 200        | 200         | 200         | 200        | 200        | 200        | 200        | 200
GET    /app/protocole/                                       | 200       | 200        | 200        | 200         | 200        | 200         | 200         | 200        | 200        | 200        | 200        | 200
GET    /app/deconnexion/                                     | 200       | 200        | 200        | 200         | 200        | 200         | 200         | 200        | 200        | 200        | 200        | 200
GET    /app/manifest.webmanifest                             | 200       | 200        | 200        | 200         | 200        | 200         | 200         | 200        | 200        | 200        | 200        | 200
GET    /app/sw.js                                            | 200       | 200        | 200        | 200         | 200        | 200         | 200         | 200        | 200        | 200        | 200        | 200
GET    /app/sw-push.js                                       | 200       | 200        | 200        | 200         | 200        | 200         | 200         | 200        | 200        | 200        | 200        | 200
GET    /app/jsi18n/                                          | 200       | 200        | 200        | 200         | 200        | 200         | 200         | 200        | 200        | 200        | 200        | 200
# The provider's signature is the door: unsigned, 403 whoever asks.
POST   /sms/{provider}/inbound/                              | 403       | 403        | 403        | 403         | 403        | 403         | 403         | 403        | 403        | 403        | 403        | 403
POST   /sms/{provider}/status/                               | 403       | 403        | 403        | 403         | 403        | 403         | 403         | 403        | 403        | 403        | 403        | 403

## Watch cell (the CLSPD's monthly meetings; alerts/watch_cell)
# Pages for a commune's staff and officials. A meeting is opened by the accounts on its roster and by the
# commune's convenors (admin, CLSPD coordinator), who alone edit it and its roster: own is a meeting of A
# whose roster seats the column's account, not theirs a meeting of A that does not; another commune's: 404.
GET    /cellule-de-veille/                                   | 302       | 302        | 302        | 200         | 200        | 200         | 200         | 200        | 200        | 200        | 200        | 403
POST   /cellule-de-veille/                                   | 302       | 302        | 302        | 403         | 403        | ok          | ok          | 403        | 403        | 403        | 403        | 403
GET    /cellule-de-veille/{meeting_id}/                      | 302       | 302        | 302        | ok/404/403  | ok/404/403 | ok/404/ok   | ok/404/ok   | ok/404/403 | ok/404/403 | ok/404/403 | ok/404/403 | 403
POST   /cellule-de-veille/{meeting_id}/modifier/             | 302       | 302        | 302        | 403/404/403 | 403/404/403 | ok/404/ok   | ok/404/ok   | 403/404/403 | 403/404/403 | 403/404/403 | 403/404/403 | 403
POST   /cellule-de-veille/{meeting_id}/membres/              | 302       | 302        | 302        | 403/404/403 | 403/404/403 | ok/404/ok   | ok/404/ok   | 403/404/403 | 403/404/403 | 403/404/403 | 403/404/403 | 403
POST   /cellule-de-veille/{meeting_id}/membres/{member_id}/retirer/ | 302       | 302        | 302        | 403/404/403 | 403/404/403 | ok/404/ok   | ok/404/ok   | 403/404/403 | 403/404/403 | 403/404/403 | 403/404/403 | 403
POST   /cellule-de-veille/{meeting_id}/actions/              | 302       | 302        | 302        | ok/404/403  | ok/404/403 | ok/404/ok   | ok/404/ok   | ok/404/403 | ok/404/403 | ok/404/403 | ok/404/403 | 403
POST   /cellule-de-veille/{meeting_id}/actions/{action_id}/etat/ | 302       | 302        | 302        | ok/404/403  | ok/404/403 | ok/404/ok   | ok/404/ok   | ok/404/403 | ok/404/403 | ok/404/403 | ok/404/403 | 403
# Every opening of the pack, page or PDF, writes an audit row (watch_cell.pack_downloaded).
GET    /cellule-de-veille/{meeting_id}/dossier/              | 302       | 302        | 302        | ok/404/403  | ok/404/403 | ok/404/ok   | ok/404/ok   | ok/404/403 | ok/404/403 | ok/404/403 | ok/404/403 | 403
GET    /cellule-de-veille/{meeting_id}/dossier.pdf           | 302       | 302        | 302        | ok/404/403  | ok/404/403 | ok/404/ok   | ok/404/ok   | ok/404/403 | ok/404/403 | ok/404/403 | ok/404/403 | 403

## Admin
# A commune's DPO: the admin shows them their commune's rights requests, nothing else.
GET    /admin/                                               | 302       | 302        | 302        | 200         | 403        | 200         | 403         | 403        | 403        | 403        | 200        | 200
GET    /admin/accounts/phonecode/                            | 302       | 302        | 302        | 403         | 403        | 403         | 403         | 403        | 403        | 403        | 403        | 200
GET    /admin/accounts/user/                                 | 302       | 302        | 302        | 403         | 403        | 200         | 403         | 403        | 403        | 403        | 403        | 200
GET    /admin/alerts/agency/                                 | 302       | 302        | 302        | 403         | 403        | 200         | 403         | 403        | 403        | 403        | 403        | 200
GET    /admin/alerts/agencytoken/                            | 302       | 302        | 302        | 403         | 403        | 200         | 403         | 403        | 403        | 403        | 403        | 200
GET    /admin/alerts/category/                               | 302       | 302        | 302        | 403         | 403        | 200         | 403         | 403        | 403        | 403        | 403        | 200
GET    /admin/alerts/communealertsettings/                   | 302       | 302        | 302        | 403         | 403        | 200         | 403         | 403        | 403        | 403        | 403        | 200
GET    /admin/alerts/dispatch/                               | 302       | 302        | 302        | 403         | 403        | 200         | 403         | 403        | 403        | 403        | 403        | 200
GET    /admin/alerts/observation/                            | 302       | 302        | 302        | 200         | 403        | 200         | 403         | 403        | 403        | 403        | 403        | 200
GET    /admin/alerts/observationread/                        | 302       | 302        | 302        | 403         | 403        | 200         | 403         | 403        | 403        | 403        | 403        | 200
GET    /admin/alerts/routingrule/                            | 302       | 302        | 302        | 403         | 403        | 200         | 403         | 403        | 403        | 403        | 403        | 200
GET    /admin/alerts/senderstanding/                         | 302       | 302        | 302        | 200         | 403        | 200         | 403         | 403        | 403        | 403        | 403        | 200
GET    /admin/audit/auditevent/                              | 302       | 302        | 302        | 403         | 403        | 200         | 403         | 403        | 403        | 403        | 403        | 200
GET    /admin/auth/group/                                    | 302       | 302        | 302        | 403         | 403        | 403         | 403         | 403        | 403        | 403        | 403        | 200
GET    /admin/axes/accessattempt/                            | 302       | 302        | 302        | 403         | 403        | 403         | 403         | 403        | 403        | 403        | 403        | 200
GET    /admin/axes/accessfailurelog/                         | 302       | 302        | 302        | 403         | 403        | 403         | 403         | 403        | 403        | 403        | 403        | 200
GET    /admin/axes/accesslog/                                | 302       | 302        | 302        | 403         | 403        | 403         | 403         | 403        | 403        | 403        | 403        | 200
GET    /admin/broadcasts/broadcast/                          | 302       | 302        | 302        | 403         | 403        | 200         | 403         | 403        | 403        | 403        | 403        | 200
GET    /admin/broadcasts/broadcastpolicy/                    | 302       | 302        | 302        | 403         | 403        | 200         | 403         | 403        | 403        | 403        | 403        | 200
GET    /admin/broadcasts/broadcasttemplate/                  | 302       | 302        | 302        | 403         | 403        | 200         | 403         | 403        | 403        | 403        | 403        | 200
GET    /admin/commerces/inboundmessage/                      | 302       | 302        | 302        | 403         | 403        | 200         | 403         | 403        | 403        | 403        | 403        | 200
GET    /admin/commerces/shop/                                | 302       | 302        | 302        | 403         | 403        | 200         | 403         | 403        | 403        | 403        | 403        | 200
GET    /admin/commerces/shopalerttemplate/                   | 302       | 302        | 302        | 403         | 403        | 200         | 403         | 403        | 403        | 403        | 403        | 200
GET    /admin/commerces/shopapplication/                     | 302       | 302        | 302        | 403         | 403        | 200         | 403         | 403        | 403        | 403        | 403        | 200
GET    /admin/commerces/shopkeeper/                          | 302       | 302        | 302        | 403         | 403        | 200         | 403         | 403        | 403        | 403        | 403        | 200
GET    /admin/console/consoleconnection/                     | 302       | 302        | 302        | 403         | 403        | 200         | 403         | 403        | 403        | 403        | 403        | 200
GET    /admin/messaging/delivery/                            | 302       | 302        | 302        | 403         | 403        | 200         | 403         | 403        | 403        | 403        | 403        | 200
GET    /admin/messaging/device/                              | 302       | 302        | 302        | 403         | 403        | 200         | 403         | 403        | 403        | 403        | 403        | 200
GET    /admin/neighbours/application/                        | 302       | 302        | 302        | 403         | 403        | 200         | 403         | 403        | 403        | 403        | 403        | 200
GET    /admin/neighbours/charter/                            | 302       | 302        | 302        | 403         | 403        | 200         | 403         | 403        | 403        | 403        | 403        | 200
GET    /admin/neighbours/invitation/                         | 302       | 302        | 302        | 403         | 403        | 200         | 403         | 403        | 403        | 403        | 403        | 200
GET    /admin/neighbours/preferences/                        | 302       | 302        | 302        | 403         | 403        | 200         | 403         | 403        | 403        | 403        | 403        | 200
GET    /admin/neighbours/protocol/                           | 302       | 302        | 302        | 403         | 403        | 200         | 403         | 403        | 403        | 403        | 403        | 200
GET    /admin/neighbours/referent/                           | 302       | 302        | 302        | 403         | 403        | 200         | 403         | 403        | 403        | 403        | 403        | 200
GET    /admin/otp_totp/totpdevice/                           | 302       | 302        | 302        | 403         | 403        | 403         | 403         | 403        | 403        | 403        | 403        | 200
GET    /admin/privacy/rightsrequest/                         | 302       | 302        | 302        | 403         | 403        | 200         | 403         | 403        | 403        | 403        | 200        | 200
GET    /admin/video/camera/                                  | 302       | 302        | 302        | 403         | 403        | 200         | 403         | 403        | 403        | 403        | 403        | 200
GET    /admin/video/destruction/                             | 302       | 302        | 302        | 403         | 403        | 200         | 403         | 403        | 403        | 403        | 403        | 200
GET    /admin/video/extraction/                              | 302       | 302        | 302        | 403         | 403        | 200         | 403         | 403        | 403        | 403        | 403        | 200
GET    /admin/video/footagerequest/                          | 302       | 302        | 302        | 403         | 403        | 200         | 403         | 403        | 403        | 403        | 403        | 200
GET    /admin/territory/commune/                             | 302       | 302        | 302        | 403         | 403        | 200         | 403         | 403        | 403        | 403        | 403        | 200
GET    /admin/territory/sector/                              | 302       | 302        | 302        | 403         | 403        | 200         | 403         | 403        | 403        | 403        | 403        | 200
GET    /admin/token_blacklist/blacklistedtoken/              | 302       | 302        | 302        | 403         | 403        | 403         | 403         | 403        | 403        | 403        | 403        | 200
GET    /admin/token_blacklist/outstandingtoken/              | 302       | 302        | 302        | 403         | 403        | 403         | 403         | 403        | 403        | 403        | 403        | 200
# Change pages of the rows that matter most, per scope (a row the admin does not show: 404).
GET    /admin/alerts/observation/{id}/change/                | 302       | 302        | 302        | 200/404/200 | 403        | 200/404/200 | 403         | 403        | 403        | 403        | 403        | 200
GET    /admin/alerts/dispatch/{id}/change/                   | 302       | 302        | 302        | 403         | 403        | 200/404/200 | 403         | 403        | 403        | 403        | 403        | 200
GET    /admin/alerts/agency/{id}/change/                     | 302       | 302        | 302        | 403         | 403        | 200/404/200 | 403         | 403        | 403        | 403        | 403        | 200
# not theirs: the police nationale serving A and B, edited by platform superusers only.
POST   /admin/alerts/agency/{id}/change/                     | 302       | 302        | 302        | 403         | 403        | ok/404/403  | 403         | 403        | 403        | 403        | 403        | ok
GET    /admin/accounts/user/{id}/change/                     | 302       | 302        | 302        | 403         | 403        | 200/404/200 | 403         | 403        | 403        | 403        | 403        | 200
GET    /admin/neighbours/referent/{id}/change/               | 302       | 302        | 302        | 403         | 403        | 200/404/200 | 403         | 403        | 403        | 403        | 403        | 200
GET    /admin/commerces/shop/{id}/change/                    | 302       | 302        | 302        | 403         | 403        | 200/404/200 | 403         | 403        | 403        | 403        | 403        | 200
GET    /admin/commerces/inboundmessage/{id}/change/          | 302       | 302        | 302        | 403         | 403        | 200/404/200 | 403         | 403        | 403        | 403        | 403        | 200
GET    /admin/broadcasts/broadcast/{id}/change/              | 302       | 302        | 302        | 403         | 403        | 200/404/200 | 403         | 403        | 403        | 403        | 403        | 200
# The register is append-only: no change nor delete, for superusers too.
POST   /admin/video/extraction/{id}/change/                  | 302       | 302        | 302        | 403         | 403        | 403         | 403         | 403        | 403        | 403        | 403        | 403
POST   /admin/video/extraction/{id}/delete/                  | 302       | 302        | 302        | 403         | 403        | 403         | 403         | 403        | 403        | 403        | 403        | 403

## Sockets
WS     /ws/console/                                          | 4401      | 4403       | 4403       | ok          | ok         | ok          | 4403        | 4403       | 4403       | 4403       | 4403       | ok
# Tells the socket who it is authenticated as, nothing else.
WS     /ws/ping/                                             | 4401      | ok         | ok         | ok          | ok         | ok          | ok          | ok         | ok         | ok         | ok         | ok
"""


@dataclass(frozen=True)
class Row:
    method: str
    path: str  # as in the OpenAPI schema ({id}), a page route, or a socket; may end with "?name={kind}"
    cells: tuple[tuple[str, ...], ...]  # per role: one answer, or one per scope
    area: str
    notes: tuple[str, ...] = ()

    @property
    def key(self) -> str:
        return f"{self.method} {self.path}"

    @property
    def operation(self) -> str:
        """The operation this row exercises (its path without a query string)."""
        return f"{self.method} {self.path.partition('?')[0]}"

    @property
    def scoped(self) -> bool:
        return "{" in self.path

    def expected(self, role: str, scope: str | None) -> str:
        cell = self.cells[ROLES.index(role)]
        if len(cell) == 1:
            return cell[0]
        return cell[SCOPES.index(scope or SCOPES[0])]

    @property
    def suspect(self) -> bool:
        return any(note.startswith("SUSPECT:") for note in self.notes)


@dataclass(frozen=True)
class Table:
    preamble: tuple[str, ...]
    rows: tuple[Row, ...]

    def by_key(self) -> dict[str, Row]:
        return {row.key: row for row in self.rows}


_ROW = re.compile(r"^(GET|POST|PUT|PATCH|DELETE|WS)\s+(\S+)\s*\|(.*)$")


def parse(text: str = TABLE) -> Table:
    """Reads the table: `## Area` starts a group, `# ...` lines just above a row (or after it on its
    line) are that row's notes, the comment lines before the first group are the preamble."""
    preamble: list[str] = []
    rows: list[Row] = []
    area: str | None = None
    notes: list[str] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            notes = []
            continue
        if line.startswith("## "):
            area, notes = line[3:].strip(), []
            continue
        if line.startswith("#"):
            if area is None:
                preamble.append(raw.rstrip())
            else:
                notes.append(line.lstrip("#").strip())
            continue
        match = _ROW.match(line)
        if match is None or area is None:
            raise ValueError(f"permission matrix, line {number}: not a row: {raw!r}")
        method, path, rest = match.groups()
        rest, _hash, trailing = rest.partition("#")
        parts = [part.strip() for part in rest.split("|")]
        if len(parts) != len(ROLES):
            raise ValueError(f"permission matrix, line {number}: {len(parts)} cells, {len(ROLES)} roles")
        cells = tuple(tuple(answer.strip() for answer in part.split("/")) for part in parts)
        for cell in cells:
            if len(cell) not in (1, len(SCOPES)) or not set(cell) <= ANSWERS:
                raise ValueError(f"permission matrix, line {number}: bad cell {'/'.join(cell)!r}")
            if len(cell) > 1 and "{" not in path:
                raise ValueError(f"permission matrix, line {number}: scopes on a door without an object")
        row_notes = (*notes, trailing.strip()) if trailing.strip() else tuple(notes)
        rows.append(Row(method, path, cells, area, row_notes))
        notes = []
    keys = [row.key for row in rows]
    if len(keys) != len(set(keys)):
        raise ValueError(f"permission matrix: rows twice: {sorted({k for k in keys if keys.count(k) > 1})}")
    return Table(tuple(preamble), tuple(rows))


def cell_text(cell: tuple[str, ...]) -> str:
    return cell[0] if len(set(cell)) == 1 else "/".join(cell)


def render(table: Table, *, cells: dict[str, tuple[tuple[str, ...], ...]] | None = None) -> str:
    """The table in its own format (aligned); `cells` replaces the answers of the rows it names (what
    a run observed), and rows it names that the table lacks come last, in a group of their own."""
    cells = cells or {}
    rows = [
        Row(row.method, row.path, cells.get(row.key, row.cells), row.area, row.notes) for row in table.rows
    ]
    known = {row.key for row in rows}
    for key, observed in cells.items():
        if key not in known:
            method, _space, path = key.partition(" ")
            rows.append(Row(method, path, observed, "New operations (no row yet)"))

    def first(row: Row) -> str:
        return f"{row.method:<6} {row.path}"

    width_op = max([len("# operation"), *(len(first(row)) for row in rows)])
    widths = [
        max([len(role), *(len(cell_text(row.cells[index])) for row in rows)])
        for index, role in enumerate(ROLES)
    ]
    lines = [line for line in table.preamble if not line.lstrip("# ").startswith("operation ")]
    lines.append(_line("# operation", list(ROLES), width_op, widths))
    area = None
    for row in rows:
        if row.area != area:
            area = row.area
            lines += ["", f"## {area}"]
        lines += [f"# {note}" for note in row.notes]
        lines.append(_line(first(row), [cell_text(cell) for cell in row.cells], width_op, widths))
    return "\n".join(lines) + "\n"


def _line(first: str, rest: list[str], width: int, widths: list[int]) -> str:
    return " | ".join(
        [first.ljust(width), *(cell.ljust(w) for cell, w in zip(rest, widths, strict=True))]
    ).rstrip()


def markdown(table: Table | None = None) -> str:
    """The matrix for docs/security.md: one Markdown table per group, notes under it."""
    table = table or parse()
    out: list[str] = []
    areas: dict[str, list[Row]] = {}
    for row in table.rows:
        areas.setdefault(row.area, []).append(row)
    for area, rows in areas.items():
        out += [f"### {area}", ""]
        out.append("| operation | " + " | ".join(ROLES) + " |")
        out.append("|---|" + "---|" * len(ROLES))
        for row in rows:
            mark = " ⚠" if row.suspect else ""
            answers = " | ".join(cell_text(cell) for cell in row.cells)
            out.append(f"| `{row.method} {row.path}`{mark} | {answers} |")
        notes = [(row, note) for row in rows for note in row.notes]
        if notes:
            out.append("")
            out += [f"- `{row.method} {row.path}`: {note}" for row, note in notes]
        out.append("")
    return "\n".join(out)


def docs_section(table: Table | None = None) -> str:
    """What docs/security.md holds between its markers."""
    return f"{DOCS_START}\n\n{markdown(table)}\n{DOCS_END}"


def docs_write(path: str) -> None:
    """Replaces the matrix section of a Markdown file (between its markers) with the rendering."""
    with open(path, encoding="utf-8") as handle:
        text = handle.read()
    start, end = text.find(DOCS_START), text.find(DOCS_END)
    if start < 0 or end < start:
        raise SystemExit(f"{path}: the markers {DOCS_START} and {DOCS_END} are missing")
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(text[:start] + docs_section() + text[end + len(DOCS_END) :])


if __name__ == "__main__":
    if sys.argv[1:2] == ["--write"] and len(sys.argv) == 3:
        docs_write(sys.argv[2])
    else:
        sys.stdout.write(markdown())
