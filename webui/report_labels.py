"""The words of the call-centre reports (webui/callcentre_reports.py): each report's title and description, the
headings of their columns, their notes, and the values that are words (outcomes, statuses, wait bands)."""
from __future__ import annotations

from webui.callcentre import COLUMNS, PROBLEM_LABELS
from webui.i18n import N_, _

REPORT_TEXTS = {
    "queue_summary": (N_("Queue summary"), N_("Every KPI of each queue: offered, answered, lost, service level, "
                                              "ASA, AHT.")),
    "service_level_by_hour": (N_("Service level by hour"), N_("The KPIs by hour of the day.")),
    "service_level_by_day": (N_("Service level by day"), N_("The KPIs day by day.")),
    "service_level_by_week": (N_("Service level by week"), N_("The KPIs week by week (ISO weeks).")),
    "service_level_by_weekday": (N_("Calls by weekday"), N_("The KPIs by day of the week.")),
    "service_level_by_month": (N_("Service level by month"), N_("The KPIs month by month.")),
    "asa_trend": (N_("ASA trend"), N_("Average speed of answer and the longest wait, day by day.")),
    "aht_trend": (N_("AHT trend"), N_("Talk and average handling time, day by day.")),
    "queue_hour_heatmap": (N_("Queue and hour heat map"), N_("Offered calls per queue and hour of the day.")),
    "answered_by_wait": (N_("Answered by wait"), N_("Answered calls by how long the caller waited.")),
    "lost_by_wait": (N_("Lost by wait"), N_("Unanswered calls by how long the caller waited and how they left.")),
    "outside_opening_hours": (N_("Outside opening hours"), N_("Calls that came while a queue was closed "
                                                              "([callcentre] opening_hours, closed_days).")),
    "data_quality": (N_("Data quality"), N_("Queue calls the KPIs flag, by problem.")),
    "queue_ranking": (N_("Queue ranking"), N_("Each queue against its targets ([callcentre] queue_targets), the "
                                              "best first.")),
    "agent_performance": (N_("Agent performance"), N_("Answered, talk, rung and not answered, logged in, paused "
                                                      "and occupancy per agent.")),
    "agent_by_queue": (N_("Agents by queue"), N_("Each agent's answered calls, talk and handling time per queue.")),
    "agent_sessions": (N_("Agent sessions"), N_("Every login session and the time paused in it.")),
    "agent_pauses": (N_("Pauses by reason"), N_("How often and how long each agent paused, by reason.")),
    "ring_no_answer": (N_("Rung, not answered"), N_("How often each agent was rung, answered or let it ring.")),
    "occupancy": (N_("Occupancy"), N_("Talk and wrap-up against the time logged in and not paused.")),
    "after_call_work": (N_("After-call work"), N_("Configured wrap-up and pauses for after-call work, per call.")),
    "staffing_by_hour": (N_("Staffing by hour"), N_("Agents logged in and paused on average, against the calls "
                                                    "offered, by hour of the day.")),
    "agent_ranking": (N_("Agent ranking"), N_("Each agent against their targets ([callcentre] agent_targets), the "
                                              "best first.")),
    "call_evaluations": (N_("Call evaluations"), N_("The calls supervisors scored on the evaluation form, per "
                                                    "agent ([callcentre] evaluation_form).")),
    "calls_over_5_min": (N_("Calls over 5 minutes"), N_("Answered calls that talked longer than the long-call "
                                                        "threshold.")),
    "transfers": (N_("Transfers"), N_("Calls agents transferred, and where to.")),
    "repeat_callers": (N_("Repeat callers"), N_("Callers who called more than once.")),
    "callback_time": (N_("Callback time"), N_("Lost calls reached afterwards, and how long it took.")),
    "callback_list": (N_("Callback list"), N_("Lost callers, those not reached yet first; cleared when they are "
                                              "called back or get through.")),
    "caller_journeys": (N_("Caller journeys"), N_("Each queue call of a caller: waited, rung, answered, how it "
                                                  "ended.")),
}
COLUMN_LABELS = {name: heading for name, (heading, _kind) in COLUMNS.items()} | dict(PROBLEM_LABELS) | {
    "queue": N_("Queue"), "branch": N_("Branch box"),
    "lost": N_("Lost calls"), "hour": N_("Hour"), "day": N_("Day"), "week": N_("Week"),
    "weekday": N_("Weekday"), "month": N_("Month"), "band": N_("Wait"), "share_pct": N_("Share"),
    "cumulative_pct": N_("Cumulative"), "unanswered": N_("Unanswered"), "entered": N_("Entered"),
    "caller": N_("Caller"), "agent": N_("Agent"), "wait_s": N_("Wait"), "transfer_to": N_("Transferred to"),
    "calls": N_("Calls"), "first": N_("First"), "last": N_("Last"), "flagged": N_("Flagged"),
    "outcome": N_("Outcome"), "rung": N_("Rung, not answered"), "end_event": N_("Ended by"),
    "ring_no_answer": N_("Rung, not answered"), "answer_rate_pct": N_("Answer rate"), "login_s": N_("Logged in"),
    "pause_s": N_("Paused"), "occupancy_pct": N_("Occupancy"), "start": N_("Start"), "end": N_("End"),
    "logged_in_s": N_("Logged in"), "paused_s": N_("Paused"), "reason": N_("Reason"), "pauses": N_("Pauses"),
    "ring_canceled": N_("Ring cancelled"), "available_s": N_("Available"), "wrapup_s": N_("Wrap-up"),
    "ended": N_("Calls ended"), "acw_pause_s": N_("Paused for after-call work"),
    "acw_per_call_s": N_("After-call work per call"), "days": N_("Days"),
    "agents_logged_in": N_("Agents logged in"), "agents_paused": N_("Agents paused"),
    "offered_per_agent": N_("Offered per available agent"), "in_hours": N_("In opening hours"),
    "outside_hours": N_("Outside opening hours"), "closed_day": N_("On closed days"),
    "outside_pct": N_("Outside, share"), "outside_answered": N_("Outside, answered"),
    "outside_unanswered": N_("Outside, unanswered"), "reached": N_("Reached"), "not_reached": N_("Not reached"),
    "reached_pct": N_("Reached, share"), "median_s": N_("Median time to reach"), "mean_s": N_("Mean time to reach"),
    "left": N_("Left the queue"), "times_lost": N_("Times lost"), "status": N_("Status"), "by": N_("Reached by"),
    "how": N_("How"), "after_s": N_("After"), "change_pct": N_("Change"), "rank": N_("Rank"),
    "calls_per_hour": N_("Calls per hour"), "targets_met": N_("Targets met"), "targets": N_("Targets"),
    "missed": N_("Missed"), "queue_call": N_("Queue call"), "evaluated": N_("Evaluated"), "points": N_("Points"),
    "max_points": N_("Points possible"), "score_pct": N_("Score"),
}
NOTES = {"list_max": N_("Only the first 5,000 rows are shown: choose a shorter range."),
         "quality": N_("Flagged calls are counted in the KPIs as the events allow; the calls whose entry was never "
                       "logged are left out of them."),
         "heatmap": N_("Offered calls per queue and hour of the day, at the PBX's local time."),
         "evaluations_central": N_("Calls are evaluated on the box that took them: a branch box's evaluations reach "
                                   "this box with its next sync, as its calls do, and an evaluation changed there "
                                   "changes here.")}
VALUE_LABELS = {
    "outcome": {"answered": N_("answered"), "abandoned": N_("abandoned"), "timeout": N_("timed out"),
                "exit_empty": N_("left: no agents"), "exit_key": N_("left: key pressed"),
                "unterminated": N_("unterminated")},
    "status": {"open": N_("not reached"), "reached": N_("reached")},
    "how": {"called_back": N_("called back"), "called_in": N_("called in"),
            "answered_again": N_("answered in a queue")},
    "band": {"0-5 s": N_("0-5 s"), "6-10 s": N_("6-10 s"), "11-20 s": N_("11-20 s"), "21-30 s": N_("21-30 s"),
             "31-60 s": N_("31-60 s"), "1-2 min": N_("1-2 min"), "2-5 min": N_("2-5 min"),
             "5-10 min": N_("5-10 min"), "over 10 min": N_("over 10 min")},
}


def value_text(column: str, value) -> str:
    """A text value as shown: the words of VALUE_LABELS in the user's language, anything else as it is."""
    words = VALUE_LABELS.get(column, {})
    return _(words[value]) if value in words else str(value)
