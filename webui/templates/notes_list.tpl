% # A list of call notes (webui/notes.py): the call page, the customer page, the panel, /notes.
% from webui.i18n import fmt_datetime
% if not rows:
<p class="muted">{{_('No notes yet.')}}</p>
% else:
<ul class="notes" id="{{list_id}}">
% for n in rows:
  <li class="note"><span class="muted small">{{fmt_datetime(n.created_utc)}} · {{n.author}}{{(' · ' + n.number) if n.number else ''}}
% if n.call_id and get('call_links', True):
    · <a href="/calls/{{n.call_id}}">{{_('Call {id}').format(id=n.call_id)}}</a>
% end
  </span><br><span class="note-text">{{n.text}}</span></li>
% end
</ul>
% end
