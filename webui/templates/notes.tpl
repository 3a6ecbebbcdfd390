% # Call notes search (webui/notes.py): text, number, period.
% rebase('base.tpl', title=title, nav='/notes', refresh=None)
<h1>{{title}}</h1>
<form method="get" action="/notes" class="form search" id="notes-search">
  <label>{{_('Text')}} <input name="text" size="24" value="{{values['text']}}"></label>
  <label>{{_('Number')}} <input name="number" size="16" value="{{values['number']}}"></label>
  <label>{{_('Period')}} <select name="range"><option value="">{{_('All time')}}</option>
% for r, label in ranges:
    <option value="{{r}}"{{!' selected' if values['range'] == r else ''}}>{{_(label)}}</option>
% end
  </select></label>
  <button type="submit">{{_('Search')}}</button>
</form>
% if not rows:
<p class="muted" id="no-notes">{{_('No notes found.')}}</p>
% else:
<table class="report" id="notes-found">
  <thead><tr><th>{{_('Written')}}</th><th>{{_('By')}}</th><th>{{_('Number')}}</th><th>{{_('Customer')}}</th><th>{{_('Call')}}</th><th>{{_('Note')}}</th></tr></thead>
  <tbody>
% for n in rows:
% cust = names.get(n.customer_id)
  <tr><td>{{at(n.created_utc)}}</td><td>{{n.author}}</td><td>{{n.number}}</td>
    <td>{{cust.name if cust else ''}}</td>
    <td>{{!('<a href="/calls/%d">%d</a>' % (n.call_id, n.call_id)) if n.call_id else ''}}</td><td class="note-text">{{n.text}}</td></tr>
% end
  </tbody>
</table>
% end
