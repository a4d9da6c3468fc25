"""The monthly watch cell (cellule de veille) of the CLSPD: meetings, their roster, the actions decided there
(carried from meeting to meeting until closed) and the pack prepared for each meeting (page and PDF).

Its deliberations are confidential: only the roster's accounts and the commune's admins open a meeting
(alerts/access.py says who); the pack holds counts and references only, never a reporter."""
