"""对接会 pages, one module per stage of an event: ``overview`` (list, form, status, participants), ``pairs``
(candidate pairs and the matcher's proposals), ``schedule`` (solve, adjust, publish, agendas, calendars),
``outcomes`` (after the event) and ``mine`` (我的对接会 for participants).

Handlers read input, call ``services.events`` / ``services.event_schedule`` (which authorise and audit every
write) and render; nothing here checks a role for a write by hand.
"""

from __future__ import annotations

from starlette.routing import Route

from matchmaker.web.pages.events import mine, outcomes, overview, pairs, schedule

routes = [
    Route("/events", overview.event_list),
    Route("/events/new", overview.event_new, methods=["GET", "POST"]),
    Route("/events/{event_id:int}", overview.event_show),
    Route("/events/{event_id:int}/edit", overview.event_edit, methods=["GET", "POST"]),
    Route("/events/{event_id:int}/status", overview.event_status, methods=["POST"]),
    Route("/events/{event_id:int}/participants/{pid:int}", overview.participant_update, methods=["POST"]),
    Route("/events/{event_id:int}/pairs", pairs.pair_list, methods=["GET", "POST"]),
    Route("/events/{event_id:int}/proposals", pairs.proposals, methods=["GET", "POST"]),
    Route("/events/{event_id:int}/schedule", schedule.schedule_page),
    Route("/events/{event_id:int}/solve", schedule.schedule_solve, methods=["POST"]),
    Route("/events/{event_id:int}/meetings/{mid:int}", schedule.meeting_change, methods=["POST"]),
    Route("/events/{event_id:int}/publish", schedule.schedule_publish, methods=["POST"]),
    Route("/events/{event_id:int}/agendas", schedule.agendas),
    Route("/events/{event_id:int}/participants/{pid:int}/agenda", schedule.participant_agenda),
    Route("/events/{event_id:int}/participants/{pid:int}/agenda.ics", schedule.participant_ics),
    Route("/events/{event_id:int}/outcomes", outcomes.outcomes, methods=["GET", "POST"]),
    Route("/my/events", mine.my_events, methods=["GET", "POST"]),
]
