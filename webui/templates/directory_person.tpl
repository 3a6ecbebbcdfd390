% # One person: their moves and extensions over time, and the dated edit forms (administrators).
% rebase('base.tpl', title=_('Organisation'), nav='/directory', refresh=None)
% from datetime import datetime
% def local(t, open_end=None):
%   return (open_end or _('now')) if t is None else fmt_iso(datetime.fromtimestamp(t, tz).isoformat(), 'short')
% end
<p class="small"><a href="/directory?tenant={{tenant.code}}">← {{tenant.name}}</a></p>
<h1>{{(person.first_name + ' ' + person.last_name).strip() or person.external_id}}</h1>
<p class="muted">{{_('Id')}} {{person.external_id}}{{' · ' + person.email if person.email else ''}} · {{origin_text(person.origin)}}{{(' · ' + _('left {date}').format(date=local(person.ended_utc))) if person.ended_utc is not None else ''}}</p>
% from webui.crm import person_link
% hr_url = person_link(person.external_id)
% if hr_url:
<p><a href="{{hr_url}}" id="crm-link" rel="noopener noreferrer" target="_blank">{{_('Open in the CRM')}}</a></p>
% end
% if error:
<p class="banner warn">{{error}}</p>
% elif done:
<p class="banner ok">{{done}}</p>
% end

<h2>{{_('History')}}</h2>
<div class="scroll" tabindex="0"><table>
  <thead><tr><th>{{_('From')}}</th><th>{{_('Until')}}</th><th>{{_('What')}}</th><th>{{_('Branch')}}</th><th>{{_('Department')}}</th><th>{{_('Cost centre')}}</th></tr></thead>
  <tbody>
% for h in history:
    <tr><td class="num">{{local(h.valid_from, _('always'))}}</td><td class="num">{{local(h.valid_to)}}</td>
% if h.kind == 'extension':
      <td>{{_('extension {ext}').format(ext=h.extension)}}</td><td></td><td></td><td></td></tr>
% else:
      <td>{{_('placement')}}</td><td>{{h.branch or '—'}}</td><td>{{h.department or '—'}}</td><td>{{h.cost_centre or '—'}}</td></tr>
% end
% end
  </tbody>
</table></div>
<p class="muted small">{{_("Times are the PBX's local time. A change applies from its moment on; earlier calls keep the earlier owner and place.")}}</p>

% if editable:
<h2>{{_('Details')}}</h2>
<form method="post" action="/directory/person/details" class="form">
  <input type="hidden" name="csrf_token" value="{{csrf}}">
  <input type="hidden" name="person" value="{{person.id}}">
  <label>{{_('First name')}} <input name="first_name" value="{{person.first_name}}"></label>
  <label>{{_('Last name')}} <input name="last_name" value="{{person.last_name}}"></label>
  <label>{{_('E-mail')}} <input name="email" type="email" value="{{person.email}}"></label>
  <button type="submit">{{_('Save')}}</button>
</form>

<h2>{{_('Move')}}</h2>
<form method="post" action="/directory/move" class="form">
  <input type="hidden" name="csrf_token" value="{{csrf}}">
  <input type="hidden" name="person" value="{{person.id}}">
% for kind, label in (('branch', _('Branch')), ('department', _('Department')), ('cost_centre', _('Cost centre'))):
%   now = getattr(current, kind + '_id') if current else None
  <label>{{label}} <select name="{{kind}}"><option value="">—</option>
% for id_, name in choices[kind]:
    <option value="{{id_}}"{{!' selected' if id_ == now else ''}}>{{name}}</option>
% end
  </select></label>
% end
  <label>{{_('From')}} <input name="date" type="date" value="{{today}}" required></label>
  <button type="submit">{{_('Move')}}</button>
</form>

<h2>{{_('Extensions')}}</h2>
<form method="post" action="/directory/extension" class="form">
  <input type="hidden" name="csrf_token" value="{{csrf}}">
  <input type="hidden" name="person" value="{{person.id}}">
  <input type="hidden" name="action" value="assign">
  <label>{{_('Extension')}} <input name="extension" size="8" required></label>
  <label>{{_('From')}} <input name="date" type="date" value="{{today}}" required></label>
  <label><input type="checkbox" name="replace" value="1"> {{_('take it over from its holder')}}</label>
  <button type="submit">{{_('Assign')}}</button>
</form>
% if extensions:
<form method="post" action="/directory/extension" class="form">
  <input type="hidden" name="csrf_token" value="{{csrf}}">
  <input type="hidden" name="person" value="{{person.id}}">
  <input type="hidden" name="action" value="release">
  <label>{{_('Extension')}} <select name="extension">
% for ext in extensions:
    <option>{{ext}}</option>
% end
  </select></label>
  <label>{{_('From')}} <input name="date" type="date" value="{{today}}" required></label>
  <button type="submit">{{_('Release')}}</button>
</form>
% end
% if person.ended_utc is None:
<h2>{{_('Leaving')}}</h2>
<form method="post" action="/directory/person/end" class="form">
  <input type="hidden" name="csrf_token" value="{{csrf}}">
  <input type="hidden" name="person" value="{{person.id}}">
  <label>{{_('Left on')}} <input name="date" type="date" value="{{today}}" required></label>
  <button type="submit">{{_('End')}}</button>
  <span class="muted small">{{_('Their place and extensions end on that day; their calls and history stay. A move later brings them back.')}}</span>
</form>
% end
% end
