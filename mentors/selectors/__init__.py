"""Reads of the mentors app, by topic: `directory` (published mentors, the mentor's own
profile, the review of profiles), `choices` (the choices of the forms), `slots` (free slots
and the booking rules read before a booking), `bookings` (who sees which bookings, the
mentor's and team's pages, a site's lists, the hours ledger, reminders, a person's data),
`agenda` and `landing` (what the founder's and the mentor's landing pages show).
Import each function from its module: nothing is re-exported here."""
