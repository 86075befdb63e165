"""The one guarded client for calls out to addresses others give us: Beckn callbacks to a
BAP's registered URL, OCPI calls and pushes to a partner's endpoints.

- `addresses`: which URLs and addresses may be called (http(s), no credentials, public
  addresses only, every IPv6 form that leads to an IPv4 address judged by that address);
  the name is resolved once.
- `transport`: one request to a checked address (no second resolution), the name in Host
  and SNI, no redirect followed, the response's status, headers and a bounded body;
  `reason(exc)` says in one line why a call failed, without the peer's bytes.
- `deadline`: one overall deadline per call (connect, request, headers and body): at the
  deadline a watchdog shuts the call's socket down.
- `courier`: the one delivery of what we owe others (Beckn callbacks, OCPI pushes) over
  this client: claim, lease, attempts, backoff and retries; the rows' shapes are
  `cpo_portal.models.sending`.
- `senders`: what each kind of message plugs into the courier (`Sender`), and the
  options, requests, outcomes and results the two hand each other.
- `sweep`: what the senders' beat tasks run over those rows: leases that ran out (a dead
  worker's) back to pending, rows past their expiry expired, rows due found again.
"""
