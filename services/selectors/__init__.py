"""Reads of the services app, used by views, forms, actions, tasks and the API, by topic:

- `catalogue`: the public catalogue and its sessions, who may register to a service, a
  user's registrations, their calendar feed and the reminders due;
- `backoffice`: the services back-office's lists (a site's or the network's), a session's
  live registrations and waitlist;
- `partners`: programmes (who sees which, who may join a cohort), partners and partner
  incubators.

Every read runs in the tenant scope its caller opened: site-owned rows are filtered by it
(the catalogue's, the API's and the programme pages' reads across sites run inside
`sites.scoping.network_scope()`, opened by the view or the task)."""
